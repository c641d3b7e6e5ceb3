data "lastline_sensors" "onprem" {
  access_key = "ACMEONPREM0000000001"
}

output "onprem_sensor_keys" {
  value = data.lastline_sensors.onprem.sensors[*].key
}
