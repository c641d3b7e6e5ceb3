//! Admin routes (`/_sim/...`, no authentication): what "someone else" does, and knobs.
//!
//! Kinds and their ids (natural keys): `customer` (customer username), `account`
//! (username), `license` (access_key), `sensor` (`<access_key>:<subkey>`), `appliance`
//! (appliance UUID), `role` (role name; a custom role wins over a built-in of that name),
//! `account_permission` (`<account>/<permission>/<context>/<target>`), `role_permission`
//! (`<role>/<permission>`, custom roles), `account_role` (`<account>/<builtin|custom>/<role>`).
//!
//! - `GET /_sim/state` -> `{"counts": {<kind>: n, ..., "session": n}, "objects": [{"kind",
//!   "id", "object" (as the API shows it), "hidden" (what it never shows: passwords,
//!   `extra_permissions`, api tokens, a licence's `propagated` flag, a sensor's `active`,
//!   a customer's `blocked`, an appliance's or custom role's `customer`)}], "requests":
//!   {"logins", "failed_logins", "inline_logins", "logouts", "unauthenticated", "calls":
//!   {"<area>/<method>": n}}}`.
//! - `POST /_sim/objects/{kind}` adds an object; the body uses the API's field names plus
//!   the hidden ones. `customer`: `{"customer", contact fields, "password"}` (also creates
//!   its primary-contact account with every customer permission); `account`: `{"username",
//!   "email", "customer", "password", "is_blocked", "extra_permissions", ...}`;
//!   `license`: `{"customer", "product", "license_type", "start_date", "end_date",
//!   "deployment", "parent_access_key", "on_premise_fqdn", "access_key", "api_token", ...}`
//!   (visible at once; the answer includes `api_token`); `sensor`: `{"access_key",
//!   "subkey", "name", "active", check-in fields}`; `appliance` (registration with
//!   `lastline_register`): `{"access_key", "subkey", "appliance_uuid",
//!   "registration_state", "appliance_type", "registration_account"}`; `role`: `{"name",
//!   "description", "builtin", "customer", "permissions", "contexts"}`;
//!   `account_permission`: `{"account_username", "permission", "context", "target"}`;
//!   `role_permission`: `{"role", "permission", "customer"}`; `account_role`:
//!   `{"account_username", "role", "builtin", "customer", "is_ephemeral"}`. Answers the
//!   object as `GET /_sim/state` shows it.
//! - `PATCH /_sim/objects/{kind}/{id...}` merges JSON into an object (out-of-band edit,
//!   e.g. someone changing a name in the portal; `account` `{"password": ...}`;
//!   `customer` `{"blocked": true}`); natural keys stay, except a role's `name`. Grants
//!   take only `account_role` `{"is_ephemeral"}`.
//! - `DELETE /_sim/objects/{kind}/{id...}`: another path loses the object: an account
//!   deleted by another administrator or Lastline (its grants go too), a licence revoked
//!   by Lastline (with its sensors, appliances and grants), a sensor removed by support,
//!   an appliance deregistered on the box, a custom role deleted in the portal (with its
//!   grants), any grant revoked in the portal. Customers cannot be deleted.
//! - `POST /_sim/faults`: a shared fault (`faults.rs`: `drop`, `status`,
//!   `error_after_commit`), or `{"kind": "api_error", "method", "path_contains",
//!   "error", "error_code", "after_commit", "remaining"}`: HTTP 200 `success: 0` with the
//!   given `error`/`error_code` (each left out when absent), before the call runs or,
//!   with `after_commit`, after it committed.
//! - `POST /_sim/sessions/expire`: every session ends; the next call with an old cookie
//!   gets `success: 0`, 3004. Answers `{"expired": n}`.
//! - `PUT /_sim/config`: `{"latency_ms", "propagation_delay_ms", "session_idle_timeout_ms"
//!   (null: none)}`; answers the knobs.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::store::{
    new_access_key, new_api_token, Account, Appliance, Customer, License, PermissionGrant, Role, RoleGrant, Sensor,
    Store, DEFAULT_LOCALE, DEFAULT_TIMEZONE, LASTLINE, PERMISSIONS,
};
use super::wire::{format_date, now_text, plus_one_year, today};
use super::{ApiFault, Fault, Sim};

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/state", get(state))
        .route("/objects/{kind}", post(add))
        .route("/objects/{kind}/{*id}", axum::routing::patch(edit).delete(remove))
        .route("/faults", post(arm))
        .route("/sessions/expire", post(expire))
        .route("/config", put(config))
}

