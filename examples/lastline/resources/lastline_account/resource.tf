variable "analyst_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "lastline_account" "analyst" {
  username            = "jane.doe@example.com"
  email               = "jane.doe@example.com"
  first_name          = "Jane"
  last_name           = "Doe"
  default_timezone    = "Europe/Vienna"
  password_wo         = var.analyst_password
  password_wo_version = 1 # bump to send a new password
  blocked             = false
}
