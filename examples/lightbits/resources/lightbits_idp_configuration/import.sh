# An IdP configuration is imported by its name.
terraform import lightbits_idp_configuration.adfs corp-adfs
