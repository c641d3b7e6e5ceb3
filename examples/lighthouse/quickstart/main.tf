# A Lighthouse quickstart: a beacon, a user with a level on it, and an nginx application,
# run by scripts/demo.sh against the bundled simulator (started with a demo beacon at
# 127.0.0.1:5002 and Docker hosts behind it). The provider reads LIGHTHOUSE_ENDPOINT,
# LIGHTHOUSE_EMAIL and LIGHTHOUSE_PASSWORD. Lighthouse cannot delete anything: destroy
# forgets the user, beacon and application (stopping its containers) and says so.
terraform {
  required_providers {
    lighthouse = {
      source = "tfprov/lighthouse"
    }
  }
}

provider "lighthouse" {}

resource "lighthouse_beacon" "demo" {
  address  = "127.0.0.1:5002"
  alias    = "demo"
  token_wo = "demo-beacon-token"
}

resource "lighthouse_user" "release" {
  email       = "release@example.com"
  password_wo = "change-me-please"
  auth_level  = 1
}

resource "lighthouse_beacon_permission" "release_on_demo" {
  email          = lighthouse_user.release.email
  beacon_address = lighthouse_beacon.demo.address
  level          = 1
}

data "lighthouse_beacon_instances" "demo" {
  beacon_address = lighthouse_beacon.demo.address
}

resource "lighthouse_application" "web" {
  name      = "web"
  command   = jsonencode({ Image = "nginx:1.27", ExposedPorts = { "80/tcp" = {} } })
  instances = [for i in data.lighthouse_beacon_instances.demo.instances : i.instance_address if i.can_access_docker]
}

output "application_id" {
  value = lighthouse_application.web.id
}
