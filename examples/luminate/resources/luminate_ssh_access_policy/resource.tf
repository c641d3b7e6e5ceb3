resource "luminate_ssh_access_policy" "ops" {
  name                 = "ops-to-servers"
  identity_provider_id = "local"
  group_ids            = ["5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e"]
  applications         = ["6e7f8091-a2b3-4c4d-9e5f-6a7b8c9d0e1f"]

  accounts               = ["ubuntu", "deploy"]
  use_auto_mapping       = true
  allow_agent_forwarding = true
  allow_temporary_token  = true

  conditions {
    source_ip = ["192.168.0.0/16"]
  }
}
