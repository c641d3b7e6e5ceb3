# Who has temporary access right now.
data "lightrun_jit_access_grants" "active" {}

output "temporary_access" {
  value = { for g in data.lightrun_jit_access_grants.active.grants : g.name => g.user_emails }
}
