//! API routes. Messages and status codes are the ones the Lightbits API documents.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value as J};

use super::store::{Kind, Object, Store, Transition};
use super::{api_error, with_etag, Sim};

type Q = Query<HashMap<String, String>>;
type S = State<Arc<Sim>>;

const NAME_CHARS: &str = "-_.";

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v2/version", get(version))
        .route("/api/v2/cluster", get(cluster))
        .route("/api/v2/clusterinfo", get(cluster))
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

fn valid_name(n: &str) -> bool {
    !n.is_empty() && n.len() <= 253 && n.chars().all(|c| c.is_ascii_alphanumeric() || NAME_CHARS.contains(c))
}

/// Sizes as the API accepts them: a byte count, or "<n> <unit>" like the Cinder driver sends.
fn parse_size(s: &str) -> Option<u64> {
    crate::engine::normalize::parse_size(s).ok()
}

fn str_field<'a>(b: &'a J, k: &str) -> Option<&'a str> {
    b.get(k).and_then(J::as_str).filter(|s| !s.is_empty())
}

fn values(b: &J, k: &str) -> Option<Vec<String>> {
    b.get(k).map(|o| {
        o.get("values")
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    })
}

fn bool_string(j: &J) -> Option<&'static str> {
    match j {
        J::Bool(true) => Some("true"),
        J::Bool(false) => Some("false"),
        J::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "enable" | "enabled" => Some("true"),
            "false" | "disable" | "disabled" | "" => Some("false"),
            _ => None,
        },
        _ => None,
    }
}

fn int_of(j: &J) -> Option<i64> {
    j.as_i64().or_else(|| j.as_str().and_then(|s| s.parse().ok()))
}

/// `If-Match` must equal the object's current ETag when given.
fn if_match_fails(headers: &HeaderMap, o: &Object) -> bool {
    match headers.get("if-match").and_then(|v| v.to_str().ok()) {
        None => false,
        Some(v) => {
            let v = v.trim().trim_start_matches("W/").trim_matches('"');
            v != "*" && v != o.etag.to_string()
        }
    }
}

fn delay(sim: &Sim) -> std::time::Duration {
    sim.cfg().transition_delay
}

// ------------------------------------------------------------------ cluster

async fn version() -> Response {
    Json(json!({"apiVersion": "v2"})).into_response()
}

async fn cluster(State(sim): S) -> Response {
    Json(json!({
        "UUID": sim.cluster_uuid,
        "subsystemNQN": format!("nqn.2016-01.com.lightbitslabs:uuid:{}", sim.cluster_uuid),
        "clusterName": "lightbits-simulator",
        "currentMaxReplicas": 3,
        "supportedMaxReplicas": 3,
        "apiEndpoints": ["127.0.0.1:443"],
        "discoveryEndpoints": ["127.0.0.1:8009"],
        "MinVersionInCluster": "3.12.1",
        "ETag": "1",
    }))
    .into_response()
}

// ------------------------------------------------------------------ projects

async fn list_projects(State(sim): S) -> Response {
    let st = sim.store();
    let items: Vec<J> = st.list(Kind::Project, None).iter().map(|o| o.view()).collect();
    Json(json!({ "projects": items })).into_response()
}

async fn create_project(State(sim): S, Json(b): Json<J>) -> Response {
    let Some(name) = str_field(&b, "name") else {
        return api_error(StatusCode::BAD_REQUEST, "Invalid argument: mandatory argument is missing (name).");
    };
    if !valid_name(name) {
        return api_error(StatusCode::BAD_REQUEST, "Invalid argument: name contains illegal characters.");
    }
    let mut st = sim.store();
    if st.find(Kind::Project, None, None, Some(name)).is_some() {
        return api_error(StatusCode::CONFLICT, "Resource with the provided name already exists.");
    }
    let desc = str_field(&b, "description").unwrap_or_default();
    if desc.len() > 256 {
        return api_error(StatusCode::BAD_REQUEST, "Invalid argument: description is longer than 256 bytes.");
    }
    let body = json!({"name": name, "description": desc, "defaultPolicies": b.get("defaultPolicies").cloned().unwrap_or(json!([]))});
    with_etag(st.insert(Kind::Project, body, None).view())
}

