data "lastline_appliances" "all" {}

output "disabled_appliances" {
  value = [for a in data.lastline_appliances.all.appliances : a.appliance_uuid if a.registration_state == "DISABLED"]
}
