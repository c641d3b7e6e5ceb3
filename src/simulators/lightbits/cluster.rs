//! The cluster's machines and settings: configuration parameters, feature flags, servers,
//! nodes, NVMe devices, events, connected hosts, the root key, and volume rollback.
//!
//! Status codes and texts are the seed's (`003_*.txt`, catalog §4.5.2-4.5.18, 4.5.26);
//! response shapes the seed omits are the proto's (`durosapiv2.proto`). A fresh simulator
//! holds a small cluster, seeded on first use of these routes: three enabled servers with
//! one active node each, two managed NVMe devices per node plus one unmanaged device on the
//! last server, the eleven configuration parameters, the five feature flags, and a few
//! events.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ProtoJson, ProtoMessage, SimError, Tagged};
use super::handlers::check_if_match;
use super::requests::{LabelMatchExpression, PlacementKey};
use super::store::{Kind, Object, Store, Transition};
use super::Sim;

type ApiResult<T> = Result<T, SimError>;

/// The API routes of this area.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v2/clusterConfig", get(list_config))
        .route("/api/v2/clusterConfig/{name}", get(get_config).put(put_config))
        .route("/api/v2/featureFlags", get(list_flags))
        .route("/api/v2/featureFlags/{name}", get(get_flag))
        .route("/api/v2/featureFlags/{name}/enable", post(enable_flag))
        .route("/api/v2/featureFlags/{name}/disable", post(disable_flag))
        .route("/api/v2/cluster/clusterRootKey/rotate", post(rotate_root_key))
        .route("/api/v2/cluster/clusterRootkey", get(get_root_key))
        .route("/api/v2/projects/{project}/volumes/{uuid}/rollback", put(rollback_volume))
        .route("/api/v2/nodes", get(list_nodes))
        .route("/api/v2/nodes/{uuid}", get(get_node))
        .route("/api/v2/servers", get(list_servers).post(create_server))
        .route("/api/v2/servers/{uuid}", get(get_server).delete(delete_server))
        .route("/api/v2/servers/{uuid}/enable", post(enable_server))
        .route("/api/v2/servers/{uuid}/disable", post(disable_server))
        .route("/api/v2/nvmeDevices", get(list_devices).post(add_device))
        .route("/api/v2/nvmeDevices/{serial}", get(get_device))
        .route("/api/v2/events", get(list_events))
        .route("/api/v2/projects/{project}/events", get(list_project_events))
        .route("/api/v2/connectedHosts", get(list_connected_hosts))
        .route("/api/v2/connectedHosts/{nqn}", get(get_connected_host))
}

/// The admin routes of this area (under `/_sim`):
/// - `PUT /_sim/rootKey` `{"min_interval_ms"}`: the minimum time between two root-key
///   rotations (the seed names the rule, not the interval; default one hour).
/// - `POST /_sim/connectedHosts` `{hostNQN, iPAddress, hostname, volumeUUIDs}`: an NVMe
///   host connects (replaces the host with the same NQN).
/// - `DELETE /_sim/connectedHosts/{nqn}`: it disconnects.
pub fn admin_routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/rootKey", put(admin_root_key))
        .route("/connectedHosts", post(admin_connect_host))
        .route("/connectedHosts/{nqn}", axum::routing::delete(admin_disconnect_host))
}

// ------------------------------------------------------------------ per-simulator extras

/// What this area keeps besides the object store (`Sim::cluster_extra`).
pub(crate) struct Extra {
    seeded: bool,
    /// When the last rotation started; it runs for the transition delay.
    last_rotation: Option<Instant>,
    generation: u64,
    min_interval: Duration,
    connected_hosts: Vec<Value>,
}

impl Default for Extra {
    fn default() -> Self {
        Extra {
            seeded: false,
            last_rotation: None,
            generation: 1,
            min_interval: Duration::from_secs(3600),
            connected_hosts: vec![],
        }
    }
}

fn with_extra<T>(sim: &Sim, f: impl FnOnce(&mut Extra) -> T) -> T {
    f(&mut sim.cluster_extra.lock().unwrap_or_else(|p| p.into_inner()))
}

/// The eleven parameters of the seed, with the type its list gives each and a default.
const CONFIG_PARAMS: [(&str, &str, &str); 11] = [
    ("ClusterName", "name", "lightbits-simulator"),
    ("ClockDriftIntervalForRaisingEvent", "time", "1m"),
    ("DeviceHealthIntervalForRaisingEvent", "time", "5m"),
    ("DurationToTurnIntoPermanentFailure", "time", "1h"),
    ("VolumeDeletionFromNodeDelay", "time", "30m"),
    ("DefaultQoSName", "string", ""),
    ("AllowedNumRevives", "int", "3"),
    ("DisableVolumeStatisticsExport", "bool", "false"),
    ("EnableTrim", "bool", "true"),
    ("EvictionNoProgressTimeout", "time", "1h"),
    ("RevivesWindowDuration", "time", "24h"),
];

/// The documents give no defaults. `fail-in-place` starts off so that volumes with
/// placement restrictions (which need dynamic rebalancing off) can be simulated.
const FEATURE_FLAGS: [(&str, bool); 5] = [
    ("event-log", true),
    ("evict-data", false),
    ("fail-in-place", false),
    ("in-band-authentication", false),
    ("proactive-rebalance", false),
];

/// Flags whose disable answers 501 "Unimplemented capability.". The seed lists the 501
/// on disable without saying which flags; the simulator picks `fail-in-place`.
const CANNOT_DISABLE: &[&str] = &["fail-in-place"];

fn put_object(store: &mut Store, kind: Kind, uuid: &str, body: Value) {
    let mut body = body;
    body["UUID"] = json!(uuid);
    store.next_seq += 1;
    let seq = store.next_seq;
    store.objects.insert(uuid.to_string(), Object { kind, body, etag: 1, transition: None, seq });
}

