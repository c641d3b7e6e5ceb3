//! QoS policies (`/api/v2/policies`) and resource policies (snapshot schedules, `/api/v2/projects/{projectName}/resourcePolicies`) (being built).

use std::sync::Arc;

use axum::Router;

use super::Sim;

/// The API routes of this area.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
}

/// The admin routes of this area (under `/_sim`).
pub fn admin_routes() -> Router<Arc<Sim>> {
    Router::new()
}
