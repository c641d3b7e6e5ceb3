data "lightbits_cluster" "this" {}

output "subsystem_nqn" {
  value = data.lightbits_cluster.this.subsystem_nqn
}