/// Seeds the cluster once per simulator, on first use of these routes.
fn seed(sim: &Sim) {
    if with_extra(sim, |e| std::mem::replace(&mut e.seeded, true)) {
        return;
    }
    let mut store = sim.store();
    for (name, _, value) in CONFIG_PARAMS {
        put_object(
            &mut store,
            Kind::ConfigParam,
            &uuid::Uuid::new_v4().to_string(),
            json!({"name": name, "value": value}),
        );
    }
    for (name, enabled) in FEATURE_FLAGS {
        put_object(
            &mut store,
            Kind::FeatureFlag,
            &uuid::Uuid::new_v4().to_string(),
            json!({"name": name, "enabled": enabled}),
        );
    }
    for i in 0..3u32 {
        let server = uuid::Uuid::new_v4().to_string();
        let node = uuid::Uuid::new_v4().to_string();
        put_object(
            &mut store,
            Kind::Server,
            &server,
            json!({
                "name": format!("server{i:02}"),
                "RiskOfServiceLossState": "NoRiskOfServiceLoss",
                "NodesUUIDs": [node],
                "state": "Enabled",
                "ServerEndpoints": [format!("http://10.0.0.{}:2380", 10 + i)],
                "LightOSVersion": "3.12.1",
                "ApiEndpoints": [format!("10.0.0.{}:443", 10 + i)],
                "IsWitness": false,
                "health": "OK",
            }),
        );
        put_object(
            &mut store,
            Kind::Node,
            &node,
            json!({
                "name": format!("server{i:02}-0"),
                "state": "Active",
                "status": "ConnectivityOK",
                "nvmeEndpoint": format!("10.0.0.{}:4420", 10 + i),
                "failureDomains": [format!("server{i:02}")],
                "hostname": format!("server{i:02}"),
                "inLocalRebuild": false,
                "numManagedDevices": 2,
                "maxNvmeDevices": 12,
                "ec": false,
                "serverUUID": server,
                "readOnly": false,
                "permanentFailure": false,
            }),
        );
        let devices = if i == 2 { 3 } else { 2 };
        for d in 0..devices {
            let managed = d < 2;
            put_object(
                &mut store,
                Kind::NvmeDevice,
                &uuid::Uuid::new_v4().to_string(),
                json!({
                    "serial": format!("S{i}D{d}NVME00{i}{d}"),
                    "name": format!("nvme{d}n1"),
                    "model": "SAMSUNG MZQL23T8HCLS",
                    "size": "3840755982336",
                    "numaNodeID": "0",
                    "serverUUID": server,
                    "nodeUUID": if managed { node.clone() } else { String::new() },
                    "state": if managed { "Healthy" } else { "None" },
                    "deviceUsage": if managed { "Data" } else { "UnManaged" },
                    "statistics": {"UnrecoverableDataIntegrityErrors": "0", "RecoverableDataIntegrityErrors": "0"},
                }),
            );
        }
    }
    let events = [
        ("Cluster", "Info", "ClusterCreated", "Cluster was created.", ""),
        ("Server", "Info", "ServerAdded", "Server server00 was added.", ""),
        ("Node", "Low", "NodeActive", "Node server01-0 is active.", ""),
        ("NVMeSSD", "High", "NVMeSSDFailed", "NVMe device S2D1NVME0021 failed.", ""),
        ("Volume", "Medium", "VolumeDegraded", "A volume of project default is degraded.", "default"),
    ];
    for (n, (ty, severity, name, description, project)) in events.into_iter().enumerate() {
        let id = uuid::Uuid::new_v4().to_string();
        let mut body = json!({
            "ID": id,
            "Time": format!("2026-01-01T00:00:{n:02}Z"),
            "Type": ty,
            "Severity": severity,
            "EventName": name,
            "EventCode": 100 + n,
            "ReportingService": "CM",
            "Status": "",
            "Description": description,
        });
        if !project.is_empty() {
            body["ComponentVolumesInfo"] = json!({"projectName": project, "volumeUUIDs": []});
        }
        put_object(&mut store, Kind::Event, &id, body);
    }
}

/// An object as the API shows it: without the store's bookkeeping (`UUID` and
/// `creationTime` where the API object has none, and `ETag` where it has none).
fn shown(o: &Object) -> Value {
    let mut v = o.view();
    if let Value::Object(m) = &mut v {
        m.remove("creationTime");
        match o.kind {
            Kind::ConfigParam | Kind::FeatureFlag => {
                m.remove("UUID");
                m.remove("ETag");
            }
            Kind::NvmeDevice => {
                m.remove("UUID");
            }
            Kind::Event => {
                m.remove("UUID");
                m.remove("ETag");
            }
            _ => {}
        }
    }
    v
}

fn find_by<'a>(store: &'a Store, kind: Kind, member: &str, value: &str) -> Option<&'a Object> {
    store.list(kind, None).into_iter().find(|o| o.body.get(member).and_then(Value::as_str) == Some(value))
}

fn key_by(store: &Store, kind: Kind, member: &str, value: &str) -> Option<String> {
    find_by(store, kind, member, value).map(|o| o.uuid().to_string())
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

// ------------------------------------------------------------------ cluster configuration

/// A Go duration as `time.ParseDuration` reads it: `"30m"`, `"1h30m"`, `"1.5s"`, `"0"`.
fn is_go_duration(text: &str) -> bool {
    if text == "0" {
        return true;
    }
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        if digits == 0 || rest[..digits].parse::<f64>().is_err() {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) =
            ["ns", "us", "µs", "ms", "s", "m", "h"].iter().filter(|u| rest.starts_with(**u)).max_by_key(|u| u.len())
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

/// Checks a value against its parameter's documented type. The seed gives the types
/// ([name], [time], [string], [int], [bool]) but not their formats: times are read as
/// Go durations, booleans as `true`/`false` (a simulator choice).
fn check_config_value(kind: &str, value: &str) -> ApiResult<()> {
    let ok = match kind {
        "name" => super::parse::is_valid_name(value),
        "time" => is_go_duration(value),
        "int" => value.parse::<u32>().is_ok(),
        "bool" => matches!(value, "true" | "false"),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(SimError::bad_request(format!("Invalid argument: {value:?} is not a valid [{kind}] value.")))
    }
}

const CONFIG_NOT_FOUND: &str = "Cluster configuration parameter was not found.";

async fn list_config(State(sim): State<Arc<Sim>>) -> Json<Value> {
    seed(&sim);
    let store = sim.store();
    let values: Vec<Value> = store.list(Kind::ConfigParam, None).into_iter().map(shown).collect();
    Json(json!({ "values": values }))
}

async fn get_config(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    seed(&sim);
    let store = sim.store();
    let o = find_by(&store, Kind::ConfigParam, "name", &name).ok_or_else(|| SimError::not_found(CONFIG_NOT_FOUND))?;
    Ok(Json(shown(o)))
}

#[derive(Deserialize)]
struct ConfigParamBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    value: Option<Value>,
}

#[derive(Deserialize)]
struct UpdateClusterConfigParamRequest {
    #[serde(default, rename = "configParam")]
    config_param: Option<ConfigParamBody>,
}

impl ProtoMessage for UpdateClusterConfigParamRequest {
    const NAME: &'static str = "UpdateClusterConfigParamRequest";
    const FIELDS: &'static [&'static str] = &["configParam"];
}

