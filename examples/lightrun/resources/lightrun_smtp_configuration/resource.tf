variable "smtp_password" {
  type      = string
  sensitive = true
}

# Lightrun sends mail through the company's own server. The password is write-only
# (Terraform >= 1.11): bump the version to send a new one.
resource "lightrun_smtp_configuration" "this" {
  type                             = "CUSTOM"
  server_host                      = "smtp.example.com"
  server_port                      = 587
  from_email_address               = "lightrun@example.com"
  authentication_type              = "PASSWORD"
  authentication_id                = "lightrun-mailer"
  authentication_secret_wo         = var.smtp_password
  authentication_secret_wo_version = 1
}
