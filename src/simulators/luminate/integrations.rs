//! Cloud (AWS) integrations, DNS resiliency groups and servers, SSH clients (models
//! §3.10-§3.12, §4.9-§4.11).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::connectors::now_rfc3339;
use super::error::JsonBody;
use super::handlers::{contains_ignoring_case, params, spring_page, QueryParams};
use super::store::{Kind, Store};
use super::{Sim, SimError};

/// The AWS account the tenant's integrations trust (server-set, one per tenant; the
/// value is made up).
pub const LUMINATE_AWS_ACCOUNT_ID: &str = "123456789012";

pub fn routes() -> Router<Arc<Sim>> {
    let groups = "/v2/wss-integration-tenant/dns-groups";
    Router::new()
        .route("/v2/cloud-integrations/integrations", post(create_integration).get(list_integrations))
        .route(
            "/v2/cloud-integrations/integrations/{id}",
            get(get_integration).put(update_integration).delete(delete_integration),
        )
        .route(groups, post(create_group).get(list_groups))
        .route(&format!("{groups}/enableByIds"), post(enable_groups))
        .route(&format!("{groups}/{{group}}"), get(get_group).put(update_group).delete(delete_group))
        // The SDK's paths end with a slash (models §3.11); without one is taken too.
        .route(&format!("{groups}/{{group}}/servers/"), post(create_server).get(list_servers))
        .route(&format!("{groups}/{{group}}/servers"), post(create_server).get(list_servers))
        .route(&format!("{groups}/{{group}}/servers/delete-by-ids"), post(delete_servers))
        .route(&format!("{groups}/{{group}}/servers/{{server}}"), get(get_server).put(update_server))
        .route("/v2/ssh-clients", get(list_ssh_clients))
}

/// The tenant's SSH clients: the API only lists them (models §3.12), so a fresh tenant
/// has a few. Tests add more with `POST /_sim/objects/ssh_client`.
pub(super) fn seed(store: &mut Store) {
    for (id, name, description) in [
        ("5b0c3f1e-7d52-4a8e-9c61-0f2b8e4d1a01", "ci-runner", "Build machines"),
        ("5b0c3f1e-7d52-4a8e-9c61-0f2b8e4d1a02", "ops-laptop", "Operations"),
    ] {
        store.insert(
            Kind::SshClient,
            json!({
                "id": id,
                "name": name,
                "description": description,
                "key_size": 4096,
                "created_on": "2025-01-15T09:30:00Z",
                "modified_on": "2025-02-01T12:00:00Z",
                "last_accessed": "2025-03-01T08:15:00Z",
                "expires": "2026-01-15T09:30:00Z",
            }),
        );
    }
}

fn text(body: &Value, key: &str) -> String {
    body.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

// ---------------------------------------------------------------------------------------
// Cloud integrations (models §3.10, §4.9)

fn integration_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Cloud integration {id} not found"))
}

/// CloudIntegrationPost / CloudIntegrationPut keys; server-set ones are checked, not taken.
#[derive(Deserialize)]
struct IntegrationBody {
    name: Option<String>,
    provider: Option<String>,
    regions: Option<Vec<String>>,
    hostname_tag_name: Option<String>,
    aws_role_arn: Option<String>,
    aws_external_id: Option<String>,
    luminate_aws_account_id: Option<String>,
}

fn valid_integration(body: &IntegrationBody) -> Result<String, SimError> {
    // `amazon` is the one CloudIntegrationProvider (models §4.9).
    if body.provider.as_deref() != Some("amazon") {
        return Err(SimError::invalid("provider: must be amazon"));
    }
    match body.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(SimError::invalid("name: must not be blank")),
    }
}

