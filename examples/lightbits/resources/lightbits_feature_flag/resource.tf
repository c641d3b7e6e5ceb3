# Turns a feature flag on. Destroying this resource leaves the flag as it is.
# Some flags cannot be disabled once enabled (the cluster answers 501).
resource "lightbits_feature_flag" "rebalance" {
  name    = "proactive-rebalance"
  enabled = true
}
