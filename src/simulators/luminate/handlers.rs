//! The API routes: the OAuth2 token endpoint (`/v1`), sites, collections and their site
//! links (`/v2`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::JsonBody;
use super::store::{Kind, DEFAULT_COLLECTION_ID, ROOT_COLLECTION_ID};
use super::{Sim, SimError};

/// Where a site's connectors connect when the request names no region: "the server
/// picks the default region" (models §4.2). The name is a guess; the documents give none.
pub const DEFAULT_REGION: &str = "us-west1";

/// Site authentication modes at the provider's HEAD (models §0.1, §4.1).
const AUTHENTICATION_MODES: &[&str] = &["manual", "orchestrator"];

/// Spring paging defaults: "default number of items ... is 50 ... cannot exceed 100"
/// (seed 001 "Pagination", models §2).
const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 100;

pub fn token_routes() -> Router<Arc<Sim>> {
    Router::new().route("/v1/oauth/token", post(issue_token))
}

pub fn v2_routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v2/sites", post(create_site).get(list_sites))
        .route("/v2/sites/{id}", get(get_site).put(update_site).delete(delete_site))
        .route("/v2/collection", post(create_collection).get(list_collections))
        .route("/v2/collection/{id}", get(get_collection).put(update_collection).delete(delete_collection))
        .route("/v2/collection/site-links", post(link_sites))
        .route("/v2/collection/site-links/{collection_id}", get(links_of_collection))
        .route("/v2/collection/site-links/{collection_id}/{site_id}", delete(unlink_site))
        .route("/v2/collection/site/{site_id}", get(collections_of_site))
        .merge(super::directory::routes())
        .merge(super::connectors::routes())
        .merge(super::applications::routes())
        .merge(super::policies::routes())
        .merge(super::integrations::routes())
}

// ---------------------------------------------------------------------------------------
// OAuth2 client credentials (seed 001 "Authentication", models §1.2)

/// An OAuth2 error answer (RFC 6749 §5.2), the shape the Go oauth2 library decodes.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, Json(json!({"error": error, "error_description": description}))).into_response()
}

/// `%XX` and `+` decoding: the Go library query-escapes id and secret before joining them
/// for Basic authentication (models §1.2).
fn query_unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' => {
                let hex = text.get(index + 1..index + 3)?;
                decoded.push(u8::from_str_radix(hex, 16).ok()?);
                index += 3;
            }
            b'+' => {
                decoded.push(b' ');
                index += 1;
            }
            other => {
                decoded.push(other);
                index += 1;
            }
        }
    }
    String::from_utf8(decoded).ok()
}

/// The id and secret of an `Authorization: Basic` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine as _;
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((query_unescape(id)?, query_unescape(secret)?))
}

async fn issue_token(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "The request body must be form-encoded");
    };
    // Basic authentication as documented; the form fields are the Go library's second try.
    let credentials = basic_credentials(&headers).or_else(|| {
        let id = form.get("client_id")?;
        let secret = form.get("client_secret")?;
        Some((id.clone(), secret.clone()))
    });
    let config = sim.cfg();
    let authenticated =
        credentials.as_ref().is_some_and(|(id, secret)| *id == config.client_id && *secret == config.client_secret);
    if !authenticated {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "Bad client credentials");
    }
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "Unsupported grant type"),
        None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing grant type"),
    }
    let token = uuid::Uuid::new_v4().to_string();
    sim.store().tokens.insert(token.clone(), Instant::now() + config.token_ttl);
    // Whole seconds, rounded up so that a short test TTL never reads as 0 ("never expires"
    // to the Go library, models §1.2).
    let expires_in = config.token_ttl.as_millis().div_ceil(1000) as u64;
    // The keys and values of the vendor's sample answer (seed 001 "Authentication").
    Json(json!({
        "access_token": token,
        "expires_in": expires_in,
        "scope": "luminate-scope",
        "token_type": "Bearer",
        "error": "",
        "error_description": "",
    }))
    .into_response()
}

// ---------------------------------------------------------------------------------------
// Spring pages (models §2)

pub(super) type QueryParams = Result<Query<HashMap<String, String>>, QueryRejection>;

pub(super) fn params(query: QueryParams) -> Result<HashMap<String, String>, SimError> {
    query.map(|Query(params)| params).map_err(|e| SimError::bad_request(e.body_text()))
}

