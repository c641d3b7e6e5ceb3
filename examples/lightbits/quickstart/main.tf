# Quickstart: a project, two volumes and a snapshot.
# Run against the bundled simulator with ./scripts/demo.sh, or point the provider at a
# real cluster with LIGHTBITS_ENDPOINTS and LIGHTBITS_TOKEN.

terraform {
  required_providers {
    lightbits = {
      source = "tfprov/lightbits"
    }
  }
}

provider "lightbits" {
  # endpoints and token come from LIGHTBITS_ENDPOINTS and LIGHTBITS_TOKEN.
}

resource "lightbits_project" "demo" {
  name        = "quickstart"
  description = "Created by the quickstart example"
}

resource "lightbits_volume" "db" {
  project_name  = lightbits_project.demo.name
  name          = "db-data"
  size          = "10GiB"
  replica_count = 3
  acl           = ["nqn.2014-08.org.nvmexpress:uuid:5f0e0b1c-8e6e-4f0a-9a55-0d1d3f1d2e3f"]
  compression   = true
  labels = {
    app = "db"
  }
}

resource "lightbits_volume" "logs" {
  project_name = lightbits_project.demo.name
  name         = "logs"
  size         = "512 MiB"
}

resource "lightbits_snapshot" "db_nightly" {
  project_name       = lightbits_project.demo.name
  source_volume_uuid = lightbits_volume.db.uuid
  name               = "db-data-nightly"
  retention_time     = "24h"
}

output "db_volume_id" {
  value = lightbits_volume.db.id
}
