variable "agent_pool_id" {
  type = string
}

data "lightrun_custom_sources" "checkout" {
  agent_pool_id = var.agent_pool_id
  name          = "checkout-prod"
}

# terraform apply -invoke=action.lightrun_create_snapshot_action.cart -auto-approve
action "lightrun_create_snapshot_action" "cart" {
  config {
    filename                 = "com/shop/Cart.java"
    line                     = 42
    source_type              = "CUSTOM_SOURCE"
    source_id                = data.lightrun_custom_sources.checkout.custom_sources[0].id
    agent_pool_id            = var.agent_pool_id
    max_hit_count            = 5
    distribute_max_hit_count = true
    watch_expressions        = ["cart.size()", "user.id"]
  }
}
