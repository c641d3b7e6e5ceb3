# A bandwidth limit that every project may use.
resource "lightbits_qos_policy" "gold" {
  name              = "gold"
  description       = "500 MB/s reads, 200 MB/s writes"
  policy_visibility = "Global"

  limit_bw {
    read_bw_limit  = 500
    write_bw_limit = 200
  }
}

# An IOPS limit only the "team-a" project may use, and its default.
resource "lightbits_qos_policy" "team_a" {
  name                 = "team-a-iops"
  policy_visibility    = "Scoped"
  projects_names_scope = ["team-a"]

  limit_iops {
    read_iops_limit  = 10240
    write_iops_limit = 5120
  }
}
