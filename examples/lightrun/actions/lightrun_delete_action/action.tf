variable "agent_pool_id" {
  type = string
}

# The live log actions in a file, as the API lists them.
data "lightrun_actions" "checkout_logs" {
  agent_pool_id = var.agent_pool_id
  action_type   = "LOG"
  expired       = false
  filename      = "com/shop/Checkout.java"
}

# terraform apply -invoke=action.lightrun_delete_action.first -auto-approve
action "lightrun_delete_action" "first" {
  config {
    action_id     = data.lightrun_actions.checkout_logs.actions[0].id
    agent_pool_id = var.agent_pool_id
  }
}