/// CreateACloudIntegration: 201 (models §3.10). 409 (documented) for a name in use.
/// The body may come without Content-Type (the Go provider's raw call); `JsonBody`
/// reads it as JSON anyway.
async fn create_integration(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<IntegrationBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let name = valid_integration(&body)?;
    let mut store = sim.store();
    if store.name_taken(Kind::CloudIntegration, &name, None) {
        return Err(SimError::conflict("name", &name));
    }
    let now = now_rfc3339();
    // Every key of the model, unset ones empty: Spring answers show empty lists and
    // nulls rather than omitting them (the site sample of seed 001).
    let integration = json!({
        "name": name,
        "provider": "amazon",
        "id": uuid::Uuid::new_v4().to_string(),
        "created_at": now,
        "updated_at": now,
        "aws_external_id": uuid::Uuid::new_v4().to_string(),
        "aws_role_arn": null,
        "regions": body.regions.clone().unwrap_or_default(),
        "hostname_tag_name": body.hostname_tag_name.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| "Name".into()),
        "health": {"status": "Pending", "message": "The integration has no role yet"},
        "luminate_aws_account_id": LUMINATE_AWS_ACCOUNT_ID,
    });
    Ok((StatusCode::CREATED, Json(store.insert(Kind::CloudIntegration, integration))))
}

/// ListCloudIntegrations: a bare JSON array (models §3.10). `noHealthCheck=true` (sent by
/// the provider, absent from the SDK) is accepted; health is stored, never probed.
async fn list_integrations(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    params(query)?;
    let all: Vec<Value> = sim.store().of_kind(Kind::CloudIntegration).map(|o| o.body.clone()).collect();
    Ok(Json(Value::Array(all)))
}

async fn get_integration(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let integration = store.get(Kind::CloudIntegration, &id).ok_or_else(|| integration_not_found(&id))?;
    Ok(Json(integration.body.clone()))
}

/// UpdateACloudIntegration: a whole-object replace of CloudIntegrationPut (`name`,
/// `provider`, `aws_role_arn` always; `regions`, `hostname_tag_name`), 200. The
/// server-set `aws_external_id` and `luminate_aws_account_id` may be echoed (the Go
/// provider sends them) but not changed: a different value is a 400, a guess, since
/// the documents say they are the service's.
async fn update_integration(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<IntegrationBody>,
) -> Result<Json<Value>, SimError> {
    let name = valid_integration(&body)?;
    let mut store = sim.store();
    let current = store.get(Kind::CloudIntegration, &id).ok_or_else(|| integration_not_found(&id))?.body.clone();
    for (key, sent) in
        [("aws_external_id", &body.aws_external_id), ("luminate_aws_account_id", &body.luminate_aws_account_id)]
    {
        if let Some(sent) = sent.as_deref().filter(|s| !s.is_empty()) {
            if sent != text(&current, key) {
                return Err(SimError::invalid(format!("{key}: is set by the service and cannot be changed")));
            }
        }
    }
    let Some(role) = body.aws_role_arn.clone() else {
        return Err(SimError::invalid("aws_role_arn: must not be null"));
    };
    if store.name_taken(Kind::CloudIntegration, &name, Some(&id)) {
        return Err(SimError::conflict("name", &name));
    }
    let mut integration = current;
    integration["name"] = json!(name);
    integration["aws_role_arn"] = if role.is_empty() { Value::Null } else { json!(role) };
    integration["regions"] = json!(body.regions.clone().unwrap_or_default());
    if let Some(tag) = body.hostname_tag_name.clone().filter(|h| !h.is_empty()) {
        integration["hostname_tag_name"] = json!(tag);
    }
    integration["updated_at"] = json!(now_rfc3339());
    integration["health"] = if role.is_empty() {
        json!({"status": "Pending", "message": "The integration has no role yet"})
    } else {
        json!({"status": "Healthy"})
    };
    Ok(Json(store.insert(Kind::CloudIntegration, integration)))
}

/// The provider requires 204 (models §1.5).
async fn delete_integration(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::CloudIntegration, &id).ok_or_else(|| integration_not_found(&id))?;
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------
// DNS resiliency (models §3.11, §4.10)
//
// GetADNSGroup documents no 404, yet an unknown id must answer something: 404, as the
// sibling server routes document. Whether a group is enabled is not in DnsGroupOutput;
// the simulator shows it in `status` (`Enabled` / `Disabled`, a guess at what the
// server-set status means). New groups start enabled (not documented either).

