//! Admin routes (`/_sim/...`): what "someone else" does to the company, and the knobs.
//!
//! - `GET /_sim/state`: object counts, every object as the API shows it with what the API
//!   hides (`hidden`: pools, tags, API key secrets ...), group members and the settings
//!   (unmasked: the admin view is where tests look for leaks).
//! - `POST /_sim/objects/{kind}`: add an object of `kind` (`agent_pool`, `agent`, `tag`,
//!   `custom_source`, `action`, `user`, `group`, `temp_access`, `watched_package`,
//!   `loaded_package`, `api_key`) exactly as given, with a fresh `id` unless the body has
//!   one; a `_hidden` object in the body gives the hidden fields (an agent's, tag's,
//!   source's, action's or package's `pool` defaults to the default pool). Kind `member`
//!   adds a group member: `{"groupId", "email", "groupAdmin", "elevatedRoles"}`.
//! - `PATCH /_sim/objects/{id}`: merge JSON into an object (by id, or a user by email):
//!   an out-of-band edit. The ids `smtp`, `idm_authentication` (the written form:
//!   `loginMethod`, `protocol`, and `idpUrl`/`clientId`/`discoveryUrl` the portal would
//!   set), `idm_provisioning` and `feature_flags` name the settings; `license` takes
//!   `{"license": "<base64>"}`; `<group id>/<email>` a member (`groupAdmin`,
//!   `elevatedRoles`).
//! - `DELETE /_sim/objects/{id}`: remove an object at once (with what would dangle), a
//!   member `<group id>/<email>`, the licence (`license`: GET answers 404 after), or
//!   reset a setting to its default (`smtp`, `idm_authentication`, `idm_provisioning`).
//! - `POST /_sim/faults`: arm a fault (see [`super::Fault`]); a 429 carries
//!   `Retry-After` (`retry_after_secs`).
//! - `PUT /_sim/config`: `{"latency_ms", "scopes", "seat_limit" (null: none),
//!   "temp_access_limit", "rbac", "retry_after_secs", "api_key"}`; answers the knobs.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::store::{strings, Kind, Member, Store, DEFAULT_POOL_ID};
use super::{Fault, Sim, SimError};

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", get(state))
        .route("/objects/{*id}", patch(edit).delete(remove).post(add))
        .route("/faults", post(arm))
        .route("/config", put(config))
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let store = sim.store();
    let mut counts = Map::new();
    let mut objects = Vec::new();
    for kind in Kind::ALL {
        let of_kind = store.of_kind(kind);
        counts.insert(kind.noun().into(), json!(of_kind.len()));
        for object in of_kind {
            objects.push(json!({"kind": kind.noun(), "object": object.body, "hidden": object.hidden}));
        }
    }
    let members: Vec<Value> = store
        .members
        .iter()
        .map(|((group, _), m)| json!({"groupId": group, "email": m.email, "groupAdmin": m.group_admin, "elevatedRoles": m.elevated_roles}))
        .collect();
    Json(json!({
        "counts": counts,
        "objects": objects,
        "members": members,
        "settings": {
            "smtp": store.smtp,
            "idm_authentication": store.idm_authentication,
            "idm_provisioning": store.idm_provisioning,
            "scim_credentials": store.scim_credentials,
            "license": store.license,
            "feature_flags": store.feature_flags,
        },
    }))
}

fn no_such_object() -> SimError {
    SimError::not_found("no such object")
}

fn merge(target: &mut Value, patch: Value) -> Result<(), SimError> {
    crate::simulators::merge_patch(target, patch).map_err(SimError::bad_request)
}

/// The store key of an admin id: an object id, or a user's email.
fn object_key(store: &Store, id: &str) -> Option<String> {
    if store.objects.contains_key(id) {
        return Some(id.to_string());
    }
    store.user_id(id)
}