async fn get_project(State(sim): S, Path(name): Path<String>) -> Response {
    match sim.store().find(Kind::Project, None, None, Some(&name)) {
        Some(o) => with_etag(o.view()),
        None => api_error(StatusCode::NOT_FOUND, "Provided project name is not found."),
    }
}

async fn update_project(State(sim): S, Path(name): Path<String>, headers: HeaderMap, Json(b): Json<J>) -> Response {
    let mut st = sim.store();
    let Some(key) = st.find_key(Kind::Project, None, None, Some(&name)) else {
        return api_error(StatusCode::BAD_REQUEST, "Mandatory argument is missing: no such project.");
    };
    let Some(o) = st.objects.get_mut(&key) else {
        return api_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Lightbits error.");
    };
    if if_match_fails(&headers, o) {
        return api_error(StatusCode::PRECONDITION_FAILED, "Etag mismatch.");
    }
    if let Some(d) = b.get("description").and_then(J::as_str) {
        if d.len() > 256 {
            return api_error(StatusCode::BAD_REQUEST, "Invalid argument: description is longer than 256 bytes.");
        }
        o.body["description"] = json!(d);
    }
    if let Some(p) = b.get("defaultPolicies") {
        o.body["defaultPolicies"] = p.clone();
    }
    o.etag += 1;
    Json(json!({})).into_response()
}

async fn delete_project(State(sim): S, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let mut st = sim.store();
    let Some(key) = st.find_key(Kind::Project, None, None, Some(&name)) else {
        return api_error(StatusCode::NOT_FOUND, "Provided project name is not found.");
    };
    if if_match_fails(&headers, &st.objects[&key]) {
        return api_error(StatusCode::PRECONDITION_FAILED, "Etag mismatch.");
    }
    if st.objects.values().any(|o| o.kind != Kind::Project && o.project() == name) {
        return api_error(
            StatusCode::BAD_REQUEST,
            "Provided invalid name or the project is not allowed to be deleted.",
        );
    }
    st.objects.remove(&key);
    Json(json!({})).into_response()
}

// ------------------------------------------------------------------ volumes

fn page(items: Vec<&Object>, q: &HashMap<String, String>, kind_key: &str) -> Response {
    let show_all = q.get("showAll").is_some_and(|v| v == "true");
    let mut items: Vec<&Object> = items.into_iter().filter(|o| show_all || o.state() != "Deleting").collect();
    if let Some(n) = q.get("name").or_else(|| q.get("Name")).filter(|s| !s.is_empty()) {
        items.retain(|o| o.name() == n);
    }
    if let Some(u) = q.get("UUID").filter(|s| !s.is_empty()) {
        items.retain(|o| o.uuid() == u);
    }
    if let Some(s) = q.get("snapshotUUID").filter(|s| !s.is_empty()) {
        items.retain(|o| o.body.get("sourceSnapshotUUID").and_then(J::as_str) == Some(s));
    }
    if let Some(after) = q.get("offsetUUID").filter(|s| !s.is_empty()) {
        if let Some(pos) = items.iter().position(|o| o.uuid() == after) {
            items.drain(..=pos);
        }
    }
    let limit = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => 1000,
        Some(Ok(n)) if n > 0 => n.min(1000),
        Some(_) => return api_error(StatusCode::BAD_REQUEST, "Invalid argument: limit must be a positive integer."),
    };
    let out: Vec<J> = items.iter().take(limit).map(|o| o.view()).collect();
    Json(json!({ kind_key: out })).into_response()
}

fn list_volumes(sim: &Sim, project: Option<&str>, q: &HashMap<String, String>) -> Response {
    let st = sim.store();
    page(st.list(Kind::Volume, project), q, "volumes")
}

async fn list_volumes_scoped(State(sim): S, Path(project): Path<String>, Query(q): Q) -> Response {
    list_volumes(&sim, Some(&project), &q)
}

async fn list_volumes_flat(State(sim): S, Query(q): Q) -> Response {
    list_volumes(&sim, q.get("projectName").map(String::as_str).filter(|p| !p.is_empty()), &q)
}

fn project_exists(st: &Store, p: &str) -> bool {
    st.find(Kind::Project, None, None, Some(p)).is_some()
}

