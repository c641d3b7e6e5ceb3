//! Applications of every type and their binding to sites (models §3.4, §4.4).
//!
//! One wire model for the six creatable types. What the documents say and this simulator
//! does:
//! - create answers 201, update (a whole replace of the client's keys) 200, delete 204;
//!   an unknown application is a 404 with the error body;
//! - the server fills what the client leaves out: `collectionId` (the tenant's default
//!   collection), `subType` (per type), `subdomain` (the name, a guess: the provider
//!   always sends one), and the addresses under the tenant's domain (§3.4 "Server-computed
//!   addresses"); `SEGMENT_SPECIFIC_IPS` is stored as `SEGMENT_RANGE`;
//! - `PUT /applications/{id}/site-binding/{site}` answers 200 with no body, 404 for an
//!   unknown application or site, and 400 while the site is not linked to the
//!   application's collection (the behaviour the provider's fallback relies on).
//!
//! The site binding: the Application model has no site key (§4.4), so GET does not show
//! it. The documents show it in two other places, both kept here: the site's server-set
//! `application_ids` (§4.2) and the list's `siteId` filter (§2). An application is bound
//! to one site; binding it elsewhere moves it (the documents do not say; a guess).

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::error::JsonBody;
use super::handlers::{contains_ignoring_case, params, site_not_found, spring_page, QueryParams};
use super::store::{Kind, Store, DEFAULT_COLLECTION_ID};
use super::{Sim, SimError};

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v2/applications", post(create).get(list))
        .route("/v2/applications/{id}", get(get_one).put(update).delete(remove))
        .route("/v2/applications/{id}/site-binding/{site_id}", put(bind))
}

/// The creatable types and their sub-types (§4.1: `DNS` is not creatable). The first
/// sub-type is the server's default.
const TYPES: &[(&str, &[&str])] = &[
    ("HTTP", &["HTTP_LUMINATE_DOMAIN", "HTTP_CUSTOM_DOMAIN", "HTTP_WILDCARD_DOMAIN"]),
    ("SSH", &[]),
    ("RDP", &["SINGLE_MACHINE", "MULTIPLE_MACHINES", "RDP_BROWSER_SINGLE_MACHINE", "RDP_BROWSER_MULTIPLE_MACHINES"]),
    ("DYNAMIC_SSH", &[]),
    ("TCP", &[]),
    ("SEGMENT", &["SEGMENT_RANGE", "SEGMENT_SPECIFIC_IPS"]),
];

fn app_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Application {id} not found"))
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// The tenant's domain, as the API host without `api.` and the port:
/// `api.acme.luminatesec.com` serves `acme.luminatesec.com`.
fn tenant_domain(headers: &HeaderMap) -> String {
    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("tenant.luminatesec.com");
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    host.replace("api.", "")
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn flag(v: &Value, key: &str, default: bool) -> Result<bool, SimError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(SimError::invalid(format!("{key}: must be a boolean"))),
    }
}

fn object<'a>(v: &'a Value, key: &str) -> Result<Option<&'a Map<String, Value>>, SimError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(SimError::invalid(format!("{key}: must be an object"))),
    }
}

fn array<'a>(v: &'a Value, key: &str) -> Result<&'a [Value], SimError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(SimError::invalid(format!("{key}: must be an array"))),
    }
}

/// Ports are int32 in the model; a port outside 1..65535 is refused.
fn ports(v: &Value, key: &str, at: &str) -> Result<Vec<Value>, SimError> {
    array(v, key)?
        .iter()
        .map(|p| match p.as_u64() {
            Some(n) if (1..=65535).contains(&n) => Ok(json!(n)),
            _ => Err(SimError::invalid(format!("{at}.{key}: {p} is not a port"))),
        })
        .collect()
}