/// A Spring page of `items`: sorted by `sort` (`key,direction`; `id` and `name` are the
/// keys known here, others fall back to `id`), then cut by `page` (0-based) and `size`.
/// Like Spring's resolver, unparsable or out-of-range numbers fall back to the default
/// and a size above the maximum is cut to it.
pub(super) fn spring_page(mut items: Vec<Value>, params: &HashMap<String, String>) -> Value {
    let sort = params.get("sort").map(String::as_str).unwrap_or("id,asc");
    let mut parts = sort.split(',').map(str::trim);
    let key = match parts.next() {
        Some("name") => "name",
        _ => "id",
    };
    let descending = parts.next().is_some_and(|direction| direction.eq_ignore_ascii_case("desc"));
    let text = |item: &Value| item.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    items.sort_by_key(text);
    if descending {
        items.reverse();
    }
    let size = params
        .get("size")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .min(MAX_PAGE_SIZE);
    let page = params.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(0);
    let total = items.len();
    let total_pages = total.div_ceil(size);
    let content: Vec<Value> = items.into_iter().skip(page.saturating_mul(size)).take(size).collect();
    json!({
        "content": content,
        "first": page == 0,
        "last": page + 1 >= total_pages,
        "size": size,
        "totalElements": total,
        "totalPages": total_pages,
        "number": page,
        "numberOfElements": content.len(),
    })
}

pub(super) fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

// ---------------------------------------------------------------------------------------
// Sites (models §3.1, §4.2; seed 001 "Sites")

/// The keys a client may send for a site; the server-set ones (`id`, `connectors`, ...)
/// are ignored.
#[derive(Deserialize)]
struct SiteBody {
    name: Option<String>,
    kubernetes_persistent_volume_name: Option<String>,
    mute_health_notification: Option<bool>,
    region: Option<String>,
    authentication_mode: Option<String>,
}

/// `name` is "required string [ 2 .. 700 ]" (seed 001 "Create Site").
fn valid_site_name(name: Option<&str>) -> Result<String, SimError> {
    let name = name.ok_or_else(|| SimError::invalid("name: must not be null"))?;
    let length = name.chars().count();
    if !(2..=700).contains(&length) {
        return Err(SimError::invalid("name: size must be between 2 and 700"));
    }
    Ok(name.to_string())
}

fn valid_authentication_mode(mode: &str) -> Result<(), SimError> {
    if AUTHENTICATION_MODES.contains(&mode) {
        return Ok(());
    }
    Err(SimError::invalid(format!("authentication_mode: must be one of {}", AUTHENTICATION_MODES.join(", "))))
}

pub(super) fn site_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Site {id} not found"))
}

/// A site as GET returns it: every key of §4.2, the server-set lists empty (no connectors
/// or applications exist in this simulator yet).
fn site_json(id: &str, name: String, body: &SiteBody, region: String, authentication_mode: String) -> Value {
    let volume = body.kubernetes_persistent_volume_name.clone().filter(|v| !v.is_empty());
    json!({
        "id": id,
        "name": name,
        "kubernetes_persistent_volume_name": volume,
        "connectors": [],
        "application_ids": [],
        "connector_objects": [],
        "site_status": {},
        "mute_health_notification": body.mute_health_notification.unwrap_or(false),
        "countCollections": 0,
        "region": region,
        "authentication_mode": authentication_mode,
    })
}

async fn create_site(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<SiteBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let name = valid_site_name(body.name.as_deref())?;
    // The provider always sends the mode; without it, "manual" as the provider defaults.
    let mode = body.authentication_mode.clone().unwrap_or_else(|| "manual".into());
    valid_authentication_mode(&mode)?;
    let region = body.region.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| DEFAULT_REGION.into());
    let mut store = sim.store();
    if store.name_taken(Kind::Site, &name, None) {
        return Err(SimError::conflict("name", &name));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let site = store.insert(Kind::Site, site_json(&id, name, &body, region, mode));
    Ok((StatusCode::CREATED, Json(site)))
}

async fn get_site(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let site = store.get(Kind::Site, &id).ok_or_else(|| site_not_found(&id))?;
    Ok(Json(site.body.clone()))
}

/// A whole-object replace of the client's keys; server-set keys stay. The mode is
/// "settable only at creation" (models §4.2): a different one is refused with 400, a
/// guess, as the documents do not say how the API refuses it.
async fn update_site(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SiteBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let current = store.get(Kind::Site, &id).ok_or_else(|| site_not_found(&id))?.body.clone();
    let name = valid_site_name(body.name.as_deref())?;
    let current_mode = current.get("authentication_mode").and_then(Value::as_str).unwrap_or("manual").to_string();
    if let Some(mode) = &body.authentication_mode {
        valid_authentication_mode(mode)?;
        if *mode != current_mode {
            return Err(SimError::invalid("authentication_mode: cannot be changed after the site is created"));
        }
    }
    if store.name_taken(Kind::Site, &name, Some(&id)) {
        return Err(SimError::conflict("name", &name));
    }
    // An omitted region keeps the current one: the provider omits an empty region and
    // treats the attribute as computed.
    let region = body
        .region
        .clone()
        .filter(|r| !r.is_empty())
        .or_else(|| current.get("region").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| DEFAULT_REGION.into());
    let mut site = site_json(&id, name, &body, region, current_mode);
    for server_set in ["connectors", "application_ids", "connector_objects", "site_status", "countCollections"] {
        if let Some(value) = current.get(server_set) {
            site[server_set] = value.clone();
        }
    }
    Ok(Json(store.insert(Kind::Site, site)))
}

