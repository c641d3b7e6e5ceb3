//! Identity providers, users and groups (a seeded directory), local group membership and role bindings (models §3.6-§3.8, §4.7, §4.8).

use std::sync::Arc;

use axum::Router;

use super::Sim;

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
}