/// The addresses the server computes (models §3.4, from the provider's acceptance tests):
/// `luminateAddress` under the tenant's domain, `externalAddress` the same unless a web
/// application has its own domain. Segment applications are reached by their original
/// addresses and get none (the documents show none; a guess).
fn addresses(
    kind: &str,
    sub_type: Option<&str>,
    subdomain: &str,
    custom: Option<&str>,
    domain: &str,
) -> Option<(String, String)> {
    let sub = subdomain.to_lowercase();
    let luminate = match (kind, sub_type) {
        ("HTTP", _) => format!("https://{sub}.{domain}"),
        ("SSH", _) => format!("{sub}.ssh.{domain}"),
        ("TCP", _) => format!("{sub}.tcp.{domain}"),
        ("RDP", Some(s)) if s.starts_with("RDP_BROWSER") => format!("https://{sub}.{domain}"),
        ("RDP", _) => format!("{sub}.rdp.{domain}"),
        ("DYNAMIC_SSH", _) => format!("{sub}.{domain}"),
        _ => return None,
    };
    let external = match (kind, sub_type, custom) {
        ("HTTP", Some("HTTP_CUSTOM_DOMAIN"), Some(c)) => c.to_string(),
        _ => luminate.clone(),
    };
    Some((luminate, external))
}