/// An admin refusal: a status and `{"error": ...}`.
pub struct AdminError(StatusCode, String);

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({"error": self.1}))).into_response()
    }
}

fn bad(message: impl Into<String>) -> AdminError {
    AdminError(StatusCode::BAD_REQUEST, message.into())
}

fn missing(kind: &str, id: &str) -> AdminError {
    AdminError(StatusCode::NOT_FOUND, format!("no {kind} {id}"))
}

type AdminResult = Result<Json<Value>, AdminError>;

fn entry(kind: &str, id: String, object: Value, hidden: Value) -> Value {
    json!({"kind": kind, "id": id, "object": object, "hidden": hidden})
}

fn role_grant_id<'a>(store: &'a Store, grant: &RoleGrant) -> Option<(String, &'a Role)> {
    let role = store.role(grant.role_id)?;
    let kind = if role.builtin { "builtin" } else { "custom" };
    Some((format!("{}/{kind}/{}", grant.account_username, role.name), role))
}

/// Every object as `GET /_sim/state` lists it, by kind.
fn objects(store: &Store) -> Vec<Value> {
    let mut out = Vec::new();
    for c in store.customers.values() {
        out.push(entry("customer", c.customer.clone(), c.view(), json!({"blocked": c.blocked})));
    }
    for a in store.accounts.values() {
        let hidden = json!({"password": a.password, "extra_permissions": a.extra_permissions,
            "password_expiration_timestamp": a.password_expiration_timestamp});
        out.push(entry("account", a.username.clone(), store.account_view(a), hidden));
    }
    for l in &store.licenses {
        let hidden = json!({"api_token": l.api_token, "access_key_id": l.access_key_id, "notes": l.notes,
            "location": l.location, "airgap_installed": l.airgap_installed, "propagated": l.visible()});
        out.push(entry("license", l.access_key.clone(), store.license_view(l), hidden));
    }
    for s in &store.sensors {
        let object = match store.licenses.iter().find(|l| l.access_key == s.access_key) {
            Some(license) => store.sensor_view(license, s, true),
            None => json!({"key": s.key()}),
        };
        out.push(entry("sensor", s.key(), object, json!({"active": s.active})));
    }
    for a in &store.appliances {
        out.push(entry("appliance", a.appliance_uuid.clone(), a.view(), json!({"customer": a.customer})));
    }
    for r in &store.roles {
        out.push(entry("role", r.name.clone(), r.view(), json!({"customer": r.customer})));
    }
    for g in &store.grants {
        out.push(entry("account_permission", g.id(), json!(g), json!({})));
    }
    for r in store.roles.iter().filter(|r| !r.builtin) {
        for p in &r.permissions {
            let object = json!({"role": r.name, "permission": p});
            out.push(entry("role_permission", format!("{}/{p}", r.name), object, json!({"customer": r.customer})));
        }
    }
    for g in &store.role_grants {
        if let Some((id, role)) = role_grant_id(store, g) {
            let object = json!({"account_username": g.account_username, "role": role.name, "builtin": role.builtin,
                "customer": g.customer, "is_ephemeral": g.is_ephemeral});
            out.push(entry("account_role", id, object, json!({})));
        }
    }
    out
}

async fn state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(state_of(&sim.store()))
}

/// What `GET /_sim/state` answers.
pub fn state_of(store: &Store) -> Value {
    let objects = objects(store);
    let mut counts = Map::new();
    for kind in KINDS {
        let n = objects.iter().filter(|o| o["kind"] == kind).count();
        counts.insert(kind.into(), json!(n));
    }
    counts.insert("session".into(), json!(store.sessions.len()));
    json!({"counts": counts, "objects": objects, "requests": store.counters})
}

pub const KINDS: [&str; 9] = [
    "customer",
    "account",
    "license",
    "sensor",
    "appliance",
    "role",
    "account_permission",
    "role_permission",
    "account_role",
];

