resource "luminate_web_access_policy" "developers" {
  name                 = "developers-to-wiki"
  identity_provider_id = "local"
  user_ids             = ["8e1b5b2c-3f4a-4d6e-9a7b-1c2d3e4f5a6b"]
  group_ids            = ["5d6e7f80-91a2-4b3c-8d4e-5f6a7b8c9d0e"]
  applications         = ["2b7c0a3e-8f1d-4e5a-9b6c-7d8e9f0a1b2c"]

  validators {
    mfa = true
  }

  conditions {
    location  = ["Wallis and Futuna"]
    source_ip = ["10.0.0.0/8"]

    managed_device {
      opswat = true
    }
  }
}
