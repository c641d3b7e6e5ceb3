data "lightbits_volume" "db" {
  project_name = "default"
  name         = "db"
}

# The snapshot schedules of one volume.
data "lightbits_resource_policies" "db" {
  project_name = "default"
  volume_uuid  = data.lightbits_volume.db.uuid
}

output "db_schedules" {
  value = [for p in data.lightbits_resource_policies.db.resource_policies : p.name]
}
