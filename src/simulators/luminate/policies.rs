//! Access and activity policies, shared objects (models §3.5, §3.9, §4.5, §4.6).
//!
//! Access and activity policies share one wire model (`Policy`, the union of
//! `PolicyAccess` and `PolicyActivity`); `type` tells them apart. What the documents do not
//! say (the status of a refusal, which application types a policy may target) is marked as
//! a guess where it is decided.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::error::JsonBody;
use super::handlers::{contains_ignoring_case, params, spring_page, QueryParams};
use super::store::{Kind, Store, DEFAULT_COLLECTION_ID};
use super::{Sim, SimError};

/// Shared objects a tenant's administrators made in the portal (the Go provider has no
/// resource for them, only the `luminate_shared_object` lookup): one of each type. The
/// names and values are made up.
pub fn seed(store: &mut Store) {
    for (id, name, kind, values) in [
        ("5e0b0000-0000-4000-8000-000000000001", "corporate-egress", "IP_LIST", json!([{"value": "203.0.113.0/24"}])),
        ("5e0b0000-0000-4000-8000-000000000002", "strict-isolation", "ISOLATION_PROFILE", json!([])),
        ("5e0b0000-0000-4000-8000-000000000003", "managed-laptops", "OPSWAT_GROUPS", json!([])),
    ] {
        store.insert(
            Kind::SharedObject,
            json!({"id": id, "name": name, "type": kind, "values": values,
                   "createdAt": "2026-01-01T00:00:00Z", "modifiedOn": "2026-01-01T00:00:00Z"}),
        );
    }
}

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v2/policies", get(list_policies).post(create_policy))
        .route("/v2/policies/{id}", get(get_policy).put(update_policy).delete(delete_policy))
        .route("/v2/policies/by-app-id/{application_id}", get(policies_of_application))
        .route("/v2/policies/shared-objects", get(list_shared_objects).post(create_shared_object))
        .route(
            "/v2/policies/shared-objects/{id}",
            get(get_shared_object).put(update_shared_object).delete(delete_shared_object),
        )
}

/// Enums of models §4.1 and the provider's string constants.
const POLICY_TYPES: &[&str] = &["ACCESS", "ACTIVITY"];
const TARGET_PROTOCOLS: &[&str] = &["HTTP", "SSH", "RDP", "TCP"];
const RDP_SUBTYPES: &[&str] = &["RDP_NATIVE", "RDP_BROWSER"];
const ENTITY_TYPES: &[&str] = &["User", "Group", "ApiClient"];
const IDP_TYPES: &[&str] = &["local", "ad", "okta", "adfs", "gapps", "onelogin", "generic-saml"];
const VALIDATORS: &[&str] = &["VALIDATOR_WEB_VERIFICATION", "VALIDATOR_MFA"];
/// Conditions of the whole policy (`filterConditions`) and of activity rules.
const FILTER_CONDITIONS: &[&str] = &["IP_CONDITION", "LOCATION_RESTRICTION", "IS_DEVICE_COMPLIANCE", "IS_NOT_WSS_IP"];
const RULE_CONDITIONS: &[&str] = &["FILE_DOWNLOADED", "FILE_UPLOADED", "URI_CONDITION", "METHOD_CONDITION"];
const RULE_ACTIONS: &[&str] = &["ALLOW", "BLOCK", "BLOCK_USER", "DISCONNECT_USER", "WEB_ISOLATION", "CDS"];
pub const SHARED_OBJECT_TYPES: &[&str] = &["IP_LIST", "ISOLATION_PROFILE", "OPSWAT_GROUPS"];

/// The keys a client may send for a policy; everything else (`createdAt`, `Status`, the
/// entities' internal `id`) is the server's.
const CLIENT_KEYS: &[&str] = &[
    "type",
    "targetProtocol",
    "targetProtocolSubType",
    "enabled",
    "name",
    "collectionId",
    "directoryEntities",
    "applications",
    "filterConditions",
    "timeSettingsType",
    "validators",
    "rdpSettings",
    "sshSettings",
    "tcpSettings",
    "timeSettings",
    "workingHoursSettings",
    "containers",
    "isWhitelist",
    "isIsolation",
];

