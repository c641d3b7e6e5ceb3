data "lastline_permission_types" "all" {}

output "sensor_level" {
  value = [for p in data.lastline_permission_types.all.permissions : p.permission if contains(p.contexts, "subkey")]
}
