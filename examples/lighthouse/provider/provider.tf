terraform {
  required_providers {
    lighthouse = {
      source = "tfprov/lighthouse"
    }
  }
}

variable "lighthouse_password" {
  type      = string
  sensitive = true
}

provider "lighthouse" {
  endpoint = "http://lighthouse.example.com:5000" # or LIGHTHOUSE_ENDPOINT
  email    = "ops@example.com"                    # or LIGHTHOUSE_EMAIL
  password = var.lighthouse_password              # or LIGHTHOUSE_PASSWORD
}
