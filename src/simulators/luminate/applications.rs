//! Applications of every type and their binding to sites (models §3.4, §4.4).

use std::sync::Arc;

use axum::Router;

use super::Sim;

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
}
