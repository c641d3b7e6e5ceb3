data "luminate_user" "alice" {
  identity_provider_id = "local"
  users                = ["alice@acme.example.com"]
}

resource "luminate_tenant_role" "tenant_viewer" {
  role_type            = "TenantViewer"
  identity_provider_id = "local"
  entity_id            = data.luminate_user.alice.user_ids[0]
  entity_type          = "User"
}
