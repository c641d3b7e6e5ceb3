data "luminate_user" "alice" {
  identity_provider_id = "local"
  users                = ["alice@acme.example.com"]
}

resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_web_application" "admin" {
  name             = "admin-portal"
  site_id          = luminate_site.office.id
  internal_address = "http://10.0.0.50"
}

resource "luminate_web_activity_policy" "no_exfiltration" {
  name                 = "no-downloads-from-admin"
  identity_provider_id = "local"
  user_ids             = data.luminate_user.alice.user_ids
  applications         = [luminate_web_application.admin.id]

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
