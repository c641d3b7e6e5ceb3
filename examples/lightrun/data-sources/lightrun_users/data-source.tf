# Every system administrator.
data "lightrun_users" "admins" {
  role = "SYSTEM_ADMIN"
}

output "admin_emails" {
  value = data.lightrun_users.admins.users[*].email
}
