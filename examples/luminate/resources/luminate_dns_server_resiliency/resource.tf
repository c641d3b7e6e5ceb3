resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_dns_group_resiliency" "corp" {
  name               = "corporate-dns"
  send_notifications = true
  domain_suffixes    = ["corp.example.com"]
}

resource "luminate_dns_server_resiliency" "primary" {
  name             = "dns-berlin-1"
  site_id          = luminate_site.office.id
  group_id         = luminate_dns_group_resiliency.corp.id
  internal_address = "udp://10.0.0.53:53"
}
