# An IdP client configuration is imported by its name.
terraform import lightbits_idp_client_configuration.groups by-group
