# A Lastline quickstart: an analyst account, a custom role with two permissions, and the
# role granted to the account, run by scripts/demo.sh against the bundled simulator. The
# provider reads LASTLINE_BASE_URL, LASTLINE_USERNAME and LASTLINE_PASSWORD. Roles cannot
# be deleted through the API: destroy forgets the role and says so.
terraform {
  required_providers {
    lastline = {
      source = "tfprov/lastline"
    }
  }
}

provider "lastline" {}

variable "analyst_password" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = "quickstart-Passw0rd"
}

resource "lastline_account" "analyst" {
  username            = "jane.doe@example.com"
  email               = "jane.doe@example.com"
  first_name          = "Jane"
  last_name           = "Doe"
  password_wo         = var.analyst_password
  password_wo_version = 1
}

resource "lastline_role" "soc" {
  name        = "SOC analysts"
  description = "Alerts and artifacts"
}

resource "lastline_role_permission" "soc" {
  for_each   = toset(["can_access_alerts", "can_access_pcaps"])
  role       = lastline_role.soc.name
  permission = each.value
}

resource "lastline_account_role" "analyst_soc" {
  account_username = lastline_account.analyst.username
  role             = lastline_role.soc.name
}
