variable "volume_uuid" {
  type = string
}

variable "snapshot_uuid" {
  type = string
}

# DESTRUCTIVE: replaces the volume's content with the snapshot's. Writes made since the
# snapshot are lost. Runs only when invoked:
#   terraform apply -invoke=action.lightbits_volume_rollback.db
action "lightbits_volume_rollback" "db" {
  config {
    project_name  = "default"
    volume_uuid   = var.volume_uuid
    snapshot_uuid = var.snapshot_uuid
  }
}
