//! API routes. Status codes and messages are the ones the Lightbits API v2 document lists
//! for each operation (seed `003_*.txt`); where it lists none, the choice is commented.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ProtoJson, SimError, Tagged};
use super::requests::{
    CreateProjectRequest, CreateSnapshotRequest, CreateVolumeRequest, DefaultPolicy, EnableEncryptionRequest, Label,
    LabelMatchExpression, PlacementKey, PolicyType, StringList, UpdateProjectRequest, UpdateVolumeRequest,
};
use super::store::{Kind, Object, Store, Transition};
use super::Sim;
use super::{cluster, parse};

type ApiResult<T> = Result<T, SimError>;

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v2/version", get(version))
        .route("/api/v2/cluster", get(cluster))
        .route("/api/v2/clusterinfo", get(cluster_info))
        .route("/api/v2/cluster/encryption/enable", post(enable_encryption))
        .route("/api/v2/projects", get(list_projects).post(create_project))
        .route("/api/v2/projects/{name}", get(get_project).put(update_project).delete(delete_project))
        .route("/api/v2/projects/{project}/volumes", get(list_volumes_scoped).post(create_volume_scoped))
        .route(
            "/api/v2/projects/{project}/volumes/{uuid}",
            get(get_volume_scoped).put(update_volume_scoped).delete(delete_volume_scoped),
        )
        .route("/api/v2/volumes", get(list_volumes_flat).post(create_volume_flat))
        .route("/api/v2/volumes/{uuid}", get(get_volume_flat).put(update_volume_flat).delete(delete_volume_flat))
        .route("/api/v2/projects/{project}/snapshots", get(list_snapshots).post(create_snapshot))
        .route("/api/v2/projects/{project}/snapshots/{uuid}", get(get_snapshot).delete(delete_snapshot))
}

/// Query parameters; a malformed query answers the gateway's error body.
struct ApiQuery<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = SimError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, SimError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(query)| ApiQuery(query))
            .map_err(|e| SimError::bad_request(e.body_text()))
    }
}

fn invalid(reason: &str) -> SimError {
    SimError::bad_request(format!("Invalid argument: {reason}"))
}

pub(crate) fn etag_mismatch() -> SimError {
    SimError::new(StatusCode::PRECONDITION_FAILED, "Etag mismatch.")
}

/// `If-Match` must equal the object's current ETag when given. The seed documents 412
/// "Etag mismatch." but no header; the Cinder driver sends `If-Match` (catalog §4.2).
pub(crate) fn check_if_match(headers: &HeaderMap, object: &Object) -> ApiResult<()> {
    match headers.get("if-match").and_then(|v| v.to_str().ok()) {
        None => Ok(()),
        Some(given) => {
            let given = given.trim().trim_start_matches("W/").trim_matches('"');
            if given == "*" || given == object.etag.to_string() {
                Ok(())
            } else {
                Err(etag_mismatch())
            }
        }
    }
}

/// What an operation answers for objects in a state that forbids it.
struct StateRefusals {
    /// 503, for Creating and Updating: worth retrying.
    temporary: &'static str,
    /// 400, for Deleting and Failed.
    final_state: &'static str,
}

const VOLUME_UPDATE: StateRefusals = StateRefusals {
    temporary: "Volume is in temporary state and cannot be updated now (Creating/Updating).",
    final_state: "Invalid argument or a volume is in a state that cannot be updated (Deleting/Failed).",
};
const VOLUME_DELETE: StateRefusals = StateRefusals {
    temporary: "Volume is in a temporary state that does not currently allow deletion (Creating/Updating).",
    final_state: "Provided invalid UUID, Name, or volume state does not allow deletion (Deleting/Failed).",
};
const SNAPSHOT_DELETE: StateRefusals = StateRefusals {
    temporary: "Snapshot is in a temporary state that does not currently allow deletion (Creating/Updating and volume Updating).",
    final_state: "Provided invalid UUID or a snapshot state does not allow deletion (Deleting/Failed).",
};

/// The guard every update and delete passes: `If-Match` first, then the object's state.
fn check_writable(headers: &HeaderMap, object: &Object, refusals: &StateRefusals) -> ApiResult<()> {
    check_if_match(headers, object)?;
    match object.state() {
        "Creating" | "Updating" => Err(SimError::new(StatusCode::SERVICE_UNAVAILABLE, refusals.temporary)),
        "Deleting" | "Failed" => Err(SimError::bad_request(refusals.final_state)),
        _ => Ok(()),
    }
}

fn transition_delay(sim: &Sim) -> std::time::Duration {
    sim.cfg().transition_delay
}

fn project_exists(store: &Store, name: &str) -> bool {
    store.find(Kind::Project, None, None, Some(name)).is_some()
}

