resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_rdp_application" "desktop" {
  site_id          = luminate_site.office.id
  name             = "desktop"
  internal_address = "tcp://10.0.0.13"
}
