//! Identity and access: admin endpoints, credentials, IdP configurations, authorization
//! map entries and IdP client configurations (catalog §4.5.1, §4.5.5-4.5.8, §4.5.22). The
//! status codes and texts are the seed's (`003_*.txt`); bodies are read with proto3 JSON
//! rules (absent or `null` is the zero value; strings must be strings).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::{ProtoJson, ProtoMessage, SimError, Tagged};
use super::handlers::check_if_match;
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
        .route(
            "/api/v2/cluster/IdpConfiguration",
            get(list_idp_configurations).post(create_idp_configuration).put(update_idp_configuration),
        )
        .route("/api/v2/cluster/IdpConfiguration/{name}", get(get_idp_configuration).delete(delete_idp_configuration))
        .route("/api/v2/cluster/authMaps", get(list_auth_maps).post(create_auth_map))
        .route("/api/v2/cluster/authMaps/{name}", get(get_auth_map).put(update_auth_map).delete(delete_auth_map))
        .route("/api/v2/cluster/idpClientConfs", get(list_client_confs).post(create_client_conf))
        .route(
            "/api/v2/cluster/idpClientConfs/{name}",
            get(get_client_conf).put(update_client_conf).delete(delete_client_conf),
        )
        .route("/api/v2/hosts", get(list_all_hosts))
        .route("/api/v2/projects/{project}/trustedHosts", get(list_project_hosts).post(create_host))
        .route("/api/v2/projects/{project}/trustedHosts/{name}", get(get_host).put(update_host).delete(delete_host))
        .route("/api/v2/projects/{project}/trustedHostSecrets/{name}", get(get_host_secrets).put(set_host_secrets))
        .route("/api/v2/cluster/federatedAuthentication/enable", axum::routing::post(enable_federated))
        .route("/api/v2/cluster/federatedAuthentication/disable", axum::routing::post(disable_federated))
        .route("/api/v2/cluster/inBandAuth/enable", axum::routing::post(enable_in_band))
        .route("/api/v2/cluster/inBandAuth/disable", axum::routing::post(disable_in_band))
        .route("/api/v2/projects/{project}/roles", get(list_roles))
        .route("/api/v2/projects/{project}/roles/{name}", get(get_role))
}

/// The admin routes of this area (under `/_sim`).
pub fn admin_routes() -> Router<Arc<Sim>> {
    Router::new().route("/authentication", get(authentication_state))
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
message!(IdpConfigurationRequest, "CreateIDPConfigurationRequest", ["name", "idpIssuerURL", "type", "proxyInfo"]);
message!(AuthMapRequest, "CreateAuthMapEntryRequest", ["name", "identifier", "scope", "role", "idpConfigurationName"]);
message!(TrustedHostRequest, "CreateTrustedHostRequest", ["name", "projectName", "hostNqn", "labels", "authRequired"]);
message!(
    SecretsRequest,
    "SetTrustedHostSecretsRequest",
    ["name", "projectName", "hostSecret", "targetSecret", "targetSecretType"]
);
message!(InBandRequest, "EnableClusterInBandAuthRequest", ["subsystemNqnName"]);
message!(
    ClientConfRequest,
    "CreateIdpClientConfRequest",
    ["name", "clientId", "idpConfigurationName", "claimName", "authzMode"]
);

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
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| SimError::bad_request(format!("invalid value for string field {member}: {v}")))
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
        addr.parse::<IpAddr>()
            .is_ok_and(|a| prefix.parse::<u8>().is_ok_and(|p| p <= if a.is_ipv4() { 32 } else { 128 }))
    };
    if let Some(bad) = ips.iter().find(|s| !valid(s)) {
        return Err(SimError::bad_request(format!("Invalid argument: {bad:?} is not an IP address.")));
    }
    Ok(ips)
}

fn find_endpoint<'a>(objects: impl Iterator<Item = &'a Object>, port: u64) -> Option<&'a Object> {
    objects
        .into_iter()
        .find(|o| o.kind == Kind::AdminEndpoint && o.body.get("port").and_then(Value::as_u64) == Some(port))
}

#[derive(Deserialize)]
struct PortQuery {
    port: Option<String>,
}

