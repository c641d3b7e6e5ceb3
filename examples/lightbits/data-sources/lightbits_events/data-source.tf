# Only one of project_name, severity and component_type may filter at a time.
data "lightbits_events" "serious" {
  severity = ["High", "Critical"]
  since    = "2026-01-01T00:00:00.000Z"
}
