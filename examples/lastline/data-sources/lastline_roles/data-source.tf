data "lastline_roles" "custom" {
  builtin = false
}

output "custom_roles" {
  value = data.lastline_roles.custom.roles[*].role_name
}