/// `GET /api/v2/adminEndpoints?port=` (seed lines 1-55).
async fn list_admin_endpoints(State(sim): State<Arc<Sim>>, Query(query): Query<PortQuery>) -> ApiResult<Json<Value>> {
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

// ------------------------------------------------------------------ IdP and authorization

/// What grpc-gateway v1's default marshaler shows: members with their zero value (empty
/// strings, absent messages) are left out, and these objects carry no ETag in the proto.
fn plain_view(o: &Object) -> Value {
    let mut v = o.view();
    if let Value::Object(m) = &mut v {
        m.remove("ETag");
        m.remove("creationTime");
        m.retain(|_, member| {
            !(member.as_str() == Some("")
                || member.as_object().is_some_and(Map::is_empty)
                || member.as_array().is_some_and(Vec::is_empty))
        });
    }
    v
}

fn invalid() -> SimError {
    SimError::bad_request("Invalid argument.")
}

fn invalid_because(reason: &str) -> SimError {
    SimError::bad_request(format!("Invalid argument: {reason}"))
}

fn named<'a>(store: &'a super::store::Store, kind: Kind, name: &str) -> Option<&'a Object> {
    store.find(kind, None, None, Some(name))
}

fn list_of(sim: &Sim, kind: Kind, key: &str) -> Json<Value> {
    let store = sim.store();
    let items: Vec<Value> = store.list(kind, None).into_iter().map(plain_view).collect();
    Json(json!({ key: items }))
}

/// Moves an object to `from` now and to `to` after the simulator's transition delay.
fn start_transition(sim: &Sim, o: &mut Object, from: &str, to: &'static str) {
    o.set_state(from);
    o.transition =
        Some(super::store::Transition { at: std::time::Instant::now() + sim.cfg().transition_delay, to: Some(to) });
}

const IDP_TYPES: &[&str] = &["unknownIdp", "ADFS"];

fn no_idp() -> SimError {
    SimError::not_found("IdP configuration with the specified name was not found.")
}

/// The IdP members every create and update carries. "Currently only ADFS is supported"
/// (seed), so `unknownIdp` is refused; the issuer must be an http(s) URL, and a proxy
/// URL must follow the documented pattern "http://<server-ip>:<port>".
fn idp_members(body: &Map<String, Value>) -> ApiResult<Value> {
    let issuer = text(body, "idpIssuerURL")?;
    if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
        return Err(invalid_because("idpIssuerURL must be an http(s) URL."));
    }
    if enumeration(body, "type", IDP_TYPES)? != "ADFS" {
        return Err(invalid_because("currently only ADFS is supported."));
    }
    let mut out = json!({"idpIssuerURL": issuer, "type": "ADFS"});
    match body.get("proxyInfo") {
        None | Some(Value::Null) => {}
        Some(Value::Object(proxy)) => {
            let url = text(proxy, "URL")?;
            let port_ok = url
                .strip_prefix("http://")
                .and_then(|rest| rest.rsplit_once(':'))
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok_and(|p| p > 0));
            if !url.is_empty() && !port_ok {
                return Err(invalid_because("proxyInfo.URL must look like http://<server-ip>:<port>."));
            }
            let proxy_out =
                json!({"URL": url, "Username": text(proxy, "Username")?, "Password": text(proxy, "Password")?});
            let proxy_out: Map<String, Value> = proxy_out
                .as_object()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, v)| v.as_str() != Some(""))
                .collect();
            if !proxy_out.is_empty() {
                out["proxyInfo"] = Value::Object(proxy_out);
            }
        }
        Some(other) => return Err(SimError::bad_request(format!("invalid value for message proxyInfo: {other}"))),
    }
    Ok(out)
}

async fn list_idp_configurations(State(sim): State<Arc<Sim>>) -> Json<Value> {
    list_of(&sim, Kind::IdpConfiguration, "idpConfigurations")
}

