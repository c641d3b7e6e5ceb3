# Reads the flags of the provider's company_id.
data "lightrun_feature_flags" "current" {}

output "snapshots_enabled" {
  value = data.lightrun_feature_flags.current.features["SNAPSHOTS"] == "ENABLED"
}