/// `PUT /api/v2/clusterConfig/{configParam.name}`: the path fills `configParam.name`
/// (grpc-gateway), so a body name is overridden by it.
async fn put_config(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
    ProtoJson(request): ProtoJson<UpdateClusterConfigParamRequest>,
) -> ApiResult<Json<Value>> {
    seed(&sim);
    let Some(param) = request.config_param else {
        return Err(SimError::bad_request("Invalid argument: configParam is required."));
    };
    let _ = param.name;
    let value = match param.value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(other) => return Err(SimError::bad_request(format!("invalid value for string field value: {other}"))),
    };
    let Some((_, kind, _)) = CONFIG_PARAMS.iter().find(|(n, _, _)| *n == name) else {
        return Err(SimError::not_found(CONFIG_NOT_FOUND));
    };
    check_config_value(kind, &value)?;
    let mut store = sim.store();
    let key = key_by(&store, Kind::ConfigParam, "name", &name).ok_or_else(|| SimError::not_found(CONFIG_NOT_FOUND))?;
    if let Some(o) = store.objects.get_mut(&key) {
        o.body["value"] = json!(value);
        o.etag += 1;
    }
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ feature flags

fn invalid_flag(name: &str) -> SimError {
    // The seed lists no 404 for feature flags: an unknown name is an invalid argument.
    SimError::bad_request(format!(
        "Invalid argument: unknown feature flag {name:?} (one of \"event-log\", \"evict-data\", \"fail-in-place\", \"in-band-authentication\", \"proactive-rebalance\")."
    ))
}

async fn list_flags(State(sim): State<Arc<Sim>>) -> Json<Value> {
    seed(&sim);
    let store = sim.store();
    let flags: serde_json::Map<String, Value> =
        store.list(Kind::FeatureFlag, None).into_iter().map(|o| (o.name().to_string(), shown(o))).collect();
    Json(json!({ "featureFlags": flags }))
}

async fn get_flag(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    seed(&sim);
    let store = sim.store();
    find_by(&store, Kind::FeatureFlag, "name", &name).map(|o| Json(shown(o))).ok_or_else(|| invalid_flag(&name))
}

/// Whether a feature flag is on (volume placement rules depend on two of them).
pub(crate) fn flag_enabled(sim: &Sim, name: &str) -> bool {
    seed(sim);
    let store = sim.store();
    find_by(&store, Kind::FeatureFlag, "name", name).is_some_and(|o| o.body["enabled"] == json!(true))
}

fn set_flag(sim: &Sim, name: &str, enabled: bool) -> ApiResult<Json<Value>> {
    seed(sim);
    let mut store = sim.store();
    let key = key_by(&store, Kind::FeatureFlag, "name", name).ok_or_else(|| invalid_flag(name))?;
    if !enabled && CANNOT_DISABLE.contains(&name) {
        return Err(SimError::new(StatusCode::NOT_IMPLEMENTED, "Unimplemented capability."));
    }
    if let Some(o) = store.objects.get_mut(&key) {
        if o.body["enabled"] != json!(enabled) {
            o.body["enabled"] = json!(enabled);
            o.etag += 1;
        }
    }
    Ok(Json(json!({})))
}

async fn enable_flag(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    set_flag(&sim, &name, true)
}

async fn disable_flag(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    set_flag(&sim, &name, false)
}

// ------------------------------------------------------------------ root key

/// `POST /api/v2/cluster/clusterRootKey/rotate` ("(Mock)" in the seed). Encryption must be
/// enabled: otherwise 412 "Precondition failed." (the seed lists the 412 without its
/// cause; this is the simulator's reading). A rotation runs for the transition delay
/// (404 "Rotation is already in progress." meanwhile, the seed's own odd status), and
/// the next one must wait the minimum interval (409).
async fn rotate_root_key(State(sim): State<Arc<Sim>>) -> ApiResult<Json<Value>> {
    if sim.encryption_state() != "Enabled" {
        return Err(SimError::new(StatusCode::PRECONDITION_FAILED, "Precondition failed."));
    }
    let delay = sim.cfg().transition_delay;
    with_extra(&sim, |e| {
        if let Some(at) = e.last_rotation {
            if at.elapsed() < delay {
                return Err(SimError::not_found("Rotation is already in progress."));
            }
            if at.elapsed() < e.min_interval {
                return Err(SimError::conflict(
                    "Last rotation occurred less than the defined interval period between rotations",
                ));
            }
        }
        e.last_rotation = Some(Instant::now());
        e.generation += 1;
        Ok(Json(json!({})))
    })
}

#[derive(Deserialize)]
struct RootKeyQuery {
    #[serde(rename = "encryptingKeyGeneration")]
    generation: Option<String>,
    #[serde(rename = "userPublicKey")]
    public_key: Option<String>,
}

