//! Admin routes (`/_sim/...`, no session): what someone else does to the server and to
//! the machines around it, and the knobs. Errors are `{"Cause": "sim", "Message"}`.
//!
//! - `GET /_sim/state` -> `{"counts": {"user", "beacon", "alias", "instance",
//!   "application", "deployment"}, "objects": [{"kind", "id", "object", "hidden"}],
//!   "beacon_hosts": {<address>: {"token", "vms"}}, "docker_hosts": {<address>: {"fail",
//!   "containers": {<name>: {"id", "image", "command", "running", "deployment_id"}}}},
//!   "requests": {"logins", "login_failures", "by_path": {"<METHOD> <path>": count}}}`
//!   (`by_path`: every request below the API or an unknown path, keyed by the path as
//!   sent, without its query). Ids and objects per kind: user = Email,
//!   `{Email, AuthLevel, Permissions}`, hidden `{Password}` (plain text, as last set);
//!   beacon = Address, `{Address, Alias}`, hidden `{Token}`; alias = Address, `{Address,
//!   Alias}`; instance = InstanceAddress, the `GET /beacons/list/{Beacon}` row;
//!   application = Id as a string, `{Id, CurrentDeployment, Name, Instances}`;
//!   deployment = Id as a string, `{AppId, Command, Creator, Date, Id, Image}`.
//! - `POST /_sim/objects/{kind}` adds an object without any API check or side effect
//!   and answers it: user `{Email, Password, AuthLevel, Permissions: {Beacons,
//!   Applications}}`; beacon `{Address, Token, Alias}` (the beacon is not contacted);
//!   alias `{Address, Alias}`; instance `{InstanceAddress, Name, CanAccessDocker,
//!   BeaconAddress}`; application `{Name, Command, Instances, Creator}` (with a first
//!   deployment that is current; the creator, default the admin, gets level 2 on the
//!   Name). Nothing is deployed to Docker hosts.
//! - `PATCH /_sim/objects/{kind}/{key...}` edits one (key percent-encoded or not): user
//!   `AuthLevel`, `Password`, `Permissions` (each given map replaces the stored one);
//!   beacon `Token`, `Alias`; alias `Alias`; instance `Name`, `CanAccessDocker`;
//!   application `Instances`, `CurrentDeployment`, or `Command` = a new deployment by
//!   `Creator` (default `someone-else@example.com`) that becomes current. There is no
//!   DELETE: nothing can be deleted on a Lighthouse server.
//! - `POST /_sim/beacon_hosts` `{"address", "token", "vms": [{"name", "address", "port",
//!   "version", "canAccessDocker"}]}` makes a reachable beacon agent (replacing one at
//!   that address); every VM with canAccessDocker becomes a reachable Docker host at
//!   `<address>:<port>/<version>`. `PATCH /_sim/beacon_hosts/{address...}` `{"token"?,
//!   "vms"?}` changes it; `DELETE` takes it off the network.
//! - `POST /_sim/docker_hosts` `{"address": "host:port/v1.18"}` adds a reachable Docker
//!   daemon; `PATCH /_sim/docker_hosts/{address...}` `{"fail": "pull" | "create" | "start"
//!   | "stop" | null}` makes that step fail there; `DELETE` takes it off the network.
//! - `POST /_sim/faults` arms a fault (`crate::simulators::faults::Fault`); streaming
//!   operations finish their work before a fault replaces or drops their answer.
//! - `POST /_sim/sessions/expire`: every cookie stops working, as after a restart.
//! - `PUT /_sim/config` `{"latency_ms", "step_delay_ms"}` answers the knobs.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::beacons::instance_view;
use super::docker::{DockerHost, FAILABLE_STEPS};
use super::error::ApiError;
use super::store::{set_level, AliasRow, Beacon, BeaconHost, Instance, Store, User, Vm, OWNER};
use super::{Fault, Sim};