/// `POST /api/v2/cluster/IdpConfiguration` (seed lines 1050-1135): Creating, then Active.
/// "Currently only a single IdP configuration is supported", and no 409 is listed: a
/// second one is refused with the listed 400.
async fn create_idp_configuration(
    State(sim): State<Arc<Sim>>,
    ProtoJson(IdpConfigurationRequest(body)): ProtoJson<IdpConfigurationRequest>,
) -> ApiResult<Json<Value>> {
    let name = text(&body, "name")?;
    if !super::parse::is_valid_name(&name) {
        return Err(invalid_because("mandatory argument is missing or invalid (name)."));
    }
    let mut members = idp_members(&body)?;
    let mut store = sim.store();
    if !store.list(Kind::IdpConfiguration, None).is_empty() {
        return Err(invalid_because("currently only a single IdP configuration is supported."));
    }
    members["name"] = json!(name);
    let key = store.insert(Kind::IdpConfiguration, members, None).uuid().to_string();
    let obj = store.objects.get_mut(&key).ok_or_else(no_idp)?;
    start_transition(&sim, obj, "Creating", "Active");
    Ok(Json(plain_view(obj)))
}

async fn get_idp_configuration(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let store = sim.store();
    named(&store, Kind::IdpConfiguration, &name).map(|o| Json(plain_view(o))).ok_or_else(no_idp)
}

/// `PUT /api/v2/cluster/IdpConfiguration` (seed lines 1137-1248): no path parameter; the
/// body's `name` selects the object. The whole configuration is replaced (proto3: a
/// member left out is its zero value, so an absent `proxyInfo` removes the proxy).
async fn update_idp_configuration(
    State(sim): State<Arc<Sim>>,
    ProtoJson(IdpConfigurationRequest(body)): ProtoJson<IdpConfigurationRequest>,
) -> ApiResult<Json<Value>> {
    let name = text(&body, "name")?;
    let mut members = idp_members(&body)?;
    let mut store = sim.store();
    let key = named(&store, Kind::IdpConfiguration, &name).map(|o| o.uuid().to_string()).ok_or_else(no_idp)?;
    let obj = store.objects.get_mut(&key).ok_or_else(no_idp)?;
    members["name"] = json!(name);
    members["UUID"] = json!(key);
    obj.body = members;
    obj.etag += 1;
    start_transition(&sim, obj, "Updating", "Active");
    Ok(Json(plain_view(obj)))
}

