# Accounts are created on first SSO login and kept in sync by the identity manager
# through SCIM, which also manages RBAC groups.
resource "lightrun_idm_provisioning" "this" {
  jit_provisioning_enabled = true
  scim_enabled             = true
  scim_sync_groups         = true
}

output "scim_endpoint_url" {
  value = lightrun_idm_provisioning.this.scim_endpoint_url
}
