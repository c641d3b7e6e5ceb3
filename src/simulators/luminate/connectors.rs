//! Connectors and their deployment commands, site registration keys (models §3.2, §3.3,
//! §4.3). A site's `connectors` and `connector_objects` list its connectors, kept in step
//! here whenever a connector comes or goes.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::JsonBody;
use super::handlers::{contains_ignoring_case, params, site_not_found, spring_page, QueryParams};
use super::store::{Kind, Object, Store};
use super::{Sim, SimError};

/// DeploymentType (models §4.1).
const DEPLOYMENT_TYPES: &[&str] = &["windows", "linux", "docker-compose", "kubernetes"];

/// The documents name no version; any stable text will do.
const CONNECTOR_VERSION: &str = "4.23.0";

/// "The OTP expires 24 hours after creation" (models §4.3, SDK doc).
const OTP_LIFETIME_HOURS: i64 = 24;

/// A rotated-out key stays valid this long when not revoked at once (models §3.2).
const PREVIOUS_KEY_GRACE_HOURS: i64 = 72;

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v2/connectors", post(create_connector).get(list_connectors))
        .route("/v2/connectors/version", get(connector_version))
        .route("/v2/connectors/{id}", get(get_connector).delete(delete_connector))
        .route("/v2/connectors/{id}/command", get(deployment_command))
        .route(
            "/v2/sites/{site_id}/registration_keys",
            post(rotate_registration_key).get(list_registration_keys).delete(delete_registration_keys),
        )
}

pub(super) fn now_rfc3339() -> String {
    hours_from_now(0)
}

/// RFC 3339 in whole seconds, as the SDK's `time.Time` fields decode it.
fn hours_from_now(hours: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::hours(hours);
    at.replace_nanosecond(0).unwrap_or(at).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A secret shown once: 32 random bytes as hex.
fn secret() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple())
}

fn connector_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Connector {id} not found"))
}

// ---------------------------------------------------------------------------------------
// Connectors

/// The keys a client may send; server-set ones (`otp`, dates, status...) are ignored.
#[derive(Deserialize)]
struct ConnectorBody {
    name: Option<String>,
    deployment_type: Option<String>,
    send_logs: Option<bool>,
    enabled: Option<bool>,
    kubernetes_persistent_volume_name: Option<String>,
}

/// The connector as GET shows it. The OTP is not in it: it is shown once, in the create
/// answer (the SDK doc says it is emptied after registration; the answer of a GET before
/// that is not documented, and a secret shown once is the safer reading).
fn public_connector(body: &Value) -> Value {
    let mut shown = body.clone();
    if let Some(object) = shown.as_object_mut() {
        object.remove("otp");
    }
    shown
}

