resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_segment_application" "lab" {
  name    = "lab"
  site_id = luminate_site.office.id
  segment_settings {
    original_ip = "10.60.30.0/24"
  }
}

# Or several addresses, CIDRs or ranges:
resource "luminate_segment_application" "servers" {
  name     = "servers"
  sub_type = "SEGMENT_SPECIFIC_IPS"
  site_id  = luminate_site.office.id
  multiple_segment_settings {
    original_ip = ["192.168.1.1", "192.168.1.2"]
  }
}