const GROUP_ENABLED: &str = "Enabled";
const GROUP_DISABLED: &str = "Disabled";

fn group_not_found(id: &str) -> SimError {
    SimError::not_found(format!("DNS group {id} not found"))
}

fn server_not_found(id: &str) -> SimError {
    SimError::not_found(format!("DNS server {id} not found"))
}

/// DnsGroupInput: every key is always sent by the Go client.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupBody {
    name: Option<String>,
    domain_suffixes: Option<Vec<String>>,
    send_notifications: Option<bool>,
}

fn valid_group(body: &GroupBody) -> Result<(String, Vec<String>, bool), SimError> {
    let name = match body.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => return Err(SimError::invalid("name: must not be blank")),
    };
    let suffixes = body.domain_suffixes.clone().unwrap_or_default();
    if suffixes.is_empty() || suffixes.iter().any(|s| s.trim().is_empty()) {
        return Err(SimError::invalid("domainSuffixes: must hold at least one non-blank suffix"));
    }
    let notify = body.send_notifications.ok_or_else(|| SimError::invalid("sendNotifications: must not be null"))?;
    Ok((name, suffixes, notify))
}

/// CreateADNSGroup: 201 DnsGroupOutput; 409 (documented) for a name in use.
async fn create_group(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let (name, suffixes, notify) = valid_group(&body)?;
    let mut store = sim.store();
    if store.name_taken(Kind::DnsGroup, &name, None) {
        return Err(SimError::conflict("name", &name));
    }
    let group = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "name": name,
        "status": GROUP_ENABLED,
        "domainSuffixes": suffixes,
        "sendNotifications": notify,
        "servers": [],
        "serverInUsed": "",
        "activeServerAddress": "",
    });
    Ok((StatusCode::CREATED, Json(store.insert(Kind::DnsGroup, group))))
}

async fn get_group(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let group = store.get(Kind::DnsGroup, &id).ok_or_else(|| group_not_found(&id))?;
    Ok(Json(group.body.clone()))
}

