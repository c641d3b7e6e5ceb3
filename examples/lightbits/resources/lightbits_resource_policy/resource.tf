resource "lightbits_volume" "db" {
  project_name = "default"
  name         = "db"
  size         = "100GiB"
}

# Snapshots of the volume every Monday and Friday night, kept for a week.
resource "lightbits_resource_policy" "db_weekly" {
  project_name   = "default"
  name           = "db-weekly"
  resource_uuid  = lightbits_volume.db.uuid
  description    = "Twice-weekly snapshots"
  retention_time = "168h"

  weekly {
    days {
      day        = "Monday"
      start_time = "2026-01-05T02:00:00Z"
    }
    days {
      day        = "Friday"
      start_time = "2026-01-09T02:00:00Z"
    }
  }
}

# Or every 4 hours:
#   hourly {
#     start_time     = "2026-01-01T00:00:00Z"
#     hours_in_cycle = 4
#   }
