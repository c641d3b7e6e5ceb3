variable "agent_pool_id" {
  type = string
}

data "lightrun_tags" "prod" {
  agent_pool_id = var.agent_pool_id
  name          = "prod"
}

# terraform apply -invoke=action.lightrun_create_log_action.trace_checkout -auto-approve
action "lightrun_create_log_action" "trace_checkout" {
  config {
    filename           = "com/shop/Checkout.java"
    line               = 118
    format             = "total={total} items={cart.size()}"
    source_type        = "TAG"
    source_id          = data.lightrun_tags.prod.tags[0].id
    agent_pool_id      = var.agent_pool_id
    condition          = "total > 100"
    log_level          = "INFO"
    targets            = ["PLUGIN", "STDOUT"]
    expiration_seconds = 1800
  }
}
