data "lightbits_project" "default" {
  name = "default"
}