// ------------------------------------------------------------------ cluster

async fn version() -> Json<Value> {
    Json(json!({"apiVersion": "v2"}))
}

/// `GET /api/v2/cluster` (seed lines 713-739): `ClusterInfo`. The seed shows no schema; the
/// fields are the proto's.
async fn cluster(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({
        "UUID": sim.cluster_uuid,
        "subsystemNQN": subsystem_nqn(&sim),
        "currentMaxReplicas": 3,
        "supportedMaxReplicas": 3,
        "ETag": "1",
        "health": {"state": "OK", "numDegradedVolumes": 0, "numReadOnlyVolumes": 0, "numNotAvailableVolumes": 0,
                   "numInactiveNodes": 0, "numHealthyVolumes": sim.count(Kind::Volume)},
        "MinVersionInCluster": "3.12.1",
        "MinAllowedVersion": "3.12.1",
        "MaxAllowedVersion": "3.12.1",
        "apiEndpoints": ["127.0.0.1:443"],
        "discoveryEndpoints": ["127.0.0.1:8009"],
        "clusterName": "lightbits-simulator",
        "inBandAuthMode": in_band_mode(&sim),
        "encryptionStatus": {"encryptionState": sim.encryption_state()},
        "federatedAuthenticationStatus": {"federatedAuthenticationEnabled": sim.auth_switches.lock().map(|s| s.federated).unwrap_or(false)},
    }))
}

/// `inBandAuthMode` of the cluster answers: the default subsystem's switch (the only one
/// the API supports today).
fn in_band_mode(sim: &Sim) -> &'static str {
    let on = sim.auth_switches.lock().map(|s| s.in_band.get("DefaultSubSystem").copied().unwrap_or(false));
    if on.unwrap_or(false) {
        "Enabled"
    } else {
        "Disabled"
    }
}

/// `GET /api/v2/clusterinfo` (seed lines 741-767, "for tenants"): `ClusterInfoV2`, which has
/// `nvmeEndpoints` and none of health, statistics, versions or federated authentication.
async fn cluster_info(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({
        "UUID": sim.cluster_uuid,
        "subsystemNQN": subsystem_nqn(&sim),
        "currentMaxReplicas": 3,
        "supportedMaxReplicas": 3,
        "ETag": "1",
        "apiEndpoints": ["127.0.0.1:443"],
        "discoveryEndpoints": ["127.0.0.1:8009"],
        "nvmeEndpoints": ["127.0.0.1:4420"],
        "clusterName": "lightbits-simulator",
        "encryptionStatus": {"encryptionState": sim.encryption_state()},
        "inBandAuthMode": in_band_mode(&sim),
    }))
}

/// `POST /api/v2/cluster/encryption/enable` (catalog §4.5.9): irreversible; a second
/// request answers 409 "Encryption is already enabled or enabling.".
async fn enable_encryption(
    State(sim): State<Arc<Sim>>,
    ProtoJson(request): ProtoJson<EnableEncryptionRequest>,
) -> Result<Json<Value>, SimError> {
    match &request.key_store {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if s == "file" || s == "tpm" => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= 1) => {}
        Some(other) => return Err(SimError::bad_request(format!("invalid value for enum type KeyStore: {other}"))),
    }
    if !sim.enable_encryption() {
        return Err(SimError::conflict("Encryption is already enabled or enabling."));
    }
    Ok(Json(json!({})))
}

fn subsystem_nqn(sim: &Sim) -> String {
    format!("nqn.2016-01.com.lightbitslabs:uuid:{}", sim.cluster_uuid)
}

// ------------------------------------------------------------------ projects

async fn list_projects(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let store = sim.store();
    let projects: Vec<Value> = store.list(Kind::Project, None).iter().map(|o| o.view()).collect();
    Json(json!({ "projects": projects }))
}

/// Default policies as given. Which policy types and UUIDs the API accepts is not
/// documented beyond the enum; "unknown" is "for internal use only" (proto) and an entry
/// without a UUID names nothing, so both are refused here.
fn check_default_policies(policies: &[DefaultPolicy]) -> ApiResult<()> {
    if policies.iter().any(|p| p.policy_type == PolicyType::Unknown || p.policy_uuid.is_empty()) {
        return Err(invalid("a default policy needs a policyType (snapshot or qosRateLimit) and a policyUUID."));
    }
    Ok(())
}

