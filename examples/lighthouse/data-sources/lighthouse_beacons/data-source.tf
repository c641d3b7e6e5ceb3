data "lighthouse_beacons" "all" {}

output "beacon_addresses" {
  value = data.lighthouse_beacons.all.beacons[*].address
}