/// `GET /api/v2/cluster/clusterRootkey`: the KEK "encrypted with the given public key".
/// The simulator's "encryption" is a digest of the key and the generation, base64: never
/// a real secret. Without encryption the seed's only listed refusal is 501.
async fn get_root_key(
    State(sim): State<Arc<Sim>>,
    axum::extract::Query(q): axum::extract::Query<RootKeyQuery>,
) -> ApiResult<Json<Value>> {
    use base64::Engine as _;
    if sim.encryption_state() != "Enabled" {
        return Err(SimError::new(StatusCode::NOT_IMPLEMENTED, "Unimplemented capability."));
    }
    let latest = with_extra(&sim, |e| e.generation);
    let generation = match non_empty(&q.generation) {
        None => latest,
        Some(g) => match g.parse::<u64>() {
            Ok(n) if (1..=latest).contains(&n) => n,
            _ => return Err(SimError::bad_request(format!("Invalid argument: no key generation {g:?}."))),
        },
    };
    let Some(public_key) = non_empty(&q.public_key) else {
        return Err(SimError::bad_request("Invalid argument: userPublicKey is required."));
    };
    let digest = format!("kek:{}:{generation}:{}", sim.cluster_uuid, public_key.len());
    let encrypted = base64::engine::general_purpose::STANDARD.encode(digest);
    Ok(Json(json!({"key": {"encryptedKey": encrypted, "encryptingKeyGeneration": generation.to_string()}})))
}

// ------------------------------------------------------------------ volume rollback

#[derive(Deserialize)]
struct RollbackVolumeRequest {
    #[serde(default, rename = "srcSnapshotUUID")]
    src_snapshot_uuid: Option<String>,
    #[serde(default, rename = "srcSnapshotName")]
    src_snapshot_name: Option<String>,
}

impl ProtoMessage for RollbackVolumeRequest {
    const NAME: &'static str = "RollbackVolumeRequest";
    const FIELDS: &'static [&'static str] = &["UUID", "srcSnapshotUUID", "projectName", "Name", "srcSnapshotName"];
}

/// `PUT /api/v2/projects/{projectName}/volumes/{UUID}/rollback`: the volume goes to
/// `Rollback`, then back to `Available`, with the snapshot's size. The seed does not say
/// what a snapshot of another volume gets; the simulator answers 400.
async fn rollback_volume(
    State(sim): State<Arc<Sim>>,
    Path((project, uuid)): Path<(String, String)>,
    ProtoJson(request): ProtoJson<RollbackVolumeRequest>,
) -> ApiResult<Json<Value>> {
    const NOT_FOUND: &str = "Volume or snapshot UUID not found.";
    let delay = sim.cfg().transition_delay;
    let mut store = sim.store();
    let volume =
        store.find(Kind::Volume, Some(&project), Some(&uuid), None).ok_or_else(|| SimError::not_found(NOT_FOUND))?;
    match volume.state() {
        "Deleting" => {
            return Err(SimError::new(StatusCode::SERVICE_UNAVAILABLE, "Cannot roll volume back. Volume is deleting."))
        }
        "Available" => {}
        other => return Err(SimError::bad_request(format!("Invalid argument: the volume is {other}."))),
    }
    let snapshot = match (non_empty(&request.src_snapshot_uuid), non_empty(&request.src_snapshot_name)) {
        (Some(s), _) => store.find(Kind::Snapshot, Some(&project), Some(s), None),
        (None, Some(n)) => store.find(Kind::Snapshot, Some(&project), None, Some(n)),
        (None, None) => return Err(SimError::bad_request("Invalid argument: specify the source snapshot.")),
    }
    .ok_or_else(|| SimError::not_found(NOT_FOUND))?;
    if snapshot.body.get("sourceVolumeUUID").and_then(Value::as_str) != Some(uuid.as_str()) {
        return Err(SimError::bad_request("Invalid argument: the snapshot is not a snapshot of this volume."));
    }
    if snapshot.state() != "Available" {
        return Err(SimError::bad_request(format!("Invalid argument: the snapshot is {}.", snapshot.state())));
    }
    let size = snapshot.body.get("size").cloned();
    let key = volume_key(&store, &project, &uuid).ok_or_else(|| SimError::not_found(NOT_FOUND))?;
    if let Some(v) = store.objects.get_mut(&key) {
        v.set_state("Rollback");
        if let Some(size) = size {
            v.body["size"] = size;
        }
        v.etag += 1;
        v.transition = Some(Transition { at: Instant::now() + delay, to: Some("Available") });
    }
    Ok(Json(json!({})))
}

fn volume_key(store: &Store, project: &str, uuid: &str) -> Option<String> {
    store.find_key(Kind::Volume, Some(project), Some(uuid), None)
}

// ------------------------------------------------------------------ nodes

#[derive(Deserialize)]
struct NodeQuery {
    name: Option<String>,
    #[serde(rename = "UUID")]
    uuid: Option<String>,
    #[serde(rename = "failureDomain")]
    failure_domain: Option<String>,
}

async fn list_nodes(
    State(sim): State<Arc<Sim>>,
    axum::extract::Query(q): axum::extract::Query<NodeQuery>,
) -> ApiResult<Json<Value>> {
    seed(&sim);
    let filters = [non_empty(&q.name), non_empty(&q.uuid), non_empty(&q.failure_domain)];
    if filters.iter().flatten().count() > 1 {
        return Err(SimError::bad_request("Invalid argument, or several mutually exclusive arguments are provided."));
    }
    let store = sim.store();
    let nodes: Vec<Value> = store
        .list(Kind::Node, None)
        .into_iter()
        .filter(|o| non_empty(&q.name).is_none_or(|n| o.name() == n))
        .filter(|o| non_empty(&q.uuid).is_none_or(|u| o.uuid() == u))
        .filter(|o| {
            non_empty(&q.failure_domain).is_none_or(|fd| {
                o.body["failureDomains"].as_array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some(fd)))
            })
        })
        .map(shown)
        .collect();
    Ok(Json(json!({ "nodes": nodes })))
}