/// CreateAConnector: `POST /connectors?bind_to_site_id=` (models §3.3), 201.
/// - `bind_to_site_id` is required; an unknown site is a 400, as 404 is not among this
///   operation's documented errors (a guess);
/// - a site in `orchestrator` (the SDK's "Site") mode refuses: "direct Connector creation
///   via API is disabled in this mode" (SDK doc). 403, the server refusing the action, is
///   a guess: the documents do not give the status;
/// - a name already used by a connector of the same site: 409, the documented "already
///   used by an existing object" (whether names are unique per site or per tenant is not
///   documented; per site is the narrower guess).
async fn create_connector(
    State(sim): State<Arc<Sim>>,
    query: QueryParams,
    JsonBody(body): JsonBody<ConnectorBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let params = params(query)?;
    let site_id = params
        .get("bind_to_site_id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| SimError::invalid("bind_to_site_id: must not be null"))?
        .clone();
    let name = match body.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => return Err(SimError::invalid("name: must not be blank")),
    };
    let deployment_type = body.deployment_type.clone().unwrap_or_default();
    if !DEPLOYMENT_TYPES.contains(&deployment_type.as_str()) {
        return Err(SimError::invalid(format!("deployment_type: must be one of {}", DEPLOYMENT_TYPES.join(", "))));
    }
    let mut store = sim.store();
    let site =
        store.get(Kind::Site, &site_id).ok_or_else(|| SimError::bad_request(format!("Site {site_id} not found")))?;
    if site.body.get("authentication_mode").and_then(Value::as_str) == Some("orchestrator") {
        return Err(SimError::new(
            StatusCode::FORBIDDEN,
            "Connector creation via API is disabled for sites in orchestrator authentication mode; use a site registration key",
        ));
    }
    let taken = connectors_of_site(&store, &site_id).iter().any(|c| c.name() == name);
    if taken {
        return Err(SimError::conflict("name", &name));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_rfc3339();
    let volume = body
        .kubernetes_persistent_volume_name
        .clone()
        .filter(|v| !v.is_empty())
        .or_else(|| site.body.get("kubernetes_persistent_volume_name").and_then(Value::as_str).map(str::to_string));
    let connector = json!({
        "id": id,
        "name": name,
        "registered": false,
        "otp": secret(),
        "date_created": now,
        // Not registered yet: the zero time, as the Go client writes it.
        "date_registered": "0001-01-01T00:00:00Z",
        "date_otp_expire": hours_from_now(OTP_LIFETIME_HOURS),
        "send_logs": body.send_logs.unwrap_or(false),
        "enabled": body.enabled.unwrap_or(false),
        "connector_status": "NotConfigured",
        "update_status": "UpToDate",
        "deployment_type": deployment_type,
        "kubernetes_persistent_volume_name": volume,
    });
    store.insert(Kind::Connector, connector.clone());
    attach_to_site(&mut store, &site_id, &connector);
    Ok((StatusCode::CREATED, Json(connector)))
}

/// The connectors of a site, as stored (the site lists their IDs).
fn connectors_of_site<'a>(store: &'a Store, site_id: &str) -> Vec<&'a Object> {
    let ids: Vec<String> = store
        .get(Kind::Site, site_id)
        .and_then(|s| s.body.get("connectors"))
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    ids.iter().filter_map(|id| store.get(Kind::Connector, id)).collect()
}

fn attach_to_site(store: &mut Store, site_id: &str, connector: &Value) {
    let Some(site) = store.get_mut(Kind::Site, site_id) else { return };
    let id = connector.get("id").cloned().unwrap_or(Value::Null);
    push(&mut site.body, "connectors", id);
    refresh_site(store, site_id);
}

/// Rewrites a site's `connector_objects` from its connectors as they are now.
fn refresh_site(store: &mut Store, site_id: &str) {
    let objects: Vec<Value> = connectors_of_site(store, site_id).iter().map(|c| public_connector(&c.body)).collect();
    if let Some(site) = store.get_mut(Kind::Site, site_id) {
        site.body["connector_objects"] = Value::Array(objects);
    }
}

fn push(body: &mut Value, key: &str, item: Value) {
    match body.get_mut(key).and_then(Value::as_array_mut) {
        Some(items) => items.push(item),
        None => body[key] = json!([item]),
    }
}

impl Store {
    /// Keeps related objects consistent after `removed` went: a gone connector leaves its
    /// site's lists; a gone DNS group takes its servers, a gone server leaves its group's
    /// list; a gone site takes its connectors and registration keys with it (the documents do not say whether a site with
    /// connectors can be deleted; DeleteASite lists no 409, so it can, and they go).
    pub(super) fn after_removal(&mut self, removed: &Object) {
        let id = removed.body.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        match removed.kind {
            Kind::Connector => {
                let mut sites = Vec::new();
                for site in self.objects.values_mut().filter(|o| o.kind == Kind::Site) {
                    if let Some(ids) = site.body.get_mut("connectors").and_then(Value::as_array_mut) {
                        let before = ids.len();
                        ids.retain(|c| c.as_str() != Some(&id));
                        if ids.len() != before {
                            sites.push(site.body.get("id").and_then(Value::as_str).unwrap_or_default().to_string());
                        }
                    }
                }
                for site in sites {
                    refresh_site(self, &site);
                }
            }
            Kind::Site => {
                let connectors: Vec<String> = removed
                    .body
                    .get("connectors")
                    .and_then(Value::as_array)
                    .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default();
                for connector in connectors {
                    self.objects.remove(&connector);
                }
                self.objects.retain(|_, o| !(o.kind == Kind::RegistrationKey && key_site(&o.body) == id));
            }
            Kind::DnsGroup => {
                self.objects.retain(|_, o| !(o.kind == Kind::DnsServer && o.body.get("groupId") == Some(&json!(id))));
            }
            Kind::DnsServer => {
                let group = removed.body.get("groupId").and_then(Value::as_str).unwrap_or_default().to_string();
                super::integrations::refresh_active_server(self, &group);
            }
            _ => {}
        }
    }
}

