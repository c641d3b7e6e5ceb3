data "lightbits_snapshot" "nightly" {
  project_name = "default"
  name         = "nightly"
}

# A clone of the snapshot.
resource "lightbits_volume" "restore" {
  project_name         = "default"
  name                 = "restore"
  size                 = "100GiB"
  source_snapshot_uuid = data.lightbits_snapshot.nightly.uuid
}
