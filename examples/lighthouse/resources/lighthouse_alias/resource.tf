# Names one instance behind a beacon. A beacon refresh rewrites instance aliases to
# "<beacon alias>.<vm name>"; the next plan shows that drift and apply sets this again.
resource "lighthouse_alias" "web1" {
  address = "10.0.0.11:2375/v1.18"
  alias   = "web-1"
}
