//! The cluster's machines and settings: configuration parameters, feature flags, servers, nodes, NVMe devices, events, connected hosts, the root key (being built).

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
