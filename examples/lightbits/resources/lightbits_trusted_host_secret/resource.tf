# Secrets are write-only (Terraform 1.11+). Destroying this resource only sets the
# target secret type to Disabled: the host secret stays until the host is deleted.
resource "lightbits_trusted_host" "db1" {
  project_name  = "default"
  name          = "db1"
  host_nqn      = "nqn.2014-08.org.nvmexpress:uuid:4c4c4544-0035-4b10-8051-b7c04f4e3332"
  auth_required = true
}

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
