data "lightbits_idp_configurations" "all" {}
