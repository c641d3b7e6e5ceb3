data "luminate_shared_object" "office_ips" {
  name = "corporate-egress"
  type = "IP_LIST"
}