/// Who made a deployment added through `PATCH /_sim/objects/application/...`.
const SOMEONE_ELSE: &str = "someone-else@example.com";

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", axum::routing::get(state))
        .route("/objects/{kind}", post(add))
        .route("/objects/{kind}/{*key}", patch(edit))
        .route("/beacon_hosts", post(add_beacon_host))
        .route("/beacon_hosts/{*address}", patch(edit_beacon_host).delete(remove_beacon_host))
        .route("/docker_hosts", post(add_docker_host))
        .route("/docker_hosts/{*address}", patch(edit_docker_host).delete(remove_docker_host))
        .route("/faults", post(arm))
        .route("/sessions/expire", post(expire))
        .route("/config", put(config))
}

/// A JSON body whatever its Content-Type (tests and scripts often send none).
pub struct AdminJson<T>(pub T);

impl<T: serde::de::DeserializeOwned> axum::extract::FromRequest<Arc<Sim>> for AdminJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, sim: &Arc<Sim>) -> Result<Self, ApiError> {
        crate::simulators::read_json_body(request, sim).await.map(AdminJson).map_err(bad)
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(400, "sim", message)
}

fn missing() -> ApiError {
    ApiError::new(404, "sim", "no such object")
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_string)
}

fn deployment_view(d: &super::store::Deployment) -> Value {
    json!({"AppId": d.app_id, "Command": d.command, "Creator": d.creator, "Date": d.date, "Id": d.id,
        "Image": d.command.get("Image").cloned().unwrap_or(Value::Null)})
}

fn beacon_view(store: &Store, beacon: &Beacon) -> Value {
    json!({"Address": beacon.address, "Alias": store.alias_of(&beacon.address).unwrap_or("")})
}

fn objects(store: &Store) -> Vec<Value> {
    let entry = |kind: &str, id: String, object: Value, hidden: Value| json!({"kind": kind, "id": id, "object": object, "hidden": hidden});
    let mut all = Vec::new();
    for u in &store.users {
        all.push(entry("user", u.email.clone(), u.view(), json!({"Password": u.password})));
    }
    for b in &store.beacons {
        all.push(entry("beacon", b.address.clone(), beacon_view(store, b), json!({"Token": b.token})));
    }
    for a in &store.aliases {
        all.push(entry("alias", a.address.clone(), json!({"Address": a.address, "Alias": a.alias}), json!({})));
    }
    for i in &store.instances {
        all.push(entry("instance", i.address.clone(), instance_view(store, i), json!({})));
    }
    for a in &store.applications {
        all.push(entry("application", a.id.to_string(), a.view(), json!({})));
    }
    for d in &store.deployments {
        all.push(entry("deployment", d.id.to_string(), deployment_view(d), json!({})));
    }
    all
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let store = sim.store();
    let beacon_hosts: Map<String, Value> = store
        .beacon_hosts
        .iter()
        .map(|(address, host)| (address.clone(), json!({"token": host.token, "vms": host.vms})))
        .collect();
    Json(json!({
        "counts": {
            "user": store.users.len(),
            "beacon": store.beacons.len(),
            "alias": store.aliases.len(),
            "instance": store.instances.len(),
            "application": store.applications.len(),
            "deployment": store.deployments.len(),
        },
        "objects": objects(&store),
        "beacon_hosts": beacon_hosts,
        "docker_hosts": store.docker_hosts,
        "requests": {
            "logins": store.logins,
            "login_failures": store.login_failures,
            "by_path": store.requests_by_path,
        },
    }))
}

/// A level map from JSON (`{"<key>": level}`).
fn levels(value: Option<&Value>) -> Result<std::collections::BTreeMap<String, i64>, ApiError> {
    let mut out = std::collections::BTreeMap::new();
    if let Some(map) = value.and_then(Value::as_object) {
        for (key, level) in map {
            let level = level.as_i64().ok_or_else(|| bad(format!("level of {key} must be an integer")))?;
            set_level(&mut out, key, level);
        }
    }
    Ok(out)
}

