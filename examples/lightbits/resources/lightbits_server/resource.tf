# Advanced: adds a server running LightOS to the cluster. Changing membership of a
# storage cluster is an operator's decision; most configurations only read servers.
resource "lightbits_server" "spare" {
  uuid             = "6f1c9a52-3b6e-4c59-9d0b-2a8c4a0e7b11"
  server_endpoints = ["http://10.0.0.20:2380"]
  extend_cluster   = false # nodes come up Unattached: targets for node replacement
  enabled          = true
}
