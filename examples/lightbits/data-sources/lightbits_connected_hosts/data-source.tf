data "lightbits_volume" "db" {
  project_name = "default"
  name         = "db"
}

# The hosts connected to one volume; without volume_uuid, every connected host.
data "lightbits_connected_hosts" "db" {
  volume_uuid = data.lightbits_volume.db.uuid
}
