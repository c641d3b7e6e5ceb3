resource "lightbits_snapshot" "nightly" {
  project_name       = "default"
  source_volume_uuid = "3f1c8d52-8a3b-4f6e-9c1a-0e5d2b7a9c44"
  name               = "db-data-nightly"
  description        = "Nightly snapshot of db-data"
  retention_time     = "168h"
}
