data "lightbits_snapshots" "all" {
  project_name = "default"
}

output "snapshot_names" {
  value = [for s in data.lightbits_snapshots.all.snapshots : s.name]
}
