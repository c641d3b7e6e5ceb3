//! Identity and access: admin endpoints and credentials (catalog §4.5.1, §4.5.22). The
//! status codes and texts are the seed's (`003_*.txt`); bodies are read with proto3 JSON
//! rules (absent or `null` is the zero value; strings must be strings).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::{ProtoJson, ProtoMessage, SimError, Tagged};
use super::store::{Kind, Object};
use super::Sim;

type ApiResult<T> = Result<T, SimError>;

/// The API routes of this area.
pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v2/adminEndpoints", get(list_admin_endpoints).post(create_admin_endpoint))
        .route(
            "/api/v2/adminEndpoints/{port}",
            get(get_admin_endpoint).put(update_admin_endpoint).delete(delete_admin_endpoint),
        )
        .route("/api/v2/projects/{project}/credentials", get(list_credentials).post(create_credential))
        .route("/api/v2/projects/{project}/credentials/{id}", get(get_credential).delete(delete_credential))
}

/// The admin routes of this area (under `/_sim`).
pub fn admin_routes() -> Router<Arc<Sim>> {
    Router::new()
}

// ------------------------------------------------------------------ shared

/// A request body kept as its JSON object; each handler reads the members it declares.
macro_rules! message {
    ($ty:ident, $name:literal, [$($field:literal),*]) => {
        #[derive(Deserialize)]
        #[serde(transparent)]
        struct $ty(Map<String, Value>);
        impl ProtoMessage for $ty {
            const NAME: &'static str = $name;
            const FIELDS: &'static [&'static str] = &[$($field),*];
        }
    };
}

message!(AdminEndpointRequest, "CreateAdminEndpointRequest", ["port", "ips"]);
message!(CredentialRequest, "CreateCredentialRequest", ["projectName", "ID", "type", "payload"]);

/// A proto3 `string` member: absent or null is "", anything but a string is a 400.
fn text(body: &Map<String, Value>, member: &str) -> ApiResult<String> {
    match body.get(member) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(SimError::bad_request(format!("invalid value for string field {member}: {other}"))),
    }
}

/// A proto3 `repeated string` member.
fn texts(body: &Map<String, Value>, member: &str) -> ApiResult<Vec<String>> {
    match body.get(member) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    SimError::bad_request(format!("invalid value for string field {member}: {v}"))
                })
            })
            .collect(),
        Some(other) => Err(SimError::bad_request(format!("invalid value for repeated field {member}: {other}"))),
    }
}

