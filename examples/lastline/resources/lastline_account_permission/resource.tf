# Alerts of one license only (can_access_alerts, can_access_pcaps and can_manage_labels
# can be granted at customer, license or subkey level; the others at customer level).
resource "lastline_account_permission" "alerts" {
  account_username = "jane.doe@example.com"
  permission       = "can_access_alerts"
  context          = "license"
  target           = "ACCESSKEY0000000001"
}

resource "lastline_account_permission" "pcaps" {
  account_username = "jane.doe@example.com"
  permission       = "can_access_pcaps"
  context          = "subkey"
  target           = "ACCESSKEY0000000001:sensor01"
}
