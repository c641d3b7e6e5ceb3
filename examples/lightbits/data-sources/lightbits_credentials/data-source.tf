data "lightbits_credentials" "default" {
  project_name = "default"
}

output "credential_ids" {
  value = [for c in data.lightbits_credentials.default.credentials : c.credential_id]
}
