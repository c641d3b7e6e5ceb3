data "lightbits_qos_policy" "gold" {
  name = "gold"
}

resource "lightbits_volume" "fast" {
  project_name    = "default"
  name            = "fast"
  size            = "10GiB"
  qos_policy_uuid = data.lightbits_qos_policy.gold.uuid
}
