# An admin endpoint is imported by its port.
terraform import lightbits_admin_endpoint.api 443
