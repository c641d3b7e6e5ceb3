resource "lastline_account_role" "soc" {
  account_username = "jane.doe@example.com"
  role             = "SOC analysts"
}

resource "lastline_account_role" "read_only" {
  account_username = "jane.doe@example.com"
  role             = "Read-only"
  builtin          = true
}
