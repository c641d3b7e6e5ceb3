//! Beacons, their instances and aliases (beacons/handlers.go, beacons/helpers.go,
//! beacons/aliases/aliases.go), and the simulated beacon agents the server polls.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};

use super::error::{as_struct, empty, field, go_parse, go_string, parse_bool, query_param, sniffed_json, ApiError};
use super::store::{Beacon, Instance, Store, DUPLICATE_KEY, MODIFY, NO_ROWS, NO_UPDATE, OWNER};
use super::{path_tail, Caller, Sim};

const NOT_ENOUGH_PARAMETERS: &str = "beacons: not enough or invalid parameters given";
const TOKEN_PERMISSION: &str = "beacons: user not permitted to access token";
const DUPLICATE_BEACON: &str = "beacons: tried to add an beacon which already exists";

/// beacons.writeResponse: the databases' key errors and the package's own are 400s, the
/// token permission a 403, anything else (a beacon that cannot be polled) a 500.
fn beacons_error(message: &str) -> ApiError {
    let status = match message {
        TOKEN_PERMISSION => 403,
        NOT_ENOUGH_PARAMETERS | DUPLICATE_BEACON | DUPLICATE_KEY | NO_UPDATE => 400,
        "databases: given key not found" | "databases: given key was empty string" => 400,
        _ => 500,
    };
    ApiError::new(status, "beacons", message)
}

/// The host:port Go dials for an address that may carry a path (`:80` when no port).
pub fn dial_target(address: &str) -> String {
    let host = address.split('/').next().unwrap_or(address);
    if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:80")
    }
}

/// refreshVMListOf: `GET http://<beacon>/vms` with the stored token; each VM becomes or
/// updates an instance row and gets the alias `<beacon alias>.<vm name>`. `Err` is the
/// error text: Go's transport error, or the body of a non-200 (empty for a bare 401).
pub fn refresh_vms(store: &mut Store, beacon: &Beacon) -> Result<(), String> {
    let Some(host) = store.beacon_hosts.get(&beacon.address) else {
        return Err(format!(
            "Get http://{}/vms: dial tcp {}: connection refused",
            beacon.address,
            dial_target(&beacon.address)
        ));
    };
    if host.token != beacon.token {
        return Err(String::new());
    }
    let vms = host.vms.clone();
    let beacon_alias = store.alias_of(&beacon.address).unwrap_or("").to_string();
    for vm in vms {
        let address = vm.instance_address();
        store.upsert_instance(Instance {
            address: address.clone(),
            name: vm.name.clone(),
            can_access_docker: vm.can_access_docker,
            beacon: beacon.address.clone(),
        });
        store.set_alias(&format!("{beacon_alias}.{}", vm.name), &address);
    }
    Ok(())
}

fn caller_beacon_level(store: &Store, caller: &Caller, address: &str) -> i64 {
    store.user(&caller.0).map(|u| u.beacon_level(address)).unwrap_or(-1)
}

/// `POST /beacons/create {"Address","Token","Alias"}`. The caller becomes owner first and
/// stays owner whatever happens next; the alias and beacon rows are undone when the
/// beacon cannot be polled.
pub async fn create(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let bad = |_| beacons_error(NOT_ENOUGH_PARAMETERS);
    let object = go_parse(&body).and_then(|v| as_struct(&v, "struct")).map_err(bad)?;
    let address = go_string(field(&object, "Address")).map_err(bad)?;
    let token = go_string(field(&object, "Token")).map_err(bad)?;
    let alias = go_string(field(&object, "Alias")).map_err(bad)?;
    if address.is_empty() || alias.is_empty() {
        return Err(beacons_error(NOT_ENOUGH_PARAMETERS));
    }
    let mut store = sim.store();
    if let Some(user) = store.user_mut(&caller.0) {
        user.beacons.insert(address.clone(), OWNER);
    }
    store.insert_alias(&alias, &address).map_err(beacons_error)?;
    if store.beacon(&address).is_some() {
        store.remove_alias(&address);
        return Err(beacons_error(DUPLICATE_BEACON));
    }
    let beacon = Beacon { address: address.clone(), token };
    store.beacons.push(beacon.clone());
    if let Err(message) = refresh_vms(&mut store, &beacon) {
        store.remove_alias(&address);
        store.beacons.retain(|b| b.address != address);
        return Err(beacons_error(&message));
    }
    Ok(empty(StatusCode::OK))
}