/// `DELETE …/IdpConfiguration/{name}`. Whether entries that refer to the configuration
/// block it is not documented; they do not here.
async fn delete_idp_configuration(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let mut store = sim.store();
    let key = named(&store, Kind::IdpConfiguration, &name).map(|o| o.uuid().to_string()).ok_or_else(no_idp)?;
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

fn no_auth_map() -> SimError {
    SimError::not_found("Auth map entry not found.")
}

/// The members of an auth map entry, all mandatory. The scope and role formats are not
/// documented, so only their presence is checked; the IdP configuration must exist (not
/// documented either; a dangling reference could never authorize anything).
fn auth_map_members(store: &super::store::Store, body: &Map<String, Value>) -> ApiResult<Value> {
    let mut out = Map::new();
    for member in ["identifier", "scope", "role", "idpConfigurationName"] {
        let value = text(body, member)?;
        if value.is_empty() {
            return Err(invalid_because(&format!("mandatory argument is missing ({member}).")));
        }
        out.insert(member.into(), json!(value));
    }
    let idp = out["idpConfigurationName"].as_str().unwrap_or_default();
    if named(store, Kind::IdpConfiguration, idp).is_none() {
        return Err(invalid_because(&format!("IdP configuration {idp:?} does not exist.")));
    }
    Ok(Value::Object(out))
}

async fn list_auth_maps(State(sim): State<Arc<Sim>>) -> Json<Value> {
    list_of(&sim, Kind::AuthMap, "authMapEntries")
}

/// `POST /api/v2/cluster/authMaps` (seed lines 1483-1540). The seed lists no 409; a
/// duplicate name is answered gRPC AlreadyExists (409), as other named objects are.
async fn create_auth_map(
    State(sim): State<Arc<Sim>>,
    ProtoJson(AuthMapRequest(body)): ProtoJson<AuthMapRequest>,
) -> ApiResult<Json<Value>> {
    let name = text(&body, "name")?;
    if !super::parse::is_valid_name(&name) {
        return Err(invalid_because("mandatory argument is missing or invalid (name)."));
    }
    let mut store = sim.store();
    let mut members = auth_map_members(&store, &body)?;
    if named(&store, Kind::AuthMap, &name).is_some() {
        return Err(SimError::conflict("Auth map entry with the provided name already exists."));
    }
    members["name"] = json!(name);
    Ok(Json(plain_view(store.insert(Kind::AuthMap, members, None))))
}

async fn get_auth_map(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let store = sim.store();
    named(&store, Kind::AuthMap, &name).map(|o| Json(plain_view(o))).ok_or_else(no_auth_map)
}

/// `PUT /api/v2/cluster/authMaps/{name}` (seed lines 1663-1783): every member again; a
/// body `name` other than the path's is refused.
async fn update_auth_map(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
    ProtoJson(AuthMapRequest(body)): ProtoJson<AuthMapRequest>,
) -> ApiResult<Json<Value>> {
    let given = text(&body, "name")?;
    if !given.is_empty() && given != name {
        return Err(invalid_because("the body's name differs from the path's."));
    }
    let mut store = sim.store();
    let key = named(&store, Kind::AuthMap, &name).map(|o| o.uuid().to_string()).ok_or_else(no_auth_map)?;
    let members = auth_map_members(&store, &body)?;
    let obj = store.objects.get_mut(&key).ok_or_else(no_auth_map)?;
    if let (Value::Object(current), Value::Object(new)) = (&mut obj.body, members) {
        current.extend(new);
    }
    obj.etag += 1;
    Ok(Json(plain_view(obj)))
}

async fn delete_auth_map(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let mut store = sim.store();
    let key = named(&store, Kind::AuthMap, &name).map(|o| o.uuid().to_string()).ok_or_else(no_auth_map)?;
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

const AUTHZ_MODES: &[&str] = &["UnknownAuthzMode", "App", "User", "Converge"];
pub(crate) const NOT_APPLICABLE: &str = "NOT_APPLICABLE";

fn no_client_conf() -> SimError {
    SimError::not_found("idp-client-configuration with the specified name was not found.")
}

async fn list_client_confs(State(sim): State<Arc<Sim>>) -> Json<Value> {
    list_of(&sim, Kind::IdpClientConfiguration, "idpClientConfigurations")
}

/// `POST /api/v2/cluster/idpClientConfs` (seed lines 1872-1966; its answer schema is
/// missing, the object is assumed). Rules from the proto (`AuthorizationMode`): the mode
/// must be App, User or Converge; Converge needs clientId `NOT_APPLICABLE` and is allowed
/// once per IdP configuration; User and Converge need a claimName.
async fn create_client_conf(
    State(sim): State<Arc<Sim>>,
    ProtoJson(ClientConfRequest(body)): ProtoJson<ClientConfRequest>,
) -> ApiResult<Json<Value>> {
    let name = text(&body, "name")?;
    let client_id = text(&body, "clientId")?;
    let idp = text(&body, "idpConfigurationName")?;
    let claim = text(&body, "claimName")?;
    let mode = enumeration(&body, "authzMode", AUTHZ_MODES)?;
    if !super::parse::is_valid_name(&name) {
        return Err(invalid_because("mandatory argument is missing or invalid (name)."));
    }
    if mode == "UnknownAuthzMode" {
        return Err(invalid_because("authzMode must be one of App, User, Converge."));
    }
    if mode == "Converge" && client_id != NOT_APPLICABLE {
        return Err(invalid_because("clientId must be NOT_APPLICABLE when authzMode is Converge."));
    }
    if client_id.is_empty() {
        return Err(invalid_because("mandatory argument is missing (clientId)."));
    }
    if mode != "App" && claim.is_empty() {
        return Err(invalid_because("claimName is required when authzMode is User or Converge."));
    }
    let mut store = sim.store();
    if named(&store, Kind::IdpConfiguration, &idp).is_none() {
        return Err(invalid_because(&format!("IdP configuration {idp:?} does not exist.")));
    }
    if named(&store, Kind::IdpClientConfiguration, &name).is_some() {
        return Err(SimError::conflict("idp-client-configuration with the provided name already exists."));
    }
    let clash = store.list(Kind::IdpClientConfiguration, None).into_iter().any(|o| {
        let same_idp = o.body.get("idpConfigurationName").and_then(Value::as_str) == Some(idp.as_str());
        let converge = o.body.get("authzMode").and_then(Value::as_str) == Some("Converge");
        let same_client = o.body.get("clientId").and_then(Value::as_str) == Some(client_id.as_str());
        same_idp && ((mode == "Converge" && converge) || (client_id != NOT_APPLICABLE && same_client))
    });
    if clash {
        return Err(invalid_because(
            "the client ID is already configured (or a Converge entry already exists) for this IdP configuration.",
        ));
    }
    let body = json!({"name": name, "clientId": client_id, "idpConfigurationName": idp, "claimName": claim, "authzMode": mode});
    Ok(Json(plain_view(store.insert(Kind::IdpClientConfiguration, body, None))))
}

async fn get_client_conf(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let store = sim.store();
    named(&store, Kind::IdpClientConfiguration, &name).map(|o| Json(plain_view(o))).ok_or_else(no_client_conf)
}

/// `PUT …/idpClientConfs/{name}` (seed lines 2036-2080): the body has only `name` and
/// `claimName`; the claim stays required for User and Converge.
async fn update_client_conf(
    State(sim): State<Arc<Sim>>,
    Path(name): Path<String>,
    ProtoJson(ClientConfRequest(body)): ProtoJson<ClientConfRequest>,
) -> ApiResult<Json<Value>> {
    let claim = text(&body, "claimName")?;
    let mut store = sim.store();
    let key =
        named(&store, Kind::IdpClientConfiguration, &name).map(|o| o.uuid().to_string()).ok_or_else(no_client_conf)?;
    let obj = store.objects.get_mut(&key).ok_or_else(no_client_conf)?;
    if obj.body.get("authzMode").and_then(Value::as_str) != Some("App") && claim.is_empty() {
        return Err(invalid_because("claimName is required when authzMode is User or Converge."));
    }
    obj.body["claimName"] = json!(claim);
    obj.etag += 1;
    Ok(Json(plain_view(obj)))
}

async fn delete_client_conf(State(sim): State<Arc<Sim>>, Path(name): Path<String>) -> ApiResult<Json<Value>> {
    let mut store = sim.store();
    let key =
        named(&store, Kind::IdpClientConfiguration, &name).map(|o| o.uuid().to_string()).ok_or_else(no_client_conf)?;
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ trusted hosts (Beta)

fn no_host() -> SimError {
    SimError::not_found("Failed to find host name/project.")
}

fn invalid_arguments(reason: &str) -> SimError {
    SimError::bad_request(format!("Invalid arguments: {reason}"))
}

fn find_host<'a>(store: &'a super::store::Store, project: &str, name: &str) -> Option<&'a Object> {
    store.find(Kind::TrustedHost, Some(project), None, Some(name))
}

/// A trusted host as the API shows it: its secrets live beside it, never in it.
fn host_view(o: &Object) -> Value {
    let mut v = plain_view(o);
    if let Value::Object(m) = &mut v {
        for secret in ["hostSecret", "targetSecret", "targetSecretType"] {
            m.remove(secret);
        }
    }
    v
}

/// `labels`: `[{key, value}]`, up to 16, each 1-253 characters of `[a-zA-Z0-9-_.]`
/// (labels.proto, as for volumes).
fn labels(body: &Map<String, Value>) -> ApiResult<Vec<Value>> {
    let items = match body.get("labels") {
        None | Some(Value::Null) => return Ok(vec![]),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => return Err(invalid_arguments(&format!("labels must be a list, got {other}."))),
    };
    if items.len() > 16 {
        return Err(invalid_arguments("a trusted host can have up to 16 labels."));
    }
    items
        .iter()
        .map(|l| {
            let l = l.as_object().ok_or_else(|| invalid_arguments("a label must be an object."))?;
            let (k, v) = (text(l, "key")?, text(l, "value")?);
            if !super::parse::is_valid_name(&k) || !super::parse::is_valid_name(&v) {
                return Err(invalid_arguments(
                    "label keys and values are 1-253 characters of a-z, A-Z, 0-9, '-', '_', '.'.",
                ));
            }
            Ok(json!({"key": k, "value": v}))
        })
        .collect()
}

/// `authRequired` is a string with a boolean meaning, "set by default".
fn auth_required(body: &Map<String, Value>) -> ApiResult<&'static str> {
    match text(body, "authRequired")?.to_ascii_lowercase().as_str() {
        "" | "true" => Ok("true"),
        "false" => Ok("false"),
        other => Err(invalid_arguments(&format!("authRequired must be true or false, got {other:?}."))),
    }
}

