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

resource "luminate_web_application" "wiki" {
  name             = "wiki"
  site_id          = luminate_site.office.id
  internal_address = "http://10.0.0.10:8080"
}

resource "luminate_web_access_policy" "developers" {
  name                 = "developers-to-wiki"
  identity_provider_id = "local"
  user_ids             = data.luminate_user.alice.user_ids
  group_ids            = data.luminate_group.developers.group_ids
  applications         = [luminate_web_application.wiki.id]

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
