variable "beacon_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Lighthouse contacts the beacon during create: it must be reachable with this token.
resource "lighthouse_beacon" "lab" {
  address          = "10.0.0.5:8000"
  alias            = "lab"
  token_wo         = var.beacon_token
  token_wo_version = 1 # bump to send a new token
}