/// `PUT /beacons/token/{Beacon}` with a bare JSON string. The beacon part is the rest of
/// the raw request URI (query included), query-unescaped, then alias-resolved; the level
/// check comes before the existence check. The token is not tried on the beacon.
pub async fn update_token(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
    body: Bytes,
) -> Result<Response, ApiError> {
    let raw = uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("");
    let raw = super::raw_tail(raw, "/beacons/token/");
    let name = super::error::percent_decode(&raw.replace('+', " "));
    if name.is_empty() {
        return Err(beacons_error(NOT_ENOUGH_PARAMETERS));
    }
    let mut store = sim.store();
    let address = store.resolve_alias(&name);
    if caller_beacon_level(&store, &caller, &address) < MODIFY {
        return Err(beacons_error(TOKEN_PERMISSION));
    }
    let token = match go_parse(&body) {
        Ok(Value::String(token)) => token,
        Ok(Value::Null) => String::new(),
        _ => return Err(beacons_error(NOT_ENOUGH_PARAMETERS)),
    };
    let beacon = store.beacons.iter_mut().find(|b| b.address == address).ok_or_else(|| beacons_error(NO_UPDATE))?;
    beacon.token = token;
    Ok(empty(StatusCode::OK))
}

/// `GET /beacons/list`: `[{"Alias","Address"}]` of the beacons the caller has a level on.
pub async fn list(State(sim): State<Arc<Sim>>, Extension(caller): Extension<Caller>) -> Response {
    let store = sim.store();
    let beacons: Vec<Value> = store
        .beacons
        .iter()
        .filter(|b| caller_beacon_level(&store, &caller, &b.address) >= 0)
        .map(|b| json!({"Alias": store.alias_of(&b.address).unwrap_or(""), "Address": b.address}))
        .collect();
    sniffed_json(&Value::Array(beacons))
}

/// One row of `GET /beacons/list/{Beacon}` (a Go map: keys sorted).
pub fn instance_view(store: &Store, instance: &Instance) -> Value {
    json!({
        "Alias": store.alias_of(&instance.address).unwrap_or(""),
        "BeaconAddress": instance.beacon,
        "CanAccessDocker": instance.can_access_docker,
        "InstanceAddress": instance.address,
        "Name": instance.name,
    })
}

/// `GET /beacons/list/{Beacon}?refresh=`: the beacon's instances; `[]` without a level
/// (before the existence check), 500 for an unknown beacon. Refresh errors are ignored.
pub async fn list_instances(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let address = path_tail(&uri, "/beacons/list/");
    let refresh = query_param(uri.query(), "refresh").and_then(|v| parse_bool(&v)).unwrap_or(false);
    let mut store = sim.store();
    if caller_beacon_level(&store, &caller, &address) < 0 {
        return Ok(sniffed_json(&json!([])));
    }
    let beacon = store.beacon(&address).cloned().ok_or_else(|| beacons_error(NO_ROWS))?;
    if refresh {
        let _ = refresh_vms(&mut store, &beacon);
    }
    let rows: Vec<Value> =
        store.instances.iter().filter(|i| i.beacon == address).map(|i| instance_view(&store, i)).collect();
    Ok(sniffed_json(&Value::Array(rows)))
}

/// `PUT /beacons/refresh/{Beacon}`: re-poll, no level check.
pub async fn refresh(State(sim): State<Arc<Sim>>, uri: Uri) -> Result<Response, ApiError> {
    let address = path_tail(&uri, "/beacons/refresh/");
    let mut store = sim.store();
    let beacon = store.beacon(&address).cloned().ok_or_else(|| beacons_error(NO_ROWS))?;
    refresh_vms(&mut store, &beacon).map_err(|message| beacons_error(&message))?;
    Ok(empty(StatusCode::OK))
}

/// `PUT /aliases/{Address}` with the alias as a bare JSON string: an upsert by address,
/// no level or existence check. A body that is not a string is a JSON 400; `""` is a 400
/// with no body at all.
pub async fn put_alias(State(sim): State<Arc<Sim>>, uri: Uri, body: Bytes) -> Response {
    let address = path_tail(&uri, "/aliases/");
    let alias = match go_parse(&body) {
        Ok(Value::String(alias)) => alias,
        Ok(Value::Null) => String::new(),
        Ok(other) => {
            let message = super::error::type_error(&other, "string");
            return ApiError::new(400, "aliases", message).into_response();
        }
        Err(message) => return ApiError::new(400, "aliases", message).into_response(),
    };
    if alias.is_empty() {
        return empty(StatusCode::BAD_REQUEST);
    }
    sim.store().set_alias(&alias, &address);
    empty(StatusCode::OK)
}
