resource "lightbits_idp_configuration" "adfs" {
  name       = "corp-adfs"
  issuer_url = "https://adfs.example.com/adfs"

  proxy_info = {
    url      = "http://10.0.0.9:3128"
    username = "svc-lightbits"
    password = var.proxy_password
  }
}

variable "proxy_password" {
  type      = string
  sensitive = true
}
