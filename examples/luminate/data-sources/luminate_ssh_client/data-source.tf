data "luminate_ssh_client" "ci" {
  name = "ci-runner"
}
