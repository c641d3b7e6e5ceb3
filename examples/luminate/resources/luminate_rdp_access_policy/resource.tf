resource "luminate_rdp_access_policy" "support" {
  name                 = "support-to-desktops"
  identity_provider_id = "local"
  user_ids             = ["8e1b5b2c-3f4a-4d6e-9a7b-1c2d3e4f5a6b"]
  applications         = ["7f8091a2-b3c4-4d5e-8f6a-7b8c9d0e1f2a"]

  target_protocol_subtype  = "RDP_BROWSER"
  allow_long_term_password = false

  web_rdp_settings {
    disable_copy  = true
    disable_paste = false
  }
}
