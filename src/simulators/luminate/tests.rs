//! The simulator driven through its router (`oneshot`), and once over a real socket.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use super::*;

const ID: &str = "sim-client-id";
const SECRET: &str = "sim-client-secret";

/// A simulator without rate limit, so that tests are not timing-dependent.
pub(super) fn unlimited() -> (Arc<Sim>, Router) {
    let sim = Sim::new(SimConfig { rate_limit_per_sec: 0, ..SimConfig::default() });
    (sim.clone(), router(sim))
}

pub(super) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
    let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON body") };
    Answer { status, headers, body }
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")))
}

async fn token_answer(app: &Router, authorization: Option<&str>, form: &str) -> Answer {
    let mut request = Request::post("/v1/oauth/token").header("content-type", "application/x-www-form-urlencoded");
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    send(app, request.body(Body::from(form.to_string())).expect("request")).await
}

pub(super) async fn token(app: &Router) -> String {
    let answer = token_answer(app, Some(&basic(ID, SECRET)), "grant_type=client_credentials").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["access_token"].as_str().expect("access_token").to_string()
}

pub(super) async fn api(app: &Router, token: &str, method: Method, path: &str, body: Option<Value>) -> Answer {
    let mut request = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    send(app, request.body(body).expect("request")).await
}

pub(super) async fn create_site(app: &Router, token: &str, name: &str) -> Value {
    let body = json!({"name": name, "mute_health_notification": false, "authentication_mode": "manual"});
    let answer = api(app, token, Method::POST, "/v2/sites", Some(body)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

#[tokio::test]
async fn tokens_are_issued_for_the_right_credentials_only() {
    let (_, app) = unlimited();
    let good = token_answer(&app, Some(&basic(ID, SECRET)), "grant_type=client_credentials").await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(good.body["token_type"], "Bearer");
    assert_eq!(good.body["expires_in"], 86400);
    assert_eq!(good.body["scope"], "luminate-scope");
    assert!(good.headers.contains_key("x-lum-request-id"));

    let bad = token_answer(&app, Some(&basic(ID, "wrong")), "grant_type=client_credentials").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.body["error"], "invalid_client");

    // The Go library's fallback: credentials as form fields.
    let form = format!("grant_type=client_credentials&client_id={ID}&client_secret={SECRET}");
    assert_eq!(token_answer(&app, None, &form).await.status, StatusCode::OK);

    let wrong_grant = token_answer(&app, Some(&basic(ID, SECRET)), "grant_type=password").await;
    assert_eq!(wrong_grant.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong_grant.body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn basic_credentials_are_query_unescaped_as_go_escapes_them() {
    let sim = Sim::new(SimConfig { client_secret: "a+b/c d%".into(), ..SimConfig::default() });
    let app = router(sim);
    // Go's oauth2 sends url.QueryEscape(id) + ":" + url.QueryEscape(secret).
    let answer = token_answer(&app, Some(&basic(ID, "a%2Bb%2Fc+d%25")), "grant_type=client_credentials").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let broken = token_answer(&app, Some(&basic(ID, "a%2")), "grant_type=client_credentials").await;
    assert_eq!(broken.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_the_error_body() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    let unknown = api(&app, &token, Method::GET, "/v2/nothing-here", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["status"], 404);
    let wrong = api(&app, &token, Method::PATCH, "/v2/sites", None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.body["status"], 405);
}

#[tokio::test]
async fn v2_needs_a_valid_unexpired_token() {
    let sim =
        Sim::new(SimConfig { rate_limit_per_sec: 0, token_ttl: Duration::from_millis(200), ..SimConfig::default() });
    let app = router(sim.clone());
    let without = send(&app, Request::get("/v2/sites").body(Body::empty()).expect("request")).await;
    assert_eq!(without.status, StatusCode::UNAUTHORIZED);
    assert_eq!(without.body["status"], 401);
    assert_eq!(without.body["reasonPhrase"], "Unauthorized");
    assert_eq!(without.body["requestIdentifier"], without.headers["x-lum-request-id"].to_str().expect("ascii"));
    assert_eq!(without.headers["content-type"], "application/json");
    assert_eq!(api(&app, "made-up", Method::GET, "/v2/sites", None).await.status, StatusCode::UNAUTHORIZED);

    let short = token_answer(&app, Some(&basic(ID, SECRET)), "grant_type=client_credentials").await;
    assert_eq!(short.body["expires_in"], 1, "a sub-second TTL is not announced as 0");
    let token = short.body["access_token"].as_str().expect("token").to_string();
    assert_eq!(api(&app, &token, Method::GET, "/v2/sites", None).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(api(&app, &token, Method::GET, "/v2/sites", None).await.status, StatusCode::UNAUTHORIZED);

    // Out-of-band expiry of every token.
    let token = self::token(&app).await;
    sim.config.lock().expect("config").token_ttl = Duration::from_secs(60);
    let fresh = self::token(&app).await;
    let expire = send(&app, Request::post("/_sim/expire-tokens").body(Body::empty()).expect("request")).await;
    assert_eq!(expire.status, StatusCode::OK);
    for token in [token, fresh] {
        assert_eq!(api(&app, &token, Method::GET, "/v2/sites", None).await.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn more_than_the_limit_in_one_second_is_429() {
    let sim = Sim::new(SimConfig { rate_limit_per_sec: 5, ..SimConfig::default() });
    let app = router(sim);
    let token = token(&app).await;
    for _ in 0..5 {
        assert_eq!(api(&app, &token, Method::GET, "/v2/sites", None).await.status, StatusCode::OK);
    }
    let limited = api(&app, &token, Method::GET, "/v2/sites", None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["status"], 429);
    assert!(!limited.headers.contains_key("retry-after"));
    // Admin routes are not counted.
    let state = send(&app, Request::get("/_sim/state").body(Body::empty()).expect("request")).await;
    assert_eq!(state.status, StatusCode::OK);
    // Backing off for a second, as the documents ask, is enough.
    tokio::time::sleep(Duration::from_millis(1050)).await;
    assert_eq!(api(&app, &token, Method::GET, "/v2/sites", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn site_lifecycle() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    let site = create_site(&app, &token, "DataCenterEurope").await;
    let id = site["id"].as_str().expect("id").to_string();
    assert_eq!(site["name"], "DataCenterEurope");
    assert_eq!(site["authentication_mode"], "manual");
    assert_eq!(site["region"], handlers::DEFAULT_REGION);
    assert_eq!(site["connector_objects"], json!([]));
    assert_eq!(site["countCollections"], 0);
    assert_eq!(site["mute_health_notification"], false);

    let path = format!("/v2/sites/{id}");
    let read = api(&app, &token, Method::GET, &path, None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, site);
    assert_eq!(read.headers["content-type"], "application/json");

    let update = json!({"name": "DataCenterEU", "mute_health_notification": true, "authentication_mode": "manual",
        "kubernetes_persistent_volume_name": "pv-1", "region": "eu-west1"});
    let updated = api(&app, &token, Method::PUT, &path, Some(update)).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["name"], "DataCenterEU");
    assert_eq!(updated.body["mute_health_notification"], true);
    assert_eq!(updated.body["kubernetes_persistent_volume_name"], "pv-1");
    assert_eq!(updated.body["region"], "eu-west1");

    // Whole-object replace: what is left out goes back to its default, the region stays.
    let replaced = api(&app, &token, Method::PUT, &path, Some(json!({"name": "DataCenterEU"}))).await;
    assert_eq!(replaced.body["mute_health_notification"], false);
    assert_eq!(replaced.body["kubernetes_persistent_volume_name"], Value::Null);
    assert_eq!(replaced.body["region"], "eu-west1");

    let mode_change = json!({"name": "DataCenterEU", "authentication_mode": "orchestrator"});
    let refused = api(&app, &token, Method::PUT, &path, Some(mode_change)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(api(&app, &token, Method::GET, &path, None).await.body["authentication_mode"], "manual");

    let deleted = api(&app, &token, Method::DELETE, &path, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = api(&app, &token, Method::GET, &path, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["status"], 404);
    assert_eq!(api(&app, &token, Method::DELETE, &path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, &token, Method::PUT, &path, Some(json!({"name": "x1"}))).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn site_validation() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    for body in [
        json!({}),
        json!({"name": "a"}),
        json!({"name": "a".repeat(701)}),
        json!({"name": "ok-name", "authentication_mode": "connector"}),
        json!({"name": 5}),
    ] {
        let answer = api(&app, &token, Method::POST, "/v2/sites", Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.body["status"], 400);
    }
    let not_json = Request::post("/v2/sites")
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from("{"))
        .expect("request");
    assert_eq!(send(&app, not_json).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        api(&app, &token, Method::POST, "/v2/sites", Some(json!({"name": "a".repeat(700)}))).await.status,
        StatusCode::CREATED
    );

    create_site(&app, &token, "twin").await;
    let duplicate = api(&app, &token, Method::POST, "/v2/sites", Some(json!({"name": "twin"}))).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.body["propertyName"], "name");
    assert_eq!(duplicate.body["propertyValue"], "twin");
}

#[tokio::test]
async fn site_list_pages_and_filters() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    for index in 0..7 {
        create_site(&app, &token, &format!("site-{index}")).await;
    }
    create_site(&app, &token, "other").await;

    let all = api(&app, &token, Method::GET, "/v2/sites", None).await;
    assert_eq!(all.body["totalElements"], 8);
    assert_eq!(all.body["size"], 50);
    assert_eq!(all.body["first"], true);
    assert_eq!(all.body["last"], true);

    let page = api(&app, &token, Method::GET, "/v2/sites?filter=SITE&page=1&size=3&sort=name,desc", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body["totalElements"], 7);
    assert_eq!(page.body["totalPages"], 3);
    assert_eq!(page.body["number"], 1);
    assert_eq!(page.body["numberOfElements"], 3);
    assert_eq!(page.body["first"], false);
    assert_eq!(page.body["last"], false);
    let names: Vec<&str> =
        page.body["content"].as_array().expect("content").iter().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, ["site-3", "site-2", "site-1"]);

    let capped = api(&app, &token, Method::GET, "/v2/sites?size=1000", None).await;
    assert_eq!(capped.body["size"], 100);
    let beyond = api(&app, &token, Method::GET, "/v2/sites?page=9", None).await;
    assert_eq!(beyond.body["numberOfElements"], 0);
    assert_eq!(beyond.body["last"], true);
}

#[tokio::test]
async fn collection_lifecycle() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    let default = api(&app, &token, Method::GET, &format!("/v2/collection/{DEFAULT_COLLECTION_ID}"), None).await;
    assert_eq!(default.status, StatusCode::OK);
    assert_eq!(default.body["parentId"], ROOT_COLLECTION_ID);

    let created = api(&app, &token, Method::POST, "/v2/collection", Some(json!({"name": "finance"}))).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["id"].as_str().expect("id").to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(created.body["parentId"], ROOT_COLLECTION_ID);
    let path = format!("/v2/collection/{id}");
    assert_eq!(api(&app, &token, Method::GET, &path, None).await.body, created.body);

    let duplicate = api(&app, &token, Method::POST, "/v2/collection", Some(json!({"name": "finance"}))).await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    let blank = api(&app, &token, Method::POST, "/v2/collection", Some(json!({"name": " "}))).await;
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);

    let renamed = api(&app, &token, Method::PUT, &path, Some(json!({"name": "finance-eu"}))).await;
    assert_eq!(renamed.status, StatusCode::OK);
    assert_eq!(renamed.body["name"], "finance-eu");

    let listed = api(&app, &token, Method::GET, "/v2/collection?name=finance&page=0&size=100", None).await;
    assert_eq!(listed.body["numberOfElements"], 1);
    assert_eq!(listed.body["content"][0]["id"], id.as_str());
    let everything = api(&app, &token, Method::GET, "/v2/collection", None).await;
    assert_eq!(everything.body["totalElements"], 2, "the default and ours, not the root");

    let builtin = format!("/v2/collection/{DEFAULT_COLLECTION_ID}");
    assert_eq!(api(&app, &token, Method::DELETE, &builtin, None).await.status, StatusCode::FORBIDDEN);
    assert_eq!(api(&app, &token, Method::DELETE, &path, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, &token, Method::GET, &path, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_routes_change_objects_out_of_band() {
    let (sim, app) = unlimited();
    let token = token(&app).await;
    let site = create_site(&app, &token, "edited-elsewhere").await;
    let id = site["id"].as_str().expect("id");
    let path = format!("/v2/sites/{id}");

    let patch = Request::patch(format!("/_sim/objects/{id}"))
        .header("content-type", "application/json")
        .body(Body::from(json!({"name": "renamed", "mute_health_notification": true}).to_string()))
        .expect("request");
    assert_eq!(send(&app, patch).await.status, StatusCode::OK);
    let read = api(&app, &token, Method::GET, &path, None).await;
    assert_eq!(read.body["name"], "renamed");
    assert_eq!(read.body["mute_health_notification"], true);

    let state = send(&app, Request::get("/_sim/state").body(Body::empty()).expect("request")).await;
    assert_eq!(state.body["sites"], 1);
    assert_eq!(state.body["collections"], 2);

    let delete = Request::delete(format!("/_sim/objects/{id}")).body(Body::empty()).expect("request");
    assert_eq!(send(&app, delete).await.status, StatusCode::OK);
    assert_eq!(api(&app, &token, Method::GET, &path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sim.count(Kind::Site), 0);
}

#[tokio::test]
async fn faults_fail_or_commit_and_fail() {
    let (sim, app) = unlimited();
    let token = token(&app).await;
    let arm = |fault: Value| {
        Request::post("/_sim/faults")
            .header("content-type", "application/json")
            .body(Body::from(fault.to_string()))
            .expect("request")
    };
    let armed =
        send(&app, arm(json!({"kind": "status", "method": "POST", "path_contains": "/sites", "status": 500}))).await;
    assert_eq!(armed.status, StatusCode::OK);
    let failed = api(&app, &token, Method::POST, "/v2/sites", Some(json!({"name": "first"}))).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body["status"], 500);
    assert_eq!(sim.count(Kind::Site), 0, "a status fault does nothing");

    send(&app, arm(json!({"kind": "error_after_commit", "path_contains": "/sites"}))).await;
    let failed = api(&app, &token, Method::POST, "/v2/sites", Some(json!({"name": "second"}))).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(sim.count(Kind::Site), 1, "the change was committed");

    let unknown = send(&app, arm(json!({"kind": "explode"}))).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_spawned_simulator_serves_http_and_drops_answers() {
    let running = spawn(SimConfig { rate_limit_per_sec: 0, ..SimConfig::default() }).expect("spawn");
    let client = reqwest::Client::new();
    let token: Value = client
        .post(format!("{}/v1/oauth/token", running.url()))
        .basic_auth(ID, Some(SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .expect("token request")
        .json()
        .await
        .expect("token JSON");
    let token = token["access_token"].as_str().expect("access_token").to_string();
    running.sim.arm(Fault {
        kind: "drop".into(),
        method: Some("POST".into()),
        path_contains: "/v2/sites".into(),
        status: None,
        message: None,
        remaining: 1,
    });
    let dropped = client
        .post(format!("{}/v2/sites", running.url()))
        .bearer_auth(&token)
        .json(&json!({"name": "dropped"}))
        .send()
        .await;
    let broken = match dropped {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(broken, "the answer must not arrive whole");
    assert_eq!(running.sim.count(Kind::Site), 1, "the change was committed");
    let list = client.get(format!("{}/v2/sites", running.url())).bearer_auth(&token).send().await.expect("list");
    assert_eq!(list.status(), reqwest::StatusCode::OK);
    assert!(list.headers().contains_key("x-lum-request-id"));
}

async fn create_collection(app: &Router, token: &str, name: &str) -> String {
    let answer = api(app, token, Method::POST, "/v2/collection", Some(json!({"name": name}))).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["id"].as_str().expect("id").to_string()
}

async fn link(app: &Router, token: &str, links: &[(&str, &str)]) -> Answer {
    let links: Vec<Value> = links.iter().map(|(site, c)| json!({"siteId": site, "collectionId": c})).collect();
    api(app, token, Method::POST, "/v2/collection/site-links", Some(json!({ "links": links }))).await
}

async fn count_of(app: &Router, token: &str, path: &str, key: &str) -> Value {
    api(app, token, Method::GET, path, None).await.body[key].clone()
}

#[tokio::test]
async fn site_links_are_created_listed_and_counted() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    let site = create_site(&app, &token, "linked").await["id"].as_str().expect("id").to_string();
    let finance = create_collection(&app, &token, "finance").await;
    let sales = create_collection(&app, &token, "sales").await;

    let created = link(&app, &token, &[(&site, &finance), (&site, &sales)]).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(
        created.body,
        json!({"links": [{"siteId": site, "collectionId": finance}, {"siteId": site, "collectionId": sales}]})
    );

    let by_site = api(&app, &token, Method::GET, &format!("/v2/collection/site/{site}"), None).await;
    assert_eq!(by_site.status, StatusCode::OK);
    let mut ids = vec![finance.clone(), sales.clone()];
    ids.sort();
    assert_eq!(by_site.body, json!({ "collectionIds": ids }));

    let by_collection = api(&app, &token, Method::GET, &format!("/v2/collection/site-links/{finance}"), None).await;
    assert_eq!(by_collection.status, StatusCode::OK);
    assert_eq!(by_collection.body, json!({"links": [{"siteId": site, "collectionId": finance}]}));
    let unlinked =
        api(&app, &token, Method::GET, &format!("/v2/collection/site-links/{DEFAULT_COLLECTION_ID}"), None).await;
    assert_eq!(unlinked.body, json!({"links": []}));

    // Server-set counts follow the links, in reads, lists and update answers alike.
    assert_eq!(count_of(&app, &token, &format!("/v2/sites/{site}"), "countCollections").await, 2);
    assert_eq!(count_of(&app, &token, &format!("/v2/collection/{finance}"), "countLinkedSites").await, 1);
    let listed = api(&app, &token, Method::GET, "/v2/sites", None).await;
    assert_eq!(listed.body["content"][0]["countCollections"], 2);
    let renamed = api(&app, &token, Method::PUT, &format!("/v2/sites/{site}"), Some(json!({"name": "linked-2"}))).await;
    assert_eq!(renamed.body["countCollections"], 2);

    let other = create_site(&app, &token, "other").await["id"].as_str().expect("id").to_string();
    assert_eq!(link(&app, &token, &[(&other, &finance)]).await.status, StatusCode::OK);
    assert_eq!(count_of(&app, &token, &format!("/v2/collection/{finance}"), "countLinkedSites").await, 2);
    assert_eq!(count_of(&app, &token, &format!("/v2/sites/{other}"), "countCollections").await, 1);
}

#[tokio::test]
async fn site_link_creation_is_validated_all_or_nothing() {
    let (sim, app) = unlimited();
    let token = token(&app).await;
    let site = create_site(&app, &token, "s1").await["id"].as_str().expect("id").to_string();
    let collection = create_collection(&app, &token, "c1").await;
    let missing = uuid::Uuid::new_v4().to_string();

    for body in
        [json!({"links": []}), json!({}), json!({"links": [{"siteId": site}]}), json!({"links": [{"siteId": 1}]})]
    {
        let answer = api(&app, &token, Method::POST, "/v2/collection/site-links", Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer.body["status"], 400);
    }
    // Unknown ids: 400, as 404 is not a documented answer of this operation.
    let unknown_site = link(&app, &token, &[(&collection, &collection), (&missing, &collection)]).await;
    assert_eq!(unknown_site.status, StatusCode::BAD_REQUEST);
    let unknown_collection = link(&app, &token, &[(&site, &missing)]).await;
    assert_eq!(unknown_collection.status, StatusCode::BAD_REQUEST);
    // A bad link later in the request stores none of the earlier ones.
    assert_eq!(link(&app, &token, &[(&site, &collection), (&site, &missing)]).await.status, StatusCode::BAD_REQUEST);
    assert!(sim.store().links.is_empty());

    assert_eq!(link(&app, &token, &[(&site, &collection)]).await.status, StatusCode::OK);
    let again = link(&app, &token, &[(&site, &collection)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["status"], 409);
    assert_eq!(again.body["propertyValue"], site.as_str());
    let twice = link(&app, &token, &[(&site, DEFAULT_COLLECTION_ID), (&site, DEFAULT_COLLECTION_ID)]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(sim.store().links.len(), 1);
    assert_eq!(count_of(&app, &token, &format!("/v2/sites/{site}"), "countCollections").await, 1);

    let no_token = send(&app, Request::post("/v2/collection/site-links").body(Body::empty()).expect("request")).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn site_links_are_deleted_with_or_without_a_body() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    let site = create_site(&app, &token, "s1").await["id"].as_str().expect("id").to_string();
    let a = create_collection(&app, &token, "a").await;
    let b = create_collection(&app, &token, "b").await;
    assert_eq!(
        link(&app, &token, &[(&site, &a), (&site, &b), (&site, DEFAULT_COLLECTION_ID)]).await.status,
        StatusCode::OK
    );

    let unlink_a = format!("/v2/collection/site-links/{a}/{site}");
    assert_eq!(api(&app, &token, Method::DELETE, &unlink_a, None).await.status, StatusCode::NO_CONTENT);
    let gone = api(&app, &token, Method::DELETE, &unlink_a, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["status"], 404);

    // The provider sends Content-Type: application/json, with an empty body or `{}`.
    let empty_json = Request::delete(format!("/v2/collection/site-links/{b}/{site}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&app, empty_json).await.status, StatusCode::NO_CONTENT);
    let unlink_default = format!("/v2/collection/site-links/{DEFAULT_COLLECTION_ID}/{site}");
    let malformed = Request::delete(&unlink_default)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(Body::from("{"))
        .expect("request");
    assert_eq!(send(&app, malformed).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        api(&app, &token, Method::DELETE, &unlink_default, Some(json!({}))).await.status,
        StatusCode::NO_CONTENT
    );

    assert_eq!(count_of(&app, &token, &format!("/v2/sites/{site}"), "countCollections").await, 0);
    assert_eq!(count_of(&app, &token, &format!("/v2/collection/{a}"), "countLinkedSites").await, 0);
    let by_site = api(&app, &token, Method::GET, &format!("/v2/collection/site/{site}"), None).await;
    assert_eq!(by_site.body, json!({"collectionIds": []}));
}

#[tokio::test]
async fn link_reads_of_unknown_objects_are_404() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    let missing = uuid::Uuid::new_v4();
    for path in [format!("/v2/collection/site/{missing}"), format!("/v2/collection/site-links/{missing}")] {
        let answer = api(&app, &token, Method::GET, &path, None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.body["status"], 404);
    }
    // A collection id is not a site id.
    let by_collection_id = format!("/v2/collection/site/{DEFAULT_COLLECTION_ID}");
    assert_eq!(api(&app, &token, Method::GET, &by_collection_id, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deleting_a_site_or_collection_removes_its_links() {
    let (sim, app) = unlimited();
    let token = token(&app).await;
    let kept = create_site(&app, &token, "kept").await["id"].as_str().expect("id").to_string();
    let doomed = create_site(&app, &token, "doomed").await["id"].as_str().expect("id").to_string();
    let collection = create_collection(&app, &token, "shared").await;
    let other = create_collection(&app, &token, "other").await;
    let links =
        [(kept.as_str(), collection.as_str()), (doomed.as_str(), collection.as_str()), (kept.as_str(), other.as_str())];
    assert_eq!(link(&app, &token, &links).await.status, StatusCode::OK);
    assert_eq!(count_of(&app, &token, &format!("/v2/collection/{collection}"), "countLinkedSites").await, 2);

    assert_eq!(
        api(&app, &token, Method::DELETE, &format!("/v2/sites/{doomed}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(count_of(&app, &token, &format!("/v2/collection/{collection}"), "countLinkedSites").await, 1);
    let listed = api(&app, &token, Method::GET, &format!("/v2/collection/site-links/{collection}"), None).await;
    assert_eq!(listed.body, json!({"links": [{"siteId": kept, "collectionId": collection}]}));

    let path = format!("/v2/collection/{collection}");
    assert_eq!(api(&app, &token, Method::DELETE, &path, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(count_of(&app, &token, &format!("/v2/sites/{kept}"), "countCollections").await, 1);
    let by_site = api(&app, &token, Method::GET, &format!("/v2/collection/site/{kept}"), None).await;
    assert_eq!(by_site.body, json!({"collectionIds": [other]}));

    // An out-of-band delete takes the links too.
    let delete = Request::delete(format!("/_sim/objects/{other}")).body(Body::empty()).expect("request");
    assert_eq!(send(&app, delete).await.status, StatusCode::OK);
    assert!(sim.store().links.is_empty());
    assert_eq!(count_of(&app, &token, &format!("/v2/sites/{kept}"), "countCollections").await, 0);
}

#[tokio::test]
async fn sim_state_lists_the_links() {
    let (_, app) = unlimited();
    let token = token(&app).await;
    let site = create_site(&app, &token, "s1").await["id"].as_str().expect("id").to_string();
    let state = send(&app, Request::get("/_sim/state").body(Body::empty()).expect("request")).await;
    assert_eq!(state.body["links"], json!([]));
    assert_eq!(link(&app, &token, &[(&site, DEFAULT_COLLECTION_ID)]).await.status, StatusCode::OK);
    let state = send(&app, Request::get("/_sim/state").body(Body::empty()).expect("request")).await;
    assert_eq!(state.body["links"], json!([{"siteId": site, "collectionId": DEFAULT_COLLECTION_ID}]));
}
