//! QoS policies (`/api/v2/policies`) and resource policies (snapshot schedules,
//! `/api/v2/projects/{projectName}/resourcePolicies`), seed 003 lines 4051-4720 (catalog
//! §4.5.19, §4.5.20).
//!
//! The seed omits the answers of the QoS policy routes and the body of its PUT; they are
//! the proto's (`Policy`, `UpdatePolicyRequest`), with `QoSRateLimitPolicy` spelled with a
//! capital Q in answers and `qoSRateLimitPolicy` in requests. Bodies are read as
//! grpc-gateway reads proto3 JSON: absent and `null` are the zero value; 64-bit integers
//! are numbers or numeric strings and are answered as strings (the seed types the limits
//! and cycles `int64`; the proto has since made them `uint32`).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::error::{SimError, Tagged};
use super::parse;
use super::store::{Kind, Object, Store, Transition};
use super::Sim;

type ApiResult<T> = Result<T, SimError>;

/// The API routes of this area.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v2/policies", get(list_policies).post(create_policy))
        .route("/api/v2/policies/{uuid}", get(get_policy).put(update_policy).delete(delete_policy))
        .route("/api/v2/projects/{project}/resourcePolicies", get(list_resource_policies).post(create_resource_policy))
        .route(
            "/api/v2/projects/{project}/resourcePolicies/{uuid}",
            get(get_resource_policy).put(update_resource_policy).delete(delete_resource_policy),
        )
}

/// The admin routes of this area (under `/_sim`): none beyond the shared ones.
pub fn admin_routes() -> Router<Arc<Sim>> {
    Router::new()
}

// ------------------------------------------------------------------ proto3 JSON helpers

fn body_object(body: &Value) -> ApiResult<&Map<String, Value>> {
    body.as_object().ok_or_else(|| SimError::bad_request("the request body must be a JSON object"))
}

/// A string field: absent or null is "".
fn string_field(body: &Map<String, Value>, name: &str) -> ApiResult<String> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(SimError::bad_request(format!("invalid value for string field {name}: {other}"))),
    }
}

/// A message field: absent or null is "not set".
fn message_field<'a>(body: &'a Map<String, Value>, name: &str) -> ApiResult<Option<&'a Map<String, Value>>> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(SimError::bad_request(format!("invalid value for message field {name}: {other}"))),
    }
}

/// An integer field (a number or a numeric string); absent or null is 0. Negative values
/// are refused: every integer of these messages is a count or a limit.
fn int_field(body: &Map<String, Value>, name: &str) -> ApiResult<u64> {
    let value = body.get(name).unwrap_or(&Value::Null);
    match value {
        Value::Null => Some(0),
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| {
        SimError::bad_request(format!("Invalid argument: {name} must be a non-negative integer, got {value}."))
    })
}

fn string_list_field(body: &Map<String, Value>, name: &str) -> ApiResult<Vec<String>> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| SimError::bad_request(format!("invalid value for string field {name}: {i}")))
            })
            .collect(),
        Some(other) => Err(SimError::bad_request(format!("invalid value for repeated field {name}: {other}"))),
    }
}

fn invalid(reason: &str) -> SimError {
    SimError::bad_request(format!("Invalid argument: {reason}"))
}

fn project_exists(store: &Store, name: &str) -> bool {
    store.find(Kind::Project, None, None, Some(name)).is_some()
}

// ------------------------------------------------------------------ QoS policies

const POLICY_NOT_FOUND: &str = "Returned when the policy UUID/name is not found.";
const VISIBILITIES: [&str; 3] = ["Unavailable", "Scoped", "Global"];

/// The three limit messages of the `QoSLimit` oneof: request name, answer name, and the
/// two members.
const LIMITS: [(&str, [&str; 2]); 3] = [
    ("limitIOPS", ["writeIOPSLimit", "readIOPSLimit"]),
    ("limitBw", ["writeBWLimit", "readBWLimit"]),
    ("limitIOPSPerGB", ["writeIOPSPerGBLimit", "readIOPSPerGBLimit"]),
];

