# A Lightrun quickstart: an agent pool, a group working on it and a user in that group,
# run by scripts/demo.sh against the bundled simulator. The provider reads
# LIGHTRUN_API_URL, LIGHTRUN_API_KEY and LIGHTRUN_COMPANY_ID.
terraform {
  required_providers {
    lightrun = {
      source = "tfprov/lightrun"
    }
  }
}

provider "lightrun" {}

resource "lightrun_agent_pool" "prod" {
  name        = "prod"
  description = "Production agents"
}

resource "lightrun_group" "oncall" {
  name           = "oncall"
  roles          = ["STANDARD"]
  agent_pool_ids = [lightrun_agent_pool.prod.id]
}

resource "lightrun_user" "alice" {
  email      = "alice@example.com"
  first_name = "Alice"
  last_name  = "Liddell"
}

resource "lightrun_group_member" "alice_oncall" {
  group_id    = lightrun_group.oncall.id
  email       = lightrun_user.alice.email
  group_admin = true
}