/// RFC 3339, as the Go client needs `time.Time` fields (models §1.5).
fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

fn policy_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Policy {id} not found"))
}

fn one_of<'a>(body: &'a Map<String, Value>, key: &str, allowed: &[&str]) -> Result<&'a str, SimError> {
    match body.get(key).and_then(Value::as_str) {
        Some(v) if allowed.contains(&v) => Ok(v),
        Some(v) => Err(SimError::invalid(format!("{key}: {v:?} must be one of {}", allowed.join(", ")))),
        None => Err(SimError::invalid(format!("{key}: must not be null"))),
    }
}

fn array<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], SimError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(SimError::invalid(format!("{key}: must be an array"))),
    }
}

/// `arguments`: parameter id -> list of strings (models §4.5 PolicyCondition).
fn valid_conditions(conditions: &[Value], at: &str, allowed: &[&str]) -> Result<(), SimError> {
    for (i, condition) in conditions.iter().enumerate() {
        let id = condition.get("conditionDefinitionId").and_then(Value::as_str).unwrap_or_default();
        if !allowed.contains(&id) {
            return Err(SimError::invalid(format!(
                "{at}[{i}].conditionDefinitionId: {id:?} must be one of {}",
                allowed.join(", ")
            )));
        }
        let arguments_ok = match condition.get("arguments") {
            None | Some(Value::Null) => true,
            Some(Value::Object(arguments)) => arguments
                .values()
                .all(|v| v.is_null() || v.as_array().is_some_and(|values| values.iter().all(Value::is_string))),
            Some(_) => false,
        };
        if !arguments_ok {
            return Err(SimError::invalid(format!("{at}[{i}].arguments: must map parameter ids to lists of strings")));
        }
    }
    Ok(())
}

