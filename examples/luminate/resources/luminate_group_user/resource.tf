data "luminate_group" "developers" {
  identity_provider_id = "local"
  groups               = ["Developers"]
}

data "luminate_user" "bob" {
  identity_provider_id = "local"
  users                = ["bob@acme.example.com"]
}

resource "luminate_group_user" "bob_in_developers" {
  group_id = data.luminate_group.developers.group_ids[0]
  user_id  = data.luminate_user.bob.user_ids[0]
}