fn create_volume(sim: &Sim, project: &str, b: &J) -> Response {
    let bad = |m: &str| api_error(StatusCode::BAD_REQUEST, &format!("Invalid argument: {m}"));
    let Some(name) = str_field(b, "name") else { return bad("mandatory argument is missing (name).") };
    if !valid_name(name) {
        return bad("name contains illegal characters.");
    }
    let Some(size) =
        str_field(b, "size").and_then(parse_size).or_else(|| b.get("size").and_then(J::as_u64).filter(|n| *n > 0))
    else {
        return bad("size is not a positive integer.");
    };
    let replicas = match b.get("replicaCount").and_then(int_of) {
        Some(n @ 1..=3) => n,
        Some(_) => return bad("replica count is outside of a valid range."),
        None => return bad("mandatory argument is missing (replicaCount)."),
    };
    let acl = values(b, "acl").filter(|v| !v.is_empty()).unwrap_or_else(|| vec!["ALLOW_NONE".into()]);
    let ip_acl = values(b, "IPAcl").filter(|v| !v.is_empty()).unwrap_or_else(|| vec!["ALLOW_ANY".into()]);
    if acl.iter().any(|a| a.is_empty() || a.contains(' ')) || ip_acl.iter().any(|a| a.is_empty() || a.contains(' ')) {
        return bad("ACL or IP-ACL are invalid.");
    }
    let compression = match b.get("compression") {
        None => "false",
        Some(j) => match bool_string(j) {
            Some(c) => c,
            None => return bad("compression must be true or false."),
        },
    };
    let sector = match b.get("sectorSize") {
        None => 4096,
        Some(j) => match j.as_str().unwrap_or_default() {
            "sectorSize_512B" => 512,
            "sectorSize_4K" | "sectorSize_Default" => 4096,
            _ => match int_of(j) {
                Some(0) => 4096,
                Some(n @ (512 | 4096)) => n,
                _ => return bad("sector size must be 512 or 4096."),
            },
        },
    };
    let labels = b.get("labels").cloned().unwrap_or(json!([]));
    if labels.as_array().is_some_and(|l| l.len() > 16) {
        return bad("at most 16 labels are allowed.");
    }
    let mut st = sim.store();
    if !project_exists(&st, project) {
        return bad("provided project name is not found.");
    }
    if st.find(Kind::Volume, Some(project), None, Some(name)).is_some() {
        return api_error(StatusCode::CONFLICT, "A volume with the provided name already exists.");
    }
    let src = str_field(b, "sourceSnapshotUUID").unwrap_or_default();
    if !src.is_empty() && st.find(Kind::Snapshot, Some(project), Some(src), None).is_none() {
        return bad("source snapshot is not found.");
    }
    let body = json!({
        "name": name, "projectName": project, "size": size.to_string(), "replicaCount": replicas,
        "acl": {"values": acl}, "IPAcl": {"values": ip_acl}, "compression": compression,
        "sectorSize": sector, "labels": labels, "sourceSnapshotUUID": src,
        "qosPolicyUUID": str_field(b, "qosPolicyUUID").unwrap_or_default(),
        "protectionState": "FullyProtected", "rebuildProgress": "None",
    });
    let d = delay(sim);
    with_etag(st.insert(Kind::Volume, body, Some(d)).view())
}

async fn create_volume_scoped(State(sim): S, Path(project): Path<String>, Json(b): Json<J>) -> Response {
    create_volume(&sim, &project, &b)
}

async fn create_volume_flat(State(sim): S, Json(b): Json<J>) -> Response {
    let project = str_field(&b, "projectName").unwrap_or("default").to_string();
    create_volume(&sim, &project, &b)
}

fn get_volume(sim: &Sim, project: Option<&str>, uuid: &str) -> Response {
    match sim.store().find(Kind::Volume, project, Some(uuid), None) {
        Some(o) => with_etag(o.view()),
        None => api_error(StatusCode::NOT_FOUND, "Provided volume UUID is not found."),
    }
}

async fn get_volume_scoped(State(sim): S, Path((project, uuid)): Path<(String, String)>) -> Response {
    get_volume(&sim, Some(&project), &uuid)
}

async fn get_volume_flat(State(sim): S, Path(uuid): Path<String>, Query(q): Q) -> Response {
    get_volume(&sim, q.get("projectName").map(String::as_str).filter(|p| !p.is_empty()), &uuid)
}