async fn get_node(State(sim): State<Arc<Sim>>, Path(uuid): Path<String>) -> ApiResult<Tagged> {
    seed(&sim);
    let store = sim.store();
    store
        .find(Kind::Node, None, Some(&uuid), None)
        .map(|o| Tagged(shown(o)))
        .ok_or_else(|| SimError::not_found("Node UUID is not found."))
}

// ------------------------------------------------------------------ servers

#[derive(Deserialize)]
struct ServerQuery {
    #[serde(rename = "UUID")]
    uuid: Option<String>,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "RiskOfServiceLoss")]
    risk: Option<String>,
}

async fn list_servers(
    State(sim): State<Arc<Sim>>,
    axum::extract::Query(q): axum::extract::Query<ServerQuery>,
) -> Json<Value> {
    seed(&sim);
    let store = sim.store();
    let servers: Vec<Value> = store
        .list(Kind::Server, None)
        .into_iter()
        .filter(|o| non_empty(&q.uuid).is_none_or(|u| o.uuid() == u))
        .filter(|o| non_empty(&q.name).is_none_or(|n| o.name() == n))
        // The default, UnknownRiskOfServiceLoss, filters nothing.
        .filter(|o| {
            non_empty(&q.risk)
                .filter(|r| *r != "UnknownRiskOfServiceLoss")
                .is_none_or(|r| o.body["RiskOfServiceLossState"].as_str() == Some(r))
        })
        .map(shown)
        .collect();
    Json(json!({ "servers": servers }))
}

const SERVER_NOT_FOUND: &str = "Server with provided UUID does not exist.";

async fn get_server(State(sim): State<Arc<Sim>>, Path(uuid): Path<String>) -> ApiResult<Tagged> {
    seed(&sim);
    let store = sim.store();
    store
        .find(Kind::Server, None, Some(&uuid), None)
        .map(|o| Tagged(shown(o)))
        .ok_or_else(|| SimError::not_found(SERVER_NOT_FOUND))
}

#[derive(Deserialize)]
struct CreateServerRequest {
    #[serde(default, rename = "serverEndpoints")]
    server_endpoints: Option<Vec<String>>,
    #[serde(default, rename = "serverUUID")]
    server_uuid: Option<String>,
    #[serde(default, rename = "reuseIP")]
    reuse_ip: Option<bool>,
    #[serde(default, rename = "extendCluster")]
    extend_cluster: Option<bool>,
}

impl ProtoMessage for CreateServerRequest {
    const NAME: &'static str = "CreateServerRequest";
    const FIELDS: &'static [&'static str] = &["serverEndpoints", "serverUUID", "reuseIP", "extendCluster"];
}

/// `POST /api/v2/servers`: a new server joins with one node, `Active` with
/// `extendCluster`, `Unattached` without; the server is `Creating`, then `Enabled`.
/// The answer is the server (the seed omits its schema; the proto's `CreateServerResponse`
/// is not shown either).
async fn create_server(
    State(sim): State<Arc<Sim>>,
    ProtoJson(request): ProtoJson<CreateServerRequest>,
) -> ApiResult<Tagged> {
    seed(&sim);
    let endpoints = request.server_endpoints.unwrap_or_default();
    if endpoints.len() > 1 {
        return Err(SimError::bad_request("Multiple endpoints provided."));
    }
    let Some(endpoint) = endpoints.first().filter(|e| !e.is_empty()) else {
        return Err(SimError::bad_request("Invalid argument: serverEndpoints is required."));
    };
    let uuid = match non_empty(&request.server_uuid) {
        Some(u) if uuid::Uuid::parse_str(u).is_ok() => u.to_string(),
        Some(_) => return Err(SimError::bad_request("Invalid argument: serverUUID is not a UUID.")),
        None => uuid::Uuid::new_v4().to_string(),
    };
    let delay = sim.cfg().transition_delay;
    let mut store = sim.store();
    let endpoint_taken = store
        .list(Kind::Server, None)
        .iter()
        .any(|o| o.body["ServerEndpoints"].as_array().is_some_and(|a| a.iter().any(|e| e.as_str() == Some(endpoint))));
    if store.objects.contains_key(&uuid) || (endpoint_taken && request.reuse_ip != Some(true)) {
        return Err(SimError::conflict("Server with UUID or endpoint already exists (reuseIP flag was not used)."));
    }
    let node = uuid::Uuid::new_v4().to_string();
    let n = store.list(Kind::Server, None).len();
    let name = format!("server{n:02}");
    let host = endpoint
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .split(':')
        .next()
        .unwrap_or("")
        .to_string();
    put_object(
        &mut store,
        Kind::Server,
        &uuid,
        json!({
            "name": name,
            "RiskOfServiceLossState": "NoRiskOfServiceLoss",
            "NodesUUIDs": [node],
            "state": "Creating",
            "ServerEndpoints": [endpoint],
            "LightOSVersion": "3.12.1",
            "ApiEndpoints": [format!("{host}:443")],
            "IsWitness": false,
            "health": "OK",
        }),
    );
    if let Some(o) = store.objects.get_mut(&uuid) {
        o.transition = Some(Transition { at: Instant::now() + delay, to: Some("Enabled") });
    }
    put_object(
        &mut store,
        Kind::Node,
        &node,
        json!({
            "name": format!("{name}-0"),
            "state": if request.extend_cluster == Some(true) { "Active" } else { "Unattached" },
            "status": "ConnectivityOK",
            "nvmeEndpoint": format!("{host}:4420"),
            "failureDomains": [name],
            "hostname": name,
            "numManagedDevices": 0,
            "maxNvmeDevices": 12,
            "serverUUID": uuid,
        }),
    );
    let server = store.objects.get(&uuid).map(shown).unwrap_or_default();
    Ok(Tagged(server))
}

#[derive(Deserialize)]
struct DeleteServerQuery {
    #[serde(rename = "forceDelete")]
    force: Option<String>,
}

