//! Connectors and their deployment commands, site registration keys (models §3.2, §3.3, §4.3).

use std::sync::Arc;

use axum::Router;

use super::Sim;

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
}