fn update_volume(sim: &Sim, project: Option<&str>, uuid: &str, headers: &HeaderMap, b: &J) -> Response {
    let d = delay(sim);
    let mut st = sim.store();
    let Some(key) = st.find_key(Kind::Volume, project, Some(uuid), None) else {
        return api_error(StatusCode::NOT_FOUND, "Returned when the volume with given UUID is not found.");
    };
    let proj = st.objects[&key].project().to_string();
    if let Some(new_name) = str_field(b, "newName") {
        if !valid_name(new_name) {
            return api_error(StatusCode::BAD_REQUEST, "Invalid argument: name contains illegal characters.");
        }
        if st.find(Kind::Volume, Some(&proj), None, Some(new_name)).is_some_and(|o| o.uuid() != uuid) {
            return api_error(StatusCode::CONFLICT, "A volume with the provided name already exists.");
        }
    }
    let Some(o) = st.objects.get_mut(&key) else {
        return api_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Lightbits error.");
    };
    if if_match_fails(headers, o) {
        return api_error(StatusCode::PRECONDITION_FAILED, "Etag mismatch.");
    }
    match o.state() {
        "Creating" | "Updating" => {
            return api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Volume is in temporary state and cannot be updated now (Creating/Updating).",
            )
        }
        "Deleting" | "Failed" => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "Invalid argument or a volume is in a state that cannot be updated (Deleting/Failed).",
            )
        }
        _ => {}
    }
    let mut next = o.body.clone();
    if let Some(s) = b.get("size") {
        let Some(size) = s.as_str().and_then(parse_size).or_else(|| s.as_u64()) else {
            return api_error(StatusCode::BAD_REQUEST, "Invalid argument: size is not a positive integer.");
        };
        let current = next.get("size").and_then(int_of).unwrap_or(0) as u64;
        if size < current && b.get("Force").and_then(J::as_bool) != Some(true) {
            return api_error(StatusCode::NOT_IMPLEMENTED, "Unimplemented capability (updating capacity).");
        }
        next["size"] = json!(size.to_string());
    }
    if let Some(c) = b.get("compression") {
        match bool_string(c) {
            Some(v) => next["compression"] = json!(v),
            None => return api_error(StatusCode::BAD_REQUEST, "Invalid argument: compression must be true or false."),
        }
    }
    for k in ["acl", "IPAcl"] {
        if let Some(v) = values(b, k) {
            let v =
                if v.is_empty() { vec![if k == "acl" { "ALLOW_NONE" } else { "ALLOW_ANY" }.to_string()] } else { v };
            next[k] = json!({ "values": v });
        }
    }
    for k in ["qosPolicyUUID", "labels"] {
        if let Some(v) = b.get(k) {
            next[k] = v.clone();
        }
    }
    if let Some(n) = str_field(b, "newName") {
        next["name"] = json!(n);
    }
    o.body = next;
    o.set_state("Updating");
    o.etag += 1;
    o.transition = Some(Transition { at: std::time::Instant::now() + d, to: Some("Available") });
    Json(json!({})).into_response()
}

async fn update_volume_scoped(
    State(sim): S,
    Path((project, uuid)): Path<(String, String)>,
    headers: HeaderMap,
    Json(b): Json<J>,
) -> Response {
    update_volume(&sim, Some(&project), &uuid, &headers, &b)
}

async fn update_volume_flat(State(sim): S, Path(uuid): Path<String>, headers: HeaderMap, Json(b): Json<J>) -> Response {
    let project = str_field(&b, "projectName").map(str::to_string);
    update_volume(&sim, project.as_deref(), &uuid, &headers, &b)
}

/// Starts an asynchronous delete: Deleting now, 404 after the transition delay.
fn delete_async(sim: &Sim, kind: Kind, project: Option<&str>, uuid: &str, headers: &HeaderMap) -> Response {
    let d = delay(sim);
    let mut st = sim.store();
    let Some(key) = st.find_key(kind, project, Some(uuid), None) else {
        return api_error(StatusCode::NOT_FOUND, &format!("Provided {} UUID is not found.", kind.noun()));
    };
    let Some(o) = st.objects.get_mut(&key) else {
        return api_error(StatusCode::INTERNAL_SERVER_ERROR, "Internal Lightbits error.");
    };
    if if_match_fails(headers, o) {
        return api_error(StatusCode::PRECONDITION_FAILED, "Etag mismatch.");
    }
    let noun = if kind == Kind::Volume { "Volume" } else { "Snapshot" };
    match o.state() {
        "Creating" | "Updating" => {
            return api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                &format!("{noun} is in a temporary state that does not currently allow deletion (Creating/Updating)."),
            )
        }
        "Deleting" | "Failed" => {
            return api_error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Provided invalid UUID, Name, or {} state does not allow deletion (Deleting/Failed).",
                    kind.noun()
                ),
            )
        }
        _ => {}
    }
    o.set_state("Deleting");
    o.etag += 1;
    o.transition = Some(Transition { at: std::time::Instant::now() + d, to: None });
    Json(json!({})).into_response()
}