/// The list filters; `offsetUUID` and `limit` are accepted and, as the seed says, not
/// supported.
#[derive(Deserialize)]
struct HostsQuery {
    #[serde(rename = "projectName")]
    project_name: Option<String>,
}

/// `GET /api/v2/hosts` (seed lines 2305-2360): all projects, or one; offset and limit are
/// "Not currently supported" and ignored.
async fn list_all_hosts(State(sim): State<Arc<Sim>>, Query(query): Query<HostsQuery>) -> ApiResult<Json<Value>> {
    let store = sim.store();
    let project = query.project_name.filter(|p| !p.is_empty());
    if let Some(p) = &project {
        if project_missing(&store, p) {
            return Err(no_host());
        }
    }
    let hosts: Vec<Value> = store.list(Kind::TrustedHost, project.as_deref()).into_iter().map(host_view).collect();
    Ok(Json(json!({ "hosts": hosts })))
}

/// `GET /api/v2/projects/{projectName}/trustedHosts` (seed, "Return a list of trusted hosts"): every host of
/// the project. `offsetUUID` and `limit` are "Not currently supported" (seed), so they are
/// taken and ignored, as on `/api/v2/hosts`.
async fn list_project_hosts(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    Query(_ignored): Query<HostsQuery>,
) -> ApiResult<Json<Value>> {
    let store = sim.store();
    if project_missing(&store, &project) {
        return Err(no_host());
    }
    let hosts: Vec<Value> = store.list(Kind::TrustedHost, Some(&project)).into_iter().map(host_view).collect();
    Ok(Json(json!({ "hosts": hosts })))
}

