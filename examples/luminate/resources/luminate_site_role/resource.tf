resource "luminate_site" "office" {
  name = "office"
}

data "luminate_user" "carol" {
  identity_provider_id = "local"
  users                = ["carol@acme.example.com"]
}

resource "luminate_site_role" "site_editor" {
  role_type            = "SiteEditor"
  identity_provider_id = "local"
  entity_id            = data.luminate_user.carol.user_ids[0]
  entity_type          = "User"
  site_id              = luminate_site.office.id
}
