# Turns on cluster-level encryption. It cannot be turned off again: destroying this
# resource only removes it from the state (Terraform warns before it does).
resource "lightbits_cluster_encryption" "this" {
  key_store = "file"
}
