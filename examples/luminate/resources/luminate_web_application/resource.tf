resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_web_application" "wiki" {
  name             = "wiki"
  site_id          = luminate_site.office.id
  internal_address = "http://10.0.0.10:8080"
}
