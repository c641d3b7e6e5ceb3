//! Admin routes (`/_sim/...`): what "someone else" does to the cluster, and the knobs.
//!
//! - `GET /_sim/state`: object counts and every object as the API shows it.
//! - `PATCH /_sim/objects/{id}`: merge JSON into an object (by UUID, or project name),
//!   bumping its ETag: an out-of-band edit.
//! - `DELETE /_sim/objects/{id}`: remove an object at once: an out-of-band delete.
//! - `POST /_sim/faults`: arm a fault (see [`super::Fault`]).
//! - `PUT /_sim/config`: `{"transition_delay_ms", "latency_ms"}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Value as J};

use super::store::Kind;
use super::{api_error, Fault, Sim};

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", get(state))
        .route("/objects/{id}", patch(edit).delete(remove))
        .route("/faults", post(arm))
        .route("/config", put(config))
}

async fn state(State(sim): State<Arc<Sim>>) -> Response {
    let st = sim.store();
    let count = |k: Kind| st.objects.values().filter(|o| o.kind == k).count();
    let objects: Vec<J> = st.objects.values().map(|o| json!({"kind": o.kind.noun(), "object": o.view()})).collect();
    Json(json!({
        "projects": count(Kind::Project),
        "volumes": count(Kind::Volume),
        "snapshots": count(Kind::Snapshot),
        "objects": objects,
    }))
    .into_response()
}

fn key_of(st: &super::store::Store, id: &str) -> Option<String> {
    if st.objects.contains_key(id) {
        return Some(id.to_string());
    }
    st.find_key(Kind::Project, None, None, Some(id))
}

async fn edit(State(sim): State<Arc<Sim>>, Path(id): Path<String>, Json(patch): Json<J>) -> Response {
    let mut st = sim.store();
    let Some(key) = key_of(&st, &id) else { return api_error(StatusCode::NOT_FOUND, "no such object") };
    let Some(o) = st.objects.get_mut(&key) else { return api_error(StatusCode::NOT_FOUND, "no such object") };
    let (J::Object(p), J::Object(body)) = (patch, &mut o.body) else {
        return api_error(StatusCode::BAD_REQUEST, "the patch must be a JSON object");
    };
    // Setting a state by hand overrides whatever transition was under way.
    if p.contains_key("state") {
        o.transition = None;
    }
    for (k, v) in p {
        body.insert(k, v);
    }
    o.etag += 1;
    Json(o.view()).into_response()
}

async fn remove(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Response {
    let mut st = sim.store();
    match key_of(&st, &id) {
        Some(key) => {
            st.objects.remove(&key);
            Json(json!({})).into_response()
        }
        None => api_error(StatusCode::NOT_FOUND, "no such object"),
    }
}

async fn arm(State(sim): State<Arc<Sim>>, Json(f): Json<Fault>) -> Response {
    if f.kind != "drop" && f.kind != "status" {
        return api_error(StatusCode::BAD_REQUEST, "fault kind must be \"drop\" or \"status\"");
    }
    sim.arm(f);
    Json(json!({})).into_response()
}

async fn config(State(sim): State<Arc<Sim>>, Json(b): Json<J>) -> Response {
    let mut c = sim.config.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(ms) = b.get("transition_delay_ms").and_then(J::as_u64) {
        c.transition_delay = std::time::Duration::from_millis(ms);
    }
    if let Some(ms) = b.get("latency_ms").and_then(J::as_u64) {
        c.latency = std::time::Duration::from_millis(ms);
    }
    Json(json!({"transition_delay_ms": c.transition_delay.as_millis() as u64, "latency_ms": c.latency.as_millis() as u64})).into_response()
}
