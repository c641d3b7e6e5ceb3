# Import by parameter name; original_value becomes the value at import time.
terraform import lightbits_cluster_config_param.permanent_failure DurationToTurnIntoPermanentFailure
