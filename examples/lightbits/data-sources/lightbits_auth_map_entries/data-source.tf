data "lightbits_auth_map_entries" "all" {}