async fn delete_site(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::Site, &id).ok_or_else(|| site_not_found(&id))?;
    store.remove(&id);
    // The provider requires 204 (models §1.5).
    Ok(StatusCode::NO_CONTENT)
}

/// "Filter applies for the following fields: name and description" (seed 001 "List
/// Sites"); a site has no description in §4.2, so only the name is searched.
async fn list_sites(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let filter = params.get("filter").cloned().unwrap_or_default();
    let sites: Vec<Value> = sim
        .store()
        .of_kind(Kind::Site)
        .filter(|site| contains_ignoring_case(site.name(), &filter))
        .map(|site| site.body.clone())
        .collect();
    Ok(Json(spring_page(sites, &params)))
}

// ---------------------------------------------------------------------------------------
// Collections (models §3.8, §4.7)

#[derive(Deserialize)]
struct CollectionBody {
    name: Option<String>,
}

fn valid_collection_name(name: Option<&str>) -> Result<String, SimError> {
    match name.map(str::trim) {
        Some(name) if !name.is_empty() => Ok(name.to_string()),
        _ => Err(SimError::invalid("name: must not be blank")),
    }
}

pub(super) fn collection_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Collection {id} not found"))
}

/// The root and the default collection belong to the tenant; changing them is refused
/// with 403 ("the server is refusing action"), a guess.
fn refuse_builtin(id: &str) -> Result<(), SimError> {
    if id == ROOT_COLLECTION_ID || id == DEFAULT_COLLECTION_ID {
        return Err(SimError::new(StatusCode::FORBIDDEN, "The root and default collections cannot be changed"));
    }
    Ok(())
}