/// Checks a `qoSRateLimitPolicy` message and renders it as answers show it.
///
/// Exactly one limit message (a proto oneof; the PUT lists "mutually exclusive arguments
/// were provided"). The enum accepts names or numbers. "The granularity increases by 256
/// IOPs each time" is not a rule the seed lets one check (no refusal is documented), so
/// limits are kept as given.
fn qos_rate_limit(store: &Store, m: &Map<String, Value>) -> ApiResult<Value> {
    let visibility = match m.get("policyVisibility") {
        None | Some(Value::Null) => "Unavailable".to_string(),
        Some(Value::String(s)) if VISIBILITIES.contains(&s.as_str()) => s.clone(),
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n < 3) => {
            VISIBILITIES[n.as_u64().unwrap_or(0) as usize].to_string()
        }
        Some(other) => {
            return Err(SimError::bad_request(format!("invalid value for enum type PolicyVisibility: {other}")))
        }
    };
    let scope = string_list_field(m, "projectsNamesScope")?;
    if scope.iter().any(|p| !project_exists(store, p)) {
        return Err(SimError::not_found("One of the given projects was not found."));
    }
    let mut out = json!({"policyVisibility": visibility, "projectsNamesScope": scope});
    let mut given = 0;
    for (name, members) in LIMITS {
        if let Some(limit) = message_field(m, name)? {
            given += 1;
            let mut rendered = Map::new();
            for member in members {
                rendered.insert(member.to_string(), json!(int_field(limit, member)?.to_string()));
            }
            out[name] = Value::Object(rendered);
        }
    }
    match given {
        0 => Err(invalid("mandatory argument is missing (one of limitIOPS, limitBw, limitIOPSPerGB).")),
        1 => Ok(out),
        _ => Err(invalid("mutually exclusive arguments were provided (limitIOPS, limitBw, limitIOPSPerGB).")),
    }
}

fn check_description(body: &Map<String, Value>) -> ApiResult<String> {
    let description = string_field(body, "description")?;
    // "up to 256B in length": the seed gives the limit, not the refusal text.
    if description.len() > 256 {
        return Err(invalid("description is longer than 256 bytes."));
    }
    Ok(description)
}

/// `POST /api/v2/policies` (seed lines 4097-4209).
async fn create_policy(State(sim): State<Arc<Sim>>, Json(body): Json<Value>) -> ApiResult<Tagged> {
    let body = body_object(&body)?;
    let name = string_field(body, "name")?;
    if name.is_empty() {
        return Err(invalid("mandatory argument is missing (name)."));
    }
    if !parse::is_valid_name(&name) {
        return Err(invalid("name contains illegal characters."));
    }
    let description = check_description(body)?;
    let mut store = sim.store();
    let qos = message_field(body, "qoSRateLimitPolicy")?
        .ok_or_else(|| invalid("mandatory argument is missing (qoSRateLimitPolicy)."))?;
    let qos = qos_rate_limit(&store, qos)?;
    if store.find(Kind::QosPolicy, None, None, Some(&name)).is_some() {
        return Err(SimError::conflict("Policy with the provided name already exists."));
    }
    // The seed shows no state for policies; the proto's `Policy.State` has Creating and
    // Active. A QoS policy is a record, not storage work, so it is Active at once.
    let object = json!({"name": name, "description": description, "state": "Active", "QoSRateLimitPolicy": qos});
    Ok(Tagged(store.insert(Kind::QosPolicy, object, None).view()))
}

#[derive(serde::Deserialize)]
struct PolicyQuery {
    #[serde(rename = "UUID")]
    uuid: Option<String>,
    name: Option<String>,
    #[serde(rename = "projectName")]
    project_name: Option<String>,
}

/// True when the policy is available to the project: Global, or Scoped to it.
fn visible_to(policy: &Object, project: &str) -> bool {
    let qos = &policy.body["QoSRateLimitPolicy"];
    match qos["policyVisibility"].as_str() {
        Some("Global") => true,
        Some("Scoped") => qos["projectsNamesScope"].as_array().is_some_and(|s| s.iter().any(|p| p == project)),
        _ => false,
    }
}

/// `GET /api/v2/policies` (seed lines 4051-4095): filters `UUID`, `name`, `projectName`;
/// no paging. A filter that matches nothing is an empty list (the 404 is for the single
/// GET).
async fn list_policies(State(sim): State<Arc<Sim>>, Query(q): Query<PolicyQuery>) -> Json<Value> {
    let store = sim.store();
    let pick = |v: Option<String>| v.filter(|s| !s.is_empty());
    let (uuid, name, project) = (pick(q.uuid), pick(q.name), pick(q.project_name));
    let policies: Vec<Value> = store
        .list(Kind::QosPolicy, None)
        .into_iter()
        .filter(|o| uuid.as_deref().is_none_or(|u| o.uuid() == u))
        .filter(|o| name.as_deref().is_none_or(|n| o.name() == n))
        .filter(|o| project.as_deref().is_none_or(|p| visible_to(o, p)))
        .map(Object::view)
        .collect();
    Json(json!({ "policies": policies }))
}