/// Checks a policy body and returns it as stored: only the client's keys, defaults filled
/// in, server-set keys added by the caller.
fn valid_policy(store: &Store, body: &Value, own_id: Option<&str>) -> Result<Map<String, Value>, SimError> {
    let Some(body) = body.as_object() else {
        return Err(SimError::bad_request("The policy must be a JSON object"));
    };
    let mut policy: Map<String, Value> = body
        .iter()
        .filter(|(k, v)| CLIENT_KEYS.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let policy_type = one_of(body, "type", POLICY_TYPES)?;
    let protocol = one_of(body, "targetProtocol", TARGET_PROTOCOLS)?;
    let name = body.get("name").and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(SimError::invalid("name: must not be blank"));
    }
    // "unique" (models §4.5).
    if store
        .of_kind(Kind::Policy)
        .any(|p| p.name() == name && Some(p.body["id"].as_str().unwrap_or_default()) != own_id)
    {
        return Err(SimError::conflict("name", name));
    }
    // The subtype belongs to RDP; "" (what the Go provider sends for the other protocols)
    // means none. The server default is RDP_NATIVE (models §4.5).
    match (protocol, body.get("targetProtocolSubType").and_then(Value::as_str).unwrap_or_default()) {
        ("RDP", "") => {
            policy.insert("targetProtocolSubType".into(), json!("RDP_NATIVE"));
        }
        ("RDP", subtype) if RDP_SUBTYPES.contains(&subtype) => {}
        (_, "") => {
            policy.remove("targetProtocolSubType");
        }
        (_, subtype) => {
            return Err(SimError::invalid(format!(
                "targetProtocolSubType: {subtype:?} is not valid for {protocol} policies (RDP only: {})",
                RDP_SUBTYPES.join(", ")
            )))
        }
    }
    if policy_type == "ACTIVITY" && protocol != "HTTP" {
        return Err(SimError::invalid("targetProtocol: activity policies apply to HTTP applications only"));
    }
    // "default collection when omitted" (models §4.5).
    let collection = body.get("collectionId").and_then(Value::as_str).filter(|c| !c.is_empty());
    match collection {
        Some(c) if store.get(Kind::Collection, c).is_none() => {
            return Err(SimError::invalid(format!("collectionId: collection {c} does not exist")));
        }
        Some(_) => {}
        None => {
            policy.insert("collectionId".into(), json!(DEFAULT_COLLECTION_ID));
        }
    }
    policy.insert("enabled".into(), json!(body.get("enabled").and_then(Value::as_bool).unwrap_or(false)));

    // Applications must exist and be of the policy's protocol. The create operation lists
    // no 404, so an unknown application is a 400 (a guess).
    let applications = array(body, "applications")?;
    if applications.is_empty() {
        return Err(SimError::invalid("applications: a policy must apply to at least one application"));
    }
    let mut stored_applications = Vec::new();
    for (i, application) in applications.iter().enumerate() {
        let id = application.get("id").and_then(Value::as_str).unwrap_or_default();
        let Some(found) = store.get(Kind::Application, id) else {
            return Err(SimError::invalid(format!("applications[{i}].id: application {id:?} does not exist")));
        };
        let app_type = found.body.get("type").and_then(Value::as_str).unwrap_or_default();
        if app_type != protocol {
            return Err(SimError::invalid(format!(
                "applications[{i}]: application {id} is of type {app_type}, not {protocol} as the policy's targetProtocol"
            )));
        }
        // The server knows the application's subtype whatever the client said.
        let mut stored = json!({"id": id, "type": app_type});
        if let Some(sub) = found.body.get("subType").filter(|s| s.is_string()) {
            stored["subType"] = sub.clone();
        }
        stored_applications.push(stored);
    }
    policy.insert("applications".into(), Value::Array(stored_applications));

    let mut entities = Vec::new();
    for (i, entity) in array(body, "directoryEntities")?.iter().enumerate() {
        let Some(fields) = entity.as_object() else {
            return Err(SimError::invalid(format!("directoryEntities[{i}]: must be an object")));
        };
        one_of(fields, "type", ENTITY_TYPES).map_err(|e| prefixed(e, &format!("directoryEntities[{i}].")))?;
        one_of(fields, "identityProviderType", IDP_TYPES)
            .map_err(|e| prefixed(e, &format!("directoryEntities[{i}].")))?;
        for key in ["identifierInProvider", "identityProviderId"] {
            if fields.get(key).and_then(Value::as_str).is_none_or(str::is_empty) {
                return Err(SimError::invalid(format!("directoryEntities[{i}].{key}: must not be blank")));
            }
        }
        let mut stored = fields.clone();
        // The entity's internal id is the server's (models §4.5 DirectoryEntity).
        stored.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
        entities.push(Value::Object(stored));
    }
    if entities.is_empty() {
        policy.remove("directoryEntities");
    } else {
        policy.insert("directoryEntities".into(), Value::Array(entities));
    }
    valid_conditions(array(body, "filterConditions")?, "filterConditions", FILTER_CONDITIONS)?;

    if policy_type == "ACCESS" {
        if let Some(validators) = body.get("validators").filter(|v| !v.is_null()) {
            let ok = validators
                .as_object()
                .is_some_and(|m| m.iter().all(|(k, v)| VALIDATORS.contains(&k.as_str()) && v.is_boolean()));
            if !ok {
                return Err(SimError::invalid(format!(
                    "validators: keys must be {} with boolean values",
                    VALIDATORS.join(", ")
                )));
            }
        }
        // The settings of the protocol are always answered (the provider reads them).
        let settings = match protocol {
            "SSH" => Some("sshSettings"),
            "TCP" => Some("tcpSettings"),
            "RDP" => Some("rdpSettings"),
            _ => None,
        };
        if let Some(key) = settings {
            let value = policy.entry(key).or_insert_with(|| json!({}));
            if !value.is_object() {
                return Err(SimError::invalid(format!("{key}: must be an object")));
            }
        }
        if protocol == "SSH" {
            let accounts = policy["sshSettings"].get("accounts").and_then(Value::as_array);
            if !accounts.is_some_and(|a| !a.is_empty() && a.iter().all(|x| x.as_str().is_some_and(|s| !s.is_empty()))) {
                return Err(SimError::invalid("sshSettings.accounts: at least one account name is required"));
            }
        }
        for key in ["containers", "isWhitelist", "isIsolation"] {
            policy.remove(key);
        }
    } else {
        let containers = array(body, "containers")?;
        if containers.is_empty() {
            return Err(SimError::invalid("containers: an activity policy needs at least one rule"));
        }
        let whitelist = body.get("isWhitelist").and_then(Value::as_bool).unwrap_or(false);
        for (i, rule) in containers.iter().enumerate() {
            let Some(fields) = rule.as_object() else {
                return Err(SimError::invalid(format!("containers[{i}]: must be an object")));
            };
            let action =
                one_of(fields, "actionId", RULE_ACTIONS).map_err(|e| prefixed(e, &format!("containers[{i}].")))?;
            // "allow-rules mode (only ALLOW actions)" (models §4.5 isWhitelist).
            if whitelist && action != "ALLOW" {
                return Err(SimError::invalid(format!(
                    "containers[{i}].actionId: only ALLOW rules are allowed when isWhitelist is true"
                )));
            }
            valid_conditions(array(fields, "conditions")?, &format!("containers[{i}].conditions"), RULE_CONDITIONS)?;
            if let Some(profile) = fields.get("isolationProfileId").and_then(Value::as_str).filter(|p| !p.is_empty()) {
                let is_profile = store
                    .get(Kind::SharedObject, profile)
                    .is_some_and(|o| o.body.get("type").and_then(Value::as_str) == Some("ISOLATION_PROFILE"));
                if !is_profile {
                    return Err(SimError::invalid(format!(
                        "containers[{i}].isolationProfileId: {profile} is not an isolation profile"
                    )));
                }
            }
        }
        policy.insert("isWhitelist".into(), json!(whitelist));
        policy.insert("isIsolation".into(), json!(body.get("isIsolation").and_then(Value::as_bool).unwrap_or(false)));
        for key in ["validators", "rdpSettings", "sshSettings", "tcpSettings"] {
            policy.remove(key);
        }
    }
    for key in ["filterConditions", "validators", "containers"] {
        let empty = policy
            .get(key)
            .is_some_and(|v| v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(Map::is_empty));
        if empty {
            policy.remove(key);
        }
    }
    Ok(policy)
}