/// `DELETE /api/v2/servers/{UUID}`: a background delete (`Deleting`, then gone with its
/// nodes). Without `forceDelete`, a server whose nodes manage devices is refused (the
/// seed: "fail if resources still attached"; which resources count is not said).
async fn delete_server(
    State(sim): State<Arc<Sim>>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<DeleteServerQuery>,
) -> ApiResult<Json<Value>> {
    seed(&sim);
    let delay = sim.cfg().transition_delay;
    let mut store = sim.store();
    let server = store
        .find(Kind::Server, None, Some(&uuid), None)
        .ok_or_else(|| SimError::not_found("Server with UUID is not found."))?;
    check_if_match(&headers, server)?;
    match server.state() {
        "Creating" | "Enabling" | "Disabling" | "Deleting" => {
            return Err(SimError::conflict("There is a user operation in progress on the server."))
        }
        _ => {}
    }
    let force = matches!(q.force.as_deref(), Some("true" | "True" | "1" | "t"));
    let nodes: Vec<String> = server.body["NodesUUIDs"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    let managed = store
        .list(Kind::NvmeDevice, None)
        .iter()
        .any(|d| d.body["nodeUUID"].as_str().is_some_and(|n| nodes.iter().any(|x| x == n)));
    if managed && !force {
        return Err(SimError::bad_request(
            "Invalid argument: the server still has resources attached (set forceDelete to delete it in the background).",
        ));
    }
    for node in &nodes {
        if let Some(n) = store.objects.get_mut(node) {
            n.transition = Some(Transition { at: Instant::now() + delay, to: None });
        }
    }
    if let Some(s) = store.objects.get_mut(&uuid) {
        s.set_state("Deleting");
        s.etag += 1;
        s.transition = Some(Transition { at: Instant::now() + delay, to: None });
    }
    Ok(Json(json!({})))
}

fn toggle_server(sim: &Sim, uuid: &str, headers: &HeaderMap, enable: bool) -> ApiResult<Json<Value>> {
    seed(sim);
    let delay = sim.cfg().transition_delay;
    let mut store = sim.store();
    let server =
        store.find(Kind::Server, None, Some(uuid), None).ok_or_else(|| SimError::not_found(SERVER_NOT_FOUND))?;
    check_if_match(headers, server)?;
    let (from, via, to, node_state) = if enable {
        ("Disabled", "Enabling", "Enabled", "Active")
    } else {
        ("Enabled", "Disabling", "Disabled", "Inactive")
    };
    match server.state() {
        s if s == to => return Ok(Json(json!({}))),
        s if s == from => {}
        _ => return Err(SimError::conflict("There is a user operation in progress on the server.")),
    }
    let nodes: Vec<String> = server.body["NodesUUIDs"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    for node in nodes {
        if let Some(n) = store.objects.get_mut(&node) {
            n.body["state"] = json!(node_state);
            n.etag += 1;
        }
    }
    if let Some(s) = store.objects.get_mut(uuid) {
        s.set_state(via);
        s.etag += 1;
        s.transition = Some(Transition { at: Instant::now() + delay, to: Some(to) });
    }
    Ok(Json(json!({})))
}

async fn enable_server(
    State(sim): State<Arc<Sim>>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    toggle_server(&sim, &uuid, &headers, true)
}

async fn disable_server(
    State(sim): State<Arc<Sim>>,
    Path(uuid): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    toggle_server(&sim, &uuid, &headers, false)
}

// ------------------------------------------------------------------ NVMe devices

#[derive(Deserialize)]
struct DeviceQuery {
    #[serde(rename = "nodeUUID")]
    node_uuid: Option<String>,
    #[serde(rename = "serverUUID")]
    server_uuid: Option<String>,
}

async fn list_devices(
    State(sim): State<Arc<Sim>>,
    axum::extract::Query(q): axum::extract::Query<DeviceQuery>,
) -> Json<Value> {
    seed(&sim);
    let store = sim.store();
    let devices: Vec<Value> = store
        .list(Kind::NvmeDevice, None)
        .into_iter()
        .filter(|o| non_empty(&q.node_uuid).is_none_or(|n| o.body["nodeUUID"].as_str() == Some(n)))
        .filter(|o| non_empty(&q.server_uuid).is_none_or(|s| o.body["serverUUID"].as_str() == Some(s)))
        .map(shown)
        .collect();
    Json(json!({ "NvmeDevices": devices }))
}

async fn get_device(State(sim): State<Arc<Sim>>, Path(serial): Path<String>) -> ApiResult<Tagged> {
    seed(&sim);
    let store = sim.store();
    find_by(&store, Kind::NvmeDevice, "serial", &serial)
        .map(|o| Tagged(shown(o)))
        .ok_or_else(|| SimError::not_found("Serial is not found."))
}

#[derive(Deserialize)]
struct AddNvmeDeviceRequest {
    #[serde(default, rename = "serialNumber")]
    serial_number: Option<String>,
    #[serde(default, rename = "nodeUUID")]
    node_uuid: Option<String>,
}

impl ProtoMessage for AddNvmeDeviceRequest {
    const NAME: &'static str = "AddNvmeDeviceRequest";
    const FIELDS: &'static [&'static str] = &["serialNumber", "nodeUUID"];
}

/// `POST /api/v2/nvmeDevices`: the node starts managing the device (`Adding`, then
/// `Healthy`). The seed's one 400 text covers every refusal; the simulator adds which.
async fn add_device(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    ProtoJson(request): ProtoJson<AddNvmeDeviceRequest>,
) -> ApiResult<Json<Value>> {
    seed(&sim);
    const REFUSED: &str = "Empty serial or empty node UUID is provided, the device is already attached to another node, the number of node's managed devices reached the maximum, the node is not listed as the server's node for the server that device belongs to, or the node is not active.";
    let refuse = |why: &str| SimError::bad_request(format!("{REFUSED} ({why})"));
    let (Some(serial), Some(node_uuid)) = (non_empty(&request.serial_number), non_empty(&request.node_uuid)) else {
        return Err(refuse("empty serial or node UUID"));
    };
    let delay = sim.cfg().transition_delay;
    let mut store = sim.store();
    let not_found = || SimError::not_found("Serial or node UUID not found.");
    let device = find_by(&store, Kind::NvmeDevice, "serial", serial).ok_or_else(not_found)?;
    let node = store.find(Kind::Node, None, Some(node_uuid), None).ok_or_else(not_found)?;
    check_if_match(&headers, device)?;
    if device.state() == "Adding" || device.state() == "Rebuilding" {
        return Err(SimError::conflict("There is a user operation in progress on the device"));
    }
    let current = device.body["nodeUUID"].as_str().unwrap_or_default();
    if current == node_uuid {
        // Already managed by this node: nothing to do.
        return Ok(Json(json!({})));
    }
    if !current.is_empty() {
        return Err(refuse("the device is attached to another node"));
    }
    if device.body["serverUUID"] != node.body["serverUUID"] {
        return Err(refuse("the node is not on the device's server"));
    }
    if node.state() != "Active" {
        return Err(refuse("the node is not active"));
    }
    let managed = node.body["numManagedDevices"].as_u64().unwrap_or(0);
    if managed >= node.body["maxNvmeDevices"].as_u64().unwrap_or(0) {
        return Err(refuse("the node manages its maximum of devices"));
    }
    let device_key = key_by(&store, Kind::NvmeDevice, "serial", serial).ok_or_else(not_found)?;
    if let Some(n) = store.objects.get_mut(node_uuid) {
        n.body["numManagedDevices"] = json!(managed + 1);
        n.etag += 1;
    }
    if let Some(d) = store.objects.get_mut(&device_key) {
        d.body["nodeUUID"] = json!(node_uuid);
        d.body["deviceUsage"] = json!("Data");
        d.set_state("Adding");
        d.etag += 1;
        d.transition = Some(Transition { at: Instant::now() + delay, to: Some("Healthy") });
    }
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ events

#[derive(Deserialize)]
struct EventQuery {
    #[serde(rename = "projectName")]
    project_name: Option<String>,
    #[serde(rename = "nextToken")]
    next_token: Option<String>,
    since: Option<String>,
    until: Option<String>,
    limit: Option<String>,
    #[serde(rename = "componentType")]
    component_type: Option<String>,
}

/// A UTC ISO-8601 time (`2000-01-01T12:00:00.000Z`) as a number that orders like the
/// time (not a timestamp: months count 31 days).
fn parse_time(text: &str) -> ApiResult<f64> {
    let bad = || SimError::bad_request(format!("Invalid argument: {text:?} is not a UTC ISO-8601 time."));
    let (date, clock) = text.strip_suffix('Z').and_then(|t| t.split_once('T')).ok_or_else(bad)?;
    let d: Vec<f64> = date.split('-').map(str::parse).collect::<Result<_, _>>().map_err(|_| bad())?;
    let c: Vec<f64> = clock.split(':').map(str::parse).collect::<Result<_, _>>().map_err(|_| bad())?;
    if d.len() != 3 || c.len() != 3 {
        return Err(bad());
    }
    Ok(((((d[0] * 12.0 + d[1]) * 31.0 + d[2]) * 24.0 + c[0]) * 60.0 + c[1]) * 60.0 + c[2])
}

/// Events, oldest first, from the one whose ID is `nextToken`; `limit` per page (the
/// seed states no default: all of them). Only one of componentType, projectName and
/// severity may filter (501, the seed's text). `severity` repeats (an array).
fn events(sim: &Sim, project: Option<&str>, q: EventQuery, raw_query: Option<&str>) -> ApiResult<Json<Value>> {
    seed(sim);
    let severities: Vec<String> = raw_query
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == "severity")
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
        .collect();
    let project = project.or(non_empty(&q.project_name));
    let filters = [project.is_some(), !severities.is_empty(), non_empty(&q.component_type).is_some()];
    if filters.iter().filter(|f| **f).count() > 1 {
        return Err(SimError::new(
            StatusCode::NOT_IMPLEMENTED,
            "Unimplemented capability. Specify only a single parameter to filter events: componentType, ProjectName, or Severity.",
        ));
    }
    let limit = match non_empty(&q.limit).map(str::parse::<usize>) {
        None | Some(Ok(0)) => usize::MAX,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err(SimError::bad_request("Invalid argument: limit must be a positive integer.")),
    };
    let since = non_empty(&q.since).map(parse_time).transpose()?;
    let until = non_empty(&q.until).map(parse_time).transpose()?;
    let store = sim.store();
    if let Some(p) = project {
        if store.find(Kind::Project, None, None, Some(p)).is_none() {
            return Err(SimError::not_found("Project not found."));
        }
    }
    let mut all: Vec<&Object> = store
        .list(Kind::Event, None)
        .into_iter()
        .filter(|o| project.is_none_or(|p| o.body["ComponentVolumesInfo"]["projectName"].as_str() == Some(p)))
        .filter(|o| severities.is_empty() || severities.iter().any(|s| o.body["Severity"].as_str() == Some(s)))
        .filter(|o| non_empty(&q.component_type).is_none_or(|c| o.body["Type"].as_str() == Some(c)))
        .filter(|o| {
            let t = o.body["Time"].as_str().and_then(|t| parse_time(t).ok());
            since.is_none_or(|s| t.is_some_and(|t| t >= s)) && until.is_none_or(|u| t.is_some_and(|t| t <= u))
        })
        .collect();
    if let Some(token) = non_empty(&q.next_token) {
        match all.iter().position(|o| o.body["ID"].as_str() == Some(token)) {
            Some(p) => {
                all.drain(..p);
            }
            None => return Err(SimError::bad_request("Invalid argument: unknown nextToken.")),
        }
    }
    let next = all.get(limit).and_then(|o| o.body["ID"].as_str()).unwrap_or_default().to_string();
    let page: Vec<Value> = all.into_iter().take(limit).map(shown).collect();
    Ok(Json(json!({"events": page, "nextToken": next})))
}

async fn list_events(
    State(sim): State<Arc<Sim>>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    axum::extract::Query(q): axum::extract::Query<EventQuery>,
) -> ApiResult<Json<Value>> {
    events(&sim, None, q, raw.as_deref())
}

async fn list_project_events(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
    axum::extract::Query(q): axum::extract::Query<EventQuery>,
) -> ApiResult<Json<Value>> {
    events(&sim, Some(&project), q, raw.as_deref())
}

// ------------------------------------------------------------------ connected hosts

#[derive(Deserialize)]
struct ConnectedHostQuery {
    #[serde(rename = "volumeUUID")]
    volume_uuid: Option<String>,
}

/// `GET /api/v2/connectedHosts`: `hostNQN` is ignored (the seed says so); `volumeUUID`
/// filters, and must name a volume (404).
async fn list_connected_hosts(
    State(sim): State<Arc<Sim>>,
    axum::extract::Query(q): axum::extract::Query<ConnectedHostQuery>,
) -> ApiResult<Json<Value>> {
    if let Some(v) = non_empty(&q.volume_uuid) {
        if sim.store().find(Kind::Volume, None, Some(v), None).is_none() {
            return Err(SimError::not_found("Provided volume UUID is not found."));
        }
    }
    let hosts: Vec<Value> = with_extra(&sim, |e| e.connected_hosts.clone())
        .into_iter()
        .filter(|h| {
            non_empty(&q.volume_uuid)
                .is_none_or(|v| h["volumeUUIDs"].as_array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some(v))))
        })
        .collect();
    Ok(Json(json!({ "connectedHosts": hosts })))
}

