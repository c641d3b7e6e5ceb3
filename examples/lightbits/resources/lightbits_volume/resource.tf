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

# A single-replica scratch volume kept in one failure domain. Placement restrictions
# need replica_count = 1 and dynamic rebalancing off (the fail-in-place and
# proactive-rebalance feature flags).
resource "lightbits_volume" "scratch" {
  project_name  = "default"
  name          = "scratch"
  size          = "50GiB"
  replica_count = 1

  placement_restrictions {
    label_value_key_pairs {
      key   = "FD"
      value = "rack-a"
    }
  }
}
