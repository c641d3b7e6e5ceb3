data "lightbits_role" "admin" {
  project_name = "default"
  name         = "admin"
}

output "admin_rules" {
  value = jsondecode(data.lightbits_role.admin.rules_json)
}
