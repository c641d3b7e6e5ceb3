# Secrets are write-only (Terraform 1.11+). Destroying this resource only sets the
# target secret type to Disabled: the host secret stays until the host is deleted.
resource "lightbits_trusted_host_secret" "db1" {
  project_name       = lightbits_trusted_host.db1.project_name
  name               = lightbits_trusted_host.db1.name
  host_uuid          = lightbits_trusted_host.db1.uuid
  host_secret_wo     = var.db1_host_secret
  secrets_wo_version = 1
  target_secret_type = "AutoGenSecret"
}

variable "db1_host_secret" {
  type      = string
  sensitive = true
}
