//! Identity and access: credentials, admin endpoints, IdP configurations, authorization maps, IdP client configurations, trusted hosts and their secrets, roles, federated and in-band authentication (being built).

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
