resource "luminate_site" "office" {
  name = "office-berlin"
}

resource "luminate_collection" "engineering" {
  name = "engineering"
}

# The site's whole set of collection links.
resource "luminate_collection_site_link" "office" {
  site_id        = luminate_site.office.id
  collection_ids = [luminate_collection.engineering.id]
}
