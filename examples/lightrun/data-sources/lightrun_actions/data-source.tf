data "lightrun_actions" "live_snapshots" {
  agent_pool_id = "a9e10000-0000-4000-8000-000000000001"
  action_type   = "SNAPSHOT"
  expired       = false
  created_after = "2026-11-01"
}

output "live_snapshots" {
  value = [for a in data.lightrun_actions.live_snapshots.actions : "${a.location}:${a.line} by ${a.created_by}"]
}