async fn get_connector(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let connector = store.get(Kind::Connector, &id).ok_or_else(|| connector_not_found(&id))?;
    Ok(Json(public_connector(&connector.body)))
}

/// No success status is documented; the provider requires 204 (models §1.5).
async fn delete_connector(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::Connector, &id).ok_or_else(|| connector_not_found(&id))?;
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// `{"deployment_commands": <string>}` (models §4.3). The documents do not show the
/// command's text; this one names the connector and its type, and never carries the OTP
/// (the provider keeps the command in plain state).
async fn deployment_command(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let connector = store.get(Kind::Connector, &id).ok_or_else(|| connector_not_found(&id))?;
    let kind = connector.body.get("deployment_type").and_then(Value::as_str).unwrap_or("linux");
    let command = match kind {
        "kubernetes" => format!("helm install luminate-connector-{id} luminate/connector --set connectorId={id}"),
        "docker-compose" => format!("LUMINATE_CONNECTOR_ID={id} docker compose up -d"),
        "windows" => format!("msiexec /i LuminateConnector.msi CONNECTOR_ID={id} /qn"),
        _ => format!(
            "docker run -d --restart always -e LUMINATE_CONNECTOR_ID={id} luminate/connector:{CONNECTOR_VERSION}"
        ),
    };
    Ok(Json(json!({ "deployment_commands": command })))
}

async fn connector_version() -> Json<Value> {
    Json(json!({ "connector_version": CONNECTOR_VERSION }))
}

/// GetAllConnectors: a Spring page; `filter` matches the name.
async fn list_connectors(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let filter = params.get("filter").cloned().unwrap_or_default();
    let connectors: Vec<Value> = sim
        .store()
        .of_kind(Kind::Connector)
        .filter(|c| contains_ignoring_case(c.name(), &filter))
        .map(|c| public_connector(&c.body))
        .collect();
    Ok(Json(spring_page(connectors, &params)))
}

// ---------------------------------------------------------------------------------------
// Site registration keys (models §3.2, §4.2)
//
// Stored as objects of their own: `{id, site_id, date_created, expiration_date?,
// status, key}`; `site_id` and `key` are the simulator's and are not shown: the key is
// shown once, in the rotate answer, and nothing in the API reads it back.

/// Status of the key new connectors register with, and of the previous one during its
/// grace period. The documents give no status values; these are guesses.
const KEY_ACTIVE: &str = "ACTIVE";
const KEY_EXPIRING: &str = "EXPIRING";

fn key_site(body: &Value) -> &str {
    body.get("site_id").and_then(Value::as_str).unwrap_or_default()
}

fn shown_key(body: &Value) -> Value {
    let mut shown = body.clone();
    if let Some(object) = shown.as_object_mut() {
        object.remove("site_id");
        object.remove("key");
    }
    shown
}

#[derive(Deserialize)]
struct RotateBody {
    revoke_immediately: Option<bool>,
}

