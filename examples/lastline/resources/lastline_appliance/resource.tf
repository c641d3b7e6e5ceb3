# The appliance must already be registered on the box (lastline_register).
resource "lastline_appliance" "branch" {
  appliance_uuid = "a11a0000-0000-4000-8000-000000000001"
  enabled        = true

  # Destroy only forgets the appliance unless this is true; deregistering is one-way.
  deregister_on_destroy = false
}
