data "lightbits_nvme_device" "d" {
  serial = "S0D1NVME0001"
}
