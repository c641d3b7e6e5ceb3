data "lightbits_admin_endpoints" "all" {}

output "admin_ports" {
  value = [for e in data.lightbits_admin_endpoints.all.admin_endpoints : e.port]
}
