resource "lightrun_agent_pool" "prod" {
  name        = "prod"
  description = "Production agents"
}
