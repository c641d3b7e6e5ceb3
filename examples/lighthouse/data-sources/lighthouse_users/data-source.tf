data "lighthouse_users" "visible" {}

output "emails" {
  value = data.lighthouse_users.visible.emails
}