/// A proto3 enum member, by name or number; absent is the first value.
fn enumeration(body: &Map<String, Value>, member: &str, names: &[&'static str]) -> ApiResult<&'static str> {
    let bad = |v: &Value| SimError::bad_request(format!("invalid value for enum field {member}: {v}"));
    match body.get(member) {
        None | Some(Value::Null) => Ok(names[0]),
        Some(Value::String(s)) => names.iter().find(|n| **n == s.as_str()).copied().ok_or_else(|| bad(&json!(s))),
        Some(Value::Number(n)) => {
            n.as_u64().and_then(|i| names.get(i as usize)).copied().ok_or_else(|| bad(&Value::Number(n.clone())))
        }
        Some(other) => Err(bad(other)),
    }
}

fn etag_mismatch() -> SimError {
    SimError::new(StatusCode::PRECONDITION_FAILED, "Etag mismatch.")
}

/// `If-Match`, when given, must name the object's current ETag (catalog §4.2: checked
/// only when sent, as the seed documents 412 but no header).
fn check_if_match(headers: &HeaderMap, object: &Object) -> ApiResult<()> {
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

/// The object as the API shows it, without the store's own bookkeeping members (`UUID`,
/// `creationTime`) for kinds whose proto message has none.
fn bare_view(o: &Object) -> Value {
    let mut v = o.view();
    if let Value::Object(m) = &mut v {
        m.remove("UUID");
        m.remove("creationTime");
    }
    v
}

// ------------------------------------------------------------------ admin endpoints

fn port_invalid() -> SimError {
    SimError::bad_request("Port is invalid.")
}

fn no_endpoint() -> SimError {
    SimError::not_found("Port does not have a corresponding endpoint.")
}

/// A path port: `uint32` in the proto; 0 is "unset" and ports stop at 65535.
fn path_port(text: &str) -> ApiResult<u64> {
    text.parse::<u64>().ok().filter(|p| (1..=65535).contains(p)).ok_or_else(port_invalid)
}

/// A body port: a JSON number or numeric string (proto3 JSON); absent is 0.
fn body_port(body: &Map<String, Value>) -> ApiResult<u64> {
    match body.get("port") {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(port_invalid),
        Some(Value::String(s)) => s.parse().map_err(|_| port_invalid()),
        Some(_) => Err(port_invalid()),
    }
}

/// The admin endpoint `ips`: required (proto `required: ["port", "ips"]`). The seed gives
/// no rule for their syntax; addresses and CIDR ranges (an allow-list of sources) are
/// accepted, anything else is refused with the documented "Invalid argument." wording.
fn checked_ips(body: &Map<String, Value>) -> ApiResult<Vec<String>> {
    let ips = texts(body, "ips")?;
    if ips.is_empty() {
        return Err(SimError::bad_request("Invalid argument: mandatory argument is missing (ips)."));
    }
    let valid = |s: &str| {
        let (addr, prefix) = s.split_once('/').unwrap_or((s, "0"));
        addr.parse::<IpAddr>().is_ok_and(|a| prefix.parse::<u8>().is_ok_and(|p| p <= if a.is_ipv4() { 32 } else { 128 }))
    };
    if let Some(bad) = ips.iter().find(|s| !valid(s)) {
        return Err(SimError::bad_request(format!("Invalid argument: {bad:?} is not an IP address.")));
    }
    Ok(ips)
}

fn find_endpoint<'a>(objects: impl Iterator<Item = &'a Object>, port: u64) -> Option<&'a Object> {
    objects.into_iter().find(|o| o.kind == Kind::AdminEndpoint && o.body.get("port").and_then(Value::as_u64) == Some(port))
}

#[derive(Deserialize)]
struct PortQuery {
    port: Option<String>,
}

/// `GET /api/v2/adminEndpoints?port=` (seed lines 1-55).
async fn list_admin_endpoints(
    State(sim): State<Arc<Sim>>,
    Query(query): Query<PortQuery>,
) -> ApiResult<Json<Value>> {
    let port = match query.port.as_deref() {
        None | Some("") | Some("0") => None,
        Some(p) => Some(p.parse::<u64>().map_err(|_| SimError::bad_request("Invalid argument."))?),
    };
    let store = sim.store();
    let items: Vec<Value> = store
        .list(Kind::AdminEndpoint, None)
        .into_iter()
        .filter(|o| port.is_none_or(|p| o.body.get("port").and_then(Value::as_u64) == Some(p)))
        .map(bare_view)
        .collect();
    Ok(Json(json!({ "adminEndpoints": items })))
}

/// `POST /api/v2/adminEndpoints` (seed lines 57-121): 409 "Port already exists.".
async fn create_admin_endpoint(
    State(sim): State<Arc<Sim>>,
    ProtoJson(AdminEndpointRequest(body)): ProtoJson<AdminEndpointRequest>,
) -> ApiResult<Tagged> {
    let port = body_port(&body)?;
    if !(1..=65535).contains(&port) {
        return Err(port_invalid());
    }
    let ips = checked_ips(&body)?;
    let mut store = sim.store();
    if find_endpoint(store.objects.values(), port).is_some() {
        return Err(SimError::conflict("Port already exists."));
    }
    let obj = store.insert(Kind::AdminEndpoint, json!({"port": port, "ips": ips}), None);
    Ok(Tagged(bare_view(obj)))
}

async fn get_admin_endpoint(State(sim): State<Arc<Sim>>, Path(port): Path<String>) -> ApiResult<Tagged> {
    let port = path_port(&port)?;
    let store = sim.store();
    find_endpoint(store.objects.values(), port).map(|o| Tagged(bare_view(o))).ok_or_else(no_endpoint)
}

/// `PUT /api/v2/adminEndpoints/{port}` (seed lines 226-300): only `ips` changes; a body
/// `port` other than the path's is refused (the port is the key).
async fn update_admin_endpoint(
    State(sim): State<Arc<Sim>>,
    Path(port): Path<String>,
    headers: HeaderMap,
    ProtoJson(AdminEndpointRequest(body)): ProtoJson<AdminEndpointRequest>,
) -> ApiResult<Tagged> {
    let port = path_port(&port)?;
    let given = body_port(&body)?;
    if given != 0 && given != port {
        return Err(port_invalid());
    }
    let ips = checked_ips(&body)?;
    let mut store = sim.store();
    let key = find_endpoint(store.objects.values(), port).map(|o| o.uuid().to_string()).ok_or_else(no_endpoint)?;
    let obj = store.objects.get_mut(&key).ok_or_else(no_endpoint)?;
    check_if_match(&headers, obj)?;
    obj.body["ips"] = json!(ips);
    obj.etag += 1;
    Ok(Tagged(bare_view(obj)))
}

async fn delete_admin_endpoint(
    State(sim): State<Arc<Sim>>,
    Path(port): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let port = path_port(&port)?;
    let mut store = sim.store();
    let obj = find_endpoint(store.objects.values(), port).ok_or_else(no_endpoint)?;
    check_if_match(&headers, obj)?;
    let key = obj.uuid().to_string();
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ credentials

const CREDS_TYPES: &[&str] = &["UnknownType", "RS256PubKey", "TlsCertChainPem", "TlsPrivKeyPem"];

fn no_credential() -> SimError {
    SimError::not_found("Provided credential ID is not found.")
}

fn project_missing(store: &super::store::Store, project: &str) -> bool {
    store.find(Kind::Project, None, None, Some(project)).is_none()
}

fn find_credential<'a>(store: &'a super::store::Store, project: &str, id: &str) -> Option<&'a Object> {
    store.objects.values().find(|o| {
        o.kind == Kind::Credential && o.project() == project && o.body.get("ID").and_then(Value::as_str) == Some(id)
    })
}

