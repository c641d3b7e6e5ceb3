data "lastline_account_roles" "jane" {
  account_username = "jane.doe@example.com"
}

output "roles" {
  value = [for r in data.lastline_account_roles.jane.roles : r.role if !r.is_ephemeral]
}