/// `POST /api/v2/projects` (seed lines 4749-4841).
async fn create_project(
    State(sim): State<Arc<Sim>>,
    ProtoJson(request): ProtoJson<CreateProjectRequest>,
) -> ApiResult<Tagged> {
    if request.name.is_empty() {
        return Err(invalid("mandatory argument is missing (name)."));
    }
    if !parse::is_valid_name(&request.name) {
        return Err(invalid("name contains illegal characters."));
    }
    // "Brief (up to 256B) description": the seed gives the limit, not the refusal text.
    if request.description.len() > 256 {
        return Err(invalid("description is longer than 256 bytes."));
    }
    check_default_policies(&request.default_policies)?;
    let mut store = sim.store();
    if project_exists(&store, &request.name) {
        return Err(SimError::conflict("Resource with the provided name already exists."));
    }
    let body = json!({
        "name": request.name,
        "description": request.description,
        "defaultPolicies": request.default_policies,
    });
    Ok(Tagged(store.insert(Kind::Project, body, None).view()))
}

async fn get_project(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Tagged> {
    sim.store()
        .find(Kind::Project, None, None, Some(&name))
        .map(|o| Tagged(o.view()))
        .ok_or_else(|| SimError::not_found("Provided project name is not found."))
}

/// `PUT /api/v2/projects/{projectName}` (seed lines 4969-5030), "Update Project Default
/// Policy": the body is `projectName` and `defaultPolicies`, both required (proto
/// `UpdateProjectRequest`). The description cannot be changed: a `description` field is
/// not part of the message and is never applied (see [`ProtoJson`] for whether it is
/// refused). An empty list is proto3's "absent", so default policies cannot be cleared.
///
/// No `If-Match` check: this PUT lists no 412, and `Project` carries no ETag in the
/// proto (the simulator shows one anyway, for the DELETE, which lists 412).
async fn update_project(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
    ProtoJson(request): ProtoJson<UpdateProjectRequest>,
) -> ApiResult<Json<Value>> {
    // The path's projectName overrides the body's, as grpc-gateway fills path fields last.
    if request.default_policies.is_empty() {
        return Err(SimError::bad_request("Mandatory argument is missing."));
    }
    check_default_policies(&request.default_policies)?;
    let mut store = sim.store();
    // The seed lists no 404 for this PUT; a gRPC NotFound, as GET answers, is assumed.
    let key = store
        .find_key(Kind::Project, None, None, Some(&name))
        .ok_or_else(|| SimError::not_found("Provided project name is not found."))?;
    let project =
        store.objects.get_mut(&key).ok_or_else(|| SimError::not_found("Provided project name is not found."))?;
    project.body["defaultPolicies"] = json!(request.default_policies);
    project.etag += 1;
    Ok(Json(json!({})))
}

/// `DELETE /api/v2/projects/{name}` (seed lines 4918-4967).
async fn delete_project(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let mut store = sim.store();
    let key = store
        .find_key(Kind::Project, None, None, Some(&name))
        .ok_or_else(|| SimError::not_found("Project with provided name is not found."))?;
    if let Some(project) = store.objects.get(&key) {
        check_if_match(&headers, project)?;
    }
    if store.objects.values().any(|o| o.kind != Kind::Project && o.project() == name) {
        return Err(SimError::bad_request("Provided invalid name or the project is not allowed to be deleted."));
    }
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ lists

/// The filters and paging every list shares, whatever each route calls them.
#[derive(Default)]
struct ListFilter {
    uuid: Option<String>,
    name: Option<String>,
    source_snapshot_uuid: Option<String>,
    offset_uuid: Option<String>,
    limit: Option<String>,
    show_all: Option<String>,
}

/// `GET …/volumes` and `GET /api/v2/volumes` (seed lines 5761-5827 and 6146-6209):
/// `UUID`, `name` (lower case), `failureDomain` (no failure domains are simulated, so it
/// is ignored), `offsetUUID`, `limit`, `snapshotUUID`, `showAll`, and on the flat route
/// `projectName`. Like grpc-gateway, unknown parameters (e.g. `Name`) are ignored, not
/// refused: they filter nothing.
#[derive(Deserialize)]
struct VolumeListQuery {
    #[serde(rename = "UUID")]
    uuid: Option<String>,
    name: Option<String>,
    #[serde(rename = "offsetUUID")]
    offset_uuid: Option<String>,
    limit: Option<String>,
    #[serde(rename = "snapshotUUID")]
    snapshot_uuid: Option<String>,
    #[serde(rename = "showAll")]
    show_all: Option<String>,
    #[serde(rename = "projectName")]
    project_name: Option<String>,
}

impl VolumeListQuery {
    fn filter(self) -> ListFilter {
        ListFilter {
            uuid: self.uuid,
            name: self.name,
            source_snapshot_uuid: self.snapshot_uuid,
            offset_uuid: self.offset_uuid,
            limit: self.limit,
            show_all: self.show_all,
        }
    }
}

/// `GET …/snapshots` (seed lines 5418-5479): `UUID`, `Name` (capitalised here, unlike
/// volumes), `offsetUUID`, `limit`, `showAll`.
#[derive(Deserialize)]
struct SnapshotListQuery {
    #[serde(rename = "UUID")]
    uuid: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "offsetUUID")]
    offset_uuid: Option<String>,
    limit: Option<String>,
    #[serde(rename = "showAll")]
    show_all: Option<String>,
}

