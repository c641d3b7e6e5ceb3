data "luminate_collection" "default" {
  name = "Default Collection"
}
