# The switch has a fixed ID.
terraform import lightbits_federated_authentication.this federated_authentication