fn prefixed(mut e: SimError, prefix: &str) -> SimError {
    e.message = format!("{prefix}{}", e.message);
    e.errors = vec![e.message.clone()];
    e
}

/// 200, not 201: the SDK documents 200 Policy for create (models §3.5).
async fn create_policy(State(sim): State<Arc<Sim>>, JsonBody(body): JsonBody<Value>) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let mut policy = valid_policy(&store, &body, None)?;
    policy.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
    policy.insert("createdAt".into(), json!(now()));
    Ok(Json(store.insert(Kind::Policy, Value::Object(policy))))
}

async fn get_policy(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    Ok(Json(store.get(Kind::Policy, &id).ok_or_else(|| policy_not_found(&id))?.body.clone()))
}

/// A whole-object replace of the client's keys; `id` and `createdAt` stay. The type of a
/// policy is fixed: an access policy does not become an activity policy (400, a guess).
async fn update_policy(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let current = store.get(Kind::Policy, &id).ok_or_else(|| policy_not_found(&id))?.body.clone();
    let mut policy = valid_policy(&store, &body, Some(&id))?;
    if policy.get("type") != current.get("type") || policy.get("targetProtocol") != current.get("targetProtocol") {
        return Err(SimError::invalid("type and targetProtocol cannot change after the policy is created"));
    }
    policy.insert("id".into(), json!(id));
    policy.insert("createdAt".into(), current.get("createdAt").cloned().unwrap_or(Value::Null));
    Ok(Json(store.insert(Kind::Policy, Value::Object(policy))))
}

