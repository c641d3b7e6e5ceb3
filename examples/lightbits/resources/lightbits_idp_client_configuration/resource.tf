# Converge mode: only the claim counts, so client_id must be NOT_APPLICABLE.
resource "lightbits_idp_client_configuration" "groups" {
  name                   = "by-group"
  client_id              = "NOT_APPLICABLE"
  idp_configuration_name = "adfs" # lightbits_idp_configuration.adfs.name when managed here
  authz_mode             = "Converge"
  claim_name             = "groups"
}
