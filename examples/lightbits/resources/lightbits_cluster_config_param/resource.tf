# Sets one cluster-wide parameter. The value found before is kept as original_value and
# put back when this resource is destroyed.
resource "lightbits_cluster_config_param" "permanent_failure" {
  name  = "DurationToTurnIntoPermanentFailure"
  value = "2h"
}
