resource "luminate_collection" "engineering" {
  name = "engineering"
}
