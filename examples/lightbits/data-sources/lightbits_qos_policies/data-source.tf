# The QoS policies the "default" project may use.
data "lightbits_qos_policies" "usable" {
  project_name = "default"
}

output "usable_policies" {
  value = [for p in data.lightbits_qos_policies.usable.policies : p.name]
}
