# In-band authentication (Beta) of the default subsystem, on while this resource exists.
resource "lightbits_in_band_authentication" "default" {
  subsystem_nqn_name = "DefaultSubSystem"
  depends_on         = [lightbits_trusted_host_secret.db1]
}
