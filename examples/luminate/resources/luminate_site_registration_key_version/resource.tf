resource "luminate_site" "cluster" {
  name                = "k8s-cluster"
  authentication_mode = "orchestrator"
}

# A new version on every plan: give it to the `version` of the ephemeral
# `luminate_site_registration_key` of the site, and the key is rotated on every apply.
resource "luminate_site_registration_key_version" "cluster" {}
