# A Luminate quickstart: a site with a collection, run by scripts/demo.sh against the
# bundled simulator. The provider reads LUMINATE_API_ENDPOINT, LUMINATE_API_CLIENT_ID and
# LUMINATE_API_CLIENT_SECRET.
terraform {
  required_providers {
    luminate = {
      source = "tfprov/luminate"
    }
  }
}

provider "luminate" {}

resource "luminate_site" "office" {
  name                     = "office"
  mute_health_notification = true
}

resource "luminate_collection" "engineering" {
  name = "engineering"
}

resource "luminate_collection_site_link" "office" {
  site_id        = luminate_site.office.id
  collection_ids = [luminate_collection.engineering.id]
}

output "site_id" {
  value = luminate_site.office.id
}
