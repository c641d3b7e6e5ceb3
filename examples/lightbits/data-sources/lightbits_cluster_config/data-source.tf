data "lightbits_cluster_config" "all" {}

output "cluster_config" {
  value = { for p in data.lightbits_cluster_config.all.parameters : p.name => p.value }
}
