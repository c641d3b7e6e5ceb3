data "lightbits_roles" "default" {
  project_name = "default"
}
