data "lightbits_trusted_hosts" "default" {
  project_name = "default"
}
