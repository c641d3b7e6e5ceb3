data "lightbits_idp_client_configurations" "all" {}
