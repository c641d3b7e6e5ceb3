resource "lightrun_user" "alice" {
  email      = "alice@example.com"
  first_name = "Alice"
  last_name  = "Liddell"
}

resource "lightrun_group" "oncall" {
  name  = "oncall"
  roles = ["STANDARD"]
}

# Alice joins the on-call group, administers it and gets PRIVILEGED on its pools.
resource "lightrun_group_member" "alice_oncall" {
  group_id       = lightrun_group.oncall.id
  email          = lightrun_user.alice.email
  group_admin    = true
  elevated_roles = ["PRIVILEGED"]
}
