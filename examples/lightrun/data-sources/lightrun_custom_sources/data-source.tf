data "lightrun_custom_sources" "all" {
  agent_pool_id = "a9e10000-0000-4000-8000-000000000001"
}

output "custom_sources" {
  value = { for s in data.lightrun_custom_sources.all.custom_sources : s.name => s.id }
}