/// Query parameters that only pick a project (`GET`/`DELETE /api/v2/volumes/{UUID}`).
#[derive(Deserialize)]
struct ProjectQuery {
    #[serde(rename = "projectName")]
    project_name: Option<String>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// A query `bool` as grpc-gateway parses it (Go's `strconv.ParseBool`).
fn query_bool(value: Option<&str>) -> ApiResult<bool> {
    match value {
        None | Some("") => Ok(false),
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Ok(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Ok(false),
        Some(other) => Err(SimError::bad_request(format!("invalid value for bool: {other:?}"))),
    }
}

const MAX_PAGE: usize = 1000;

fn page(items: Vec<&Object>, filter: &ListFilter, list_key: &str) -> ApiResult<Json<Value>> {
    let show_all = query_bool(filter.show_all.as_deref())?;
    // `limit` is an int64 in the proto. Zero is proto3's "unset": the default, 1000.
    let limit = match non_empty(&filter.limit).map(str::parse::<i64>) {
        None | Some(Ok(0)) => MAX_PAGE,
        Some(Ok(n)) if n > 0 => usize::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE),
        Some(_) => return Err(invalid("limit must be a positive integer.")),
    };
    let mut items: Vec<&Object> = items.into_iter().filter(|o| show_all || o.state() != "Deleting").collect();
    if let Some(name) = non_empty(&filter.name) {
        items.retain(|o| o.name() == name);
    }
    if let Some(uuid) = non_empty(&filter.uuid) {
        items.retain(|o| o.uuid() == uuid);
    }
    if let Some(source) = non_empty(&filter.source_snapshot_uuid) {
        items.retain(|o| o.body.get("sourceSnapshotUUID").and_then(Value::as_str) == Some(source));
    }
    if let Some(after) = non_empty(&filter.offset_uuid) {
        if let Some(position) = items.iter().position(|o| o.uuid() == after) {
            items.drain(..=position);
        }
    }
    let answer: Vec<Value> = items.iter().take(limit).map(|o| o.view()).collect();
    Ok(Json(json!({ list_key: answer })))
}

// ------------------------------------------------------------------ volumes

async fn list_volumes_scoped(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    ApiQuery(query): ApiQuery<VolumeListQuery>,
) -> ApiResult<Json<Value>> {
    let store = sim.store();
    page(store.list(Kind::Volume, Some(&project)), &query.filter(), "volumes")
}

async fn list_volumes_flat(
    State(sim): State<Arc<Sim>>,
    ApiQuery(query): ApiQuery<VolumeListQuery>,
) -> ApiResult<Json<Value>> {
    let project = non_empty(&query.project_name).map(str::to_string);
    let store = sim.store();
    page(store.list(Kind::Volume, project.as_deref()), &query.filter(), "volumes")
}

/// "ACL or IP-ACL are invalid." (seed, volume create 400). `None` when the list is empty.
fn checked_acl(list: &StringList, valid_entry: fn(&str) -> bool) -> ApiResult<Option<Vec<String>>> {
    let values = list.values();
    if values.iter().any(|v| !valid_entry(v)) {
        return Err(invalid("ACL or IP-ACL are invalid."));
    }
    Ok(Some(values).filter(|v| !v.is_empty()))
}

/// Labels: up to 16, keys and values 1-253 characters of `[a-zA-Z0-9-_.]` (proto
/// `CreateVolumeRequest.labels`, `labels.proto`; catalog §4.5.25). The documents give the
/// rule and "Invalid argument" (400), not the API's wording, so the message is the rule.
fn check_labels(labels: &[Label]) -> ApiResult<()> {
    if labels.len() > 16 {
        return Err(invalid("a volume can have up to 16 labels."));
    }
    if labels.iter().any(|l| !parse::is_valid_name(&l.key) || !parse::is_valid_name(&l.value)) {
        return Err(invalid(
            "label-key and label-value length must be between 1 and 253 characters and can contain any of: alphanumeric characters (a-z, A-Z, 0-9), hyphen (-), underscore (_) and period (.).",
        ));
    }
    Ok(())
}

fn checked_compression(text: &str) -> ApiResult<&'static str> {
    match parse::compression(text) {
        Some(true) => Ok("true"),
        Some(false) => Ok("false"),
        None => Err(invalid("compression must be one of true/enable/enabled/false/disable/disabled.")),
    }
}