async fn get_connected_host(State(sim): State<Arc<Sim>>, Path(nqn): Path<String>) -> ApiResult<Json<Value>> {
    with_extra(&sim, |e| e.connected_hosts.iter().find(|h| h["hostNQN"].as_str() == Some(nqn.as_str())).cloned())
        .map(Json)
        .ok_or_else(|| SimError::not_found("Provided host NQN is not found."))
}

// ------------------------------------------------------------------ admin

async fn admin_root_key(State(sim): State<Arc<Sim>>, Json(knobs): Json<Value>) -> Json<Value> {
    with_extra(&sim, |e| {
        if let Some(ms) = knobs.get("min_interval_ms").and_then(Value::as_u64) {
            e.min_interval = Duration::from_millis(ms);
        }
        Json(json!({"min_interval_ms": e.min_interval.as_millis() as u64, "generation": e.generation}))
    })
}

async fn admin_connect_host(State(sim): State<Arc<Sim>>, Json(host): Json<Value>) -> ApiResult<Json<Value>> {
    let Some(nqn) = host.get("hostNQN").and_then(Value::as_str).map(str::to_string) else {
        return Err(SimError::bad_request("hostNQN is required"));
    };
    let host = json!({
        "hostNQN": nqn,
        "iPAddress": host.get("iPAddress").cloned().unwrap_or(json!("")),
        "hostname": host.get("hostname").cloned().unwrap_or(json!("")),
        "volumeUUIDs": host.get("volumeUUIDs").cloned().unwrap_or(json!([])),
    });
    with_extra(&sim, |e| {
        e.connected_hosts.retain(|h| h["hostNQN"].as_str() != Some(nqn.as_str()));
        e.connected_hosts.push(host.clone());
    });
    show_connections_on_volumes(&sim);
    Ok(Json(host))
}

