data "lastline_licenses" "valid_analyst" {
  product         = "analyst-hosted"
  include_invalid = false
}

output "valid_analyst_keys" {
  value = data.lastline_licenses.valid_analyst.licenses[*].access_key
}