/// `POST …/volumes` (seed lines 5829-5871, 6211-6246). The seed omits the body; the
/// fields and the required list (`name`, `size`, `acl`, `replicaCount`, `projectName`)
/// are the proto's, the 400 reasons the seed's.
fn create_volume(sim: &Sim, project: &str, request: CreateVolumeRequest) -> ApiResult<Tagged> {
    if request.name.is_empty() {
        return Err(invalid("mandatory argument is missing (name)."));
    }
    if project.is_empty() {
        return Err(invalid("mandatory argument is missing (projectName)."));
    }
    if !parse::is_valid_name(&request.name) {
        return Err(invalid("name contains illegal characters."));
    }
    if request.size.is_empty() {
        return Err(invalid("mandatory argument is missing (size)."));
    }
    let size = parse::size_bytes(&request.size).ok_or_else(|| invalid("size is not a positive integer."))?;
    let replicas = match request.replica_count {
        0 => return Err(invalid("mandatory argument is missing (replicaCount).")),
        n @ 1..=3 => n,
        _ => return Err(invalid("replica count is outside of a valid range.")),
    };
    // `acl` is required; a list without values grants nothing and is taken as missing.
    let acl = match &request.acl {
        Some(list) => checked_acl(list, parse::is_valid_host_acl_entry)?,
        None => None,
    }
    .ok_or_else(|| invalid("mandatory argument is missing (acl)."))?;
    let ip_acl = match &request.ip_acl {
        Some(list) => checked_acl(list, parse::is_valid_ip_acl_entry)?,
        None => None,
    }
    .unwrap_or_else(|| vec!["ALLOW_ANY".into()]);
    let compression = checked_compression(&request.compression)?;
    let sector_size = match request.sector_size {
        0 | 4096 => 4096,
        512 => 512,
        _ => return Err(invalid("sector size must be 512 or 4096.")),
    };
    check_labels(&request.labels)?;
    check_placement(sim, &request.placement_restrictions, replicas)?;
    let nodes = cluster::place_volume(sim, replicas, &request.placement_restrictions)
        .ok_or_else(|| invalid("not enough nodes match the placement restrictions."))?;

    let mut store = sim.store();
    // Not documented: the seed lists no 404 for volume create.
    if !project_exists(&store, project) {
        return Err(invalid("provided project name is not found."));
    }
    if store.find(Kind::Volume, Some(project), None, Some(&request.name)).is_some() {
        return Err(SimError::conflict("A volume with the provided name already exists."));
    }
    let source = match (non_empty_str(&request.source_snapshot_uuid), non_empty_str(&request.source_snapshot_name)) {
        (None, None) => None,
        (uuid, name) => Some(
            store
                .find(Kind::Snapshot, Some(project), uuid, if uuid.is_some() { None } else { name })
                .filter(|s| s.state() != "Deleting")
                // Not documented: no status is listed for a missing clone source.
                .ok_or_else(|| invalid("source snapshot is not found."))?,
        ),
    };
    // "When creating a clone, if labels are passed, the clone will be created with them.
    // Otherwise, the labels are copied from the snapshot used for the clone." (proto)
    let labels = match source {
        Some(snapshot) if request.labels.is_empty() => snapshot.body.get("labels").cloned().unwrap_or(json!([])),
        _ => json!(request.labels),
    };
    let (qos_uuid, qos_name) = qos_policy_ref(&store, &request.qos_policy_uuid, &request.qos_policy_name)?;
    let node_list = json!(nodes);
    let primary_node = nodes.first().cloned().unwrap_or_default();
    let body = json!({
        "name": request.name,
        "projectName": project,
        "size": size.to_string(),
        "replicaCount": replicas,
        "acl": {"values": acl},
        "IPAcl": {"values": ip_acl},
        "compression": compression,
        "sectorSize": sector_size,
        "labels": labels,
        "sourceSnapshotUUID": source.map(|s| s.uuid().to_string()).unwrap_or_default(),
        "sourceSnapshotName": source.map(|s| s.name().to_string()).unwrap_or_default(),
        "qosPolicyUUID": qos_uuid,
        "qosPolicyName": qos_name,
        "placementRestrictions": request.placement_restrictions,
        "protectionState": "FullyProtected",
        "rebuildProgress": "None",
        // `Volume.nodeList`, `primaryNodeUUID` and `connectedHosts` (proto; the seed shows
        // no volume answer). Hosts connect through the admin routes.
        "nodeList": node_list,
        "primaryNodeUUID": primary_node,
        "connectedHosts": [],
    });
    let delay = transition_delay(sim);
    Ok(Tagged(store.insert(Kind::Volume, body, Some(delay)).view()))
}

