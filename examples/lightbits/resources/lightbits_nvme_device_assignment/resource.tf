data "lightbits_node" "n" {
  name = "server02-0"
}

# Makes the node manage an unmanaged NVMe device of its server. The API cannot detach a
# device: destroying this resource only removes it from the state.
resource "lightbits_nvme_device_assignment" "extra" {
  serial_number = "S2D2NVME0022"
  node_uuid     = data.lightbits_node.n.uuid
}
