resource "luminate_collection" "payments" {
  name = "payments"
}

data "luminate_group" "developers" {
  identity_provider_id = "local"
  groups               = ["Developers"]
}

resource "luminate_collection_role" "policy_owner" {
  role_type            = "PolicyOwner"
  identity_provider_id = "local"
  entity_id            = data.luminate_group.developers.group_ids[0]
  entity_type          = "Group"
  collection_id        = luminate_collection.payments.id
}
