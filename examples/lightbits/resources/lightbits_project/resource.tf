resource "lightbits_project" "team" {
  name        = "team-a"
  description = "Volumes of team A"
}