/// Volume affinity rules from the proto (`CreateVolumeRequest.placementRestrictions`):
/// single-replica volumes only, with dynamic rebalancing off (the `fail-in-place` and
/// `proactive-rebalance` flags). The seed does not document the field, so the status
/// (400) and the wording of these refusals are the simulator's; so is the refusal of
/// an `Unknown` operator or key and of an empty value. Which nodes match is not
/// simulated (volumes have no nodes here).
fn check_placement(sim: &Sim, rules: &[LabelMatchExpression], replicas: u32) -> ApiResult<()> {
    if rules.is_empty() {
        return Ok(());
    }
    if replicas != 1 {
        return Err(invalid("placement restrictions may only be specified for volumes with replicaCount=1."));
    }
    for flag in ["fail-in-place", "proactive-rebalance"] {
        if cluster::flag_enabled(sim, flag) {
            return Err(invalid(&format!(
                "placement restrictions may not be specified while dynamic rebalance is enabled (feature flag {flag})."
            )));
        }
    }
    for rule in rules {
        if rule.operator != "In" {
            return Err(invalid("placement restriction operator must be In."));
        }
        if rule.label_value_key_pairs.is_empty() {
            return Err(invalid("placement restriction has no labelValueKeyPairs."));
        }
        for pair in &rule.label_value_key_pairs {
            if pair.key == PlacementKey::Unknown {
                return Err(invalid("placement restriction key must be one of FD, PrimaryFD, ClusterID."));
            }
            if pair.value.is_empty() {
                return Err(invalid("placement restriction value is missing."));
            }
        }
    }
    Ok(())
}

/// The QoS policy a volume names by `qosPolicyUUID` or `qosPolicyName` (the UUID wins, as
/// for the other name-or-UUID pairs of the API), as (UUID, name); both empty when none.
/// The documents give no status for a policy that does not exist, nor say whether the
/// policy's visibility is checked: a 400 naming it, and no visibility check.
fn qos_policy_ref(store: &Store, uuid: &str, name: &str) -> ApiResult<(String, String)> {
    let found = match (non_empty_str(uuid), non_empty_str(name)) {
        (None, None) => return Ok((String::new(), String::new())),
        (Some(uuid), _) => store.find(Kind::QosPolicy, None, Some(uuid), None),
        (None, Some(name)) => store.find(Kind::QosPolicy, None, None, Some(name)),
    };
    found
        .map(|p| (p.uuid().to_string(), p.name().to_string()))
        .ok_or_else(|| invalid("the given QoS policy is not found."))
}

fn non_empty_str(text: &str) -> Option<&str> {
    Some(text).filter(|t| !t.is_empty())
}

async fn create_volume_scoped(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    ProtoJson(request): ProtoJson<CreateVolumeRequest>,
) -> ApiResult<Tagged> {
    create_volume(&sim, &project, request)
}

async fn create_volume_flat(
    State(sim): State<Arc<Sim>>,
    ProtoJson(request): ProtoJson<CreateVolumeRequest>,
) -> ApiResult<Tagged> {
    let project = request.project_name.clone();
    create_volume(&sim, &project, request)
}

fn get_volume(sim: &Sim, project: Option<&str>, uuid: &str) -> ApiResult<Tagged> {
    sim.store()
        .find(Kind::Volume, project, Some(uuid), None)
        .map(|o| Tagged(o.view()))
        .ok_or_else(|| SimError::not_found("Provided volume UUID is not found."))
}

async fn get_volume_scoped(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
) -> ApiResult<Tagged> {
    get_volume(&sim, Some(&project), &uuid)
}

async fn get_volume_flat(
    State(sim): State<Arc<Sim>>,
    Path(uuid): Path<String>,
    ApiQuery(query): ApiQuery<ProjectQuery>,
) -> ApiResult<Tagged> {
    get_volume(&sim, non_empty(&query.project_name), &uuid)
}

