//! Admin routes (`/_sim/...`): what "someone else" does to the tenant, and the knobs.
//!
//! - `GET /_sim/state`: object counts, every object as the API shows it, and the
//!   collection-site links and the group memberships.
//! - `POST /_sim/objects/{kind}`: add an object of `kind` (its noun with `_` for spaces,
//!   e.g. `application`, `identity_provider`) exactly as given, with a fresh `id` unless
//!   the body has one: someone else created it (or a test needs it without its routes).
//! - `PATCH /_sim/objects/{id}`: merge JSON into a site or collection: an out-of-band edit.
//! - `DELETE /_sim/objects/{id}`: remove an object at once, with its links, memberships
//!   and role bindings, or a group membership named `<group id>_<user id>`: an
//!   out-of-band delete.
//! - `POST /_sim/faults`: arm a fault (see [`super::Fault`]).
//! - `POST /_sim/expire-tokens`: every issued access token stops being accepted.
//! - `PUT /_sim/config`: `{"rate_limit_per_sec", "latency_ms", "token_ttl_ms"}`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::store::Kind;
use super::{Fault, Sim, SimError};

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", get(state))
        .route("/objects/{id}", patch(edit).delete(remove).post(add))
        .route("/faults", post(arm))
        .route("/expire-tokens", post(expire_tokens))
        .route("/config", put(config))
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let store = sim.store();
    let objects: Vec<Value> =
        store.objects.values().map(|o| json!({"kind": o.kind.noun(), "object": o.body})).collect();
    let links: Vec<Value> =
        store.links.iter().map(|(collection, site)| json!({"siteId": site, "collectionId": collection})).collect();
    let mut counts = serde_json::Map::new();
    for object in store.objects.values() {
        let count = counts.entry(object.kind.noun()).or_insert(json!(0));
        *count = json!(count.as_u64().unwrap_or(0) + 1);
    }
    Json(json!({
        "counts": counts,
        "requests": {
            "admitted": sim.admitted.load(std::sync::atomic::Ordering::Relaxed),
            "rate_limited": sim.rate_limited.load(std::sync::atomic::Ordering::Relaxed),
        },
        "sites": store.count(Kind::Site),
        "collections": store.count(Kind::Collection),
        "tokens": store.tokens.len(),
        "objects": objects,
        "links": links,
        "memberships": store
            .memberships
            .iter()
            .map(|(group, user)| json!({"groupId": group, "userId": user}))
            .collect::<Vec<Value>>(),
    }))
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
    let object = store.objects.get_mut(&id).ok_or_else(no_such_object)?;
    crate::simulators::merge_patch(&mut object.body, patch).map_err(SimError::bad_request)?;
    Ok(Json(object.body.clone()))
}

async fn add(
    State(sim): State<Arc<Sim>>,
    Path(kind): Path<String>,
    Json(mut body): Json<Value>,
) -> Result<Json<Value>, SimError> {
    let noun = kind.replace('_', " ");
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.noun() == noun)
        .ok_or_else(|| SimError::bad_request(format!("no kind {noun}")))?;
    let Some(object) = body.as_object_mut() else {
        return Err(SimError::bad_request("the object must be a JSON object"));
    };
    if !object.get("id").is_some_and(Value::is_string) {
        object.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
    }
    Ok(Json(sim.store().insert(kind, body)))
}

async fn remove(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    // Like the API's deletes, the links go too: a dangling link would count forever.
    // `<group id>_<user id>` names a group membership.
    let mut store = sim.store();
    if store.remove(&id).is_none() && !store.remove_membership(&id) {
        return Err(no_such_object());
    }
    Ok(Json(json!({})))
}

async fn arm(State(sim): State<Arc<Sim>>, Json(fault): Json<Fault>) -> Result<Json<Value>, SimError> {
    crate::simulators::faults::check(&fault).map_err(SimError::bad_request)?;
    sim.arm(fault);
    Ok(Json(json!({})))
}

async fn expire_tokens(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.expire_tokens();
    Json(json!({}))
}

async fn config(State(sim): State<Arc<Sim>>, Json(knobs): Json<Value>) -> Json<Value> {
    let mut config = sim.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(limit) = knobs.get("rate_limit_per_sec").and_then(Value::as_u64) {
        config.rate_limit_per_sec = u32::try_from(limit).unwrap_or(u32::MAX);
    }
    if let Some(ms) = knobs.get("latency_ms").and_then(Value::as_u64) {
        config.latency = Duration::from_millis(ms);
    }
    if let Some(ms) = knobs.get("token_ttl_ms").and_then(Value::as_u64) {
        config.token_ttl = Duration::from_millis(ms);
    }
    Json(json!({
        "rate_limit_per_sec": config.rate_limit_per_sec,
        "latency_ms": config.latency.as_millis() as u64,
        "token_ttl_ms": config.token_ttl.as_millis() as u64,
    }))
}
