data "lastline_customer" "own" {}

output "contact" {
  value = "${data.lastline_customer.own.first_name} ${data.lastline_customer.own.last_name}"
}