/// `PUT …/volumes/{UUID}` (seed lines 5997-6065, 6368-6430): "size compression ACL list
/// IP-ACL list QoS labels", plus `newName` and `Force` from the proto.
///
/// Labels: "If labels are passed during volume update, the existing volume's labels are
/// replaced with the new ones. Otherwise, the labels are untouched." (proto). `labels` is
/// a repeated field, so `[]` and `null` are "not passed": the labels stay. Labels can be
/// replaced by another non-empty set, which drops the keys it leaves out, but the
/// documents show no way to remove the last ones.
fn update_volume(
    sim: &Sim,
    project: Option<&str>,
    uuid: &str,
    headers: &HeaderMap,
    request: UpdateVolumeRequest,
) -> ApiResult<Json<Value>> {
    let new_size = match non_empty_str(&request.size) {
        None => None,
        Some(text) => Some(parse::size_bytes(text).ok_or_else(|| invalid("size is not a positive integer."))?),
    };
    let compression = match non_empty_str(&request.compression) {
        None => None,
        Some(text) => Some(checked_compression(text)?),
    };
    // An ACL message that is sent but empty is taken as the API's documented default.
    // What the real API does with it is not documented.
    let acl = match &request.acl {
        None => None,
        Some(list) => {
            Some(checked_acl(list, parse::is_valid_host_acl_entry)?.unwrap_or_else(|| vec!["ALLOW_NONE".into()]))
        }
    };
    let ip_acl = match &request.ip_acl {
        None => None,
        Some(list) => {
            Some(checked_acl(list, parse::is_valid_ip_acl_entry)?.unwrap_or_else(|| vec!["ALLOW_ANY".into()]))
        }
    };
    check_labels(&request.labels)?;
    let new_name = non_empty_str(&request.new_name);
    if new_name.is_some_and(|n| !parse::is_valid_name(n)) {
        return Err(invalid("name contains illegal characters."));
    }

    let delay = transition_delay(sim);
    let mut store = sim.store();
    let not_found = || SimError::not_found("Returned when the volume with given UUID is not found.");
    let key = store.find_key(Kind::Volume, project, Some(uuid), None).ok_or_else(not_found)?;
    let volume = store.objects.get(&key).ok_or_else(not_found)?;
    check_writable(headers, volume, &VOLUME_UPDATE)?;
    if let Some(new_name) = new_name {
        if store.find(Kind::Volume, Some(volume.project()), None, Some(new_name)).is_some_and(|o| o.uuid() != uuid) {
            return Err(SimError::conflict("A volume with the provided name already exists."));
        }
    }
    let qos = if request.qos_policy_uuid.is_empty() && request.qos_policy_name.is_empty() {
        None
    } else {
        Some(qos_policy_ref(&store, &request.qos_policy_uuid, &request.qos_policy_name)?)
    };
    let volume = store.objects.get_mut(&key).ok_or_else(not_found)?;
    let mut next = volume.body.clone();
    if let Some(size) = new_size {
        let current = next.get("size").and_then(Value::as_str).and_then(|s| s.parse::<u64>().ok()).unwrap_or(0);
        if size < current && !request.force {
            return Err(SimError::new(StatusCode::NOT_IMPLEMENTED, "Unimplemented capability (updating capacity)."));
        }
        next["size"] = json!(size.to_string());
    }
    if let Some(compression) = compression {
        next["compression"] = json!(compression);
    }
    if let Some(acl) = acl {
        next["acl"] = json!({ "values": acl });
    }
    if let Some(ip_acl) = ip_acl {
        next["IPAcl"] = json!({ "values": ip_acl });
    }
    if let Some((qos_uuid, qos_name)) = qos {
        next["qosPolicyUUID"] = json!(qos_uuid);
        next["qosPolicyName"] = json!(qos_name);
    }
    if !request.labels.is_empty() {
        next["labels"] = json!(request.labels);
    }
    if let Some(new_name) = new_name {
        next["name"] = json!(new_name);
    }
    volume.body = next;
    volume.set_state("Updating");
    volume.etag += 1;
    volume.transition = Some(Transition { at: Instant::now() + delay, to: Some("Available") });
    Ok(Json(json!({})))
}

async fn update_volume_scoped(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
    headers: HeaderMap,
    ProtoJson(request): ProtoJson<UpdateVolumeRequest>,
) -> ApiResult<Json<Value>> {
    update_volume(&sim, Some(&project), &uuid, &headers, request)
}

async fn update_volume_flat(
    State(sim): State<Arc<Sim>>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    ProtoJson(request): ProtoJson<UpdateVolumeRequest>,
) -> ApiResult<Json<Value>> {
    let project = non_empty_str(&request.project_name).map(str::to_string);
    update_volume(&sim, project.as_deref(), &uuid, &headers, request)
}

/// Starts an asynchronous delete: Deleting now, 404 after the transition delay.
fn start_delete(
    sim: &Sim,
    kind: Kind,
    project: Option<&str>,
    uuid: &str,
    headers: &HeaderMap,
) -> ApiResult<Json<Value>> {
    let (not_found_message, refusals) = match kind {
        Kind::Snapshot => ("Snapshot with provided UUID is not found.", &SNAPSHOT_DELETE),
        _ => ("Volume with provided UUID or Name is not found.", &VOLUME_DELETE),
    };
    let delay = transition_delay(sim);
    let mut store = sim.store();
    let key = store.find_key(kind, project, Some(uuid), None).ok_or_else(|| SimError::not_found(not_found_message))?;
    let object = store.objects.get(&key).ok_or_else(|| SimError::not_found(not_found_message))?;
    check_writable(headers, object, refusals)?;
    // A snapshot cannot go while its volume is Updating (the seed's 503 text).
    if kind == Kind::Snapshot {
        let source = object.body.get("sourceVolumeUUID").and_then(Value::as_str).unwrap_or_default();
        if store.find(Kind::Volume, None, Some(source), None).is_some_and(|v| v.state() == "Updating") {
            return Err(SimError::new(StatusCode::SERVICE_UNAVAILABLE, refusals.temporary));
        }
    }
    let object = store.objects.get_mut(&key).ok_or_else(|| SimError::not_found(not_found_message))?;
    object.set_state("Deleting");
    object.etag += 1;
    object.transition = Some(Transition { at: Instant::now() + delay, to: None });
    Ok(Json(json!({})))
}