/// `GET /api/v2/policies/{UUID}` (seed lines 4211-4252).
async fn get_policy(State(sim): State<Arc<Sim>>, Path(uuid): Path<String>) -> ApiResult<Tagged> {
    sim.store()
        .find(Kind::QosPolicy, None, Some(&uuid), None)
        .map(|o| Tagged(o.view()))
        .ok_or_else(|| SimError::not_found(POLICY_NOT_FOUND))
}

/// `PUT /api/v2/policies/{UUID}` (seed lines 4294-4320; body omitted, proto
/// `UpdatePolicyRequest`): "overriding the existing properties with the given
/// arguments": a non-empty description replaces the old one (proto3 cannot tell an empty
/// one from none), a `qoSRateLimitPolicy` replaces the whole QoS message. The name is a
/// selector, not a rename. No 412 is listed, so no `If-Match` check.
async fn update_policy(
    State(sim): State<Arc<Sim>>,
    Path(uuid): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let body = body_object(&body)?;
    let description = check_description(body)?;
    let mut store = sim.store();
    let qos = match message_field(body, "qoSRateLimitPolicy")? {
        Some(m) => Some(qos_rate_limit(&store, m)?),
        None => None,
    };
    let not_found = || SimError::not_found("The given policy was not found or the request is not supported.");
    let key = store.find_key(Kind::QosPolicy, None, Some(&uuid), None).ok_or_else(not_found)?;
    let policy = store.objects.get_mut(&key).ok_or_else(not_found)?;
    if !description.is_empty() {
        policy.body["description"] = json!(description);
    }
    if let Some(qos) = qos {
        policy.body["QoSRateLimitPolicy"] = qos;
    }
    policy.etag += 1;
    Ok(Json(json!({})))
}

