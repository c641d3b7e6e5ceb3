# Customers cannot be created or deleted through the API: this adopts the provider
# account's customer, and destroying it only removes it from Terraform state.
resource "lastline_customer_contact" "own" {
  affiliation = "Example Corp"
  phone       = "+1 555 0100"
  city        = "Springfield"
  country     = "US"
}