/// `POST …/trustedHosts` (seed lines 2640-2700): `name`, `hostNqn` required; 409 when
/// the project already has a host of that name.
async fn create_host(
    State(sim): State<Arc<Sim>>,
    Path(project): Path<String>,
    ProtoJson(TrustedHostRequest(body)): ProtoJson<TrustedHostRequest>,
) -> ApiResult<Json<Value>> {
    let name = text(&body, "name")?;
    let nqn = text(&body, "hostNqn")?;
    if !super::parse::is_valid_name(&name) {
        return Err(invalid_arguments("name is missing or holds illegal characters."));
    }
    if !nqn.starts_with("nqn.") || nqn.chars().any(char::is_whitespace) || nqn.len() > 223 {
        return Err(invalid_arguments("hostNqn must be an NVMe qualified name (nqn.yyyy-mm.…, at most 223 bytes)."));
    }
    let labels = labels(&body)?;
    let auth = auth_required(&body)?;
    let mut store = sim.store();
    if project_missing(&store, &project) {
        return Err(no_host());
    }
    if find_host(&store, &project, &name).is_some() {
        return Err(SimError::conflict("Host with the provided host name and project name already exists."));
    }
    let body = json!({"name": name, "projectName": project, "hostNqn": nqn, "labels": labels, "authRequired": auth,
                      "targetSecretType": "Disabled"});
    Ok(Json(host_view(store.insert(Kind::TrustedHost, body, None))))
}

