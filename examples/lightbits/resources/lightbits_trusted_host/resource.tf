resource "lightbits_trusted_host" "db1" {
  project_name  = "default"
  name          = "db1"
  host_nqn      = "nqn.2014-08.org.nvmexpress:uuid:4c4c4544-0035-4b10-8051-b7c04f4e3332"
  labels        = { rack = "r1" }
  auth_required = true
}
