# Rotates the cluster-level encryption root key (encryption must be enabled):
#   terraform apply -invoke=action.lightbits_cluster_root_key_rotation.now
action "lightbits_cluster_root_key_rotation" "now" {}