/// 200, not 201: the SDK documents 200 for create (models §3.8). A new collection hangs
/// below the root, so `parentId` is a UUID as the provider needs.
async fn create_collection(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<CollectionBody>,
) -> Result<Json<Value>, SimError> {
    let name = valid_collection_name(body.name.as_deref())?;
    let mut store = sim.store();
    // 409 is among create's documented errors (models §3.8); a name is what can clash.
    if store.name_taken(Kind::Collection, &name, None) {
        return Err(SimError::conflict("name", &name));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let collection = json!({
        "id": id,
        "parentId": ROOT_COLLECTION_ID,
        "name": name,
        "countResources": 0,
        "countLinkedSites": 0,
    });
    Ok(Json(store.insert(Kind::Collection, collection)))
}

async fn get_collection(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    let collection = store.get(Kind::Collection, &id).ok_or_else(|| collection_not_found(&id))?;
    Ok(Json(collection.body.clone()))
}

/// Update takes only `name` (models §4.7) and lists no 409, so a clashing name is taken.
async fn update_collection(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<CollectionBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let collection = store.get_mut(Kind::Collection, &id).ok_or_else(|| collection_not_found(&id))?;
    refuse_builtin(&id)?;
    let name = valid_collection_name(body.name.as_deref())?;
    collection.body["name"] = Value::String(name);
    Ok(Json(collection.body.clone()))
}

/// No success status is documented; 204 as for the other deletes. Its links go with it
/// (see `Store::remove`).
async fn delete_collection(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    store.get(Kind::Collection, &id).ok_or_else(|| collection_not_found(&id))?;
    refuse_builtin(&id)?;
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// `name` filters by substring; the root is not listed (it is the tree, not a member).
/// `application-id`, `site-id` and `policy-id` are not simulated yet and are ignored.
async fn list_collections(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let name = params.get("name").cloned().unwrap_or_default();
    let collections: Vec<Value> = sim
        .store()
        .of_kind(Kind::Collection)
        .filter(|c| c.body.get("id").and_then(Value::as_str) != Some(ROOT_COLLECTION_ID))
        .filter(|c| contains_ignoring_case(c.name(), &name))
        .map(|c| c.body.clone())
        .collect();
    Ok(Json(spring_page(collections, &params)))
}

// ---------------------------------------------------------------------------------------
// Collection site links (models §3.8, §4.7, §5.11)

/// One `CollectionSiteLink`; both keys are optional in the SDK (omitempty), so a missing
/// one is a 400 here rather than a parse error.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SiteLink {
    site_id: Option<String>,
    collection_id: Option<String>,
}

#[derive(Deserialize)]
struct SiteLinksBody {
    links: Option<Vec<SiteLink>>,
}

fn link_json(collection: &str, site: &str) -> Value {
    // Key order of the SDK struct (models §4.7).
    json!({"siteId": site, "collectionId": collection})
}

fn link_not_found(collection: &str, site: &str) -> SimError {
    SimError::not_found(format!("Site {site} is not linked to collection {collection}"))
}

/// LinkASiteToACollection: 200 with the links created (models §3.8). All or nothing:
/// every link is checked before any is stored.
///
/// Decisions, as the documents give only the error codes 400, 401, 403, 409:
/// - an empty or missing `links`, or a link without `siteId`/`collectionId`: 400;
/// - an unknown site or collection: 400, not 404, since 404 is not among this
///   operation's documented errors while it is among its neighbours' (a guess);
/// - a link that already exists, or is named twice in one request: 409, the documented
///   "already used by an existing object" (seed 001).
async fn link_sites(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<SiteLinksBody>,
) -> Result<Json<Value>, SimError> {
    let links = body.links.unwrap_or_default();
    if links.is_empty() {
        return Err(SimError::invalid("links: must not be empty"));
    }
    let mut store = sim.store();
    let mut wanted: Vec<(String, String)> = Vec::with_capacity(links.len());
    for link in links {
        let (Some(site), Some(collection)) = (link.site_id, link.collection_id) else {
            return Err(SimError::invalid("links: siteId and collectionId must not be null"));
        };
        if store.get(Kind::Site, &site).is_none() {
            return Err(SimError::bad_request(format!("Site {site} not found")));
        }
        if store.get(Kind::Collection, &collection).is_none() {
            return Err(SimError::bad_request(format!("Collection {collection} not found")));
        }
        let pair = (collection, site);
        if store.links.contains(&pair) || wanted.contains(&pair) {
            return Err(SimError::conflict("siteId", &pair.1));
        }
        wanted.push(pair);
    }
    let created: Vec<Value> = wanted.iter().map(|(collection, site)| link_json(collection, site)).collect();
    store.links.extend(wanted);
    store.refresh_counts();
    Ok(Json(json!({"links": created})))
}

/// UnlinkASiteFromACollection: no success status is documented; 204 as for the other
/// deletes. 404 (documented) when the link does not exist. The SDK allows an optional
/// empty body (`CollectionidSiteidBody`, models §4.7) and the provider sends
/// `Content-Type: application/json` either way (models §1.3): no body or any JSON object
/// is taken, anything else is a 400 as Spring would answer a malformed body.
async fn unlink_site(
    State(sim): State<Arc<Sim>>,
    Path((collection, site)): Path<(String, String)>,
    body: Bytes,
) -> Result<StatusCode, SimError> {
    if !body.iter().all(u8::is_ascii_whitespace) {
        let parsed: Value =
            serde_json::from_slice(&body).map_err(|e| SimError::bad_request(format!("JSON parse error: {e}")))?;
        if !parsed.is_object() {
            return Err(SimError::bad_request("The request body must be a JSON object"));
        }
    }
    let mut store = sim.store();
    if !store.links.remove(&(collection.clone(), site.clone())) {
        return Err(link_not_found(&collection, &site));
    }
    store.refresh_counts();
    Ok(StatusCode::NO_CONTENT)
}

/// GetCollectionsBySite: 200 `{"collectionIds": [...]}`, 404 for an unknown site
/// (models §3.8, §4.7).
async fn collections_of_site(State(sim): State<Arc<Sim>>, Path(site): Path<String>) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    store.get(Kind::Site, &site).ok_or_else(|| site_not_found(&site))?;
    Ok(Json(json!({"collectionIds": store.collections_of_site(&site)})))
}

/// GetSitesLinkedToTheCollection: 200 `{"links": [...]}`, 404 for an unknown collection
/// (models §3.8).
async fn links_of_collection(
    State(sim): State<Arc<Sim>>,
    Path(collection): Path<String>,
) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    store.get(Kind::Collection, &collection).ok_or_else(|| collection_not_found(&collection))?;
    let links: Vec<Value> =
        store.sites_of_collection(&collection).iter().map(|site| link_json(&collection, site)).collect();
    Ok(Json(json!({"links": links})))
}
