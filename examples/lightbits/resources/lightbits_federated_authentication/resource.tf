# Federated authentication is on while this resource exists.
resource "lightbits_federated_authentication" "this" {
  depends_on = [lightbits_idp_client_configuration.groups, lightbits_auth_map_entry.storage_admins]
}
