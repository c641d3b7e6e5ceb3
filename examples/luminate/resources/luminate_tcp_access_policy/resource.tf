data "luminate_user" "alice" {
  identity_provider_id = "local"
  users                = ["alice@acme.example.com"]
}

data "luminate_group" "developers" {
  identity_provider_id = "local"
  groups               = ["Developers"]
}

resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_tcp_application" "postgres" {
  name    = "postgres"
  site_id = luminate_site.office.id

  target {
    address = "10.0.0.40"
    ports   = [5432]
  }
}

resource "luminate_tcp_access_policy" "database" {
  name                 = "dba-to-postgres"
  identity_provider_id = "local"
  group_ids            = data.luminate_group.developers.group_ids
  applications         = [luminate_tcp_application.postgres.id]

  allow_temporary_token = true
  allow_public_key      = false

  validators {
    web_verification = true
  }
}
