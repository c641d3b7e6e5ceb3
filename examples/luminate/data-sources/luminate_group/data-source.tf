data "luminate_group" "my_groups" {
  identity_provider_id = "local"
  groups               = ["Developers", "Operators"]
}
