resource "lightbits_volume" "db" {
  project_name  = "default"
  name          = "db-data"
  size          = "100GiB"
  replica_count = 3
  compression   = true

  # Hosts allowed to connect, by NVMe host NQN.
  acl = ["nqn.2014-08.org.nvmexpress:uuid:5f0e0b1c-8e6e-4f0a-9a55-0d1d3f1d2e3f"]

  labels = {
    app = "postgres"
  }

  timeouts {
    create = "15m"
    delete = "15m"
  }
}