fn parse<T: DeserializeOwned>(body: &Value) -> Result<T, AdminError> {
    serde_json::from_value(body.clone()).map_err(|e| bad(format!("bad object: {e}")))
}

fn text(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The entry of `GET /_sim/state` for (kind, id).
fn shown(store: &Store, kind: &str, id: &str) -> Value {
    objects(store).into_iter().find(|o| o["kind"] == kind && o["id"] == id).unwrap_or(Value::Null)
}

async fn add(State(sim): State<Arc<Sim>>, Path(kind): Path<String>, Json(body): Json<Value>) -> AdminResult {
    let config = sim.cfg();
    let mut store = sim.store();
    let id = match kind.as_str() {
        "customer" => add_customer(&mut store, &body)?,
        "account" => add_account(&mut store, &body, &config.customer)?,
        "license" => add_license(&mut store, &body, &config.customer)?,
        "sensor" => add_sensor(&mut store, &body)?,
        "appliance" => add_appliance(&mut store, &body)?,
        "role" => add_role(&mut store, &body, &config.customer)?,
        "account_permission" => {
            let grant: PermissionGrant = parse(&body)?;
            if store.account(&grant.account_username).is_none() {
                return Err(missing("account", &grant.account_username));
            }
            if !store.grants.contains(&grant) {
                store.grants.push(grant.clone());
            }
            grant.id()
        }
        "role_permission" => {
            let (role, permission) =
                (text(&body, "role").unwrap_or_default(), text(&body, "permission").unwrap_or_default());
            let customer = text(&body, "customer").unwrap_or(config.customer.clone());
            let role = store
                .roles
                .iter_mut()
                .find(|r| !r.builtin && r.name == role && r.customer.as_deref() == Some(customer.as_str()))
                .ok_or_else(|| missing("custom role", &role))?;
            if !role.permissions.contains(&permission) {
                role.permissions.push(permission.clone());
            }
            format!("{}/{permission}", role.name)
        }
        "account_role" => add_account_role(&mut store, &body)?,
        _ => return Err(bad(format!("kind must be one of {KINDS:?}"))),
    };
    Ok(Json(shown(&store, &kind, &id)))
}

fn add_customer(store: &mut Store, body: &Value) -> Result<String, AdminError> {
    let customer: Customer = parse(body)?;
    if customer.customer.is_empty() || store.customers.contains_key(&customer.customer) {
        return Err(bad("a new, non-empty customer is required"));
    }
    let name = customer.customer.clone();
    if !store.accounts.contains_key(&name) {
        let account = json!({"username": name, "customer": name, "password": body.get("password"),
            "first_name": customer.first_name, "last_name": customer.last_name});
        store.customers.insert(name.clone(), customer);
        add_account(store, &account, &name)?;
    } else {
        store.customers.insert(name.clone(), customer);
    }
    for (permission, ..) in PERMISSIONS {
        let grant = PermissionGrant {
            account_username: name.clone(),
            permission: permission.into(),
            context: "customer".into(),
            target: name.clone(),
        };
        if !store.grants.contains(&grant) {
            store.grants.push(grant);
        }
    }
    Ok(name)
}

fn add_account(store: &mut Store, body: &Value, default_customer: &str) -> Result<String, AdminError> {
    let mut account: Account = parse(body)?;
    if account.username.is_empty() || store.accounts.contains_key(&account.username) {
        return Err(bad("a new, non-empty username is required"));
    }
    if account.customer.is_empty() {
        account.customer = default_customer.to_string();
    }
    if !store.customers.contains_key(&account.customer) {
        return Err(missing("customer", &account.customer));
    }
    let now = now_text();
    let defaults = [
        (&mut account.email, account.username.clone()),
        (&mut account.created_by, LASTLINE.to_string()),
        (&mut account.create_time, now.clone()),
        (&mut account.last_modified_by, LASTLINE.to_string()),
        (&mut account.last_modified_time, now),
        (&mut account.default_locale, DEFAULT_LOCALE.to_string()),
        (&mut account.default_timezone, DEFAULT_TIMEZONE.to_string()),
    ];
    for (slot, value) in defaults {
        if slot.is_empty() {
            *slot = value;
        }
    }
    let username = account.username.clone();
    store.accounts.insert(username.clone(), account);
    Ok(username)
}

fn add_license(store: &mut Store, body: &Value, default_customer: &str) -> Result<String, AdminError> {
    let mut license: License = parse(body)?;
    let customer = if license.customer.is_empty() { default_customer.to_string() } else { license.customer.clone() };
    if !store.customers.contains_key(&customer) {
        return Err(missing("customer", &customer));
    }
    let start = today();
    let defaults = [
        (&mut license.customer, customer),
        (&mut license.access_key, new_access_key()),
        (&mut license.api_token, new_api_token()),
        (&mut license.product, "analyst-hosted".to_string()),
        (&mut license.license_type, "commercial".to_string()),
        (&mut license.start_date, format_date(start)),
        (&mut license.end_date, format_date(plus_one_year(start))),
        (&mut license.deployment, "hosted".to_string()),
    ];
    for (slot, value) in defaults {
        if slot.is_empty() {
            *slot = value;
        }
    }
    if store.licenses.iter().any(|l| l.access_key == license.access_key) {
        return Err(bad(format!("license {} exists", license.access_key)));
    }
    if license.access_key_id == 0 {
        license.access_key_id = store.next_id();
    }
    license.visible_at = None;
    let key = license.access_key.clone();
    store.licenses.push(license);
    Ok(key)
}

fn add_sensor(store: &mut Store, body: &Value) -> Result<String, AdminError> {
    let mut sensor: Sensor = parse(body)?;
    if !store.licenses.iter().any(|l| l.access_key == sensor.access_key) {
        return Err(missing("license", &sensor.access_key));
    }
    if sensor.subkey.is_empty()
        || sensor.subkey.contains(':')
        || store.sensor(&sensor.access_key, &sensor.subkey).is_some()
    {
        return Err(bad("a new subkey without ':' is required"));
    }
    if body.get("active").is_none() {
        sensor.active = true;
    }
    if sensor.subkey_id == 0 {
        sensor.subkey_id = store.next_id();
    }
    let key = sensor.key();
    store.sensors.push(sensor);
    Ok(key)
}

fn add_appliance(store: &mut Store, body: &Value) -> Result<String, AdminError> {
    let mut appliance: Appliance = parse(body)?;
    let license = store
        .licenses
        .iter()
        .find(|l| l.access_key == appliance.access_key)
        .ok_or_else(|| missing("license", &appliance.access_key))?;
    let customer = license.customer.clone();
    let defaults = [
        (&mut appliance.appliance_uuid, uuid::Uuid::new_v4().to_string()),
        (&mut appliance.customer, customer.clone()),
        (&mut appliance.registration_state, "REGISTERED".to_string()),
        (&mut appliance.registration_timestamp, now_text()),
        (&mut appliance.registration_account, customer),
        (&mut appliance.appliance_type, "sensor".to_string()),
    ];
    for (slot, value) in defaults {
        if slot.is_empty() {
            *slot = value;
        }
    }
    if !matches!(appliance.registration_state.as_str(), "REGISTERED" | "DISABLED") {
        return Err(bad("registration_state must be REGISTERED or DISABLED"));
    }
    if store.appliances.iter().any(|a| a.appliance_uuid == appliance.appliance_uuid) {
        return Err(bad(format!("appliance {} is registered already", appliance.appliance_uuid)));
    }
    let uuid = appliance.appliance_uuid.clone();
    if let Some(sensor) = store.sensor_mut(&appliance.access_key, &appliance.subkey) {
        sensor.appliance_uuid = Some(uuid.clone());
    }
    store.appliances.push(appliance);
    Ok(uuid)
}

fn add_role(store: &mut Store, body: &Value, default_customer: &str) -> Result<String, AdminError> {
    let mut role: Role = parse(body)?;
    if role.name.is_empty() {
        return Err(bad("a role name is required"));
    }
    role.customer = if role.builtin { None } else { Some(role.customer.unwrap_or(default_customer.to_string())) };
    let taken =
        store.roles.iter().any(|r| r.name == role.name && r.builtin == role.builtin && r.customer == role.customer);
    if taken {
        return Err(bad(format!("role {} exists", role.name)));
    }
    if role.contexts.is_empty() {
        role.contexts = vec!["customer".into()];
    }
    role.id = store.next_id();
    let name = role.name.clone();
    store.roles.push(role);
    Ok(name)
}

fn add_account_role(store: &mut Store, body: &Value) -> Result<String, AdminError> {
    let username = text(body, "account_username").unwrap_or_default();
    let account = store.account(&username).ok_or_else(|| missing("account", &username))?;
    let customer = text(body, "customer").unwrap_or(account.customer.clone());
    let builtin = body.get("builtin").and_then(Value::as_bool).unwrap_or(false);
    let name = text(body, "role").unwrap_or_default();
    let role = store.find_role(&name, builtin, &customer).ok_or_else(|| missing("role", &name))?;
    let grant = RoleGrant {
        account_username: username,
        role_id: role.id,
        customer,
        is_ephemeral: body.get("is_ephemeral").and_then(Value::as_bool).unwrap_or(false),
    };
    let id = role_grant_id(store, &grant).map(|(id, _)| id).unwrap_or_default();
    store.role_grants.push(grant);
    Ok(id)
}

/// `item` with `patch` merged in; the fields in `keep` cannot change.
fn patched<T: Serialize + DeserializeOwned>(item: &T, mut patch: Value, keep: &[&str]) -> Result<T, AdminError> {
    if let Value::Object(members) = &mut patch {
        for key in keep {
            members.remove(*key);
        }
    }
    let mut current = serde_json::to_value(item).map_err(|e| bad(e.to_string()))?;
    crate::simulators::merge_patch(&mut current, patch).map_err(bad)?;
    parse(&current)
}

/// The index of the role an admin id names: a custom role first, then a built-in one.
fn role_index(store: &Store, name: &str) -> Option<usize> {
    store
        .roles
        .iter()
        .position(|r| !r.builtin && r.name == name)
        .or_else(|| store.roles.iter().position(|r| r.name == name))
}

async fn edit(
    State(sim): State<Arc<Sim>>,
    Path((kind, id)): Path<(String, String)>,
    Json(patch): Json<Value>,
) -> AdminResult {
    let mut store = sim.store();
    let not_found = || missing(&kind, &id);
    match kind.as_str() {
        "customer" => {
            let customer = store.customers.get(&id).ok_or_else(not_found)?;
            let updated = patched(customer, patch, &["customer"])?;
            store.customers.insert(id.clone(), updated);
        }
        "account" => {
            let account = store.accounts.get(&id).ok_or_else(not_found)?;
            let updated = patched(account, patch, &["username"])?;
            store.accounts.insert(id.clone(), updated);
        }
        "license" => {
            let index = store.licenses.iter().position(|l| l.access_key == id).ok_or_else(not_found)?;
            let mut updated = patched(&store.licenses[index], patch, &["access_key"])?;
            updated.visible_at = store.licenses[index].visible_at;
            store.licenses[index] = updated;
        }
        "sensor" => {
            let (key, subkey) = id.split_once(':').ok_or_else(not_found)?;
            let index =
                store.sensors.iter().position(|s| s.access_key == key && s.subkey == subkey).ok_or_else(not_found)?;
            store.sensors[index] = patched(&store.sensors[index], patch, &["access_key", "subkey"])?;
        }
        "appliance" => {
            let index = store.appliances.iter().position(|a| a.appliance_uuid == id).ok_or_else(not_found)?;
            store.appliances[index] = patched(&store.appliances[index], patch, &["appliance_uuid"])?;
        }
        "role" => {
            let index = role_index(&store, &id).ok_or_else(not_found)?;
            let updated = patched(&store.roles[index], patch, &["id", "builtin", "customer"])?;
            let new_id = updated.name.clone();
            store.roles[index] = updated;
            return Ok(Json(shown(&store, "role", &new_id)));
        }
        "account_role" => {
            let flag = patch
                .get("is_ephemeral")
                .and_then(Value::as_bool)
                .ok_or_else(|| bad("{\"is_ephemeral\": bool} expected"))?;
            let index = (0..store.role_grants.len())
                .find(|i| role_grant_id(&store, &store.role_grants[*i]).is_some_and(|(gid, _)| gid == id))
                .ok_or_else(not_found)?;
            store.role_grants[index].is_ephemeral = flag;
        }
        _ => return Err(bad(format!("{kind} objects cannot be edited"))),
    }
    Ok(Json(shown(&store, &kind, &id)))
}

async fn remove(State(sim): State<Arc<Sim>>, Path((kind, id)): Path<(String, String)>) -> AdminResult {
    let mut store = sim.store();
    let not_found = || missing(&kind, &id);
    match kind.as_str() {
        "account" => {
            store.remove_account(&id).ok_or_else(not_found)?;
        }
        "license" => {
            store.licenses.iter().position(|l| l.access_key == id).ok_or_else(not_found)?;
            store.licenses.retain(|l| l.access_key != id);
            store.sensors.retain(|s| s.access_key != id);
            store.appliances.retain(|a| a.access_key != id);
            let prefix = format!("{id}:");
            store.grants.retain(|g| g.target != id && !g.target.starts_with(&prefix));
        }
        "sensor" => {
            let (key, subkey) = id.split_once(':').ok_or_else(not_found)?;
            let index =
                store.sensors.iter().position(|s| s.access_key == key && s.subkey == subkey).ok_or_else(not_found)?;
            store.sensors.remove(index);
            store.grants.retain(|g| !(g.context == "subkey" && g.target == id));
        }
        "appliance" => {
            let index = store.appliances.iter().position(|a| a.appliance_uuid == id).ok_or_else(not_found)?;
            store.appliances.remove(index);
        }
        "role" => {
            let index = store.roles.iter().position(|r| !r.builtin && r.name == id).ok_or_else(not_found)?;
            let role = store.roles.remove(index);
            store.role_grants.retain(|g| g.role_id != role.id);
        }
        "account_permission" => {
            let index = store.grants.iter().position(|g| g.id() == id).ok_or_else(not_found)?;
            store.grants.remove(index);
        }
        "role_permission" => {
            let (role, permission) = id.rsplit_once('/').ok_or_else(not_found)?;
            let index = store.roles.iter().position(|r| !r.builtin && r.name == role).ok_or_else(not_found)?;
            let before = store.roles[index].permissions.len();
            store.roles[index].permissions.retain(|p| p != permission);
            if store.roles[index].permissions.len() == before {
                return Err(not_found());
            }
        }
        "account_role" => {
            let index = (0..store.role_grants.len())
                .find(|i| role_grant_id(&store, &store.role_grants[*i]).is_some_and(|(gid, _)| gid == id))
                .ok_or_else(not_found)?;
            store.role_grants.remove(index);
        }
        _ => return Err(bad(format!("{kind} objects cannot be deleted"))),
    }
    Ok(Json(json!({})))
}

async fn arm(State(sim): State<Arc<Sim>>, Json(body): Json<Value>) -> AdminResult {
    if body.get("kind").and_then(Value::as_str) == Some("api_error") {
        let fault: ApiFault = parse(&body)?;
        sim.arm_api_error(fault);
        return Ok(Json(json!({})));
    }
    let fault: Fault = parse(&body)?;
    crate::simulators::faults::check(&fault).map_err(|e| bad(format!("{e} or \"api_error\"")))?;
    sim.arm(fault);
    Ok(Json(json!({})))
}

async fn expire(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let count = sim.store().sessions.len();
    sim.expire_sessions();
    Json(json!({"expired": count}))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

async fn config(State(sim): State<Arc<Sim>>, Json(knobs): Json<Value>) -> Json<Value> {
    let mut config = sim.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(ms) = knobs.get("latency_ms").and_then(Value::as_u64) {
        config.latency = Duration::from_millis(ms);
    }
    if let Some(ms) = knobs.get("propagation_delay_ms").and_then(Value::as_u64) {
        config.propagation_delay = Duration::from_millis(ms);
    }
    match knobs.get("session_idle_timeout_ms") {
        Some(Value::Null) => config.session_idle_timeout = None,
        Some(value) => {
            if let Some(ms) = value.as_u64() {
                config.session_idle_timeout = Some(Duration::from_millis(ms));
            }
        }
        None => {}
    }
    Json(json!({
        "latency_ms": millis(config.latency),
        "propagation_delay_ms": millis(config.propagation_delay),
        "session_idle_timeout_ms": config.session_idle_timeout.map(millis),
        "username": config.username,
        "customer": config.customer,
    }))
}
