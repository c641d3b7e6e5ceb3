variable "release_engineer_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Lighthouse cannot delete users: destroying this only removes it from Terraform state.
resource "lighthouse_user" "release" {
  email               = "release@example.com"
  password_wo         = var.release_engineer_password
  password_wo_version = 1 # bump to send a new password
  auth_level          = 1
}
