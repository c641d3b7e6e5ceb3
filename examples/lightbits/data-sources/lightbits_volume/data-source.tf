# By name within a project (or by uuid instead of name).
data "lightbits_volume" "db" {
  project_name = "default"
  name         = "db-data"
}

output "db_nsid" {
  value = data.lightbits_volume.db.nsid
}
