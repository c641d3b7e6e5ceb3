resource "lightbits_auth_map_entry" "storage_admins" {
  name                   = "storage-admins"
  identifier             = "grp-storage-admins"
  scope                  = "system"
  role                   = "admin"
  idp_configuration_name = "adfs" # lightbits_idp_configuration.adfs.name when managed here
}
