terraform {
  required_providers {
    lastline = {
      source = "tfprov/lastline"
    }
  }
}

variable "lastline_password" {
  type      = string
  sensitive = true
}

provider "lastline" {
  base_url = "https://user.lastline.com/papi" # or LASTLINE_BASE_URL; on-premise: https://<manager>/papi
  username = "admin@example.com"              # or LASTLINE_USERNAME
  password = var.lastline_password            # or LASTLINE_PASSWORD
}
