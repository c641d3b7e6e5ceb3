variable "sso_public_key_pem" {
  type        = string
  description = "PEM of the public key that verifies the project's JWTs."
}

variable "tls_private_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

# A public key that verifies the project's JWTs, kept in state (sensitive).
resource "lightbits_credential" "jwt_key" {
  project_name  = "default"
  credential_id = "sso-key-1"
  type          = "RS256PubKey"
  payload       = var.sso_public_key_pem
}

# A private key, write-only (Terraform 1.11+): never stored in state.
# Bump payload_wo_version to upload a new key (the credential is re-created).
resource "lightbits_credential" "tls_key" {
  project_name       = "default"
  credential_id      = "tls-key"
  type               = "TlsPrivKeyPem"
  payload_wo         = var.tls_private_key_pem
  payload_wo_version = 1
}