/// The application as GET answers it, from a client body and (on update) the stored one.
fn build(store: &Store, id: &str, body: &Value, current: Option<&Value>, domain: &str) -> Result<Value, SimError> {
    if !body.is_object() {
        return Err(SimError::bad_request("The request body must be a JSON object"));
    }
    let name = text(body, "name").map(str::trim).filter(|n| !n.is_empty());
    let name = name.ok_or_else(|| SimError::invalid("name: must not be blank"))?.to_string();
    let kind = text(body, "type").ok_or_else(|| SimError::invalid("type: must not be null"))?;
    let sub_types =
        TYPES.iter().find(|(t, _)| *t == kind).map(|(_, s)| *s).ok_or_else(|| {
            SimError::invalid(format!("type: {kind} is not a type an application can be created with"))
        })?;
    if let Some(before) = current.and_then(|c| text(c, "type")) {
        if before != kind {
            // Not documented; a type is what the rest of the model depends on.
            return Err(SimError::invalid("type: cannot be changed"));
        }
    }
    let sub_type = match text(body, "subType") {
        None => sub_types.first().copied(),
        Some(s) if sub_types.contains(&s) => Some(s),
        Some(s) if sub_types.is_empty() => {
            return Err(SimError::invalid(format!("subType: {kind} applications have no sub-type, got {s}")))
        }
        Some(s) => return Err(SimError::invalid(format!("subType: {s} is not a sub-type of {kind}"))),
    };
    // "The backend turns SEGMENT_SPECIFIC_IPS into SEGMENT_RANGE" (§3.4).
    let sub_type = sub_type.map(|s| if s == "SEGMENT_SPECIFIC_IPS" { "SEGMENT_RANGE" } else { s });

    let collection = match text(body, "collectionId") {
        Some(c) if store.get(Kind::Collection, c).is_some() => c.to_string(),
        Some(c) => return Err(SimError::invalid(format!("collectionId: collection {c} not found"))),
        // On create, the default collection ([SDK doc]); an update without it keeps it.
        None => current.and_then(|c| text(c, "collectionId")).unwrap_or(DEFAULT_COLLECTION_ID).to_string(),
    };
    if store.of_kind(Kind::Application).any(|o| o.name() == name && text(&o.body, "id") != Some(id)) {
        // 409 is among create's and update's documented errors; names are what can clash
        // (a guess: the documents do not say which field must be unique).
        return Err(SimError::conflict("name", &name));
    }

    let settings = object(body, "connectionSettings")?.cloned().unwrap_or_default();
    let settings = Value::Object(settings);
    let internal = text(&settings, "internalAddress");
    if matches!(kind, "HTTP" | "SSH" | "RDP") && internal.is_none() {
        return Err(SimError::invalid("connectionSettings.internalAddress: must not be blank"));
    }
    let subdomain = text(&settings, "subdomain").unwrap_or(&name).to_string();
    let custom = text(&settings, "customExternalAddress");
    let mut connection = json!({
        "internalAddress": internal.unwrap_or_default(),
        "subdomain": subdomain,
    });
    if let Some((luminate, external)) = addresses(kind, sub_type, &subdomain, custom, domain) {
        connection["luminateAddress"] = luminate.into();
        connection["externalAddress"] = external.into();
    }

    let mut app = json!({
        "id": id,
        "name": name,
        "type": kind,
        "isVisible": flag(body, "isVisible", true)?,
        "isNotificationEnabled": flag(body, "isNotificationEnabled", true)?,
        "enabled": flag(body, "enabled", true)?,
        "collectionId": collection,
        "createdOn": current.and_then(|c| c.get("createdOn")).cloned().unwrap_or_else(|| json!(now_ms())),
        "modifiedOn": now_ms(),
    });
    if let Some(icon) = text(body, "icon") {
        app["icon"] = icon.into();
    }
    if let Some(s) = sub_type {
        app["subType"] = s.into();
    }

    match kind {
        "HTTP" => {
            for key in [
                "customRootPath",
                "customExternalAddress",
                "customSSLCertificate",
                "wildcardPrivateKey",
                "healthUrl",
                "healthMethod",
            ] {
                if let Some(v) = text(&settings, key) {
                    connection[key] = v.into();
                }
            }
            let links = Value::Object(object(body, "linkTranslationSettings")?.cloned().unwrap_or_default());
            let mut translation = json!({
                "isDefaultContentRewriteRulesEnabled": flag(&links, "isDefaultContentRewriteRulesEnabled", true)?,
                "isDefaultHeaderRewriteRulesEnabled": flag(&links, "isDefaultHeaderRewriteRulesEnabled", true)?,
                "useExternalAddressForHostAndSni": flag(&links, "useExternalAddressForHostAndSni", false)?,
            });
            let linked = array(&links, "linkedApplications")?;
            if !linked.is_empty() {
                translation["linkedApplications"] = Value::Array(linked.to_vec());
            }
            app["linkTranslationSettings"] = translation;
            // The provider dereferences `headerCustomization` whenever the settings are
            // present (§1.5): never null in an answer.
            let custom = Value::Object(object(body, "requestCustomizationSettings")?.cloned().unwrap_or_default());
            let headers = match custom.get("headerCustomization") {
                None | Some(Value::Null) => json!({}),
                Some(Value::Object(m)) if m.values().all(Value::is_string) => Value::Object(m.clone()),
                Some(_) => {
                    return Err(SimError::invalid(
                        "requestCustomizationSettings.headerCustomization: must be an object of strings",
                    ))
                }
            };
            app["requestCustomizationSettings"] = json!({ "headerCustomization": headers });
        }
        "TCP" => {
            let targets = array(body, "tcpTunnelSettings")?;
            if targets.is_empty() {
                return Err(SimError::invalid("tcpTunnelSettings: must not be empty"));
            }
            let mut tunnels = Vec::with_capacity(targets.len());
            for (i, t) in targets.iter().enumerate() {
                let at = format!("tcpTunnelSettings[{i}]");
                let target =
                    text(t, "target").ok_or_else(|| SimError::invalid(format!("{at}.target: must not be blank")))?;
                let exposed = ports(t, "ports", &at)?;
                if exposed.is_empty() {
                    return Err(SimError::invalid(format!("{at}.ports: must not be empty")));
                }
                let mut tunnel = json!({"target": target, "ports": exposed});
                // "The server may generate" local ports (§4.4): only when asked here, so
                // that what the client sent is what it reads back.
                let mapping = ports(t, "portMapping", &at)?;
                if !mapping.is_empty() {
                    if mapping.len() != tunnel["ports"].as_array().map_or(0, Vec::len) {
                        return Err(SimError::invalid(format!("{at}.portMapping: needs one local port per port")));
                    }
                    tunnel["portMapping"] = Value::Array(mapping);
                }
                tunnels.push(tunnel);
            }
            app["tcpTunnelSettings"] = Value::Array(tunnels);
        }
        "DYNAMIC_SSH" => {
            let data = Value::Object(
                object(body, "cloudIntegrationData")?
                    .cloned()
                    .ok_or_else(|| SimError::invalid("cloudIntegrationData: must not be null"))?,
            );
            let vpcs = array(&data, "vpcs")?;
            if vpcs.is_empty() {
                return Err(SimError::invalid("cloudIntegrationData.vpcs: must not be empty"));
            }
            for (i, vpc) in vpcs.iter().enumerate() {
                for key in ["integration_id", "region", "vpc", "cidr_block"] {
                    if text(vpc, key).is_none() {
                        return Err(SimError::invalid(format!(
                            "cloudIntegrationData.vpcs[{i}].{key}: must not be blank"
                        )));
                    }
                }
            }
            // Server-set from the cloud integration (§4.4): kept once assigned.
            let segment = current
                .and_then(|c| c.pointer("/cloudIntegrationData/segmentId"))
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            app["cloudIntegrationData"] = json!({"tags": array(&data, "tags")?, "segmentId": segment, "vpcs": vpcs});
        }
        "SEGMENT" => {
            let single = object(body, "segmentSettings")?;
            let many = array(body, "multipleSegmentSettings")?;
            if single.is_none() && many.is_empty() {
                return Err(SimError::invalid("multipleSegmentSettings: a segment application needs an address"));
            }
            let original = |v: &Value| -> Result<Value, SimError> {
                match text(v, "originalIp") {
                    Some(ip) => Ok(json!({"originalIp": ip})),
                    None => Err(SimError::invalid("originalIp: must not be blank")),
                }
            };
            if let Some(s) = single {
                app["segmentSettings"] = original(&Value::Object(s.clone()))?;
            }
            // Non-omitempty in the segment view (§4.4): always in the answer.
            app["multipleSegmentSettings"] = Value::Array(many.iter().map(original).collect::<Result<_, _>>()?);
        }
        _ => {}
    }
    app["connectionSettings"] = connection;
    Ok(app)
}

