//! The simulator driven through its router (`oneshot`), and once over a real socket.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use super::*;

const KEY: &str = "sim-api-key";

pub(super) fn app() -> (Arc<Sim>, Router) {
    let sim = Sim::new(SimConfig::default());
    (sim.clone(), router(sim))
}

pub(super) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

async fn call(app: &Router, key: Option<&str>, method: Method, path: &str, body: Option<Value>) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    send(app, request.body(body).expect("request")).await
}

async fn api(app: &Router, method: Method, path: &str, body: Option<Value>) -> Answer {
    call(app, Some(KEY), method, path, body).await
}

async fn admin(app: &Router, method: Method, path: &str, body: Option<Value>) -> Answer {
    call(app, None, method, path, body).await
}

async fn create_user(app: &Router, email: &str) -> Value {
    let body = json!({"email": email, "firstName": "Alice", "lastName": "Liddell", "roles": ["DEVELOPER"]});
    let answer = api(app, Method::POST, "/api/v1/users", Some(body)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body
}

async fn create_pool(app: &Router, name: &str) -> String {
    let answer = api(app, Method::POST, "/api/v1/agent-pools", Some(json!({"name": name}))).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    answer.body["id"].as_str().expect("id").to_string()
}

fn in_hour() -> String {
    let at = time::OffsetDateTime::now_utc().to_offset(time::UtcOffset::from_hms(1, 0, 0).expect("offset"))
        + time::Duration::hours(1);
    at.replace_nanosecond(0)
        .expect("whole seconds")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("format")
}

#[tokio::test]
async fn every_api_route_needs_the_key_and_401_is_the_documented_body() {
    let (_, app) = app();
    for (method, path) in [
        (Method::GET, "/api/v1/users"),
        (Method::POST, "/api/v1/agent-pools"),
        (Method::GET, "/api/v1/license"),
        (Method::GET, "/api/v1/nothing-here"),
    ] {
        for key in [None, Some("wrong-key")] {
            let answer = call(&app, key, method.clone(), path, None).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(answer.body, json!({"message": "401 Unauthorized"}));
        }
    }
    let basic = Request::get("/api/v1/users").header("authorization", format!("Basic {KEY}")).body(Body::empty());
    assert_eq!(send(&app, basic.expect("request")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api(&app, Method::GET, "/api/v1/users", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn errors_are_spring_bodies_and_unknown_routes_404_after_auth() {
    let (_, app) = app();
    let unknown = api(&app, Method::GET, "/api/v1/nothing-here", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["status"], 404);
    assert_eq!(unknown.body["error"], "Not Found");
    assert_eq!(unknown.body["path"], "/api/v1/nothing-here");
    assert!(unknown.body["timestamp"].is_string());
    let wrong = api(&app, Method::PATCH, "/api/v1/users", None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    let missing = api(&app, Method::GET, "/api/v1/users/nobody@acme.example", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body["message"].as_str().expect("message").contains("nobody@acme.example"));
}

#[tokio::test]
async fn permission_levels_are_checked_per_operation() {
    let (sim, app) = app();
    sim.config.lock().expect("config").scopes = vec![DEV.into()];
    assert_eq!(api(&app, Method::GET, "/api/v1/agent-pools", None).await.status, StatusCode::OK);
    for path in ["/api/v1/users", "/api/v1/groups", "/api/v1/license", "/api/v1/configuration/connectivity/smtp"] {
        let answer = api(&app, Method::GET, path, None).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(answer.body["status"], 403);
    }
    assert_eq!(api(&app, Method::GET, "/api/v1/watched-packages", None).await.status, StatusCode::FORBIDDEN);

    // Through the admin knob, and the level checked before the body.
    let config = admin(&app, Method::PUT, "/_sim/config", Some(json!({"scopes": ["SECURITY"]}))).await;
    assert_eq!(config.body["scopes"], json!(["SECURITY"]));
    assert_eq!(api(&app, Method::GET, "/api/v1/watched-packages", None).await.status, StatusCode::OK);
    assert_eq!(api(&app, Method::POST, "/api/v1/agent-pools", None).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pages_follow_page_size_and_offset_limit() {
    let (_, app) = app();
    for index in 0..25 {
        create_pool(&app, &format!("pool-{index:02}")).await;
    }
    let first = api(&app, Method::GET, "/api/v1/agent-pools", None).await;
    assert_eq!(first.body["total"], 26, "25 and the default pool");
    assert_eq!(first.body["limit"], 20);
    assert_eq!(first.body["offset"], 0);
    assert_eq!(first.body["hasMore"], true);
    assert_eq!(first.body["items"].as_array().expect("items").len(), 20);

    let second = api(&app, Method::GET, "/api/v1/agent-pools?page=1&size=20", None).await;
    assert_eq!(second.body["offset"], 20);
    assert_eq!(second.body["hasMore"], false);
    assert_eq!(second.body["items"].as_array().expect("items").len(), 6);

    let offset = api(&app, Method::GET, "/api/v1/agent-pools?offset=24&limit=5", None).await;
    assert_eq!(offset.body["offset"], 24);
    assert_eq!(offset.body["limit"], 5);
    assert_eq!(offset.body["items"].as_array().expect("items").len(), 2);

    let capped = api(&app, Method::GET, "/api/v1/agent-pools?size=5000", None).await;
    assert_eq!(capped.body["limit"], 1000);
    let beyond = api(&app, Method::GET, "/api/v1/agent-pools?page=9&size=100", None).await;
    assert_eq!(beyond.body["items"], json!([]));
    assert_eq!(beyond.body["hasMore"], false);

    let sorted = api(&app, Method::GET, "/api/v1/agent-pools?sort=name,desc&size=3", None).await;
    let names: Vec<&str> =
        sorted.body["items"].as_array().expect("items").iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(names, ["pool-24", "pool-23", "pool-22"]);
    // Repeated sort: primary then secondary key.
    let two = api(&app, Method::GET, "/api/v1/agent-pools?sort=agentsEnabled,asc&sort=name,asc&size=1", None).await;
    assert_eq!(two.body["items"][0]["name"], "default");

    for bad in ["size=0", "page=-1", "size=x", "sort=colour", "sort=name,sideways"] {
        let answer = api(&app, Method::GET, &format!("/api/v1/agent-pools?{bad}"), None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn agent_pool_lifecycle_and_codes() {
    let (_, app) = app();
    let created =
        api(&app, Method::POST, "/api/v1/agent-pools", Some(json!({"name": "prod", "description": "Production"})))
            .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["agentsEnabled"], true);
    assert_eq!(created.body["liveAgentsCount"], 0);
    assert_eq!(created.body["createdBy"], CONFIGURED_KEY_NAME);
    let id = created.body["id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/agent-pools/{id}");
    assert_eq!(api(&app, Method::GET, &path, None).await.body, created.body);

    assert_eq!(
        api(&app, Method::POST, "/api/v1/agent-pools", Some(json!({"name": "prod"}))).await.status,
        StatusCode::CONFLICT
    );
    for body in [json!({}), json!({"name": " "}), json!({"name": "x", "description": "d".repeat(256)})] {
        assert_eq!(api(&app, Method::POST, "/api/v1/agent-pools", Some(body)).await.status, StatusCode::BAD_REQUEST);
    }

    let updated = api(&app, Method::PUT, &path, Some(json!({"name": "production"}))).await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["name"], "production");
    assert_eq!(updated.body["description"], Value::Null, "a PUT replaces the description");

    assert_eq!(api(&app, Method::PUT, &format!("{path}/detach-agents"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, Method::GET, &path, None).await.body["agentsEnabled"], false);
    assert_eq!(api(&app, Method::PUT, &format!("{path}/enable-agents"), None).await.status, StatusCode::NO_CONTENT);

    let lookup = api(&app, Method::GET, "/api/v1/agent-pools?name=PRODUCT", None).await;
    assert_eq!(lookup.body["total"], 1);

    assert_eq!(api(&app, Method::DELETE, &path, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, Method::GET, &path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, Method::DELETE, &path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, Method::PUT, &format!("{path}/enable-agents"), None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_default_pool_and_pools_with_live_agents_are_not_deleted() {
    let (_, app) = app();
    let default = format!("/api/v1/agent-pools/{DEFAULT_POOL_ID}");
    assert_eq!(api(&app, Method::GET, &default, None).await.body["liveAgentsCount"], 3);
    assert_eq!(api(&app, Method::DELETE, &default, None).await.status, StatusCode::FORBIDDEN);

    let pool = create_pool(&app, "busy").await;
    let agent = admin(
        &app,
        Method::POST,
        "/_sim/objects/agent",
        Some(json!({"name": "api-1", "type": "Java",
        "version": "1.50.2", "versionStatus": "Active", "_hidden": {"pool": pool, "host": "api", "pid": 7}})),
    )
    .await;
    assert_eq!(agent.status, StatusCode::OK);
    let path = format!("/api/v1/agent-pools/{pool}");
    assert_eq!(api(&app, Method::GET, &path, None).await.body["liveAgentsCount"], 1);
    let refused = api(&app, Method::DELETE, &path, None).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.body["message"], "There are live agents in the pool.");
    // Detaching disconnects them: then the pool can go.
    api(&app, Method::PUT, &format!("{path}/detach-agents"), None).await;
    assert_eq!(api(&app, Method::GET, &path, None).await.body["liveAgentsCount"], 0);
    assert_eq!(api(&app, Method::DELETE, &path, None).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn user_lifecycle_by_email() {
    let (_, app) = app();
    let user = create_user(&app, "alice@acme.example").await;
    assert_eq!(user["enabled"], true);
    assert_eq!(user["registerMethod"], "USER_PASS");
    assert_eq!(user["userManagementType"], "SYSTEM");
    assert!(uuid::Uuid::parse_str(user["id"].as_str().expect("id")).is_ok());
    assert!(user.get("activationLink").is_none(), "SMTP is set (DEFAULT)");

    // Emails compare case-insensitively.
    let read = api(&app, Method::GET, "/api/v1/users/Alice@ACME.example", None).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["email"], "alice@acme.example");
    let again = api(
        &app,
        Method::POST,
        "/api/v1/users",
        Some(json!({"email": "ALICE@acme.example", "firstName": "A", "lastName": "L"})),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    let path = "/api/v1/users/alice@acme.example";
    let partial = api(&app, Method::PUT, path, Some(json!({"firstName": "Al", "lastName": "L"}))).await;
    assert_eq!(partial.status, StatusCode::BAD_REQUEST, "roles are required on update");
    let updated = api(
        &app,
        Method::PUT,
        path,
        Some(json!({"firstName": "Al", "lastName": "L", "roles": ["SECURITY", "DEVELOPER"]})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["roles"], json!(["SECURITY", "DEVELOPER"]));

    assert_eq!(api(&app, Method::PUT, &format!("{path}/disable"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, Method::GET, path, None).await.body["enabled"], false);
    assert_eq!(api(&app, Method::PUT, &format!("{path}/enable"), None).await.status, StatusCode::NO_CONTENT);

    let listed = api(&app, Method::GET, "/api/v1/users?role=SECURITY&search=acme", None).await;
    assert_eq!(listed.body["total"], 1);
    assert_eq!(listed.body["items"][0]["email"], "alice@acme.example");
    assert_eq!(api(&app, Method::GET, "/api/v1/users?role=KING", None).await.status, StatusCode::BAD_REQUEST);
    let by_name = api(&app, Method::GET, "/api/v1/users?sort=name,asc", None).await;
    assert_eq!(by_name.body["items"][0]["firstName"], "Ada");

    for body in [
        json!({"email": "bob@acme.example", "firstName": "Bob"}),
        json!({"email": "no-at-sign", "firstName": "B", "lastName": "B"}),
        json!({"email": "bob@acme.example", "firstName": "B", "lastName": "B", "roles": ["OWNER"]}),
    ] {
        assert_eq!(api(&app, Method::POST, "/api/v1/users", Some(body)).await.status, StatusCode::BAD_REQUEST);
    }

    assert_eq!(api(&app, Method::DELETE, path, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, Method::GET, path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api(&app, Method::DELETE, path, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn seats_are_limited_with_402_and_activation_links_need_smtp_off() {
    let (sim, app) = app();
    sim.config.lock().expect("config").seat_limit = Some(2);
    create_user(&app, "one@acme.example").await;
    let over = api(
        &app,
        Method::POST,
        "/api/v1/users",
        Some(json!({"email": "two@acme.example", "firstName": "T", "lastName": "W"})),
    )
    .await;
    assert_eq!(over.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(over.body["status"], 402);
    api(&app, Method::PUT, "/api/v1/users/one@acme.example/disable", None).await;
    let user = create_user(&app, "two@acme.example").await;
    assert!(user.get("activationLink").is_none());
    let enable = api(&app, Method::PUT, "/api/v1/users/one@acme.example/enable", None).await;
    assert_eq!(enable.status, StatusCode::PAYMENT_REQUIRED);

    admin(&app, Method::PUT, "/_sim/config", Some(json!({"seat_limit": null}))).await;
    let smtp =
        api(&app, Method::POST, "/api/v1/configuration/connectivity/smtp", Some(json!({"type": "DISABLED"}))).await;
    assert_eq!(smtp.status, StatusCode::OK);
    let three = create_user(&app, "three@acme.example").await;
    assert!(three["activationLink"].as_str().is_some_and(|l| l.starts_with("https://")));
}

#[tokio::test]
async fn groups_and_members() {
    let (_, app) = app();
    let pool = create_pool(&app, "prod").await;
    create_user(&app, "alice@acme.example").await;
    let created = api(
        &app,
        Method::POST,
        "/api/v1/groups",
        Some(json!({"name": "oncall", "roles": ["PRIVILEGED"], "agentPoolIds": [pool]})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["default"], false);
    assert_eq!(created.body["memberCount"], 0);
    let id = created.body["id"].as_str().expect("id").to_string();
    assert_eq!(
        api(&app, Method::POST, "/api/v1/groups", Some(json!({"name": "oncall"}))).await.status,
        StatusCode::CONFLICT
    );
    let bad_pool =
        api(&app, Method::POST, "/api/v1/groups", Some(json!({"name": "x", "agentPoolIds": ["nope"]}))).await;
    assert_eq!(bad_pool.status, StatusCode::BAD_REQUEST);

    let members = format!("/api/v1/groups/{id}/members");
    let added = api(
        &app,
        Method::POST,
        &members,
        Some(json!([{"email": "Alice@acme.example", "groupAdmin": true, "elevatedRoles": ["STANDARD"]}])),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    assert_eq!(added.body["successes"][0]["effectiveRoles"], json!(["PRIVILEGED", "STANDARD"]));
    assert_eq!(added.body["failures"], json!([]));

    let partial = api(
        &app,
        Method::POST,
        &members,
        Some(json!([{"email": "alice@acme.example"}, {"email": "ghost@acme.example"}])),
    )
    .await;
    assert_eq!(partial.status, StatusCode::MULTI_STATUS);
    let statuses: Vec<&Value> =
        partial.body["failures"].as_array().expect("failures").iter().map(|f| &f["status"]).collect();
    assert_eq!(statuses, [&json!(409), &json!(404)]);

    let read = api(&app, Method::GET, &format!("/api/v1/groups/{id}?includeMembers=true"), None).await;
    assert_eq!(read.body["memberCount"], 1);
    assert_eq!(read.body["members"][0]["email"], "alice@acme.example");
    assert_eq!(read.body["members"][0]["groupAdmin"], true);
    let plain = api(&app, Method::GET, &format!("/api/v1/groups/{id}"), None).await;
    assert!(plain.body.get("members").is_none());

    let member = format!("{members}/alice@acme.example");
    let updated = api(&app, Method::PUT, &member, Some(json!({"groupAdmin": false, "elevatedRoles": []}))).await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["effectiveRoles"], json!(["PRIVILEGED"]));
    let user = api(&app, Method::GET, "/api/v1/users/alice@acme.example?includeAccessAndPermissions=true", None).await;
    assert_eq!(
        user.body["groupMemberships"],
        json!([{"email": "alice@acme.example", "groupAdmin": false, "groupId": id}])
    );
    assert_eq!(user.body["agentPoolPermissions"][0]["agentPoolId"], pool.as_str());

    let listed = api(&app, Method::GET, &format!("/api/v1/groups?agentPoolIds={pool}"), None).await;
    assert_eq!(listed.body["total"], 1);

    let removed = api(&app, Method::DELETE, &members, Some(json!(["alice@acme.example", "ghost@acme.example"]))).await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.body["successes"], json!(["alice@acme.example"]));
    assert_eq!(removed.body["failures"][0]["status"], 404);
    assert_eq!(api(&app, Method::PUT, &member, Some(json!({}))).await.status, StatusCode::NOT_FOUND);

    let renamed = api(
        &app,
        Method::PUT,
        &format!("/api/v1/groups/{id}"),
        Some(json!({"name": "oncall-2", "roles": ["STANDARD"], "agentPoolIds": []})),
    )
    .await;
    assert_eq!(renamed.body["agentPoolIds"], json!([]));
    let default = format!("/api/v1/groups/{DEFAULT_GROUP_ID}");
    assert_eq!(api(&app, Method::DELETE, &default, None).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(api(&app, Method::DELETE, &format!("/api/v1/groups/{id}"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, Method::GET, &format!("/api/v1/groups/{id}"), None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn temp_access_grants_codes_and_expiry() {
    let (sim, app) = app();
    create_user(&app, "alice@acme.example").await;
    let body = json!({"userEmails": ["alice@acme.example"], "agentPoolIds": [DEFAULT_POOL_ID], "roles": ["Standard"],
        "expirationDate": in_hour(), "name": "incident-1358", "incidentId": "00001358"});
    let created = api(&app, Method::POST, "/api/v1/temp-access", Some(body.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body["expirationDate"].as_str().expect("date").ends_with('Z'), "answered in UTC");
    assert_eq!(created.body["roles"], json!(["Standard"]), "echoed as sent");
    assert_eq!(api(&app, Method::POST, "/api/v1/temp-access", Some(body.clone())).await.status, StatusCode::CONFLICT);

    let mut unnamed = body.clone();
    unnamed.as_object_mut().expect("object").remove("name");
    let generated = api(&app, Method::POST, "/api/v1/temp-access", Some(unnamed)).await;
    assert!(generated.body["name"].as_str().expect("name").starts_with("Temp-Access-"));

    let mut ghost = body.clone();
    ghost["name"] = json!("other");
    ghost["userEmails"] = json!(["ghost@acme.example"]);
    assert_eq!(api(&app, Method::POST, "/api/v1/temp-access", Some(ghost)).await.status, StatusCode::NOT_FOUND);
    let mut past = body.clone();
    past["name"] = json!("past");
    past["expirationDate"] = json!("2020-01-01T00:00:00Z");
    assert_eq!(api(&app, Method::POST, "/api/v1/temp-access", Some(past)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        api(&app, Method::POST, "/api/v1/temp-access", Some(json!({"name": "x"}))).await.status,
        StatusCode::BAD_REQUEST
    );

    sim.config.lock().expect("config").temp_access_limit = 2;
    let mut third = body.clone();
    third["name"] = json!("third");
    assert_eq!(api(&app, Method::POST, "/api/v1/temp-access", Some(third)).await.status, StatusCode::FORBIDDEN);

    let listed = api(&app, Method::GET, "/api/v1/temp-access", None).await;
    assert_eq!(listed.body["total"], 2);
    // Out of band, the grant expires: no longer listed, and revoking it is a 404.
    let id = created.body["id"].as_str().expect("id").to_string();
    admin(&app, Method::PATCH, &format!("/_sim/objects/{id}"), Some(json!({"expirationDate": "2020-01-01T00:00:00Z"})))
        .await;
    assert_eq!(api(&app, Method::GET, "/api/v1/temp-access", None).await.body["total"], 1);
    assert_eq!(
        api(&app, Method::DELETE, &format!("/api/v1/temp-access/{id}"), None).await.status,
        StatusCode::NOT_FOUND
    );
    let other = generated.body["id"].as_str().expect("id");
    assert_eq!(
        api(&app, Method::DELETE, &format!("/api/v1/temp-access/{other}"), None).await.status,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn watched_packages_lifecycle_and_409() {
    let (_, app) = app();
    let body = json!([{"packageName": "org.slf4j:slf4j-api", "version": "1.7.36", "classes": ["org.slf4j.Logger"],
        "notificationWebhookId": "hook-1"}]);
    let created = api(&app, Method::POST, "/api/v1/watched-packages", Some(body.clone())).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body[0]["notificationWebhookId"], "hook-1");
    let id = created.body[0]["id"].as_str().expect("id").to_string();
    let again = api(&app, Method::POST, "/api/v1/watched-packages", Some(body)).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["message"], "Package already marked as watched.");
    assert_eq!(
        api(&app, Method::POST, "/api/v1/watched-packages", Some(json!([{"version": "1"}]))).await.status,
        StatusCode::BAD_REQUEST
    );

    let listed = api(&app, Method::GET, "/api/v1/watched-packages", None).await;
    assert_eq!(listed.body["total"], 1);
    assert!(listed.body["items"][0].get("notificationWebhookId").is_none(), "the list has no webhook");

    let path = format!("/api/v1/watched-packages/{id}");
    let missing_classes =
        api(&app, Method::PUT, &path, Some(json!({"packageName": "org.slf4j:slf4j-api", "version": "2.0.9"}))).await;
    assert_eq!(missing_classes.status, StatusCode::BAD_REQUEST);
    let updated = api(
        &app,
        Method::PUT,
        &path,
        Some(json!({"packageName": "org.slf4j:slf4j-api", "version": "2.0.9", "classes": []})),
    )
    .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(updated.body["version"], "2.0.9");

    let gone = api(&app, Method::DELETE, "/api/v1/watched-packages", Some(json!([id, "nope"]))).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["message"], "No such package.");
    assert_eq!(
        api(&app, Method::DELETE, "/api/v1/watched-packages", Some(json!([id]))).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(api(&app, Method::GET, "/api/v1/watched-packages", None).await.body["total"], 0);
}

#[tokio::test]
async fn system_api_keys_show_their_secret_once_and_authenticate() {
    let (_, app) = app();
    let base = format!("/api/v1/access/company/{COMPANY_ID}/system-api-key");
    let created = api(&app, Method::POST, &format!("{base}?expirationDays=30&label=ci%20key&scopes=DEV"), None).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let secret = created.body["apiKey"].as_str().expect("apiKey").to_string();
    assert_eq!(created.body.as_object().expect("object").len(), 1, "only the secret");

    let listed = api(&app, Method::GET, &base, None).await;
    let keys = listed.body["items"].as_array().expect("items");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["label"], "ci key");
    assert_eq!(keys[0]["scopes"], json!(["DEV"]));
    assert!(!listed.text.contains(&secret), "the secret is never listed");
    let id = keys[0]["id"].as_str().expect("id").to_string();

    // The new key works, with its own levels.
    assert_eq!(call(&app, Some(&secret), Method::GET, "/api/v1/agent-pools", None).await.status, StatusCode::OK);
    assert_eq!(call(&app, Some(&secret), Method::GET, "/api/v1/users", None).await.status, StatusCode::FORBIDDEN);

    let default = api(&app, Method::POST, &format!("{base}?expirationDays=1"), None).await;
    assert_eq!(default.status, StatusCode::OK);
    let all = api(&app, Method::GET, &base, None).await;
    assert_eq!(all.body["items"][1]["scopes"], json!(SCOPES));
    for bad in [
        "",
        "?expirationDays=0",
        "?expirationDays=2147483647",
        "?expirationDays=5&label=x",
        "?expirationDays=5&scopes=ADMIN",
    ] {
        assert_eq!(
            api(&app, Method::POST, &format!("{base}{bad}"), None).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let other_company = api(&app, Method::GET, "/api/v1/access/company/other/system-api-key", None).await;
    assert_eq!(other_company.status, StatusCode::NOT_FOUND);

    let relabel = api(&app, Method::PUT, &format!("{base}/{id}"), Some(json!({"label": "ci-2"}))).await;
    assert_eq!(relabel.status, StatusCode::OK);
    assert!(relabel.body["message"].is_string());
    assert_eq!(
        api(&app, Method::PUT, &format!("{base}/{id}"), Some(json!({"label": "-bad"}))).await.status,
        StatusCode::BAD_REQUEST
    );

    let deleted = api(&app, Method::DELETE, &format!("{base}/{id}"), None).await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body["message"], "System api key successfully revoked");
    assert_eq!(api(&app, Method::DELETE, &format!("{base}/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        call(&app, Some(&secret), Method::GET, "/api/v1/agent-pools", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn agents_tags_sources_need_a_pool_with_rbac_and_filter_with_wildcards() {
    let (sim, app) = app();
    assert_eq!(api(&app, Method::GET, "/api/v1/agents", None).await.status, StatusCode::BAD_REQUEST);
    let agents =
        api(&app, Method::GET, &format!("/api/v1/agents?agentPoolId={DEFAULT_POOL_ID}&name=checkout-*"), None).await;
    assert_eq!(agents.body["total"], 2);
    assert_eq!(agents.body["items"][0]["type"], "Java");
    let by_tag =
        api(&app, Method::GET, &format!("/api/v1/agents?agentPoolId={DEFAULT_POOL_ID}&name=staging"), None).await;
    assert_eq!(by_tag.body["items"][0]["name"], "billing-worker");
    let tags = api(&app, Method::GET, &format!("/api/v1/tags?agentPoolId={DEFAULT_POOL_ID}&sort=name"), None).await;
    assert_eq!(tags.body["items"][0], json!({"id": 2, "name": "checkout"}));
    let sources =
        api(&app, Method::GET, &format!("/api/v1/custom-sources?agentPoolId={DEFAULT_POOL_ID}&name=*python"), None)
            .await;
    assert_eq!(sources.body["total"], 1);
    assert_eq!(api(&app, Method::GET, "/api/v1/tags?agentPoolId=nope", None).await.status, StatusCode::BAD_REQUEST);

    sim.config.lock().expect("config").rbac = false;
    assert_eq!(api(&app, Method::GET, "/api/v1/agents", None).await.body["total"], 3);
}

#[tokio::test]
async fn actions_are_created_listed_and_deleted() {
    let (_, app) = app();
    let log = json!({"agentPoolId": DEFAULT_POOL_ID, "filename": "com/shop/Checkout.java", "line": 118,
        "format": "total={total}", "source": {"type": "TAG", "id": "1"}});
    let created = api(&app, Method::POST, "/api/v1/actions/logs", Some(log.clone())).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(created.body["actionType"], "LOG");
    assert_eq!(created.body["expired"], false);
    assert_eq!(created.body["source"], json!({"id": "1", "type": "TAG"}));
    let id = created.body["id"].as_str().expect("id").to_string();

    let snapshot = json!({"agentPoolId": DEFAULT_POOL_ID, "filename": "com/shop/Cart.java", "line": 7,
        "source": {"type": "AGENT", "id": AGENT_IDS[0]}, "maxHitCount": 3});
    assert_eq!(api(&app, Method::POST, "/api/v1/actions/snapshots", Some(snapshot)).await.status, StatusCode::OK);

    for bad in [
        json!({"agentPoolId": DEFAULT_POOL_ID, "filename": "A.java", "line": 1, "source": {"type": "TAG", "id": "1"}}),
        json!({"agentPoolId": DEFAULT_POOL_ID, "filename": "A.java", "line": 1, "format": "x", "source": {"type": "TAG", "id": "99"}}),
        json!({"filename": "A.java", "line": 1, "format": "x", "source": {"type": "TAG", "id": "1"}}),
        json!({"agentPoolId": DEFAULT_POOL_ID, "filename": "A.java", "line": 1, "format": "x", "source": {"type": "HOST", "id": "1"}}),
    ] {
        assert_eq!(
            api(&app, Method::POST, "/api/v1/actions/logs", Some(bad.clone())).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }

    let pool = format!("agentPoolId={DEFAULT_POOL_ID}");
    let all = api(&app, Method::GET, &format!("/api/v1/actions?{pool}"), None).await;
    assert_eq!(all.body["total"], 3, "two new and the seeded one");
    let live_logs = api(&app, Method::GET, &format!("/api/v1/actions?{pool}&actionType=LOG&expired=false"), None).await;
    assert_eq!(live_logs.body["total"], 1);
    let by_file = api(&app, Method::GET, &format!("/api/v1/actions?{pool}&filename=com/shop/*"), None).await;
    assert_eq!(by_file.body["total"], 2);
    let old = api(&app, Method::GET, &format!("/api/v1/actions?{pool}&createdAtBefore=2026-11-20"), None).await;
    assert_eq!(old.body["items"][0]["id"], SEEDED_ACTION_ID);
    assert_eq!(
        api(&app, Method::GET, &format!("/api/v1/actions?{pool}&createdAtAfter=20-11-2026"), None).await.status,
        StatusCode::BAD_REQUEST
    );

    let path = format!("/api/v1/actions/{id}?{pool}");
    assert_eq!(api(&app, Method::DELETE, &path, None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(api(&app, Method::DELETE, &path, None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn loaded_packages_and_sbom() {
    let (_, app) = app();
    let all = api(&app, Method::GET, "/api/v1/loaded-packages", None).await;
    assert_eq!(all.body["total"], 4);
    assert!(all.body["items"][0].get("id").is_none());
    let filtered =
        api(&app, Method::GET, "/api/v1/loaded-packages?status=LOADED&status=LOADED_WITH_CLASSES&tags=checkout", None)
            .await;
    assert_eq!(filtered.body["total"], 2);
    let by_name = api(&app, Method::GET, "/api/v1/loaded-packages?packageNames=org.slf4j:slf4j-api", None).await;
    assert_eq!(by_name.body["items"][0]["classes"][0]["name"], "org.slf4j.Logger");
    let dated =
        api(&app, Method::GET, "/api/v1/loaded-packages?loadDateStart=2026-11-21&loadDateEnd=2026-11-21", None).await;
    assert_eq!(dated.body["total"], 1);
    assert_eq!(
        api(&app, Method::GET, "/api/v1/loaded-packages?status=GONE", None).await.status,
        StatusCode::BAD_REQUEST
    );

    let query = "creationTime=2026-12-01&sbomPackageName=shop&sbomSupplierName=Acme&sbomVersion=1.0";
    let spdx = api(&app, Method::GET, &format!("/api/v1/sbom?format=SPDX&{query}"), None).await;
    assert_eq!(spdx.status, StatusCode::OK, "{}", spdx.text);
    assert_eq!(spdx.body["spdxVersion"], "SPDX-2.3");
    assert_eq!(spdx.body["packages"].as_array().expect("packages").len(), 4, "the root and three loaded packages");
    let again = api(&app, Method::GET, &format!("/api/v1/sbom?format=SPDX&{query}"), None).await;
    assert_eq!(again.body, spdx.body, "the same request, the same document");
    let cdx = api(&app, Method::GET, &format!("/api/v1/sbom?format=CYCLONE_DX&{query}&tags=staging"), None).await;
    assert_eq!(cdx.body["bomFormat"], "CycloneDX");
    assert_eq!(cdx.body["components"][0]["purl"], "pkg:maven/org.springframework/spring-core@6.1.2");
    let csv = api(&app, Method::GET, &format!("/api/v1/sbom?format=CSV&{query}"), None).await;
    assert!(csv.headers["content-type"].to_str().expect("ascii").starts_with("text/plain"));
    assert_eq!(csv.text.lines().count(), 4);

    assert_eq!(api(&app, Method::GET, "/api/v1/sbom?format=SPDX", None).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        api(&app, Method::GET, &format!("/api/v1/sbom?format=XML&{query}"), None).await.status,
        StatusCode::BAD_REQUEST
    );
    create_pool(&app, "second").await;
    let ambiguous = api(&app, Method::GET, &format!("/api/v1/sbom?format=SPDX&{query}"), None).await;
    assert_eq!(ambiguous.status, StatusCode::BAD_REQUEST, "several pools: agentPoolId required");
    let pooled =
        api(&app, Method::GET, &format!("/api/v1/sbom?format=SPDX&{query}&agentPoolId={DEFAULT_POOL_ID}"), None).await;
    assert_eq!(pooled.status, StatusCode::OK);
}

#[tokio::test]
async fn configuration_singletons() {
    let (_, app) = app();
    let flags = api(&app, Method::GET, "/api/v1/configuration/feature/toggle", None).await;
    assert_eq!(flags.body["SNAPSHOTS"], "ENABLED");
    assert!(flags.body.get("empty").is_none());
    let mine =
        api(&app, Method::GET, &format!("/api/v1/configuration/feature/toggle?company={COMPANY_ID}"), None).await;
    assert_eq!(mine.body, flags.body);

    let smtp = "/api/v1/configuration/connectivity/smtp";
    assert_eq!(api(&app, Method::GET, smtp, None).await.body, json!({"type": "DEFAULT"}));
    let custom = json!({"type": "CUSTOM", "customSpec": {"serverHost": "smtp.acme.example", "fromEmailAddress": "noreply@acme.example",
        "authenticationType": "PASSWORD", "authenticationId": "mailer", "authenticationSecret": "hunter2"}});
    assert_eq!(api(&app, Method::POST, smtp, Some(custom)).await.status, StatusCode::OK);
    let read = api(&app, Method::GET, smtp, None).await;
    assert_eq!(read.body["serverPort"], 587);
    assert_eq!(read.body["enableSSL"], true);
    assert_eq!(read.body["authenticationSecret"], configuration::MASKED_SECRET);
    assert!(!read.text.contains("hunter2"));
    for bad in [
        json!({}),
        json!({"type": "CUSTOM"}),
        json!({"type": "CUSTOM", "customSpec": {"serverHost": "h"}}),
        json!({"type": "SOMETIMES"}),
    ] {
        assert_eq!(api(&app, Method::POST, smtp, Some(bad.clone())).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }

    let authentication = "/api/v1/configuration/idm/authentication";
    assert_eq!(api(&app, Method::GET, authentication, None).await.body, json!({"currentLoginMethod": "PASSWORD"}));
    assert_eq!(
        api(&app, Method::POST, authentication, Some(json!({"loginMethod": "SSO"}))).await.status,
        StatusCode::BAD_REQUEST
    );
    let sso = json!({"loginMethod": "SSO", "ssoProtocolOptions": {"protocol": "OIDC"}});
    assert_eq!(api(&app, Method::POST, authentication, Some(sso)).await.status, StatusCode::OK);
    let read = api(&app, Method::GET, authentication, None).await;
    assert_eq!(read.body["sso"]["protocol"], "OIDC");
    assert!(read.body["sso"]["oidc"]["redirectUrl"].as_str().expect("url").contains(COMPANY_ID));

    let provisioning = "/api/v1/configuration/idm/provisioning";
    let on = json!({"selfRegistrationEnabled": true, "selfRegistrationAllowedDomains": ["acme.example"], "scim": {"enabled": true}});
    assert_eq!(api(&app, Method::POST, provisioning, Some(on)).await.status, StatusCode::OK);
    let read = api(&app, Method::GET, provisioning, None).await;
    assert_eq!(read.body["scim"]["createExistingUsersEnabled"], true);
    assert!(read.body["scim"]["oauthClientSecret"].is_string());
    assert_eq!(api(&app, Method::POST, provisioning, Some(json!({}))).await.status, StatusCode::OK);
    let reset = api(&app, Method::GET, provisioning, None).await;
    assert_eq!(reset.body["selfRegistrationEnabled"], false);
    assert_eq!(reset.body["scim"]["endpointUrl"], Value::Null);
}

#[tokio::test]
async fn the_licence_is_text_and_checked() {
    use base64::Engine as _;
    let (_, app) = app();
    let current = api(&app, Method::GET, "/api/v1/license", None).await;
    assert_eq!(current.status, StatusCode::OK);
    assert!(current.headers["content-type"].to_str().expect("ascii").starts_with("text/plain"));
    assert!(base64::engine::general_purpose::STANDARD.decode(&current.text).is_ok());

    let newer =
        base64::engine::general_purpose::STANDARD.encode(json!({"seats": 80, "issuedAt": "2026-06-01"}).to_string());
    let signed = json!({"license": newer, "licenseSignature": configuration::license_signature(&newer)});
    assert_eq!(api(&app, Method::PUT, "/api/v1/license", Some(signed)).await.status, StatusCode::OK);
    assert_eq!(api(&app, Method::GET, "/api/v1/license", None).await.text, newer);

    let older = base64::engine::general_purpose::STANDARD.encode(json!({"issuedAt": "2025-01-01"}).to_string());
    let stale = api(
        &app,
        Method::PUT,
        "/api/v1/license",
        Some(json!({"license": older, "licenseSignature": configuration::license_signature(&older)})),
    )
    .await;
    assert_eq!(stale.status, StatusCode::BAD_REQUEST);
    assert_eq!(stale.body["message"], "Newer license exists");
    let forged =
        api(&app, Method::PUT, "/api/v1/license", Some(json!({"license": newer, "licenseSignature": "abc"}))).await;
    assert_eq!(forged.body["message"], "Invalid license content or signature");
    assert_eq!(
        api(&app, Method::PUT, "/api/v1/license", Some(json!({"license": newer}))).await.status,
        StatusCode::BAD_REQUEST
    );

    admin(&app, Method::DELETE, "/_sim/objects/license", None).await;
    assert_eq!(api(&app, Method::GET, "/api/v1/license", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_routes_change_objects_out_of_band() {
    let (sim, app) = app();
    create_user(&app, "alice@acme.example").await;
    let patched =
        admin(&app, Method::PATCH, "/_sim/objects/alice@acme.example", Some(json!({"firstName": "Alicia"}))).await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(api(&app, Method::GET, "/api/v1/users/alice@acme.example", None).await.body["firstName"], "Alicia");

    let member = admin(
        &app,
        Method::POST,
        "/_sim/objects/member",
        Some(json!({"groupId": DEFAULT_GROUP_ID, "email": "alice@acme.example"})),
    )
    .await;
    assert_eq!(member.status, StatusCode::OK);
    let state = admin(&app, Method::GET, "/_sim/state", None).await;
    assert_eq!(state.body["counts"]["user"], 2);
    assert_eq!(state.body["members"][0]["email"], "alice@acme.example");
    assert_eq!(state.body["settings"]["smtp"]["type"], "DEFAULT");
    let membership = format!("/_sim/objects/{DEFAULT_GROUP_ID}/alice@acme.example");
    assert_eq!(admin(&app, Method::DELETE, &membership, None).await.status, StatusCode::OK);
    assert_eq!(admin(&app, Method::DELETE, &membership, None).await.status, StatusCode::NOT_FOUND);

    let tag = admin(&app, Method::POST, "/_sim/objects/tag", Some(json!({"name": "canary"}))).await;
    assert_eq!(tag.body["id"], 4);
    admin(&app, Method::PATCH, "/_sim/objects/smtp", Some(json!({"type": "DISABLED"}))).await;
    assert_eq!(api(&app, Method::GET, "/api/v1/configuration/connectivity/smtp", None).await.body["type"], "DISABLED");

    assert_eq!(admin(&app, Method::DELETE, "/_sim/objects/alice@acme.example", None).await.status, StatusCode::OK);
    assert_eq!(api(&app, Method::GET, "/api/v1/users/alice@acme.example", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(sim.count(Kind::User), 1);
    assert_eq!(
        admin(&app, Method::POST, "/_sim/objects/dragon", Some(json!({}))).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn faults_fail_or_commit_and_fail() {
    let (sim, app) = app();
    let armed = admin(
        &app,
        Method::POST,
        "/_sim/faults",
        Some(json!({"kind": "status", "method": "POST", "path_contains": "/agent-pools", "status": 429})),
    )
    .await;
    assert_eq!(armed.status, StatusCode::OK);
    let limited = api(&app, Method::POST, "/api/v1/agent-pools", Some(json!({"name": "p"}))).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.headers["retry-after"], "1");
    assert_eq!(sim.count(Kind::AgentPool), 1, "a status fault does nothing");

    admin(
        &app,
        Method::POST,
        "/_sim/faults",
        Some(json!({"kind": "status", "path_contains": "/agent-pools", "status": 503})),
    )
    .await;
    let unavailable = api(&app, Method::GET, "/api/v1/agent-pools", None).await;
    assert_eq!(unavailable.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(unavailable.headers.get("retry-after").is_none());

    admin(
        &app,
        Method::POST,
        "/_sim/faults",
        Some(json!({"kind": "error_after_commit", "path_contains": "/agent-pools"})),
    )
    .await;
    let failed = api(&app, Method::POST, "/api/v1/agent-pools", Some(json!({"name": "p"}))).await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.body["status"], 500);
    assert_eq!(sim.count(Kind::AgentPool), 2, "the change was committed");
    let retried = api(&app, Method::POST, "/api/v1/agent-pools", Some(json!({"name": "p"}))).await;
    assert_eq!(retried.status, StatusCode::CONFLICT, "a retry finds it");

    // Faults only hit authenticated requests.
    admin(&app, Method::POST, "/_sim/faults", Some(json!({"kind": "status", "path_contains": "/users"}))).await;
    assert_eq!(call(&app, None, Method::GET, "/api/v1/users", None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api(&app, Method::GET, "/api/v1/users", None).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        admin(&app, Method::POST, "/_sim/faults", Some(json!({"kind": "explode"}))).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_spawned_simulator_serves_http_and_drops_answers() {
    let running = spawn(SimConfig::default()).expect("spawn");
    let client = reqwest::Client::new();
    running.sim.arm(Fault {
        kind: "drop".into(),
        method: Some("POST".into()),
        path_contains: "/api/v1/agent-pools".into(),
        status: None,
        message: None,
        remaining: 1,
    });
    let dropped = client
        .post(format!("{}/api/v1/agent-pools", running.url()))
        .bearer_auth(KEY)
        .json(&json!({"name": "dropped"}))
        .send()
        .await;
    let broken = match dropped {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(broken, "the answer must not arrive whole");
    assert_eq!(running.sim.count(Kind::AgentPool), 2, "the change was committed");
    let list = client
        .get(format!("{}/api/v1/agent-pools?name=dropped", running.url()))
        .bearer_auth(KEY)
        .send()
        .await
        .expect("list");
    assert_eq!(list.status(), reqwest::StatusCode::OK);
    let page: Value = list.json().await.expect("JSON");
    assert_eq!(page["total"], 1);
}

#[test]
fn times_are_answered_in_utc_with_milliseconds() {
    let utc = crate::timestamp::parse_rfc3339("2021-12-31T23:59:59+01:00").expect("valid");
    assert_eq!(format_time(utc), "2021-12-31T22:59:59.000Z");
}

#[test]
fn wildcards_match_whole_names() {
    use handlers::wildcard;
    assert!(wildcard("checkout-*", "Checkout-Service-1"));
    assert!(wildcard("*python", "all-python"));
    assert!(wildcard("a*b*c", "axxbyyc"));
    assert!(!wildcard("a*b*c", "axxbyy"));
    assert!(wildcard("prod", "prod"));
    assert!(!wildcard("prod", "production"));
    assert!(!wildcard("ab*ba", "aba"));
}

#[tokio::test]
async fn knobs_latency_rbac_and_expired_keys() {
    let (_, app) = app();
    let knobs = admin(&app, Method::PUT, "/_sim/config", Some(json!({"latency_ms": 60, "rbac": false}))).await;
    assert_eq!(knobs.body["latency_ms"], 60);
    assert_eq!(knobs.body["company_id"], COMPANY_ID);
    let started = std::time::Instant::now();
    assert_eq!(
        api(&app, Method::GET, "/api/v1/agents", None).await.status,
        StatusCode::OK,
        "no pool needed without RBAC"
    );
    assert!(started.elapsed() >= std::time::Duration::from_millis(60));
    // Without RBAC only DEVELOPER and SYSTEM_ADMIN are allowed.
    let security = json!({"email": "sec@acme.example", "firstName": "S", "lastName": "C", "roles": ["SECURITY"]});
    assert_eq!(api(&app, Method::POST, "/api/v1/users", Some(security)).await.status, StatusCode::BAD_REQUEST);
    admin(&app, Method::PUT, "/_sim/config", Some(json!({"latency_ms": 0}))).await;

    let base = format!("/api/v1/access/company/{COMPANY_ID}/system-api-key");
    let secret = api(&app, Method::POST, &format!("{base}?expirationDays=1"), None).await.body["apiKey"]
        .as_str()
        .expect("apiKey")
        .to_string();
    assert_eq!(call(&app, Some(&secret), Method::GET, "/api/v1/users", None).await.status, StatusCode::OK);
    let id = api(&app, Method::GET, &base, None).await.body["items"][0]["id"].as_str().expect("id").to_string();
    admin(&app, Method::PATCH, &format!("/_sim/objects/{id}"), Some(json!({"expirationDate": "2020-01-01T00:00:00Z"})))
        .await;
    let expired = call(&app, Some(&secret), Method::GET, "/api/v1/users", None).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(expired.body, json!({"message": "401 Unauthorized"}));
}

/// The 51 operations of the OpenAPI the interface uses ("Coverage of the OpenAPI"), each
/// routed: none may answer the router's own 404 or 405.
#[tokio::test]
async fn every_operation_the_interface_uses_is_routed() {
    let (_, app) = app();
    let keys = format!("/api/v1/access/company/{COMPANY_ID}/system-api-key");
    let operations: Vec<(Method, String)> = vec![
        (Method::GET, "/api/v1/users".into()),
        (Method::POST, "/api/v1/users".into()),
        (Method::GET, "/api/v1/users/a@b.example".into()),
        (Method::PUT, "/api/v1/users/a@b.example".into()),
        (Method::DELETE, "/api/v1/users/a@b.example".into()),
        (Method::PUT, "/api/v1/users/a@b.example/enable".into()),
        (Method::PUT, "/api/v1/users/a@b.example/disable".into()),
        (Method::GET, "/api/v1/groups".into()),
        (Method::POST, "/api/v1/groups".into()),
        (Method::GET, "/api/v1/groups/g".into()),
        (Method::PUT, "/api/v1/groups/g".into()),
        (Method::DELETE, "/api/v1/groups/g".into()),
        (Method::POST, "/api/v1/groups/g/members".into()),
        (Method::DELETE, "/api/v1/groups/g/members".into()),
        (Method::PUT, "/api/v1/groups/g/members/a@b.example".into()),
        (Method::GET, "/api/v1/temp-access".into()),
        (Method::POST, "/api/v1/temp-access".into()),
        (Method::DELETE, "/api/v1/temp-access/t".into()),
        (Method::GET, "/api/v1/agent-pools".into()),
        (Method::POST, "/api/v1/agent-pools".into()),
        (Method::GET, "/api/v1/agent-pools/p".into()),
        (Method::PUT, "/api/v1/agent-pools/p".into()),
        (Method::DELETE, "/api/v1/agent-pools/p".into()),
        (Method::PUT, "/api/v1/agent-pools/p/enable-agents".into()),
        (Method::PUT, "/api/v1/agent-pools/p/detach-agents".into()),
        (Method::GET, "/api/v1/agents".into()),
        (Method::GET, "/api/v1/tags".into()),
        (Method::GET, "/api/v1/custom-sources".into()),
        (Method::GET, "/api/v1/loaded-packages".into()),
        (Method::GET, "/api/v1/sbom".into()),
        (Method::GET, "/api/v1/watched-packages".into()),
        (Method::POST, "/api/v1/watched-packages".into()),
        (Method::PUT, "/api/v1/watched-packages/w".into()),
        (Method::DELETE, "/api/v1/watched-packages".into()),
        (Method::GET, "/api/v1/configuration/feature/toggle".into()),
        (Method::GET, "/api/v1/configuration/connectivity/smtp".into()),
        (Method::POST, "/api/v1/configuration/connectivity/smtp".into()),
        (Method::GET, "/api/v1/configuration/idm/authentication".into()),
        (Method::POST, "/api/v1/configuration/idm/authentication".into()),
        (Method::GET, "/api/v1/configuration/idm/provisioning".into()),
        (Method::POST, "/api/v1/configuration/idm/provisioning".into()),
        (Method::GET, "/api/v1/license".into()),
        (Method::PUT, "/api/v1/license".into()),
        (Method::GET, keys.clone()),
        (Method::POST, keys.clone()),
        (Method::PUT, format!("{keys}/k")),
        (Method::DELETE, format!("{keys}/k")),
        (Method::GET, "/api/v1/actions".into()),
        (Method::POST, "/api/v1/actions/logs".into()),
        (Method::POST, "/api/v1/actions/snapshots".into()),
        (Method::DELETE, "/api/v1/actions/a".into()),
    ];
    assert_eq!(operations.len(), 51);
    for (method, path) in operations {
        let answer = api(&app, method.clone(), &path, None).await;
        assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_ne!(answer.body["message"], "No static resource found", "{method} {path}");
        assert!(answer.status.as_u16() < 500, "{method} {path}: {}", answer.status);
    }
}

#[test]
fn the_testkit_points_the_provider_at_the_simulator() {
    use crate::testkit::Simulated as _;
    let running = spawn(SimConfig { api_key: "e2e-key".into(), ..SimConfig::default() }).expect("spawn");
    let arguments = running.provider_arguments();
    assert!(arguments.contains(&format!("api_url    = \"{}\"", running.url())), "{arguments}");
    assert!(arguments.contains("api_key    = \"e2e-key\""), "{arguments}");
    assert!(arguments.contains(&format!("company_id = \"{COMPANY_ID}\"")), "{arguments}");
    assert_eq!(<Running as crate::testkit::Simulated>::PROVIDER, "lightrun");
}
