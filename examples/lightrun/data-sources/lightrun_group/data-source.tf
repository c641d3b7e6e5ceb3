data "lightrun_group" "oncall" {
  name = "oncall"
}

output "oncall_members" {
  value = data.lightrun_group.oncall.members[*].email
}
