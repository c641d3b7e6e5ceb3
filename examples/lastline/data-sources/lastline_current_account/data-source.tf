data "lastline_current_account" "me" {}

output "customer" {
  value = data.lastline_current_account.me.customer
}
