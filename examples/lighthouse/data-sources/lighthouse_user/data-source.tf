data "lighthouse_user" "release" {
  email = "release@example.com"
}

output "release_beacon_levels" {
  value = data.lighthouse_user.release.beacon_permissions
}
