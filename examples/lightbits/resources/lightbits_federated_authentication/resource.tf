# Federated authentication is on while this resource exists. Declare it after the IdP
# configuration, client configurations and authorization maps it relies on (for example
# with depends_on), so that nobody is locked out while they are being created.
resource "lightbits_federated_authentication" "this" {}
