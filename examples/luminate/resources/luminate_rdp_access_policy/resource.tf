data "luminate_user" "alice" {
  identity_provider_id = "local"
  users                = ["alice@acme.example.com"]
}

data "luminate_group" "developers" {
  identity_provider_id = "local"
  groups               = ["Developers"]
}

resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_rdp_application" "desktop" {
  name             = "support-desktop"
  site_id          = luminate_site.office.id
  internal_address = "tcp://10.0.0.20"
  sub_type         = "RDP_BROWSER_SINGLE_MACHINE"
}

resource "luminate_rdp_access_policy" "support" {
  name                 = "support-to-desktops"
  identity_provider_id = "local"
  user_ids             = data.luminate_user.alice.user_ids
  applications         = [luminate_rdp_application.desktop.id]

  target_protocol_subtype  = "RDP_BROWSER"
  allow_long_term_password = false

  web_rdp_settings {
    disable_copy  = true
    disable_paste = false
  }
}