/// `DELETE /api/v2/policies/{UUID}` (seed lines 4254-4292). Whether a policy still used by
/// a volume or a project's defaults can be deleted is not documented: it can here.
async fn delete_policy(State(sim): State<Arc<Sim>>, Path(uuid): Path<String>) -> ApiResult<Json<Value>> {
    let mut store = sim.store();
    let key = store
        .find_key(Kind::QosPolicy, None, Some(&uuid), None)
        .ok_or_else(|| SimError::not_found("The given policy to delete was not found."))?;
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ resource policies

const RESOURCE_POLICY_NOT_FOUND: &str = "Returned when the resource policy UUID/name is not found.";
const DAYS: [&str; 8] =
    ["DayOfWeekUnspecified", "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

fn timestamp_field(m: &Map<String, Value>, name: &str) -> ApiResult<String> {
    let text = string_field(m, name)?;
    if text.is_empty() {
        return Err(invalid(&format!("mandatory argument is missing ({name}).")));
    }
    let parsed = crate::timestamp::parse_rfc3339(&text)
        .ok_or_else(|| invalid(&format!("{name} {text:?} is not an RFC 3339 time.")))?;
    // Answered the way Go's protojson renders a Timestamp: UTC with "Z".
    Ok(parsed.to_offset(time::UtcOffset::UTC).format(&time::format_description::well_known::Rfc3339).unwrap_or(text))
}

/// Checks a `SchedulePolicy` and renders it as answers show it: exactly one snapshot
/// schedule (a proto oneof), a cycle of at least 1, weekly entries with a named day, and
/// a retention time in proto3 duration form ("86400s").
fn schedule_policy(m: &Map<String, Value>) -> ApiResult<Value> {
    let snapshot = message_field(m, "snapshotSchedulePolicy")?
        .ok_or_else(|| invalid("mandatory argument is missing (schedulePolicy.snapshotSchedulePolicy)."))?;
    let mut schedules = Map::new();
    for (name, cycle) in [("hourlySchedule", "hoursInCycle"), ("dailySchedule", "daysInCycle")] {
        if let Some(s) = message_field(snapshot, name)? {
            let n = int_field(s, cycle)?;
            if n == 0 {
                return Err(invalid(&format!("{name}.{cycle} must be at least 1.")));
            }
            schedules.insert(name.into(), json!({"startTime": timestamp_field(s, "startTime")?, cycle: n.to_string()}));
        }
    }
    if let Some(weekly) = message_field(snapshot, "weeklySchedule")? {
        let entries = match weekly.get("daysOfWeek") {
            None | Some(Value::Null) => vec![],
            Some(Value::Array(a)) => a.clone(),
            Some(other) => return Err(SimError::bad_request(format!("invalid value for daysOfWeek: {other}"))),
        };
        if entries.is_empty() {
            return Err(invalid("mandatory argument is missing (weeklySchedule.daysOfWeek)."));
        }
        let mut days = Vec::new();
        for e in &entries {
            let e = e.as_object().ok_or_else(|| SimError::bad_request("a daysOfWeek entry must be an object"))?;
            let day = match e.get("day") {
                Some(Value::String(s)) if DAYS[1..].contains(&s.as_str()) => s.clone(),
                Some(Value::Number(n)) if n.as_u64().is_some_and(|n| (1..8).contains(&n)) => {
                    DAYS[n.as_u64().unwrap_or(0) as usize].to_string()
                }
                other => {
                    return Err(invalid(&format!(
                        "day must be one of Sunday..Saturday, got {}.",
                        other.unwrap_or(&Value::Null)
                    )))
                }
            };
            days.push(json!({"startTime": timestamp_field(e, "startTime")?, "day": day}));
        }
        schedules.insert("weeklySchedule".into(), json!({ "daysOfWeek": days }));
    }
    match schedules.len() {
        0 => return Err(invalid("mandatory argument is missing (a snapshot schedule).")),
        1 => {}
        _ => return Err(invalid("mutually exclusive arguments were provided (hourly, daily, weekly schedule).")),
    }
    let mut out = json!({ "snapshotSchedulePolicy": schedules });
    let retention = string_field(m, "retentionTime")?;
    if !retention.is_empty() {
        // proto3 JSON durations end in "s"; other spellings are refused.
        let secs =
            retention.strip_suffix('s').and_then(|n| n.parse::<f64>().ok()).filter(|n| *n >= 0.0).ok_or_else(|| {
                invalid(&format!("retentionTime {retention:?} is not a duration such as \"86400s\"."))
            })?;
        out["retentionTime"] = json!(format!("{}s", secs as u64));
    }
    Ok(out)
}

fn check_name(name: &str) -> ApiResult<()> {
    if name.is_empty() {
        return Err(invalid("mandatory argument is missing (name)."));
    }
    if !parse::is_valid_name(name) {
        return Err(invalid("name contains illegal characters."));
    }
    Ok(())
}

/// `POST …/resourcePolicies` (seed lines 4385-4500). The resource is a volume of the
/// project (the seed says "resource"; volumes are the only resource with snapshots). The
/// policy starts `Creating` and becomes `Active` (catalog §4.3).
async fn create_resource_policy(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    Json(body): Json<Value>,
) -> ApiResult<Tagged> {
    let body = body_object(&body)?;
    let name = string_field(body, "name")?;
    check_name(&name)?;
    let description = check_description(body)?;
    let schedule = message_field(body, "schedulePolicy")?
        .ok_or_else(|| invalid("mandatory argument is missing (schedulePolicy)."))?;
    let schedule = schedule_policy(schedule)?;
    let (resource_uuid, resource_name) = (string_field(body, "resourceUUID")?, string_field(body, "resourceName")?);
    if resource_uuid.is_empty() && resource_name.is_empty() {
        return Err(invalid("mandatory argument is missing (resourceUUID or resourceName)."));
    }
    let delay = sim.cfg().transition_delay;
    let mut store = sim.store();
    // Not documented: a project that does not exist is taken as a missing resource.
    if !project_exists(&store, &project) {
        return Err(SimError::not_found("Returned when the resource policy with a given resource UUID is not found."));
    }
    // "If both name and UUID are provided, the name is ignored and only the UUID is used."
    let volume = if resource_uuid.is_empty() {
        store.find(Kind::Volume, Some(&project), None, Some(&resource_name))
    } else {
        store.find(Kind::Volume, Some(&project), Some(&resource_uuid), None)
    }
    .filter(|v| v.state() != "Deleting")
    .ok_or_else(|| SimError::not_found("Returned when the resource policy with a given resource UUID is not found."))?;
    let (volume_uuid, volume_name) = (volume.uuid().to_string(), volume.name().to_string());
    if store.find(Kind::ResourcePolicy, Some(&project), None, Some(&name)).is_some() {
        return Err(SimError::conflict("Resource with the provided name already exists."));
    }
    let object = json!({
        "name": name,
        "resourceUUID": volume_uuid,
        "resourceName": volume_name,
        "projectName": project,
        "schedulePolicy": schedule,
        "description": description,
        "state": "Creating",
    });
    let inserted = store.insert(Kind::ResourcePolicy, object, None).uuid().to_string();
    let policy = store.objects.get_mut(&inserted).ok_or_else(|| SimError::not_found(RESOURCE_POLICY_NOT_FOUND))?;
    policy.transition = Some(Transition { at: Instant::now() + delay, to: Some("Active") });
    Ok(Tagged(policy.view()))
}

#[derive(serde::Deserialize)]
struct ResourcePolicyQuery {
    #[serde(rename = "UUID")]
    uuid: Option<String>,
    #[serde(rename = "volumeUUID")]
    volume_uuid: Option<String>,
}

/// `GET …/resourcePolicies` (seed lines 4322-4383): filters `UUID`, `volumeUUID`; no
/// paging. `defaultResourcePolicies` (proto) is not simulated: always empty.
async fn list_resource_policies(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    Query(q): Query<ResourcePolicyQuery>,
) -> Json<Value> {
    let store = sim.store();
    let (uuid, volume) = (q.uuid.filter(|s| !s.is_empty()), q.volume_uuid.filter(|s| !s.is_empty()));
    let policies: Vec<Value> = store
        .list(Kind::ResourcePolicy, Some(&project))
        .into_iter()
        .filter(|o| o.state() != "Deleting")
        .filter(|o| uuid.as_deref().is_none_or(|u| o.uuid() == u))
        .filter(|o| volume.as_deref().is_none_or(|v| o.body["resourceUUID"] == v))
        .map(Object::view)
        .collect();
    Json(json!({ "resourcePolicies": policies }))
}

async fn get_resource_policy(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
) -> ApiResult<Tagged> {
    sim.store()
        .find(Kind::ResourcePolicy, Some(&project), Some(&uuid), None)
        .map(|o| Tagged(o.view()))
        .ok_or_else(|| SimError::not_found(RESOURCE_POLICY_NOT_FOUND))
}

/// `PUT …/resourcePolicies/{UUID}` (seed lines 4620-4690): "retentionTime schedulePolicy
/// description". `schedulePolicy` is required (proto); it replaces the old one whole, so
/// a retention time left out is cleared. A non-empty description replaces the old one.
/// A policy still `Creating` answers 503, like the other asynchronous objects (the seed
/// lists no code for it).
async fn update_resource_policy(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let body = body_object(&body)?;
    let description = check_description(body)?;
    let schedule = message_field(body, "schedulePolicy")?
        .ok_or_else(|| invalid("mandatory argument is missing (schedulePolicy)."))?;
    let schedule = schedule_policy(schedule)?;
    let mut store = sim.store();
    let key = store
        .find_key(Kind::ResourcePolicy, Some(&project), Some(&uuid), None)
        .ok_or_else(|| SimError::not_found(RESOURCE_POLICY_NOT_FOUND))?;
    let policy = store.objects.get_mut(&key).ok_or_else(|| SimError::not_found(RESOURCE_POLICY_NOT_FOUND))?;
    match policy.state() {
        "Creating" => {
            return Err(SimError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Resource policy is in a temporary state and cannot be updated now (Creating).",
            ))
        }
        "Deleting" | "Failed" => return Err(invalid("the resource policy state does not allow an update.")),
        _ => {}
    }
    policy.body["schedulePolicy"] = schedule;
    if !description.is_empty() {
        policy.body["description"] = json!(description);
    }
    policy.etag += 1;
    Ok(Json(json!({})))
}

/// `DELETE …/resourcePolicies/{UUID}` (seed lines 4577-4618): `Deleting`, then gone
/// (catalog §4.3, inferred).
async fn delete_resource_policy(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let delay = sim.cfg().transition_delay;
    let mut store = sim.store();
    let key = store
        .find_key(Kind::ResourcePolicy, Some(&project), Some(&uuid), None)
        .ok_or_else(|| SimError::not_found(RESOURCE_POLICY_NOT_FOUND))?;
    let policy = store.objects.get_mut(&key).ok_or_else(|| SimError::not_found(RESOURCE_POLICY_NOT_FOUND))?;
    if policy.state() != "Deleting" {
        policy.set_state("Deleting");
        policy.etag += 1;
        policy.transition = Some(Transition { at: Instant::now() + delay, to: None });
    }
    Ok(Json(json!({})))
}