async fn get_host(
    State(sim): State<Arc<Sim>>,
    Path((project, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let store = sim.store();
    find_host(&store, &project, &name).map(|o| Json(host_view(o))).ok_or_else(no_host)
}

/// `PUT …/trustedHosts/{name}` (seed lines 2860-2920): labels and authRequired;
/// "Currently update of hostNqn is not supported": a different one is refused.
async fn update_host(
    State(sim): State<Arc<Sim>>,
    Path((project, name)): Path<(String, String)>,
    ProtoJson(TrustedHostRequest(body)): ProtoJson<TrustedHostRequest>,
) -> ApiResult<Json<Value>> {
    let nqn = text(&body, "hostNqn")?;
    let labels = labels(&body)?;
    let auth = auth_required(&body)?;
    let mut store = sim.store();
    let key = find_host(&store, &project, &name).map(|o| o.uuid().to_string()).ok_or_else(no_host)?;
    let obj = store.objects.get_mut(&key).ok_or_else(no_host)?;
    if !nqn.is_empty() && obj.body.get("hostNqn").and_then(Value::as_str) != Some(nqn.as_str()) {
        return Err(invalid_arguments("currently update of hostNqn is not supported."));
    }
    obj.body["labels"] = json!(labels);
    obj.body["authRequired"] = json!(auth);
    obj.etag += 1;
    Ok(Json(host_view(obj)))
}

async fn delete_host(
    State(sim): State<Arc<Sim>>,
    Path((project, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let mut store = sim.store();
    let key = find_host(&store, &project, &name).map(|o| o.uuid().to_string()).ok_or_else(no_host)?;
    store.objects.remove(&key);
    Ok(Json(json!({})))
}

const TARGET_SECRET_TYPES: &[&str] = &["Disabled", "Enabled", "AutoGenSecret"];

/// `GET …/trustedHostSecrets/{name}` (seed lines 2362-2470): the host and its secrets.
async fn get_host_secrets(
    State(sim): State<Arc<Sim>>,
    Path((project, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let store = sim.store();
    let o = find_host(&store, &project, &name).ok_or_else(no_host)?;
    let member = |m: &str| o.body.get(m).cloned().unwrap_or(json!(""));
    let mut out = json!({"host": host_view(o), "targetSecretType": member("targetSecretType")});
    for secret in ["hostSecret", "targetSecret"] {
        if member(secret) != "" {
            out[secret] = member(secret);
        }
    }
    Ok(Json(out))
}

/// `PUT …/trustedHostSecrets/{name}` (seed lines 2472-2580). "Specifying a host secret is
/// mandatory for trusted connect of this host": a host without one must get one. Whether
/// a later PUT may leave it out (keeping the current one) is not documented; it may here,
/// so that the target side can be changed or disabled without repeating the host secret.
/// "If no target secret is specified, the target secret type will be set to disable"
/// (except AutoGenSecret, which makes one). A host secret cannot be removed.
async fn set_host_secrets(
    State(sim): State<Arc<Sim>>,
    Path((project, name)): Path<(String, String)>,
    ProtoJson(SecretsRequest(body)): ProtoJson<SecretsRequest>,
) -> ApiResult<Json<Value>> {
    let host_secret = text(&body, "hostSecret")?;
    let target_secret = text(&body, "targetSecret")?;
    let mut kind = enumeration(&body, "targetSecretType", TARGET_SECRET_TYPES)?;
    let mut store = sim.store();
    let key = find_host(&store, &project, &name).map(|o| o.uuid().to_string()).ok_or_else(no_host)?;
    let obj = store.objects.get_mut(&key).ok_or_else(no_host)?;
    let has_host_secret = obj.body.get("hostSecret").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    if host_secret.is_empty() && !has_host_secret {
        return Err(invalid_arguments("hostSecret is mandatory."));
    }
    let target = match kind {
        "Enabled" if target_secret.is_empty() => {
            kind = "Disabled";
            String::new()
        }
        "Enabled" => target_secret,
        "AutoGenSecret" => format!("DHHC-1:00:{}:", uuid::Uuid::new_v4().simple()),
        _ => String::new(),
    };
    if !host_secret.is_empty() {
        obj.body["hostSecret"] = json!(host_secret);
    }
    obj.body["targetSecret"] = json!(target);
    obj.body["targetSecretType"] = json!(kind);
    obj.etag += 1;
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ cluster authentication

/// Federated and in-band authentication switches of the cluster; `GET /api/v2/cluster`
/// shows them, and so does `GET /_sim/authentication`.
#[derive(Default, Clone)]
pub(crate) struct AuthSwitches {
    pub(crate) federated: bool,
    pub(crate) in_band: std::collections::BTreeMap<String, bool>,
}

fn with_switches<T>(sim: &Arc<Sim>, f: impl FnOnce(&mut AuthSwitches) -> T) -> T {
    f(&mut sim.auth_switches.lock().unwrap_or_else(|p| p.into_inner()))
}

async fn authentication_state(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let s = with_switches(&sim, |s| s.clone());
    Json(json!({"federatedAuthentication": s.federated, "inBandAuth": s.in_band}))
}

/// `POST /api/v2/cluster/federatedAuthentication/enable|disable` (seed lines 1785-1842):
/// `{}` in and out; codes 200, 401, 403 only, so repeating either is no error.
async fn enable_federated(State(sim): State<Arc<Sim>>) -> Json<Value> {
    with_switches(&sim, |s| s.federated = true);
    Json(json!({}))
}

async fn disable_federated(State(sim): State<Arc<Sim>>) -> Json<Value> {
    with_switches(&sim, |s| s.federated = false);
    Json(json!({}))
}

/// The subsystem of an in-band request: "If not specified, the cluster level will be
/// assumed. Currently only supported for the default subsystem: DefaultSubSystem." The
/// seed lists no 400; refusing other names with one is the simulator's reading.
fn subsystem(body: &Map<String, Value>) -> ApiResult<String> {
    let name = text(body, "subsystemNqnName")?;
    match name.as_str() {
        "" | "DefaultSubSystem" => Ok("DefaultSubSystem".into()),
        other => Err(invalid_because(&format!("subsystem {other:?}: only DefaultSubSystem is supported."))),
    }
}

async fn enable_in_band(
    State(sim): State<Arc<Sim>>,
    ProtoJson(InBandRequest(body)): ProtoJson<InBandRequest>,
) -> ApiResult<Json<Value>> {
    let name = subsystem(&body)?;
    with_switches(&sim, |s| s.in_band.insert(name, true));
    Ok(Json(json!({})))
}

async fn disable_in_band(
    State(sim): State<Arc<Sim>>,
    ProtoJson(InBandRequest(body)): ProtoJson<InBandRequest>,
) -> ApiResult<Json<Value>> {
    let name = subsystem(&body)?;
    with_switches(&sim, |s| s.in_band.insert(name, false));
    Ok(Json(json!({})))
}

// ------------------------------------------------------------------ roles (read-only)

/// The roles every project has. The seed documents the answers, not which roles exist;
/// these two, with rules in the documented `rulesJson` shape, stand in for them. Roles
/// stored as `Kind::Role` objects (added out of band) are listed after them.
fn builtin_roles(project: &str) -> Vec<Value> {
    [
        ("admin", r#"[{"resources":["*"],"actions":["*"]}]"#),
        ("viewer", r#"[{"resources":["*"],"actions":["get","list"]}]"#),
    ]
    .iter()
    .map(|(name, rules)| json!({"name": name, "projectName": project, "rulesJson": rules}))
    .collect()
}

fn roles_of(store: &super::store::Store, project: &str) -> Vec<Value> {
    let mut roles = builtin_roles(project);
    roles.extend(store.list(Kind::Role, Some(project)).into_iter().map(|o| {
        let mut v = plain_view(o);
        if let Value::Object(m) = &mut v {
            m.remove("UUID");
        }
        v
    }));
    roles
}

/// `GET /api/v2/projects/{projectName}/roles` (seed lines 5300-5345).
async fn list_roles(State(sim): State<Arc<Sim>>, Path(project): Path<String>) -> ApiResult<Json<Value>> {
    let store = sim.store();
    if project_missing(&store, &project) {
        return Err(invalid());
    }
    Ok(Json(json!({ "roles": roles_of(&store, &project) })))
}

/// `GET /api/v2/projects/{projectName}/roles/{name}` (seed lines 5347-5400): the role
/// inside a `role` wrapper.
async fn get_role(
    State(sim): State<Arc<Sim>>,
    Path((project, name)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let store = sim.store();
    let role = roles_of(&store, &project).into_iter().find(|r| r["name"] == name.as_str());
    role.map(|r| Json(json!({ "role": r }))).ok_or_else(|| SimError::not_found("Provided role name is not found."))
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
