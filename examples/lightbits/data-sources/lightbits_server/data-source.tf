data "lightbits_server" "s" {
  name = "server00"
}
