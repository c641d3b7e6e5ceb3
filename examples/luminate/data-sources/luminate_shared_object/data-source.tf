data "luminate_shared_object" "office_ips" {
  name = "office-ips"
  type = "IP_LIST"
}
