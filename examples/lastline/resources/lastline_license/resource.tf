# Licences cannot be deleted: destroying this only removes it from Terraform state, and
# the licence stays valid until its end date.
resource "lastline_license" "analyst" {
  product           = "analyst-hosted"
  license_type      = "commercial"
  end_date          = "2027-12-31"
  api_token_version = 1 # bump to rotate the API token

  timeouts {
    create = "20m" # generated licences can take up to 15 minutes to propagate
  }
}

output "analyst_api_token" {
  value     = lastline_license.analyst.api_token
  sensitive = true
}
