data "luminate_identity_provider" "local" {
  identity_provider_name = "local"
}