fn strings(value: Option<&Value>) -> Result<Vec<String>, ApiError> {
    let items = value.and_then(Value::as_array).ok_or_else(|| bad("a list of strings expected"))?;
    items.iter().map(|i| i.as_str().map(str::to_string).ok_or_else(|| bad("a list of strings expected"))).collect()
}

async fn add(
    State(sim): State<Arc<Sim>>,
    Path(kind): Path<String>,
    AdminJson(body): AdminJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let admin = sim.cfg().admin_email;
    let mut store = sim.store();
    let store = &mut *store;
    match kind.as_str() {
        "user" => {
            let email = text(&body, "Email").ok_or_else(|| bad("Email expected"))?;
            if store.user(&email).is_some() {
                return Err(bad(format!("user {email} exists")));
            }
            let mut user = User::new(&email, &text(&body, "Password").unwrap_or_default(), 0);
            user.auth_level = body.get("AuthLevel").and_then(Value::as_i64).unwrap_or(0);
            let permissions = body.get("Permissions");
            user.beacons = levels(permissions.and_then(|p| p.get("Beacons")))?;
            user.applications = levels(permissions.and_then(|p| p.get("Applications")))?;
            let view = user.view();
            store.users.push(user);
            Ok(Json(view))
        }
        "beacon" => {
            let address = text(&body, "Address").ok_or_else(|| bad("Address expected"))?;
            if store.beacon(&address).is_some() {
                return Err(bad(format!("beacon {address} exists")));
            }
            let beacon = Beacon { address: address.clone(), token: text(&body, "Token").unwrap_or_default() };
            if let Some(alias) = text(&body, "Alias").filter(|a| !a.is_empty()) {
                store.set_alias(&alias, &address);
            }
            store.beacons.push(beacon.clone());
            Ok(Json(beacon_view(store, &beacon)))
        }
        "alias" => {
            let address = text(&body, "Address").ok_or_else(|| bad("Address expected"))?;
            let alias = text(&body, "Alias").ok_or_else(|| bad("Alias expected"))?;
            store.set_alias(&alias, &address);
            Ok(Json(json!({"Address": address, "Alias": alias})))
        }
        "instance" => {
            let instance = Instance {
                address: text(&body, "InstanceAddress").ok_or_else(|| bad("InstanceAddress expected"))?,
                name: text(&body, "Name").unwrap_or_default(),
                can_access_docker: body.get("CanAccessDocker").and_then(Value::as_bool).unwrap_or(false),
                beacon: text(&body, "BeaconAddress").unwrap_or_default(),
            };
            store.upsert_instance(instance.clone());
            Ok(Json(instance_view(store, &instance)))
        }
        "application" => add_application(store, &body, &admin).map(Json),
        _ => Err(bad(format!("no kind {kind}"))),
    }
}

fn add_application(store: &mut Store, body: &Value, admin: &str) -> Result<Value, ApiError> {
    let name = text(body, "Name").ok_or_else(|| bad("Name expected"))?;
    let command =
        body.get("Command").filter(|c| c.is_object()).cloned().ok_or_else(|| bad("Command object expected"))?;
    let instances = strings(body.get("Instances"))?;
    let creator = text(body, "Creator").unwrap_or_else(|| admin.to_string());
    let app = store.insert_application(&name, instances).map_err(bad)?;
    let deployment = store.insert_deployment(app.id, command, &creator);
    if let Some(user) = store.user_mut(&creator) {
        user.applications.insert(name.clone(), OWNER);
    }
    let row = store.application_mut(app.id).ok_or_else(missing)?;
    row.current_deployment = deployment.id;
    Ok(row.view())
}

