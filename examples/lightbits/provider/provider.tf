terraform {
  required_providers {
    lightbits = {
      source = "tfprov/lightbits"
    }
  }
}

# Every argument can also come from the environment: LIGHTBITS_ENDPOINTS (comma
# separated), LIGHTBITS_TOKEN, LIGHTBITS_CA_CERTIFICATE, LIGHTBITS_INSECURE_SKIP_VERIFY
# and LIGHTBITS_PROJECT.
provider "lightbits" {
  endpoints       = ["https://10.0.0.1:443", "https://10.0.0.2:443"]
  token           = var.lightbits_token
  ca_certificate  = file("${path.module}/cluster-ca.pem")
  default_project = "default"
  request_timeout = "30s"
  max_retries     = 5
}

variable "lightbits_token" {
  type      = string
  sensitive = true
}
