resource "luminate_tcp_access_policy" "database" {
  name                 = "dba-to-postgres"
  identity_provider_id = "local"
  group_ids            = ["5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e"]
  applications         = ["4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"]

  allow_temporary_token = true
  allow_public_key      = false

  validators {
    web_verification = true
  }
}
