data "lightrun_agent_pool" "prod" {
  name = "prod"
}

output "prod_pool_live_agents" {
  value = data.lightrun_agent_pool.prod.live_agents_count
}