/// Every site an application is bound to loses it (`application_ids`, §4.2).
fn unbind_everywhere(store: &mut Store, app: &str) {
    for object in store.objects.values_mut().filter(|o| o.kind == Kind::Site) {
        if let Some(Value::Array(ids)) = object.body.get_mut("application_ids") {
            ids.retain(|x| x.as_str() != Some(app));
        }
    }
}

async fn create(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let mut store = sim.store();
    let id = uuid::Uuid::new_v4().to_string();
    let app = build(&store, &id, &body, None, &tenant_domain(&headers))?;
    Ok((StatusCode::CREATED, Json(store.insert(Kind::Application, app))))
}

async fn get_one(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let app = store.get(Kind::Application, &id).ok_or_else(|| app_not_found(&id))?;
    Ok(Json(app.body.clone()))
}

async fn update(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let current = store.get(Kind::Application, &id).ok_or_else(|| app_not_found(&id))?.body.clone();
    let app = build(&store, &id, &body, Some(&current), &tenant_domain(&headers))?;
    Ok(Json(store.insert(Kind::Application, app)))
}

async fn remove(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::Application, &id).ok_or_else(|| app_not_found(&id))?;
    // The binding goes with it (`Store::remove`).
    store.remove(&id);
    // The provider requires 204 (models §1.5).
    Ok(StatusCode::NO_CONTENT)
}

/// GetAllApplications: Spring pages; `filter` searches names, `type` and `siteId` are
/// exact.
async fn list(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let store = sim.store();
    let on_site: Option<Vec<Value>> = match params.get("siteId") {
        Some(site) => {
            let site = store.get(Kind::Site, site).ok_or_else(|| site_not_found(site))?;
            Some(site.body.get("application_ids").and_then(Value::as_array).cloned().unwrap_or_default())
        }
        None => None,
    };
    let filter = params.get("filter").cloned().unwrap_or_default();
    let apps: Vec<Value> = store
        .of_kind(Kind::Application)
        .filter(|a| contains_ignoring_case(a.name(), &filter))
        .filter(|a| params.get("type").is_none_or(|t| text(&a.body, "type") == Some(t.as_str())))
        .filter(|a| on_site.as_ref().is_none_or(|ids| ids.iter().any(|x| x.as_str() == text(&a.body, "id"))))
        .map(|a| a.body.clone())
        .collect();
    Ok(Json(spring_page(apps, &params)))
}

