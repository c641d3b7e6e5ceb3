variable "backup_public_key_pem" {
  type = string
}

# Exports the root key encrypted with your public key. encrypted_key is sensitive and
# is stored in the Terraform state: protect the state.
data "lightbits_cluster_root_key" "kek" {
  user_public_key = var.backup_public_key_pem
}
