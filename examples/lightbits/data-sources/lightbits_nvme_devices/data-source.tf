data "lightbits_server" "s" {
  name = "server00"
}

data "lightbits_nvme_devices" "on_server" {
  server_uuid = data.lightbits_server.s.uuid
}
