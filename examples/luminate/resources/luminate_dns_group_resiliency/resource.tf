resource "luminate_dns_group_resiliency" "corp" {
  name               = "corporate-dns"
  send_notifications = true
  is_enabled         = true
  domain_suffixes    = ["corp.example.com", "lab.example.com"]
}
