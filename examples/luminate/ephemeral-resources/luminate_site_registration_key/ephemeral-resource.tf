resource "luminate_site" "branch" {
  name                = "branch-office"
  authentication_mode = "orchestrator"
}

# A new version on every apply asks for a new key; the key itself is never stored.
resource "luminate_site_registration_key_version" "branch" {}

ephemeral "luminate_site_registration_key" "branch" {
  site_id                         = luminate_site.branch.id
  version                         = luminate_site_registration_key_version.branch.version
  revoke_existing_key_immediately = false
}