/// `GET …/credentials` (seed lines 5034-5075). Credentials carry no ETag in the proto.
async fn list_credentials(State(sim): State<Arc<Sim>>, Path(project): Path<String>) -> ApiResult<Json<Value>> {
    let store = sim.store();
    // The seed lists no 404 for an unknown project here: 400 "Invalid argument." is assumed.
    if project_missing(&store, &project) {
        return Err(SimError::bad_request("Invalid argument."));
    }
    let items: Vec<Value> = store.list(Kind::Credential, Some(&project)).into_iter().map(credential_view).collect();
    Ok(Json(json!({ "credentials": items })))
}

fn credential_view(o: &Object) -> Value {
    let mut v = bare_view(o);
    if let Value::Object(m) = &mut v {
        m.remove("ETag");
    }
    v
}

/// `POST …/credentials` (seed lines 5077-5140). `payload` is proto `bytes`: base64 in
/// proto3 JSON (standard or URL-safe alphabet, padding optional); anything else is a 400.
/// All of `projectName`, `ID`, `type`, `payload` are required (proto).
async fn create_credential(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    ProtoJson(CredentialRequest(body)): ProtoJson<CredentialRequest>,
) -> ApiResult<Json<Value>> {
    const INVALID: &str = "Provided invalid argument with one of the following reasons: mandatory argument is missing, name contains illegal characters, size is not a positive integer, replica count is outside of a valid range, ACL or IP-ACL is invalid.";
    let id = text(&body, "ID")?;
    let kind = enumeration(&body, "type", CREDS_TYPES)?;
    let payload = text(&body, "payload")?;
    let decoded = {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE};
        let trimmed = payload.trim_end_matches('=');
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(trimmed)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(trimmed))
            .or_else(|_| STANDARD.decode(&payload))
            .or_else(|_| URL_SAFE.decode(&payload))
    };
    let Ok(decoded) = decoded else {
        return Err(SimError::bad_request("illegal base64 data in field payload"));
    };
    if id.is_empty() || kind == "UnknownType" || decoded.is_empty() || !super::parse::is_valid_name(&id) {
        return Err(SimError::bad_request(INVALID));
    }
    let mut store = sim.store();
    if project_missing(&store, &project) {
        // Not listed for this POST; the gRPC NotFound a missing project gives elsewhere.
        return Err(SimError::not_found("Provided project name is not found."));
    }
    if find_credential(&store, &project, &id).is_some() {
        return Err(SimError::conflict("Resource with the provided name already exists."));
    }
    // Stored in the canonical (standard, padded) spelling, as a bytes field is re-encoded.
    let body = json!({
        "projectName": project,
        "ID": id,
        "type": kind,
        "payload": base64::engine::general_purpose::STANDARD.encode(decoded),
        "kind": "UserCreds",
    });
    let obj = store.insert(Kind::Credential, body, None);
    Ok(Json(credential_view(obj)))
}

async fn get_credential(
    State(sim): State<Arc<Sim>>,
    Path((project, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let store = sim.store();
    find_credential(&store, &project, &id).map(|o| Json(credential_view(o))).ok_or_else(no_credential)
}

/// `DELETE …/credentials/{ID}` (seed lines 5190-5240): 412 listed; credentials show no
/// ETag, so `If-Match` is checked against the store's version only when sent.
async fn delete_credential(
    State(sim): State<Arc<Sim>>,
    Path((project, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let mut store = sim.store();
    let obj = find_credential(&store, &project, &id).ok_or_else(no_credential)?;
    check_if_match(&headers, obj)?;
    let key = obj.uuid().to_string();
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proto3_members() {
        let body: Map<String, Value> =
            serde_json::from_value(json!({"ips": ["10.0.0.1", "10.1.0.0/16"], "port": "443", "type": 2}))
                .expect("object");
        assert_eq!(body_port(&body), Ok(443));
        assert_eq!(checked_ips(&body).map(|v| v.len()), Ok(2));
        assert_eq!(enumeration(&body, "type", CREDS_TYPES), Ok("TlsCertChainPem"));
        let bad: Map<String, Value> =
            serde_json::from_value(json!({"ips": ["10.0.0.300"], "port": true})).expect("object");
        assert!(body_port(&bad).is_err());
        assert!(checked_ips(&bad).is_err());
        assert!(path_port("0").is_err() && path_port("70000").is_err() && path_port("x").is_err());
    }
}
