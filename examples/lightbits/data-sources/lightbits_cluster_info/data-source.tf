data "lightbits_cluster_info" "this" {}

output "subsystem_nqn" {
  value = data.lightbits_cluster_info.this.subsystem_nqn
}
