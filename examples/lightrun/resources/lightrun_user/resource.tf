resource "lightrun_user" "alice" {
  email      = "alice@example.com"
  first_name = "Alice"
  last_name  = "Liddell"
  roles      = ["DEVELOPER"]
}