async fn delete_volume_scoped(
    State(sim): S,
    Path((project, uuid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    delete_async(&sim, Kind::Volume, Some(&project), &uuid, &headers)
}

async fn delete_volume_flat(State(sim): S, Path(uuid): Path<String>, Query(q): Q, headers: HeaderMap) -> Response {
    delete_async(
        &sim,
        Kind::Volume,
        q.get("projectName").map(String::as_str).filter(|p| !p.is_empty()),
        &uuid,
        &headers,
    )
}

// ------------------------------------------------------------------ snapshots

async fn list_snapshots(State(sim): S, Path(project): Path<String>, Query(q): Q) -> Response {
    let st = sim.store();
    page(st.list(Kind::Snapshot, Some(&project)), &q, "snapshots")
}

async fn create_snapshot(State(sim): S, Path(project): Path<String>, Json(b): Json<J>) -> Response {
    let bad = |m: &str| api_error(StatusCode::BAD_REQUEST, &format!("Invalid argument: {m}"));
    let Some(name) = str_field(&b, "name") else { return bad("mandatory argument is missing (name).") };
    if !valid_name(name) {
        return bad("name contains illegal characters.");
    }
    let retention = match str_field(&b, "retentionTime") {
        None => "0s".to_string(),
        Some(r) => match crate::engine::normalize::parse_duration_secs(r) {
            Ok(s) if s >= 0.0 => format!("{}s", s.round() as i64),
            _ => return bad("retentionTime is not a duration."),
        },
    };
    let desc = str_field(&b, "description").unwrap_or_default();
    if desc.len() > 256 {
        return bad("description is longer than 256 bytes.");
    }
    let d = delay(&sim);
    let mut st = sim.store();
    // The UUID takes precedence over the name when both are given.
    let src = match (str_field(&b, "sourceVolumeUUID"), str_field(&b, "sourceVolumeName")) {
        (Some(u), _) => st.find(Kind::Volume, Some(&project), Some(u), None),
        (None, Some(n)) => st.find(Kind::Volume, Some(&project), None, Some(n)),
        (None, None) => return bad("mandatory argument is missing (sourceVolumeUUID)."),
    };
    let Some(src) = src.filter(|v| v.state() != "Deleting") else {
        return api_error(
            StatusCode::NOT_FOUND,
            "Returned when the snapshot with the given source-volume UUID is not found.",
        );
    };
    let src_body = src.body.clone();
    if st.find(Kind::Snapshot, Some(&project), None, Some(name)).is_some() {
        return api_error(StatusCode::CONFLICT, "Resource with the provided name already exists.");
    }
    let body = json!({
        "name": name, "projectName": project, "description": desc, "retentionTime": retention,
        "sourceVolumeUUID": src_body["UUID"], "sourceVolumeName": src_body["name"],
        "size": src_body["size"], "replicaCount": src_body["replicaCount"], "sectorSize": src_body["sectorSize"],
    });
    with_etag(st.insert(Kind::Snapshot, body, Some(d)).view())
}

async fn get_snapshot(State(sim): S, Path((project, uuid)): Path<(String, String)>) -> Response {
    match sim.store().find(Kind::Snapshot, Some(&project), Some(&uuid), None) {
        Some(o) => with_etag(o.view()),
        None => api_error(StatusCode::NOT_FOUND, "Provided snapshot UUID is not found."),
    }
}

async fn delete_snapshot(State(sim): S, Path((project, uuid)): Path<(String, String)>, headers: HeaderMap) -> Response {
    delete_async(&sim, Kind::Snapshot, Some(&project), &uuid, &headers)
}
