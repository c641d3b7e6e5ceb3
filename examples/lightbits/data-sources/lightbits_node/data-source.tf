data "lightbits_node" "n" {
  name = "server00-0"
}