async fn edit(
    State(sim): State<Arc<Sim>>,
    Path((kind, key)): Path<(String, String)>,
    AdminJson(patch): AdminJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut store = sim.store();
    let store = &mut *store;
    match kind.as_str() {
        "user" => {
            let user = store.user_mut(&key).ok_or_else(missing)?;
            if let Some(level) = patch.get("AuthLevel").and_then(Value::as_i64) {
                user.auth_level = level;
            }
            if let Some(password) = text(&patch, "Password") {
                user.password = password;
            }
            if let Some(permissions) = patch.get("Permissions") {
                if permissions.get("Beacons").is_some() {
                    user.beacons = levels(permissions.get("Beacons"))?;
                }
                if permissions.get("Applications").is_some() {
                    user.applications = levels(permissions.get("Applications"))?;
                }
            }
            Ok(Json(user.view()))
        }
        "beacon" => {
            let beacon = store.beacons.iter_mut().find(|b| b.address == key).ok_or_else(missing)?;
            if let Some(token) = text(&patch, "Token") {
                beacon.token = token;
            }
            if let Some(alias) = text(&patch, "Alias") {
                store.set_alias(&alias, &key);
            }
            let beacon = store.beacon(&key).cloned().ok_or_else(missing)?;
            Ok(Json(beacon_view(store, &beacon)))
        }
        "alias" => {
            let row: &mut AliasRow = store.aliases.iter_mut().find(|a| a.address == key).ok_or_else(missing)?;
            if let Some(alias) = text(&patch, "Alias") {
                row.alias = alias;
            }
            Ok(Json(json!({"Address": row.address, "Alias": row.alias})))
        }
        "instance" => {
            let row = store.instances.iter_mut().find(|i| i.address == key).ok_or_else(missing)?;
            if let Some(name) = text(&patch, "Name") {
                row.name = name;
            }
            if let Some(can) = patch.get("CanAccessDocker").and_then(Value::as_bool) {
                row.can_access_docker = can;
            }
            let row = row.clone();
            Ok(Json(instance_view(store, &row)))
        }
        "application" => edit_application(store, &key, &patch).map(Json),
        _ => Err(bad(format!("no kind {kind}"))),
    }
}

fn edit_application(store: &mut Store, key: &str, patch: &Value) -> Result<Value, ApiError> {
    let id = match key.parse::<i64>() {
        Ok(id) => id,
        Err(_) => store.application_by_name(key).map(|a| a.id).ok_or_else(missing)?,
    };
    store.application(id).ok_or_else(missing)?;
    if let Some(command) = patch.get("Command") {
        if !command.is_object() {
            return Err(bad("Command must be an object"));
        }
        let creator = text(patch, "Creator").unwrap_or_else(|| SOMEONE_ELSE.to_string());
        let deployment = store.insert_deployment(id, command.clone(), &creator);
        if let Some(app) = store.application_mut(id) {
            app.current_deployment = deployment.id;
        }
    }
    let instances = if patch.get("Instances").is_some() { Some(strings(patch.get("Instances"))?) } else { None };
    let app = store.application_mut(id).ok_or_else(missing)?;
    if let Some(instances) = instances {
        app.instances = instances;
    }
    if let Some(current) = patch.get("CurrentDeployment").and_then(Value::as_i64) {
        app.current_deployment = current;
    }
    Ok(app.view())
}

/// A VM of a beacon host; `port` may be given as a number.
fn vm(value: &Value) -> Result<Vm, ApiError> {
    let field = |key: &str| match value.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if !value.is_object() {
        return Err(bad("each VM must be an object"));
    }
    Ok(Vm {
        name: field("name"),
        address: field("address"),
        port: field("port"),
        version: field("version"),
        can_access_docker: value.get("canAccessDocker").and_then(Value::as_bool).unwrap_or(false),
    })
}

/// Sets a beacon host's VMs; those that can reach Docker become reachable Docker hosts.
fn set_vms(store: &mut Store, address: &str, vms: &Value) -> Result<(), ApiError> {
    let vms: Vec<Vm> =
        vms.as_array().ok_or_else(|| bad("vms must be a list"))?.iter().map(vm).collect::<Result<_, _>>()?;
    for vm in vms.iter().filter(|vm| vm.can_access_docker) {
        store.docker_hosts.entry(vm.instance_address()).or_default();
    }
    if let Some(host) = store.beacon_hosts.get_mut(address) {
        host.vms = vms;
    }
    Ok(())
}

