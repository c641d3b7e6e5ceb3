resource "lastline_role" "soc" {
  name = "SOC analysts"
}

resource "lastline_role_permission" "soc" {
  for_each   = toset(["can_access_alerts", "can_access_pcaps"])
  role       = lastline_role.soc.name
  permission = each.value
}