/// Answers 204. The operation lists no 404 (models §3.5); a missing policy is answered 404 all the
/// same, the status every other Luminate read and delete uses for it.
async fn delete_policy(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::Policy, &id).ok_or_else(|| policy_not_found(&id))?;
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// `filter` matches the name (the list's documented filter field for policies is not
/// spelled out; name is what the portal searches).
async fn list_policies(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let filter = params.get("filter").cloned().unwrap_or_default();
    let policies: Vec<Value> = sim
        .store()
        .of_kind(Kind::Policy)
        .filter(|p| contains_ignoring_case(p.name(), &filter))
        .map(|p| p.body.clone())
        .collect();
    Ok(Json(spring_page(policies, &params)))
}

/// A plain array of the policies that apply to the application (models §3.5).
async fn policies_of_application(
    State(sim): State<Arc<Sim>>,
    Path(application_id): Path<String>,
) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    if store.get(Kind::Application, &application_id).is_none() {
        return Err(SimError::not_found(format!("Application {application_id} not found")));
    }
    let policies = store
        .of_kind(Kind::Policy)
        .filter(|p| {
            p.body["applications"]
                .as_array()
                .is_some_and(|apps| apps.iter().any(|a| a["id"] == application_id.as_str()))
        })
        .map(|p| p.body.clone())
        .collect();
    Ok(Json(Value::Array(policies)))
}

// ---------------------------------------------------------------------------------------
// Shared objects (models §3.9, §4.6)

fn shared_object_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Shared object {id} not found"))
}

/// `name` unique, `type` one of the three the provider knows (the SDK documents only
/// IP_LIST: the others are taken on the provider's word), `values` a list of `{value}`.
fn valid_shared_object(store: &Store, body: &Value, own_id: Option<&str>) -> Result<Map<String, Value>, SimError> {
    let Some(body) = body.as_object() else {
        return Err(SimError::bad_request("The shared object must be a JSON object"));
    };
    let name = body.get("name").and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if name.is_empty() {
        return Err(SimError::invalid("name: must not be blank"));
    }
    let object_type = one_of(body, "type", SHARED_OBJECT_TYPES)?;
    if store.of_kind(Kind::SharedObject).any(|o| o.name() == name && o.body["id"].as_str() != own_id) {
        return Err(SimError::conflict("name", name));
    }
    let values = array(body, "values")?;
    if values.iter().any(|v| !v.is_object()) {
        return Err(SimError::invalid("values: each value must be an object {\"value\": ...}"));
    }
    let mut object = Map::new();
    object.insert("name".into(), json!(name));
    object.insert("type".into(), json!(object_type));
    object.insert("values".into(), Value::Array(values.to_vec()));
    Ok(object)
}

async fn create_shared_object(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let mut object = valid_shared_object(&store, &body, None)?;
    let at = now();
    object.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
    object.insert("createdAt".into(), json!(at));
    object.insert("modifiedOn".into(), json!(at));
    Ok(Json(store.insert(Kind::SharedObject, Value::Object(object))))
}

async fn get_shared_object(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    Ok(Json(store.get(Kind::SharedObject, &id).ok_or_else(|| shared_object_not_found(&id))?.body.clone()))
}

async fn update_shared_object(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let current = store.get(Kind::SharedObject, &id).ok_or_else(|| shared_object_not_found(&id))?.body.clone();
    let mut object = valid_shared_object(&store, &body, Some(&id))?;
    object.insert("id".into(), json!(id));
    object.insert("createdAt".into(), current.get("createdAt").cloned().unwrap_or(Value::Null));
    object.insert("modifiedOn".into(), json!(now()));
    Ok(Json(store.insert(Kind::SharedObject, Value::Object(object))))
}

