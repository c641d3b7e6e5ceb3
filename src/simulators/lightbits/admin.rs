//! Admin routes (`/_sim/...`): what "someone else" does to the cluster, and the knobs.
//!
//! - `GET /_sim/state`: object counts and every object as the API shows it.
//! - `PATCH /_sim/objects/{id}`: merge JSON into an object (by UUID, or project name),
//!   bumping its ETag: an out-of-band edit.
//! - `DELETE /_sim/objects/{id}`: remove an object at once: an out-of-band delete.
//! - `POST /_sim/faults`: arm a fault (see [`super::Fault`]).
//! - `PUT /_sim/config`: `{"transition_delay_ms", "latency_ms", "reject_unknown_fields"}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::store::{Kind, Store};
use super::{Fault, Sim, SimError, FAULT_KINDS};

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .merge(super::policies::admin_routes())
        .merge(super::identity::admin_routes())
        .merge(super::cluster::admin_routes())
        .route("/state", get(state))
        .route("/objects/{id}", patch(edit).delete(remove))
        .route("/faults", post(arm))
        .route("/config", put(config))
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let store = sim.store();
    let count = |kind: Kind| store.objects.values().filter(|o| o.kind == kind).count();
    let objects: Vec<Value> =
        store.objects.values().map(|o| json!({"kind": o.kind.noun(), "object": o.view()})).collect();
    let counts: serde_json::Map<String, Value> =
        Kind::ALL.iter().map(|k| (k.noun().to_string(), json!(count(*k)))).collect();
    Json(json!({
        "projects": count(Kind::Project),
        "volumes": count(Kind::Volume),
        "snapshots": count(Kind::Snapshot),
        "counts": counts,
        "objects": objects,
    }))
}

fn key_of(store: &Store, id: &str) -> Option<String> {
    if store.objects.contains_key(id) {
        return Some(id.to_string());
    }
    store.find_key(Kind::Project, None, None, Some(id))
}

fn no_such_object() -> SimError {
    SimError::not_found("no such object")
}

async fn edit(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(patch): Json<Value>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let key = key_of(&store, &id).ok_or_else(no_such_object)?;
    let object = store.objects.get_mut(&key).ok_or_else(no_such_object)?;
    let (Value::Object(patch), Value::Object(body)) = (patch, &mut object.body) else {
        return Err(SimError::bad_request("the patch must be a JSON object"));
    };
    // Setting a state by hand overrides whatever transition was under way.
    if patch.contains_key("state") {
        object.transition = None;
    }
    body.extend(patch);
    object.etag += 1;
    Ok(Json(object.view()))
}

async fn remove(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let key = key_of(&store, &id).ok_or_else(no_such_object)?;
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

async fn arm(State(sim): State<Arc<Sim>>, Json(fault): Json<Fault>) -> Result<Json<Value>, SimError> {
    if !FAULT_KINDS.contains(&fault.kind.as_str()) {
        return Err(SimError::bad_request(format!("fault kind must be one of {FAULT_KINDS:?}")));
    }
    sim.arm(fault);
    Ok(Json(json!({})))
}

async fn config(State(sim): State<Arc<Sim>>, Json(knobs): Json<Value>) -> Json<Value> {
    let mut config = sim.config.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(ms) = knobs.get("transition_delay_ms").and_then(Value::as_u64) {
        config.transition_delay = std::time::Duration::from_millis(ms);
    }
    if let Some(ms) = knobs.get("latency_ms").and_then(Value::as_u64) {
        config.latency = std::time::Duration::from_millis(ms);
    }
    if let Some(reject) = knobs.get("reject_unknown_fields").and_then(Value::as_bool) {
        config.reject_unknown_fields = reject;
    }
    Json(json!({
        "transition_delay_ms": config.transition_delay.as_millis() as u64,
        "latency_ms": config.latency.as_millis() as u64,
        "reject_unknown_fields": config.reject_unknown_fields,
    }))
}
