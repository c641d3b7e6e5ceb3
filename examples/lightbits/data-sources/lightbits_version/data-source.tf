data "lightbits_version" "this" {}
