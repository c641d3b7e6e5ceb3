resource "luminate_web_activity_policy" "no_exfiltration" {
  name                 = "no-downloads-from-admin"
  identity_provider_id = "local"
  user_ids             = ["8e1b5b2c-3f4a-4d6e-9a7b-1c2d3e4f5a6b"]
  applications         = ["2b7c0a3e-8f1d-4e5a-9b6c-7d8e9f0a1b2c"]

  conditions = {
    source_ip = ["10.0.0.0/8"]
    managed_device = {
      symantec_cloudsoc = true
    }
  }

  rules = [
    {
      action = "BLOCK"
      conditions = {
        file_downloaded = true
        uri_accessed    = true
        arguments = {
          uri_list = ["/admin"]
        }
      }
    },
    {
      action               = "WEB_ISOLATION"
      isolation_profile_id = data.luminate_shared_object.strict.id
    },
  ]
}

data "luminate_shared_object" "strict" {
  name = "strict-isolation"
  type = "ISOLATION_PROFILE"
}