/// UpdateADNSGroup: the client's three keys replaced, the server-set ones kept; 200.
/// It lists no 409, so a clashing name is taken.
async fn update_group(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<Json<Value>, SimError> {
    let (name, suffixes, notify) = valid_group(&body)?;
    let mut store = sim.store();
    let group = store.get_mut(Kind::DnsGroup, &id).ok_or_else(|| group_not_found(&id))?;
    group.body["name"] = json!(name);
    group.body["domainSuffixes"] = json!(suffixes);
    group.body["sendNotifications"] = json!(notify);
    Ok(Json(group.body.clone()))
}

/// DeleteADNSGroup: its servers go with it; no status documented, 204.
async fn delete_group(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::DnsGroup, &id).ok_or_else(|| group_not_found(&id))?;
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

async fn list_groups(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let filter = params.get("filter").cloned().unwrap_or_default();
    let groups: Vec<Value> = sim
        .store()
        .of_kind(Kind::DnsGroup)
        .filter(|g| contains_ignoring_case(g.name(), &filter))
        .map(|g| g.body.clone())
        .collect();
    Ok(Json(spring_page(groups, &params)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EnableBody {
    enable: Option<bool>,
    group_ids: Option<Vec<String>>,
}

/// EnableOrDisableDNSGroups: all or nothing; 404 (documented) for an unknown id. No
/// success status is documented: 204.
async fn enable_groups(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<EnableBody>,
) -> Result<StatusCode, SimError> {
    let enable = body.enable.ok_or_else(|| SimError::invalid("enable: must not be null"))?;
    let ids = body.group_ids.unwrap_or_default();
    if ids.is_empty() {
        return Err(SimError::invalid("groupIds: must not be empty"));
    }
    let mut store = sim.store();
    if let Some(missing) = ids.iter().find(|id| store.get(Kind::DnsGroup, id).is_none()) {
        return Err(group_not_found(missing));
    }
    for id in &ids {
        if let Some(group) = store.get_mut(Kind::DnsGroup, id) {
            group.body["status"] = json!(if enable { GROUP_ENABLED } else { GROUP_DISABLED });
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// DnsServerInput: every key is always sent by the Go client (`groupId` as `""` on
/// update).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ServerBody {
    name: Option<String>,
    internal_address: Option<String>,
    site_id: Option<String>,
    group_id: Option<String>,
}

fn valid_server(store: &Store, group: &str, body: &ServerBody) -> Result<(String, String, String), SimError> {
    let required = |value: &Option<String>, key: &str| match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(SimError::invalid(format!("{key}: must not be blank"))),
    };
    let name = required(&body.name, "name")?;
    let address = required(&body.internal_address, "internalAddress")?;
    let site = required(&body.site_id, "siteId")?;
    if store.get(Kind::Site, &site).is_none() {
        return Err(SimError::bad_request(format!("Site {site} not found")));
    }
    // A server does not move between groups: a `groupId` naming another group than the
    // path's is refused (the documents do not say a move is possible).
    if let Some(other) = body.group_id.as_deref().filter(|g| !g.is_empty() && *g != group) {
        return Err(SimError::invalid(format!("groupId: {other} is not the group of this request ({group})")));
    }
    Ok((name, address, site))
}

/// Points the group's `serverInUsed` at its first server, or at none.
pub(super) fn refresh_active_server(store: &mut Store, group: &str) {
    let servers: Vec<(String, String)> = store
        .of_kind(Kind::DnsServer)
        .filter(|s| text(&s.body, "groupId") == group)
        .map(|s| (text(&s.body, "id"), text(&s.body, "internalAddress")))
        .collect();
    let Some(g) = store.get_mut(Kind::DnsGroup, group) else { return };
    let ids: Vec<&String> = servers.iter().map(|(id, _)| id).collect();
    g.body["servers"] = json!(ids);
    let in_use = text(&g.body, "serverInUsed");
    let active = servers.iter().find(|(id, _)| *id == in_use).or(servers.first());
    g.body["serverInUsed"] = json!(active.map(|(id, _)| id.as_str()).unwrap_or(""));
    g.body["activeServerAddress"] = json!(active.map(|(_, a)| a.as_str()).unwrap_or(""));
}

/// CreateADNSServer: 201 DnsServerOutput; 409 (documented) for a name in use in the
/// group. An unknown group: 404 (not in this operation's documented errors; see above).
async fn create_server(
    State(sim): State<Arc<Sim>>,
    Path(group): Path<String>,
    JsonBody(body): JsonBody<ServerBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let mut store = sim.store();
    store.get(Kind::DnsGroup, &group).ok_or_else(|| group_not_found(&group))?;
    let (name, address, site) = valid_server(&store, &group, &body)?;
    let taken = store.of_kind(Kind::DnsServer).any(|s| text(&s.body, "groupId") == group && s.name() == name);
    if taken {
        return Err(SimError::conflict("name", &name));
    }
    let now = now_rfc3339();
    let server = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "groupId": group,
        "siteId": site,
        "name": name,
        "internalAddress": address,
        "healthStatus": "Unknown",
        "createdAt": now,
        "updatedAt": now,
    });
    let server = store.insert(Kind::DnsServer, server);
    refresh_active_server(&mut store, &group);
    Ok((StatusCode::CREATED, Json(server)))
}

fn server_of_group<'a>(store: &'a Store, group: &str, id: &str) -> Result<&'a Value, SimError> {
    store
        .get(Kind::DnsServer, id)
        .filter(|s| text(&s.body, "groupId") == group)
        .map(|s| &s.body)
        .ok_or_else(|| server_not_found(id))
}

async fn get_server(
    State(sim): State<Arc<Sim>>,
    Path((group, id)): Path<(String, String)>,
) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    Ok(Json(server_of_group(&store, &group, &id)?.clone()))
}