async fn edit(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    Json(patch): Json<Value>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let store = &mut *store;
    match id.as_str() {
        "smtp" => {
            merge(&mut store.smtp, patch)?;
            return Ok(Json(store.smtp.clone()));
        }
        "idm_authentication" => {
            merge(&mut store.idm_authentication, patch)?;
            return Ok(Json(store.idm_authentication.clone()));
        }
        "idm_provisioning" => {
            merge(&mut store.idm_provisioning, patch)?;
            return Ok(Json(store.idm_provisioning.clone()));
        }
        "feature_flags" => {
            let mut flags = Value::Object(std::mem::take(&mut store.feature_flags));
            let merged = merge(&mut flags, patch);
            store.feature_flags = match flags {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            merged?;
            return Ok(Json(Value::Object(store.feature_flags.clone())));
        }
        "license" => {
            let license = patch
                .get("license")
                .and_then(Value::as_str)
                .ok_or_else(|| SimError::bad_request("{\"license\": \"...\"} expected"))?;
            store.license = Some(license.to_string());
            return Ok(Json(json!({"license": license})));
        }
        _ => {}
    }
    if let Some((group, email)) = id.split_once('/') {
        let member = store.members.get_mut(&(group.to_string(), email.to_lowercase())).ok_or_else(no_such_object)?;
        if let Some(admin) = patch.get("groupAdmin").and_then(Value::as_bool) {
            member.group_admin = admin;
        }
        if patch.get("elevatedRoles").is_some() {
            member.elevated_roles = strings(patch.get("elevatedRoles"));
        }
        return Ok(Json(json!({"groupId": group, "email": member.email, "groupAdmin": member.group_admin,
            "elevatedRoles": member.elevated_roles})));
    }
    let key = object_key(store, &id).ok_or_else(no_such_object)?;
    let object = store.objects.get_mut(&key).ok_or_else(no_such_object)?;
    merge(&mut object.body, patch)?;
    Ok(Json(object.body.clone()))
}

async fn add(
    State(sim): State<Arc<Sim>>,
    Path(kind): Path<String>,
    Json(mut body): Json<Value>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    if kind == "member" {
        let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::to_string);
        let (Some(group), Some(email)) = (text("groupId"), text("email")) else {
            return Err(SimError::bad_request("groupId and email expected"));
        };
        let member = Member {
            email: email.clone(),
            group_admin: body.get("groupAdmin").and_then(Value::as_bool).unwrap_or(false),
            elevated_roles: strings(body.get("elevatedRoles")),
        };
        store.members.insert((group, email.to_lowercase()), member);
        return Ok(Json(body));
    }
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.noun() == kind)
        .ok_or_else(|| SimError::bad_request(format!("no kind {kind}")))?;
    let Some(object) = body.as_object_mut() else {
        return Err(SimError::bad_request("the object must be a JSON object"));
    };
    let mut hidden = match object.remove("_hidden") {
        Some(Value::Object(hidden)) => hidden,
        _ => Map::new(),
    };
    if matches!(kind, Kind::Agent | Kind::Tag | Kind::CustomSource | Kind::Action | Kind::LoadedPackage) {
        hidden.entry("pool").or_insert(json!(DEFAULT_POOL_ID));
    }
    let has_id = object.get("id").is_some_and(|id| id.is_string() || id.is_i64());
    if !has_id {
        let id = if kind == Kind::Tag { json!(store.next_tag_id()) } else { json!(uuid::Uuid::new_v4().to_string()) };
        object.insert("id".into(), id);
    }
    Ok(Json(store.insert(kind, body, hidden)))
}

async fn remove(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    match id.as_str() {
        "license" => store.license = None,
        "smtp" => store.smtp = json!({"type": "DEFAULT"}),
        "idm_authentication" => store.idm_authentication = json!({"loginMethod": "PASSWORD"}),
        "idm_provisioning" => {
            store.idm_provisioning = super::configuration::default_provisioning();
            store.scim_credentials = None;
        }
        _ => {
            if let Some((group, email)) = id.split_once('/') {
                store.members.remove(&(group.to_string(), email.to_lowercase())).ok_or_else(no_such_object)?;
            } else {
                let key = object_key(&store, &id).ok_or_else(no_such_object)?;
                store.remove(&key);
            }
        }
    }
    Ok(Json(json!({})))
}

async fn arm(State(sim): State<Arc<Sim>>, Json(fault): Json<Fault>) -> Result<Json<Value>, SimError> {
    crate::simulators::faults::check(&fault).map_err(SimError::bad_request)?;
    sim.arm(fault);
    Ok(Json(json!({})))
}

async fn config(State(sim): State<Arc<Sim>>, Json(knobs): Json<Value>) -> Json<Value> {
    let mut config = sim.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(ms) = knobs.get("latency_ms").and_then(Value::as_u64) {
        config.latency = Duration::from_millis(ms);
    }
    if knobs.get("scopes").is_some_and(Value::is_array) {
        config.scopes = strings(knobs.get("scopes"));
    }
    match knobs.get("seat_limit") {
        Some(Value::Null) => config.seat_limit = None,
        Some(limit) => {
            if let Some(limit) = limit.as_u64() {
                config.seat_limit = Some(usize::try_from(limit).unwrap_or(usize::MAX));
            }
        }
        None => {}
    }
    if let Some(limit) = knobs.get("temp_access_limit").and_then(Value::as_u64) {
        config.temp_access_limit = usize::try_from(limit).unwrap_or(usize::MAX);
    }
    if let Some(rbac) = knobs.get("rbac").and_then(Value::as_bool) {
        config.rbac = rbac;
    }
    if let Some(secs) = knobs.get("retry_after_secs").and_then(Value::as_u64) {
        config.retry_after_secs = secs;
    }
    if let Some(key) = knobs.get("api_key").and_then(Value::as_str) {
        config.api_key = key.to_string();
    }
    Json(json!({
        "latency_ms": config.latency.as_millis() as u64,
        "scopes": config.scopes,
        "seat_limit": config.seat_limit,
        "temp_access_limit": config.temp_access_limit,
        "rbac": config.rbac,
        "retry_after_secs": config.retry_after_secs,
        "company_id": config.company_id,
    }))
}