async fn delete_volume_scoped(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    start_delete(&sim, Kind::Volume, Some(&project), &uuid, &headers)
}

async fn delete_volume_flat(
    State(sim): State<Arc<Sim>>,
    Path(uuid): Path<String>,
    ApiQuery(query): ApiQuery<ProjectQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    start_delete(&sim, Kind::Volume, non_empty(&query.project_name), &uuid, &headers)
}

// ------------------------------------------------------------------ snapshots

async fn list_snapshots(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    ApiQuery(query): ApiQuery<SnapshotListQuery>,
) -> ApiResult<Json<Value>> {
    let filter = ListFilter {
        uuid: query.uuid,
        name: query.name,
        offset_uuid: query.offset_uuid,
        limit: query.limit,
        show_all: query.show_all,
        ..ListFilter::default()
    };
    let store = sim.store();
    page(store.list(Kind::Snapshot, Some(&project)), &filter, "snapshots")
}

/// `POST …/snapshots` (seed lines 5481-5560).
async fn create_snapshot(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    ProtoJson(request): ProtoJson<CreateSnapshotRequest>,
) -> ApiResult<Tagged> {
    if request.name.is_empty() {
        return Err(invalid("mandatory argument is missing (name)."));
    }
    if !parse::is_valid_name(&request.name) {
        return Err(invalid("name contains illegal characters."));
    }
    // A Duration that does not parse fails in the gateway; a negative one is refused
    // here too (not documented).
    let retention = match non_empty_str(&request.retention_time) {
        None => "0s".to_string(),
        Some(text) => match parse::duration_seconds(text) {
            Some(seconds) if seconds >= 0.0 && seconds.fract() == 0.0 => format!("{seconds}s"),
            Some(seconds) if seconds >= 0.0 => text.to_string(),
            _ => return Err(invalid("retentionTime is not a duration.")),
        },
    };
    if request.description.len() > 256 {
        return Err(invalid("description is longer than 256 bytes."));
    }
    let delay = transition_delay(&sim);
    let mut store = sim.store();
    // "If both UUID and name are specified, the UUID takes precedence."
    let source = match (non_empty_str(&request.source_volume_uuid), non_empty_str(&request.source_volume_name)) {
        (Some(uuid), _) => store.find(Kind::Volume, Some(&project), Some(uuid), None),
        (None, Some(name)) => store.find(Kind::Volume, Some(&project), None, Some(name)),
        (None, None) => return Err(invalid("mandatory argument is missing (sourceVolumeUUID).")),
    };
    let source = source.filter(|v| v.state() != "Deleting").ok_or_else(|| {
        SimError::not_found("Returned when the snapshot with the given source-volume UUID is not found.")
    })?;
    let body = json!({
        "name": request.name,
        "projectName": project,
        "description": request.description,
        "retentionTime": retention,
        "sourceVolumeUUID": source.uuid(),
        "sourceVolumeName": source.name(),
        "size": source.body["size"],
        "replicaCount": source.body["replicaCount"],
        "sectorSize": source.body["sectorSize"],
        "labels": source.body.get("labels").cloned().unwrap_or(json!([])),
    });
    if store.find(Kind::Snapshot, Some(&project), None, Some(&request.name)).is_some() {
        return Err(SimError::conflict("Resource with the provided name already exists."));
    }
    Ok(Tagged(store.insert(Kind::Snapshot, body, Some(delay)).view()))
}

async fn get_snapshot(State(sim): State<Arc<Sim>>, Path((project, uuid)): Path<(String, String)>) -> ApiResult<Tagged> {
    sim.store()
        .find(Kind::Snapshot, Some(&project), Some(&uuid), None)
        .map(|o| Tagged(o.view()))
        .ok_or_else(|| SimError::not_found("Snapshot with UUID/Name not found."))
}

async fn delete_snapshot(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    start_delete(&sim, Kind::Snapshot, Some(&project), &uuid, &headers)
}