/// UpdateADNSServer: name, address and site replaced; 200.
async fn update_server(
    State(sim): State<Arc<Sim>>,
    Path((group, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<ServerBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let mut server = server_of_group(&store, &group, &id)?.clone();
    let (name, address, site) = valid_server(&store, &group, &body)?;
    server["name"] = json!(name);
    server["internalAddress"] = json!(address);
    server["siteId"] = json!(site);
    server["updatedAt"] = json!(now_rfc3339());
    let server = store.insert(Kind::DnsServer, server);
    refresh_active_server(&mut store, &group);
    Ok(Json(server))
}

async fn list_servers(State(sim): State<Arc<Sim>>, Path(group): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    store.get(Kind::DnsGroup, &group).ok_or_else(|| group_not_found(&group))?;
    let servers: Vec<Value> =
        store.of_kind(Kind::DnsServer).filter(|s| text(&s.body, "groupId") == group).map(|s| s.body.clone()).collect();
    Ok(Json(Value::Array(servers)))
}

#[derive(Deserialize)]
struct DeleteServersBody {
    /// Capitalised, as the SDK spells it (models §4.10).
    #[serde(rename = "DnsServerIds")]
    ids: Option<Vec<String>>,
}

/// DeleteDNSServers: all or nothing, 404 (documented) for an id not in the group; 204.
/// Deleting the active server makes the next one active.
async fn delete_servers(
    State(sim): State<Arc<Sim>>,
    Path(group): Path<String>,
    JsonBody(body): JsonBody<DeleteServersBody>,
) -> Result<StatusCode, SimError> {
    let ids = body.ids.unwrap_or_default();
    if ids.is_empty() {
        return Err(SimError::invalid("DnsServerIds: must not be empty"));
    }
    let mut store = sim.store();
    store.get(Kind::DnsGroup, &group).ok_or_else(|| group_not_found(&group))?;
    for id in &ids {
        server_of_group(&store, &group, id)?;
    }
    for id in &ids {
        store.remove(id);
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------
// SSH clients (models §3.12, §4.11)

/// GetAllSSHClients: a Spring page; `filter` matches name and description.
async fn list_ssh_clients(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let filter = params.get("filter").cloned().unwrap_or_default();
    let clients: Vec<Value> = sim
        .store()
        .of_kind(Kind::SshClient)
        .filter(|c| {
            contains_ignoring_case(c.name(), &filter) || contains_ignoring_case(&text(&c.body, "description"), &filter)
        })
        .map(|c| c.body.clone())
        .collect();
    Ok(Json(spring_page(clients, &params)))
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode};
    use serde_json::json;

    use crate::simulators::luminate::tests::{api, create_site, token, unlimited};
    use crate::simulators::luminate::Kind;

    const INTEGRATIONS: &str = "/v2/cloud-integrations/integrations";

    #[tokio::test]
    async fn cloud_integrations_are_created_bound_and_deleted() {
        let (_, app) = unlimited();
        let token = token(&app).await;
        let post = json!({"provider": "amazon", "hostname_tag_name": "Name", "name": "aws"});
        let created = api(&app, &token, Method::POST, INTEGRATIONS, Some(post.clone())).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().expect("id").to_string();
        assert_eq!(created.body["luminate_aws_account_id"], super::LUMINATE_AWS_ACCOUNT_ID);
        assert!(created.body["aws_external_id"].is_string());
        assert_eq!(api(&app, &token, Method::POST, INTEGRATIONS, Some(post)).await.status, StatusCode::CONFLICT);

        let item = format!("{INTEGRATIONS}/{id}");
        let mut bind = created.body.clone();
        bind["aws_role_arn"] = json!("arn:aws:iam::1:role/r");
        bind["regions"] = json!(["us-east-1"]);
        let bound = api(&app, &token, Method::PUT, &item, Some(bind.clone())).await;
        assert_eq!(bound.status, StatusCode::OK, "{}", bound.body);
        assert_eq!(bound.body["aws_role_arn"], "arn:aws:iam::1:role/r");
        // Server-set values cannot change; the role must be named.
        let mut forged = bind.clone();
        forged["aws_external_id"] = json!("mine");
        assert_eq!(api(&app, &token, Method::PUT, &item, Some(forged)).await.status, StatusCode::BAD_REQUEST);
        let no_role = json!({"provider": "amazon", "name": "aws"});
        assert_eq!(api(&app, &token, Method::PUT, &item, Some(no_role)).await.status, StatusCode::BAD_REQUEST);

        let listed = api(&app, &token, Method::GET, &format!("{INTEGRATIONS}?noHealthCheck=true"), None).await;
        assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
        assert_eq!(api(&app, &token, Method::DELETE, &item, None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(api(&app, &token, Method::GET, &item, None).await.status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn dns_groups_keep_their_servers_and_switch_on_and_off() {
        let (sim, app) = unlimited();
        let token = token(&app).await;
        let site = create_site(&app, &token, "dc").await;
        let groups = "/v2/wss-integration-tenant/dns-groups";
        let body = json!({"name": "corp", "domainSuffixes": ["corp.example"], "sendNotifications": true});
        let group = api(&app, &token, Method::POST, groups, Some(body)).await;
        assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
        let gid = group.body["id"].as_str().expect("id").to_string();
        let servers = format!("{groups}/{gid}/servers/");
        let server = json!({"name": "ns1", "internalAddress": "10.0.0.53", "siteId": site["id"], "groupId": gid});
        let created = api(&app, &token, Method::POST, &servers, Some(server.clone())).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let sid = created.body["id"].as_str().expect("id").to_string();
        assert_eq!(api(&app, &token, Method::POST, &servers, Some(server)).await.status, StatusCode::CONFLICT);
        let read = api(&app, &token, Method::GET, &format!("{groups}/{gid}"), None).await.body;
        assert_eq!((read["servers"].clone(), read["serverInUsed"].clone()), (json!([sid]), json!(sid)));

        // Updated with `groupId: ""` as the Go provider sends it; another group is refused.
        let item = format!("{groups}/{gid}/servers/{sid}");
        let update = json!({"name": "ns1", "internalAddress": "10.0.0.54", "siteId": site["id"], "groupId": ""});
        assert_eq!(api(&app, &token, Method::PUT, &item, Some(update)).await.body["internalAddress"], "10.0.0.54");
        let moved =
            json!({"name": "ns1", "internalAddress": "10.0.0.54", "siteId": site["id"], "groupId": "elsewhere"});
        assert_eq!(api(&app, &token, Method::PUT, &item, Some(moved)).await.status, StatusCode::BAD_REQUEST);

        let off = json!({"enable": false, "groupIds": [gid]});
        let toggled = api(&app, &token, Method::POST, &format!("{groups}/enableByIds"), Some(off)).await;
        assert_eq!(toggled.status, StatusCode::NO_CONTENT);
        assert_eq!(api(&app, &token, Method::GET, &format!("{groups}/{gid}"), None).await.body["status"], "Disabled");

        let delete = json!({"DnsServerIds": [sid]});
        let deleted =
            api(&app, &token, Method::POST, &format!("{groups}/{gid}/servers/delete-by-ids"), Some(delete.clone()))
                .await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT);
        assert_eq!(api(&app, &token, Method::GET, &format!("{groups}/{gid}"), None).await.body["serverInUsed"], "");
        let again =
            api(&app, &token, Method::POST, &format!("{groups}/{gid}/servers/delete-by-ids"), Some(delete)).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert_eq!(
            api(&app, &token, Method::DELETE, &format!("{groups}/{gid}"), None).await.status,
            StatusCode::NO_CONTENT
        );
        assert_eq!(sim.count(Kind::DnsGroup), 0);
    }

    #[tokio::test]
    async fn ssh_clients_are_seeded_and_paged() {
        let (_, app) = unlimited();
        let token = token(&app).await;
        let page = api(&app, &token, Method::GET, "/v2/ssh-clients?filter=ci&page=0&size=100", None).await.body;
        assert_eq!(page["content"][0]["name"], "ci-runner");
        assert_eq!(page["content"][0]["key_size"], 4096);
        assert_eq!(page["last"], true);
    }
}
