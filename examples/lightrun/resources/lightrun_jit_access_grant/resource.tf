resource "lightrun_agent_pool" "prod" {
  name = "prod"
}

# Temporary PRIVILEGED access to production for an incident. Destroy revokes it; once
# the date has passed the grant stays in state with expired = true.
resource "lightrun_jit_access_grant" "incident" {
  name            = "incident-1358"
  user_emails     = ["alice@example.com"]
  agent_pool_ids  = [lightrun_agent_pool.prod.id]
  roles           = ["PRIVILEGED"]
  expiration_date = "2026-12-31T23:59:59+01:00"
  incident_id     = "00001358"
}
