# A key for CI, valid for 30 days, with developer permissions only. The secret is
# returned once and kept in state (sensitive).
resource "lightrun_system_api_key" "ci" {
  label           = "ci pipeline"
  expiration_days = 30
  scopes          = ["DEV"]
}

output "ci_api_key" {
  value     = lightrun_system_api_key.ci.api_key
  sensitive = true
}
