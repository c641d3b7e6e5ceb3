resource "luminate_site" "office" {
  name                     = "office-berlin"
  mute_health_notification = false
}
