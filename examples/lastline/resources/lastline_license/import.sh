# <access_key>; api_token stays null until it is rotated with api_token_version.
terraform import lastline_license.analyst ACMEHOSTED0000000001
