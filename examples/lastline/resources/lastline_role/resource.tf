# Roles cannot be deleted through the API: destroying this only removes it from
# Terraform state. A new name renames the role in place.
resource "lastline_role" "soc" {
  name        = "SOC analysts"
  description = "Alerts and artifacts"
}