/// A shared object a policy rule still names cannot go (409, a guess: the operation lists
/// no 409, but deleting it would leave the rule pointing nowhere).
async fn delete_shared_object(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::SharedObject, &id).ok_or_else(|| shared_object_not_found(&id))?;
    let in_use = store.of_kind(Kind::Policy).any(|p| {
        p.body["containers"]
            .as_array()
            .is_some_and(|rules| rules.iter().any(|r| r["isolationProfileId"] == id.as_str()))
    });
    if in_use {
        return Err(SimError::new(StatusCode::CONFLICT, format!("Shared object {id} is used by a policy")));
    }
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// `filter` matches the name, `type` the type exactly (models §2, §3.9).
async fn list_shared_objects(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let filter = params.get("filter").cloned().unwrap_or_default();
    let wanted_type = params.get("type").filter(|t| !t.is_empty()).cloned();
    let objects: Vec<Value> = sim
        .store()
        .of_kind(Kind::SharedObject)
        .filter(|o| contains_ignoring_case(o.name(), &filter))
        .filter(|o| wanted_type.as_deref().is_none_or(|t| o.body["type"] == t))
        .map(|o| o.body.clone())
        .collect();
    Ok(Json(spring_page(objects, &params)))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use axum::body::Body;
    use axum::http::{Method, Request};
    use tower::ServiceExt as _;

    use super::super::{router, SimConfig};
    use super::*;

    const TOKEN: &str = "policy-test-token";

    /// A simulator without rate limit, with a valid token, an HTTP and a TCP application
    /// and an isolation profile.
    fn tenant() -> (Arc<Sim>, Router, String, String, String) {
        let sim = Sim::new(SimConfig { rate_limit_per_sec: 0, ..SimConfig::default() });
        let (web, tcp, profile) = {
            let mut store = sim.store();
            store.tokens.insert(TOKEN.into(), Instant::now() + Duration::from_secs(3600));
            store.insert(
                Kind::Application,
                json!({"id": "a-web", "name": "web", "type": "HTTP", "subType": "HTTP_LUMINATE_DOMAIN"}),
            );
            store.insert(Kind::Application, json!({"id": "a-tcp", "name": "tcp", "type": "TCP"}));
            store.insert(
                Kind::SharedObject,
                json!({"id": "so-1", "name": "strict", "type": "ISOLATION_PROFILE", "values": []}),
            );
            ("a-web".to_string(), "a-tcp".to_string(), "so-1".to_string())
        };
        (sim.clone(), router(sim), web, tcp, profile)
    }

    async fn call(app: &Router, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request =
            Request::builder().method(method).uri(path).header("authorization", format!("Bearer {TOKEN}"));
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request =
            request.body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty)).expect("request");
        let response = app.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("json") })
    }

    fn access(name: &str, protocol: &str, app: &str) -> Value {
        json!({"type": "ACCESS", "targetProtocol": protocol, "targetProtocolSubType": "", "enabled": true,
               "createdAt": "0001-01-01T00:00:00Z", "name": name, "applications": [{"id": app, "type": protocol}],
               "directoryEntities": [{"identifierInProvider": "u1", "identityProviderId": "local", "identityProviderType": "local", "type": "User"}]})
    }

    #[tokio::test]
    async fn access_policies_are_created_read_replaced_and_deleted() {
        let (sim, app, web, tcp, _) = tenant();
        let (status, created) = call(&app, Method::POST, "/v2/policies", Some(access("p", "HTTP", &web))).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        let id = created["id"].as_str().expect("id").to_string();
        assert_eq!(created["collectionId"], DEFAULT_COLLECTION_ID);
        assert_eq!(created["applications"][0]["subType"], "HTTP_LUMINATE_DOMAIN");
        assert!(created["directoryEntities"][0]["id"].is_string());
        assert!(created.get("targetProtocolSubType").is_none(), "{created}");
        assert_ne!(created["createdAt"], "0001-01-01T00:00:00Z");
        // TCP policies always answer their settings (the Go provider reads them).
        let (_, tcp_policy) = call(&app, Method::POST, "/v2/policies", Some(access("t", "TCP", &tcp))).await;
        assert_eq!(tcp_policy["tcpSettings"], json!({}));

        let (status, got) = call(&app, Method::GET, &format!("/v2/policies/{id}"), None).await;
        assert_eq!((status, &got), (StatusCode::OK, &created));
        let mut changed = access("p2", "HTTP", &web);
        changed["enabled"] = json!(false);
        changed["validators"] = json!({"VALIDATOR_MFA": true});
        let (status, updated) = call(&app, Method::PUT, &format!("/v2/policies/{id}"), Some(changed)).await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!((updated["name"].clone(), updated["enabled"].clone()), (json!("p2"), json!(false)));
        assert_eq!(updated["createdAt"], created["createdAt"]);
        // The type is fixed.
        let (status, _) = call(&app, Method::PUT, &format!("/v2/policies/{id}"), Some(access("p2", "TCP", &tcp))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (status, page) = call(&app, Method::GET, "/v2/policies?filter=P2", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page["totalElements"], 1);
        let (_, of_app) = call(&app, Method::GET, &format!("/v2/policies/by-app-id/{web}"), None).await;
        assert_eq!(of_app.as_array().map(Vec::len), Some(1));

        assert_eq!(call(&app, Method::DELETE, &format!("/v2/policies/{id}"), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(call(&app, Method::GET, &format!("/v2/policies/{id}"), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, Method::DELETE, &format!("/v2/policies/{id}"), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(sim.count(Kind::Policy), 1);
    }

    #[tokio::test]
    async fn policies_are_validated() {
        let (sim, app, web, tcp, _) = tenant();
        let refused = |body: Value, expected: &'static str| {
            let app = app.clone();
            async move {
                let (status, answer) = call(&app, Method::POST, "/v2/policies", Some(body)).await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
                assert!(answer["message"].as_str().unwrap_or_default().contains(expected), "{answer}");
            }
        };
        refused(access("x", "HTTP", "no-such-app"), "does not exist").await;
        refused(access("x", "HTTP", &tcp), "is of type TCP").await;
        refused(access("x", "FTP", &web), "targetProtocol").await;
        let mut no_applications = access("x", "HTTP", &web);
        no_applications["applications"] = json!([]);
        refused(no_applications, "at least one application").await;
        let mut ssh_without_accounts = access("x", "SSH", &web);
        ssh_without_accounts["applications"] = json!([]);
        sim.store().insert(Kind::Application, json!({"id": "a-ssh", "name": "ssh", "type": "SSH"}));
        ssh_without_accounts["applications"] = json!([{"id": "a-ssh", "type": "SSH"}]);
        ssh_without_accounts["sshSettings"] = json!({"accounts": [], "fullUpnAutoMapping": false});
        refused(ssh_without_accounts, "sshSettings.accounts").await;
        let mut rdp_subtype_on_web = access("x", "HTTP", &web);
        rdp_subtype_on_web["targetProtocolSubType"] = json!("RDP_BROWSER");
        refused(rdp_subtype_on_web, "RDP only").await;
        let mut bad_entity = access("x", "HTTP", &web);
        bad_entity["directoryEntities"][0]["type"] = json!("Robot");
        refused(bad_entity, "directoryEntities[0].type").await;
        let mut bad_condition = access("x", "HTTP", &web);
        bad_condition["filterConditions"] = json!([{"conditionDefinitionId": "MOON_PHASE", "arguments": {}}]);
        refused(bad_condition, "conditionDefinitionId").await;
        let mut unknown_collection = access("x", "HTTP", &web);
        unknown_collection["collectionId"] = json!("c-none");
        refused(unknown_collection, "collectionId").await;
        // Names are unique: 409 with the property.
        assert_eq!(call(&app, Method::POST, "/v2/policies", Some(access("dup", "HTTP", &web))).await.0, StatusCode::OK);
        let (status, answer) = call(&app, Method::POST, "/v2/policies", Some(access("dup", "HTTP", &web))).await;
        assert_eq!((status, answer["propertyName"].clone()), (StatusCode::CONFLICT, json!("name")));
        assert_eq!(sim.count(Kind::Policy), 1);
    }

    #[tokio::test]
    async fn activity_policies_need_valid_rules() {
        let (_, app, web, _, profile) = tenant();
        let activity = |containers: Value, whitelist: bool| {
            json!({"type": "ACTIVITY", "targetProtocol": "HTTP", "enabled": true, "name": "act",
                   "applications": [{"id": web, "type": "HTTP"}], "containers": containers, "isWhitelist": whitelist, "isIsolation": false})
        };
        let post = |body: Value| {
            let app = app.clone();
            async move { call(&app, Method::POST, "/v2/policies", Some(body)).await }
        };
        assert_eq!(post(activity(json!([]), false)).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(post(activity(json!([{"actionId": "EXPLODE"}]), false)).await.0, StatusCode::BAD_REQUEST);
        let (status, answer) = post(activity(json!([{"actionId": "BLOCK"}]), true)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(answer["message"].as_str().unwrap_or_default().contains("only ALLOW"), "{answer}");
        let not_a_profile = json!([{"actionId": "WEB_ISOLATION", "isolationProfileId": "nope"}]);
        assert_eq!(post(activity(not_a_profile, false)).await.0, StatusCode::BAD_REQUEST);
        let rules = json!([
            {"actionId": "WEB_ISOLATION", "isolationProfileId": profile},
            {"actionId": "BLOCK", "conditions": [{"conditionDefinitionId": "URI_CONDITION", "arguments": {"URI_LIST": ["/admin"]}}]},
        ]);
        let (status, created) = post(activity(rules, false)).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        assert_eq!(created["containers"].as_array().map(Vec::len), Some(2));
        assert_eq!(created["isWhitelist"], false);
        // A profile a rule uses cannot be deleted.
        let (status, _) = call(&app, Method::DELETE, &format!("/v2/policies/shared-objects/{profile}"), None).await;
        assert_eq!(status, StatusCode::CONFLICT);
    }

    #[tokio::test]
    async fn shared_objects_are_created_listed_by_type_and_deleted() {
        let (sim, app, ..) = tenant();
        let body = json!({"name": "office-ips", "type": "IP_LIST", "values": [{"value": "10.0.0.0/8"}],
                          "createdAt": "0001-01-01T00:00:00Z", "modifiedOn": "0001-01-01T00:00:00Z"});
        let (status, created) = call(&app, Method::POST, "/v2/policies/shared-objects", Some(body.clone())).await;
        assert_eq!(status, StatusCode::OK, "{created}");
        assert_ne!(created["createdAt"], "0001-01-01T00:00:00Z");
        assert_eq!(call(&app, Method::POST, "/v2/policies/shared-objects", Some(body)).await.0, StatusCode::CONFLICT);
        let bad_type = json!({"name": "x", "type": "GEOFENCE", "values": []});
        assert_eq!(
            call(&app, Method::POST, "/v2/policies/shared-objects", Some(bad_type)).await.0,
            StatusCode::BAD_REQUEST
        );

        let (_, page) = call(
            &app,
            Method::GET,
            "/v2/policies/shared-objects?filter=office&type=IP_LIST&page=0&size=1&sort=name%2Casc",
            None,
        )
        .await;
        assert_eq!(page["content"][0]["id"], created["id"]);
        let (_, none) =
            call(&app, Method::GET, "/v2/policies/shared-objects?filter=office&type=OPSWAT_GROUPS", None).await;
        assert_eq!(none["totalElements"], 0);

        let id = created["id"].as_str().expect("id");
        let rename = json!({"name": "hq-ips", "type": "IP_LIST", "values": []});
        let (status, renamed) =
            call(&app, Method::PUT, &format!("/v2/policies/shared-objects/{id}"), Some(rename)).await;
        assert_eq!((status, renamed["name"].clone()), (StatusCode::OK, json!("hq-ips")));
        assert_eq!(
            call(&app, Method::DELETE, &format!("/v2/policies/shared-objects/{id}"), None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            call(&app, Method::GET, &format!("/v2/policies/shared-objects/{id}"), None).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(sim.count(Kind::SharedObject), 4, "the seeded objects and the test's profile stay");
    }
}
