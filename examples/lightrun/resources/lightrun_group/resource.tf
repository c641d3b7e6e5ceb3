resource "lightrun_agent_pool" "prod" {
  name = "prod"
}

resource "lightrun_group" "oncall" {
  name           = "oncall"
  roles          = ["STANDARD"]
  agent_pool_ids = [lightrun_agent_pool.prod.id]
}
