//! Cloud (AWS) integrations, DNS resiliency groups and servers, SSH clients (models §3.10-§3.12, §4.9-§4.11).

use std::sync::Arc;

use axum::Router;

use super::Sim;

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
}
