resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_connector" "office" {
  name    = "office-berlin-1"
  site_id = luminate_site.office.id
  type    = "docker-compose"
}

# Run this on the machine that hosts the connector.
output "connector_command" {
  value = luminate_connector.office.command
}
