data "lightrun_agents" "checkout" {
  agent_pool_id = "a9e10000-0000-4000-8000-000000000001"
  name          = "checkout-*"
}

output "checkout_agents" {
  value = [for a in data.lightrun_agents.checkout.agents : "${a.name} (${a.type} ${a.version})"]
}
