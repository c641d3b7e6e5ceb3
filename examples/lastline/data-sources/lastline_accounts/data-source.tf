data "lastline_accounts" "example" {
  username_substring = "@example.com"
}

output "blocked" {
  value = [for a in data.lastline_accounts.example.accounts : a.username if a.is_blocked]
}