fn beacon_host_view(store: &Store, address: &str) -> Result<Value, ApiError> {
    let host = store.beacon_hosts.get(address).ok_or_else(missing)?;
    Ok(json!({"address": address, "token": host.token, "vms": host.vms}))
}

async fn add_beacon_host(
    State(sim): State<Arc<Sim>>,
    AdminJson(body): AdminJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let address = text(&body, "address").filter(|a| !a.is_empty()).ok_or_else(|| bad("address expected"))?;
    let mut store = sim.store();
    let host = BeaconHost { token: text(&body, "token").unwrap_or_default(), vms: Vec::new() };
    store.beacon_hosts.insert(address.clone(), host);
    set_vms(&mut store, &address, body.get("vms").unwrap_or(&json!([])))?;
    beacon_host_view(&store, &address).map(Json)
}

async fn edit_beacon_host(
    State(sim): State<Arc<Sim>>,
    Path(address): Path<String>,
    AdminJson(patch): AdminJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut store = sim.store();
    let host = store.beacon_hosts.get_mut(&address).ok_or_else(missing)?;
    if let Some(token) = text(&patch, "token") {
        host.token = token;
    }
    if let Some(vms) = patch.get("vms") {
        set_vms(&mut store, &address, vms)?;
    }
    beacon_host_view(&store, &address).map(Json)
}

async fn remove_beacon_host(State(sim): State<Arc<Sim>>, Path(address): Path<String>) -> Result<Json<Value>, ApiError> {
    sim.store().beacon_hosts.remove(&address).ok_or_else(missing)?;
    Ok(Json(json!({})))
}

async fn add_docker_host(
    State(sim): State<Arc<Sim>>,
    AdminJson(body): AdminJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let address = text(&body, "address").filter(|a| !a.is_empty()).ok_or_else(|| bad("address expected"))?;
    let mut store = sim.store();
    let host = store.docker_hosts.entry(address).or_default();
    Ok(Json(json!(host)))
}

async fn edit_docker_host(
    State(sim): State<Arc<Sim>>,
    Path(address): Path<String>,
    AdminJson(patch): AdminJson<Value>,
) -> Result<Json<Value>, ApiError> {
    let fail = match patch.get("fail") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(step)) if FAILABLE_STEPS.contains(&step.as_str()) => Some(Some(step.clone())),
        Some(_) => return Err(bad(format!("fail must be one of {FAILABLE_STEPS:?} or null"))),
    };
    let mut store = sim.store();
    let host: &mut DockerHost = store.docker_hosts.get_mut(&address).ok_or_else(missing)?;
    if let Some(fail) = fail {
        host.fail = fail;
    }
    Ok(Json(json!(host)))
}

async fn remove_docker_host(State(sim): State<Arc<Sim>>, Path(address): Path<String>) -> Result<Json<Value>, ApiError> {
    sim.store().docker_hosts.remove(&address).ok_or_else(missing)?;
    Ok(Json(json!({})))
}

async fn arm(State(sim): State<Arc<Sim>>, AdminJson(fault): AdminJson<Fault>) -> Result<Json<Value>, ApiError> {
    crate::simulators::faults::check(&fault).map_err(bad)?;
    sim.arm(fault);
    Ok(Json(json!({})))
}

async fn expire(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.expire_sessions();
    Json(json!({}))
}

async fn config(State(sim): State<Arc<Sim>>, AdminJson(knobs): AdminJson<Value>) -> Json<Value> {
    let mut config = sim.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(ms) = knobs.get("latency_ms").and_then(Value::as_u64) {
        config.latency = Duration::from_millis(ms);
    }
    if let Some(ms) = knobs.get("step_delay_ms").and_then(Value::as_u64) {
        config.step_delay = Duration::from_millis(ms);
    }
    Json(json!({
        "latency_ms": u64::try_from(config.latency.as_millis()).unwrap_or(u64::MAX),
        "step_delay_ms": u64::try_from(config.step_delay.as_millis()).unwrap_or(u64::MAX),
    }))
}
