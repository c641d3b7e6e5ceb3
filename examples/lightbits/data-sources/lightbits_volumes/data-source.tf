data "lightbits_volumes" "all" {
  project_name = "default"
}

output "volume_names" {
  value = [for v in data.lightbits_volumes.all.volumes : v.name]
}
