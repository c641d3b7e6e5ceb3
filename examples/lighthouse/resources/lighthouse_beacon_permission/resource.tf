# 0 = access, 1 = modify, 2 = owner. Destroy revokes the level.
resource "lighthouse_beacon_permission" "release_on_lab" {
  email          = "release@example.com"
  beacon_address = "10.0.0.5:8000"
  level          = 1
}
