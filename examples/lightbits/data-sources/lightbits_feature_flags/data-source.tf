data "lightbits_feature_flags" "all" {}

output "enabled_features" {
  value = [for f in data.lightbits_feature_flags.all.feature_flags : f.name if f.enabled]
}
