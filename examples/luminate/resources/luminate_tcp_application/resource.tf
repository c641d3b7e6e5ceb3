resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_tcp_application" "database" {
  name    = "database"
  site_id = luminate_site.office.id
  target {
    address = "10.0.0.12"
    ports   = [5432]
  }
}
