# Deploys an nginx container named "web" to two Docker hosts. Changing `command` creates a
# new deployment in place; destroy stops the containers and leaves the application.
resource "lighthouse_application" "web" {
  name = "web"
  command = jsonencode({
    Image        = "nginx:1.27"
    ExposedPorts = { "80/tcp" = {} }
    HostConfig   = { PortBindings = { "80/tcp" = [{ HostPort = "8080" }] } }
  })
  instances = ["10.0.0.11:2375/v1.18", "10.0.0.12:2375/v1.18"]
  running   = true

  timeouts {
    create = "15m"
  }
}
