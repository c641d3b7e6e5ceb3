data "lightbits_nodes" "all" {}

output "inactive_nodes" {
  value = [for n in data.lightbits_nodes.all.nodes : n.name if n.state != "Active"]
}
