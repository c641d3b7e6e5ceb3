# Sensors cannot be deleted: destroying this deactivates the sensor and removes it from
# Terraform state.
resource "lastline_sensor" "perimeter" {
  access_key = "ACMEHOSTED0000000001"
  subkey     = "perimeter01"
  name       = "Perimeter sensor"
  active     = true
}
