data "luminate_user" "my_users" {
  identity_provider_id = "local"
  users                = ["alice@acme.example.com", "bob@acme.example.com"]
}
