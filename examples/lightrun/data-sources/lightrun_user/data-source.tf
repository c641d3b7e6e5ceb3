data "lightrun_user" "alice" {
  email = "alice@example.com"
}

output "alice_groups" {
  value = data.lightrun_user.alice.group_memberships[*].group_id
}
