//! Access and activity policies, shared objects (models §3.5, §3.9, §4.5, §4.6).

use std::sync::Arc;

use axum::Router;

use super::Sim;

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
}
