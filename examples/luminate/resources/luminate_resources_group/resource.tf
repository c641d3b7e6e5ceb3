data "luminate_identity_provider" "local" {
  identity_provider_name = "local"
}

resource "luminate_resources_group" "auditors" {
  name                 = "Auditors"
  identity_provider_id = data.luminate_identity_provider.local.identity_provider_id
}
