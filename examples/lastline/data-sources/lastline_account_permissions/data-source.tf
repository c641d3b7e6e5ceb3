data "lastline_account_permissions" "jane" {
  account_username = "jane.doe@example.com"
  consider_roles   = false # only direct grants
}

output "licenses" {
  value = data.lastline_account_permissions.jane.license_permissions[*].access_key
}