/// RotateSiteRegistrationKeys: 201 `{registration_key_id, registration_key}` (the SDK
/// says 200; the provider requires 201, which the lead's ephemeral resource follows).
/// `revoke_immediately` true deletes every existing key; false keeps the previous primary
/// key valid for 72 hours and deletes any older temporary key (SDK doc).
/// The documents say keys are "only meaningful" for sites in the registration-key mode
/// but do not say the API refuses them elsewhere, so any site gets one.
async fn rotate_registration_key(
    State(sim): State<Arc<Sim>>,
    Path(site_id): Path<String>,
    JsonBody(body): JsonBody<RotateBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let revoke = body.revoke_immediately.ok_or_else(|| SimError::invalid("revoke_immediately: must not be null"))?;
    let mut store = sim.store();
    store.get(Kind::Site, &site_id).ok_or_else(|| site_not_found(&site_id))?;
    let mut retired = Vec::new();
    for object in store.objects.values_mut().filter(|o| o.kind == Kind::RegistrationKey) {
        if key_site(&object.body) != site_id {
            continue;
        }
        let status = object.body.get("status").and_then(Value::as_str).unwrap_or_default();
        if revoke || status != KEY_ACTIVE {
            retired.push(object.body.get("id").and_then(Value::as_str).unwrap_or_default().to_string());
        } else {
            object.body["status"] = json!(KEY_EXPIRING);
            object.body["expiration_date"] = json!(hours_from_now(PREVIOUS_KEY_GRACE_HOURS));
        }
    }
    for id in retired {
        store.objects.remove(&id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    let key = secret();
    // The value is kept only for the admin view (`GET /_sim/state`), so that tests can
    // look for leaks of it; the API never shows it again.
    store.insert(
        Kind::RegistrationKey,
        json!({"id": id, "site_id": site_id, "date_created": now_rfc3339(), "status": KEY_ACTIVE, "key": key}),
    );
    Ok((StatusCode::CREATED, Json(json!({"registration_key_id": id, "registration_key": key}))))
}

/// GetSiteRegistrationKeys lists no 404 among its errors (models §3.2): an unknown site
/// is a 400 (a guess, like the other operations without a documented 404).
fn known_site(store: &Store, site_id: &str) -> Result<(), SimError> {
    match store.get(Kind::Site, site_id) {
        Some(_) => Ok(()),
        None => Err(SimError::bad_request(format!("Site {site_id} not found"))),
    }
}

async fn list_registration_keys(
    State(sim): State<Arc<Sim>>,
    Path(site_id): Path<String>,
) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    known_site(&store, &site_id)?;
    let keys: Vec<Value> = store
        .of_kind(Kind::RegistrationKey)
        .filter(|k| key_site(&k.body) == site_id)
        .map(|k| shown_key(&k.body))
        .collect();
    Ok(Json(json!({ "registration_keys": keys })))
}

/// DeleteSiteRegistrationKeys: "cleans the site's registration keys list"; no success
/// status is documented, 204 as for the other deletes.
async fn delete_registration_keys(
    State(sim): State<Arc<Sim>>,
    Path(site_id): Path<String>,
) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    known_site(&store, &site_id)?;
    store.objects.retain(|_, o| !(o.kind == Kind::RegistrationKey && key_site(&o.body) == site_id));
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode};
    use serde_json::json;

    use crate::simulators::luminate::tests::{api, create_site, token, unlimited};
    use crate::simulators::luminate::Kind;

    #[tokio::test]
    async fn connectors_show_the_otp_once_and_are_listed_by_their_site() {
        let (sim, app) = unlimited();
        let token = token(&app).await;
        let site = create_site(&app, &token, "dc1").await;
        let site_id = site["id"].as_str().expect("id").to_string();
        let body = json!({"name": "c1", "deployment_type": "docker-compose", "enabled": false});
        let path = format!("/v2/connectors?bind_to_site_id={site_id}");
        let created = api(&app, &token, Method::POST, &path, Some(body.clone())).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().expect("id").to_string();
        assert!(created.body["otp"].as_str().is_some_and(|o| o.len() == 64));
        // Shown once: reads do not carry it.
        let read = api(&app, &token, Method::GET, &format!("/v2/connectors/{id}"), None).await;
        assert_eq!(read.body["deployment_type"], "docker-compose");
        assert!(read.body.get("otp").is_none());
        let command = api(&app, &token, Method::GET, &format!("/v2/connectors/{id}/command"), None).await;
        assert!(command.body["deployment_commands"].as_str().is_some_and(|c| c.contains(&id)));
        let site = api(&app, &token, Method::GET, &format!("/v2/sites/{site_id}"), None).await.body;
        assert_eq!(site["connectors"], json!([id]));
        assert_eq!(site["connector_objects"][0]["deployment_type"], "docker-compose");

        // The same name in the same site: 409; no site: 400; unknown type: 400.
        assert_eq!(api(&app, &token, Method::POST, &path, Some(body.clone())).await.status, StatusCode::CONFLICT);
        let missing = api(&app, &token, Method::POST, "/v2/connectors", Some(body.clone())).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        let windows95 = json!({"name": "c2", "deployment_type": "windows95"});
        assert_eq!(api(&app, &token, Method::POST, &path, Some(windows95)).await.status, StatusCode::BAD_REQUEST);

        let gone = api(&app, &token, Method::DELETE, &format!("/v2/connectors/{id}"), None).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        assert_eq!(
            api(&app, &token, Method::GET, &format!("/v2/connectors/{id}"), None).await.status,
            StatusCode::NOT_FOUND
        );
        let site = api(&app, &token, Method::GET, &format!("/v2/sites/{site_id}"), None).await.body;
        assert_eq!(site["connector_objects"], json!([]));
        assert_eq!(sim.count(Kind::Connector), 0);
    }

    #[tokio::test]
    async fn orchestrator_sites_refuse_api_connectors_and_deleted_sites_take_theirs() {
        let (sim, app) = unlimited();
        let token = token(&app).await;
        let body = json!({"name": "k8s", "mute_health_notification": false, "authentication_mode": "orchestrator"});
        let site = api(&app, &token, Method::POST, "/v2/sites", Some(body)).await.body;
        let path = format!("/v2/connectors?bind_to_site_id={}", site["id"].as_str().expect("id"));
        let refused =
            api(&app, &token, Method::POST, &path, Some(json!({"name": "c", "deployment_type": "linux"}))).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body["message"].as_str().is_some_and(|m| m.contains("orchestrator")));

        let manual = create_site(&app, &token, "manual").await;
        let manual_id = manual["id"].as_str().expect("id");
        let path = format!("/v2/connectors?bind_to_site_id={manual_id}");
        api(&app, &token, Method::POST, &path, Some(json!({"name": "c", "deployment_type": "linux"}))).await;
        let keys = format!("/v2/sites/{manual_id}/registration_keys");
        api(&app, &token, Method::POST, &keys, Some(json!({"revoke_immediately": true}))).await;
        assert_eq!((sim.count(Kind::Connector), sim.count(Kind::RegistrationKey)), (1, 1));
        api(&app, &token, Method::DELETE, &format!("/v2/sites/{manual_id}"), None).await;
        assert_eq!((sim.count(Kind::Connector), sim.count(Kind::RegistrationKey)), (0, 0));
    }

    #[tokio::test]
    async fn rotating_keeps_the_previous_key_unless_revoked() {
        let (_, app) = unlimited();
        let token = token(&app).await;
        let site = create_site(&app, &token, "dc").await;
        let keys = format!("/v2/sites/{}/registration_keys", site["id"].as_str().expect("id"));
        let first = api(&app, &token, Method::POST, &keys, Some(json!({"revoke_immediately": false}))).await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
        assert!(first.body["registration_key"].as_str().is_some_and(|k| !k.is_empty()));
        let second = api(&app, &token, Method::POST, &keys, Some(json!({"revoke_immediately": false}))).await;
        let listed = api(&app, &token, Method::GET, &keys, None).await.body;
        let list = listed["registration_keys"].as_array().expect("keys");
        assert_eq!(list.len(), 2, "{listed}");
        assert!(list.iter().all(|k| k.get("site_id").is_none() && k.get("registration_key").is_none()));
        let previous = list.iter().find(|k| k["id"] == first.body["registration_key_id"]).expect("previous");
        assert_eq!(previous["status"], "EXPIRING");
        assert!(previous["expiration_date"].is_string());

        // A third rotation drops the older temporary key; revoking drops them all.
        api(&app, &token, Method::POST, &keys, Some(json!({"revoke_immediately": false}))).await;
        let listed = api(&app, &token, Method::GET, &keys, None).await.body;
        assert!(!listed.to_string().contains(first.body["registration_key_id"].as_str().expect("id")));
        assert!(listed.to_string().contains(second.body["registration_key_id"].as_str().expect("id")));
        api(&app, &token, Method::POST, &keys, Some(json!({"revoke_immediately": true}))).await;
        assert_eq!(
            api(&app, &token, Method::GET, &keys, None).await.body["registration_keys"].as_array().map(Vec::len),
            Some(1)
        );
        assert_eq!(api(&app, &token, Method::DELETE, &keys, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api(&app, &token, Method::GET, &keys, None).await.body["registration_keys"], json!([]));

        let missing = api(&app, &token, Method::POST, &keys, Some(json!({}))).await;
        assert_eq!(missing.status, StatusCode::BAD_REQUEST);
        let unknown = "/v2/sites/00000000-0000-0000-0000-000000000000/registration_keys";
        let nowhere = api(&app, &token, Method::POST, unknown, Some(json!({"revoke_immediately": true}))).await;
        assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    }
}
