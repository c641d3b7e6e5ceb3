terraform {
  required_providers {
    lightrun = {
      source = "tfprov/lightrun"
    }
  }
}

variable "lightrun_api_key" {
  type      = string
  sensitive = true
}

provider "lightrun" {
  api_url    = "https://app.lightrun.com" # or LIGHTRUN_API_URL
  api_key    = var.lightrun_api_key       # or LIGHTRUN_API_KEY
  company_id = "c0ffee00-0000-4000-8000-000000000001"
}
