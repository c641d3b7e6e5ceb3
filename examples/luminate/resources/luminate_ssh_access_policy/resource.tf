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

resource "luminate_ssh_application" "servers" {
  name             = "app-servers"
  site_id          = luminate_site.office.id
  internal_address = "tcp://10.0.0.30:22"
}

resource "luminate_ssh_access_policy" "ops" {
  name                 = "ops-to-servers"
  identity_provider_id = "local"
  group_ids            = data.luminate_group.developers.group_ids
  applications         = [luminate_ssh_application.servers.id]

  accounts               = ["ubuntu", "deploy"]
  use_auto_mapping       = true
  allow_agent_forwarding = true
  allow_temporary_token  = true

  conditions {
    source_ip = ["192.168.0.0/16"]
  }
}
