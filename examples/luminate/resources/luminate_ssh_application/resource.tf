resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_ssh_application" "bastion" {
  site_id          = luminate_site.office.id
  name             = "bastion"
  internal_address = "tcp://10.0.0.11:22"
}