async fn admin_disconnect_host(State(sim): State<Arc<Sim>>, Path(nqn): Path<String>) -> Json<Value> {
    with_extra(&sim, |e| e.connected_hosts.retain(|h| h["hostNQN"].as_str() != Some(nqn.as_str())));
    show_connections_on_volumes(&sim);
    Json(json!({}))
}

/// Each volume's `connectedHosts` lists the NQNs of the hosts connected to it. A
/// connection is not a change of the volume's settings, so the ETag stays (the documents
/// do not say either way).
fn show_connections_on_volumes(sim: &Sim) {
    let hosts = with_extra(sim, |e| e.connected_hosts.clone());
    let mut store = sim.store();
    for volume in store.objects.values_mut().filter(|o| o.kind == Kind::Volume) {
        let uuid = volume.uuid().to_string();
        let nqns: Vec<Value> = hosts
            .iter()
            .filter(|h| h["volumeUUIDs"].as_array().is_some_and(|v| v.iter().any(|u| u.as_str() == Some(&uuid))))
            .map(|h| h["hostNQN"].clone())
            .collect();
        volume.body["connectedHosts"] = Value::Array(nqns);
    }
}

/// The nodes a new volume's replicas go to: the first `replicas` nodes whose failure
/// domains match the placement rules (any pair of any rule; `ClusterID` matches this
/// cluster's UUID). `None` when too few match. The documents do not say how the cluster
/// picks nodes, nor how it refuses rules no node matches.
pub(crate) fn place_volume(sim: &Sim, replicas: u32, rules: &[LabelMatchExpression]) -> Option<Vec<String>> {
    seed(sim);
    let store = sim.store();
    let matches = |node: &Object| {
        let domains: Vec<&str> =
            node.body["failureDomains"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        rules.is_empty()
            || rules.iter().flat_map(|r| &r.label_value_key_pairs).any(|pair| match pair.key {
                PlacementKey::ClusterId => pair.value == sim.cluster_uuid,
                PlacementKey::Unknown => false,
                _ => domains.contains(&pair.value.as_str()),
            })
    };
    let nodes: Vec<String> = store
        .list(Kind::Node, None)
        .into_iter()
        .filter(|n| matches(n))
        .take(replicas as usize)
        .map(|n| n.uuid().to_string())
        .collect();
    (nodes.len() == replicas as usize).then_some(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        for ok in ["0", "30m", "1h30m", "1.5s", "100ms", "24h"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "30", "m", "1x", "1h 30m", "-"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
        assert!(check_config_value("int", "3").is_ok());
        assert!(check_config_value("int", "three").is_err());
        assert!(check_config_value("bool", "yes").is_err());
    }
}