/// BindAnApplicationToASite: 200 without a body (the provider requires 200, §1.5).
async fn bind(State(sim): State<Arc<Sim>>, Path((id, site)): Path<(String, String)>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let app = store.get(Kind::Application, &id).ok_or_else(|| app_not_found(&id))?;
    let collection = text(&app.body, "collectionId").unwrap_or(DEFAULT_COLLECTION_ID).to_string();
    store.get(Kind::Site, &site).ok_or_else(|| site_not_found(&site))?;
    if !store.links.contains(&(collection.clone(), site.clone())) {
        return Err(SimError::bad_request(format!(
            "Site {site} is not linked to collection {collection} of application {id}"
        )));
    }
    unbind_everywhere(&mut store, &id);
    if let Some(site) = store.get_mut(Kind::Site, &site) {
        match site.body.get_mut("application_ids") {
            Some(Value::Array(ids)) => ids.push(json!(id)),
            _ => site.body["application_ids"] = json!([id]),
        }
    }
    Ok(StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode};
    use serde_json::{json, Value};

    use super::super::tests::{api, create_site, token, unlimited};
    use super::super::DEFAULT_COLLECTION_ID;

    fn ssh(name: &str) -> Value {
        json!({"name": name, "type": "SSH", "isVisible": true, "isNotificationEnabled": true, "enabled": true,
               "connectionSettings": {"internalAddress": "tcp://10.0.0.1:22"}})
    }

    #[tokio::test]
    async fn applications_are_created_read_updated_listed_and_deleted() {
        let (_, app) = unlimited();
        let t = token(&app).await;
        let created = api(&app, &t, Method::POST, "/v2/applications", Some(ssh("Shell"))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let id = created.body["id"].as_str().expect("id").to_string();
        // Server-set: the default collection, the subdomain from the name, the addresses.
        assert_eq!(created.body["collectionId"], DEFAULT_COLLECTION_ID);
        assert_eq!(created.body["connectionSettings"]["subdomain"], "Shell");
        assert_eq!(created.body["connectionSettings"]["luminateAddress"], "shell.ssh.tenant.luminatesec.com");
        assert_eq!(created.body["connectionSettings"]["externalAddress"], "shell.ssh.tenant.luminatesec.com");

        let same_name = api(&app, &t, Method::POST, "/v2/applications", Some(ssh("Shell"))).await;
        assert_eq!(same_name.status, StatusCode::CONFLICT);

        let mut changed = ssh("Shell");
        changed["isVisible"] = json!(false);
        changed["connectionSettings"]["subdomain"] = json!("term");
        let updated = api(&app, &t, Method::PUT, &format!("/v2/applications/{id}"), Some(changed)).await;
        assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
        assert_eq!(updated.body["isVisible"], false);
        assert_eq!(updated.body["connectionSettings"]["luminateAddress"], "term.ssh.tenant.luminatesec.com");
        assert_eq!(updated.body["createdOn"], created.body["createdOn"]);
        let mut retyped = ssh("Shell");
        retyped["type"] = json!("RDP");
        let refused = api(&app, &t, Method::PUT, &format!("/v2/applications/{id}"), Some(retyped)).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);

        let web = json!({"name": "Wiki", "type": "HTTP", "connectionSettings": {"internalAddress": "http://10.0.0.2"}});
        let web = api(&app, &t, Method::POST, "/v2/applications", Some(web)).await;
        assert_eq!(web.body["subType"], "HTTP_LUMINATE_DOMAIN");
        assert_eq!(web.body["requestCustomizationSettings"], json!({"headerCustomization": {}}));
        let listed = api(&app, &t, Method::GET, "/v2/applications?type=SSH&filter=sh", None).await;
        assert_eq!(listed.body["totalElements"], 1);
        assert_eq!(listed.body["content"][0]["id"], id.as_str());

        let gone = api(&app, &t, Method::DELETE, &format!("/v2/applications/{id}"), None).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let read = api(&app, &t, Method::GET, &format!("/v2/applications/{id}"), None).await;
        assert_eq!(read.status, StatusCode::NOT_FOUND);
        assert!(read.body["message"].as_str().is_some_and(|m| m.contains(&id)), "{}", read.body);
    }

    #[tokio::test]
    async fn bodies_are_checked_per_type_and_normalised() {
        let (_, app) = unlimited();
        let t = token(&app).await;
        let post = |body: Value| {
            let (app, t) = (app.clone(), t.clone());
            async move { api(&app, &t, Method::POST, "/v2/applications", Some(body)).await }
        };
        let segment = post(json!({"name": "seg", "type": "SEGMENT", "subType": "SEGMENT_SPECIFIC_IPS",
                                   "multipleSegmentSettings": [{"originalIp": "10.0.0.1"}]}))
        .await;
        assert_eq!(segment.status, StatusCode::CREATED, "{}", segment.body);
        assert_eq!(segment.body["subType"], "SEGMENT_RANGE");
        assert!(segment.body["connectionSettings"].get("luminateAddress").is_none());
        let empty = post(json!({"name": "seg2", "type": "SEGMENT"})).await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);
        let dns = post(json!({"name": "dns", "type": "DNS"})).await;
        assert_eq!(dns.status, StatusCode::BAD_REQUEST);
        let no_address = post(json!({"name": "r", "type": "RDP"})).await;
        assert_eq!(no_address.status, StatusCode::BAD_REQUEST);
        let browser = post(json!({"name": "Desk", "type": "RDP", "subType": "RDP_BROWSER_SINGLE_MACHINE",
                                   "connectionSettings": {"internalAddress": "tcp://10.0.0.3:3389"}}))
        .await;
        assert_eq!(browser.body["connectionSettings"]["luminateAddress"], "https://desk.tenant.luminatesec.com");
        let bad_sub = post(json!({"name": "w", "type": "HTTP", "subType": "SINGLE_MACHINE",
                                   "connectionSettings": {"internalAddress": "http://x"}}))
        .await;
        assert_eq!(bad_sub.status, StatusCode::BAD_REQUEST);
        let tcp =
            post(json!({"name": "db", "type": "TCP", "tcpTunnelSettings": [{"target": "db", "ports": [5432, 0]}]}))
                .await;
        assert_eq!(tcp.status, StatusCode::BAD_REQUEST);
        let tcp =
            post(json!({"name": "db", "type": "TCP", "tcpTunnelSettings": [{"target": "db", "ports": [5432]}]})).await;
        assert_eq!(tcp.body["connectionSettings"]["luminateAddress"], "db.tcp.tenant.luminatesec.com");
        let gw = post(json!({"name": "gw", "type": "DYNAMIC_SSH", "cloudIntegrationData": {"tags": [{"key": "a", "value": "b"}],
                              "vpcs": [{"integration_id": "i", "region": "eu-west-1", "vpc": "v", "cidr_block": "10.0.0.0/16"}]}}))
        .await;
        assert_eq!(gw.status, StatusCode::CREATED, "{}", gw.body);
        assert!(gw.body["cloudIntegrationData"]["segmentId"].is_string());
        let unknown_collection = post(json!({"name": "c", "type": "SSH", "collectionId": "nope",
                                              "connectionSettings": {"internalAddress": "tcp://x:22"}}))
        .await;
        assert_eq!(unknown_collection.status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn binding_needs_the_site_linked_to_the_application_collection() {
        let (sim, app) = unlimited();
        let t = token(&app).await;
        let site = create_site(&app, &t, "office").await["id"].as_str().expect("site").to_string();
        let id = api(&app, &t, Method::POST, "/v2/applications", Some(ssh("s1"))).await.body["id"]
            .as_str()
            .expect("id")
            .to_string();
        let bind = format!("/v2/applications/{id}/site-binding/{site}");
        let refused = api(&app, &t, Method::PUT, &bind, None).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        let unknown_site = api(&app, &t, Method::PUT, &format!("/v2/applications/{id}/site-binding/nope"), None).await;
        assert_eq!(unknown_site.status, StatusCode::NOT_FOUND);

        let link = json!({"links": [{"siteId": site, "collectionId": DEFAULT_COLLECTION_ID}]});
        assert_eq!(api(&app, &t, Method::POST, "/v2/collection/site-links", Some(link)).await.status, StatusCode::OK);
        let bound = api(&app, &t, Method::PUT, &bind, None).await;
        assert_eq!(bound.status, StatusCode::OK);
        assert!(bound.body.is_null());
        // The binding shows on the site and in the list's filter, not in the application.
        let site_body = api(&app, &t, Method::GET, &format!("/v2/sites/{site}"), None).await.body;
        assert_eq!(site_body["application_ids"], json!([id]));
        let on_site = api(&app, &t, Method::GET, &format!("/v2/applications?siteId={site}"), None).await;
        assert_eq!(on_site.body["totalElements"], 1);
        // Bound once however often it is bound; deleting the application unbinds it.
        api(&app, &t, Method::PUT, &bind, None).await;
        assert_eq!(
            api(&app, &t, Method::GET, &format!("/v2/sites/{site}"), None).await.body["application_ids"],
            json!([id])
        );
        api(&app, &t, Method::DELETE, &format!("/v2/applications/{id}"), None).await;
        assert_eq!(
            api(&app, &t, Method::GET, &format!("/v2/sites/{site}"), None).await.body["application_ids"],
            json!([])
        );
        assert_eq!(sim.count(super::Kind::Application), 0);
    }
}
