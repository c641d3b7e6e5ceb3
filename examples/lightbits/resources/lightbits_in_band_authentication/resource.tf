# Declare it after the trusted hosts and their secrets (for example with depends_on), so
# that hosts already connected keep access.
# In-band authentication (Beta) of the default subsystem, on while this resource exists.
resource "lightbits_in_band_authentication" "default" {
  subsystem_nqn_name = "DefaultSubSystem"
}
