terraform {
  required_providers {
    luminate = { source = "tfprov/luminate" }
  }
}

# The same arguments as the Go provider: switching needs only a new `source`.
provider "luminate" {
  api_endpoint      = "api.mytenant.luminatesec.com" # or LUMINATE_API_ENDPOINT
  api_client_id     = var.luminate_client_id         # or LUMINATE_API_CLIENT_ID
  api_client_secret = var.luminate_client_secret     # or LUMINATE_API_CLIENT_SECRET
}

variable "luminate_client_id" {
  type = string
}

variable "luminate_client_secret" {
  type      = string
  sensitive = true
}
