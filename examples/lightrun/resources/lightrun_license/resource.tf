variable "lightrun_license" {
  type        = string
  description = "The base64 licence file as issued by Lightrun."
}

variable "lightrun_license_signature" {
  type        = string
  description = "Its signature, as issued by Lightrun."
}

# The signature is write-only: it is sent with every change of the licence and never
# stored.
resource "lightrun_license" "this" {
  license           = trimspace(var.lightrun_license)
  license_signature = trimspace(var.lightrun_license_signature)
}
