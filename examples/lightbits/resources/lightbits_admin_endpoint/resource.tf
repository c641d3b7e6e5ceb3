resource "lightbits_admin_endpoint" "api" {
  port = 443
  ips  = ["10.0.0.10", "10.0.0.11"]
}
