//! The simulator driven through its router (`oneshot`), and once over a real socket.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use super::*;

const ADMIN: &str = "admin@gmail.com";
const BEACON: &str = "10.0.0.5:8000";
const I1: &str = "10.0.0.11:2375/v1.18";
const I2: &str = "10.0.0.12:2375/v1.18";

fn app() -> (Arc<Sim>, Router) {
    let sim = Sim::new(SimConfig::default());
    (sim.clone(), router(sim))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    text: String,
}

impl Answer {
    fn content_type(&self) -> &str {
        self.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn cookie(&self) -> String {
        let set = self.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("set-cookie");
        set.split(';').next().expect("pair").to_string()
    }

    /// The records of a stream.
    fn records(&self) -> Vec<Value> {
        self.text.lines().map(|line| serde_json::from_str(line).expect("record")).collect()
    }
}

async fn send(app: &Router, method: Method, path: &str, cookie: Option<&str>, body: Option<String>) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let body = body.map(Body::from).unwrap_or_else(Body::empty);
    let response = app.clone().oneshot(request.body(body).expect("request")).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, headers, body, text }
}

async fn login(app: &Router, email: &str, password: &str) -> String {
    let body = json!({"Email": email, "Password": password}).to_string();
    let answer = send(app, Method::POST, "/api/v0.2/login", None, Some(body)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    answer.cookie()
}

async fn api(app: &Router, cookie: &str, method: Method, path: &str, body: Option<Value>) -> Answer {
    send(app, method, &format!("/api/v0.2{path}"), Some(cookie), body.map(|b| b.to_string())).await
}

async fn admin(app: &Router, method: Method, path: &str, body: Value) -> Answer {
    send(app, method, &format!("/_sim{path}"), None, Some(body.to_string())).await
}

fn err(cause: &str, message: &str) -> Value {
    json!({"Cause": cause, "Message": message})
}

async fn add_user(app: &Router, email: &str, level: i64, beacons: Value) {
    let body = json!({"Email": email, "Password": "pw", "AuthLevel": level, "Permissions": {"Beacons": beacons}});
    assert_eq!(admin(app, Method::POST, "/objects/user", body).await.status, StatusCode::OK);
}

async fn beacon_host(app: &Router) {
    let vms = json!([
        {"name": "one", "address": "10.0.0.11", "port": "2375", "version": "v1.18", "canAccessDocker": true},
        {"name": "two", "address": "10.0.0.12", "port": 2375, "version": "v1.18", "canAccessDocker": true},
    ]);
    let answer = admin(app, Method::POST, "/beacon_hosts", json!({"address": BEACON, "token": "t", "vms": vms})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
}

async fn state(app: &Router) -> Value {
    send(app, Method::GET, "/_sim/state", None, None).await.body
}

fn object<'a>(state: &'a Value, kind: &str, id: &str) -> Option<&'a Value> {
    state["objects"].as_array().expect("objects").iter().find(|o| o["kind"] == kind && o["id"] == id)
}

/// The first application's row in the admin state.
fn application(state: &Value) -> &Value {
    &object(state, "application", "1").expect("application 1")["object"]
}

/// An answer refused before anything happened: its status and `{"Cause","Message"}`.
fn assert_refused(answer: &Answer, status: StatusCode, cause: &str, message: &str) {
    assert_eq!((answer.status, &answer.body), (status, &err(cause, message)), "{}", answer.text);
}

/// The first `Error` record of a stream.
fn first_error(answer: &Answer) -> Value {
    answer.records().into_iter().find(|r| r["Status"] == "Error").unwrap_or_else(|| panic!("no error: {}", answer.text))
}

fn assert_no_error(answer: &Answer) {
    assert!(answer.records().iter().all(|r| r["Status"] != "Error"), "{}", answer.text);
}

#[tokio::test]
async fn every_api_path_needs_a_session_and_login_sets_the_auth_cookie() {
    let (_, app) = app();
    for (method, path) in [
        (Method::GET, "/api/v0.2/users/list"),
        (Method::POST, "/api/v0.2/applications/create"),
        (Method::GET, "/api/v0.1/provider/vms"),
        (Method::GET, "/api/v0.2/nothing"),
    ] {
        let answer = send(&app, method, path, None, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(answer.body, err("auth", "not logged in"));
        assert_eq!(answer.content_type(), "application/json");
    }
    let other = send(&app, Method::GET, "/somewhere", None, None).await;
    assert_eq!(other.status, StatusCode::FOUND);
    let cookie = login(&app, ADMIN, "admin").await;
    assert!(cookie.starts_with("auth="));
    let users = api(&app, &cookie, Method::GET, "/users/list", None).await;
    assert_eq!(users.body, json!([ADMIN]));
    assert_eq!(users.content_type(), "text/plain; charset=utf-8");
    let unknown = api(&app, &cookie, Method::GET, "/nothing", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["Cause"], "lighthouse");
    // Lower-case keys decode too (Go matches keys case-insensitively).
    let body = json!({"email": ADMIN, "password": "admin"}).to_string();
    assert_eq!(send(&app, Method::POST, "/api/v0.2/login", None, Some(body)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_logs_the_session_out_but_an_unknown_email_does_not() {
    let (_, app) = app();
    let cookie = login(&app, ADMIN, "admin").await;
    let unknown = json!({"Email": "nobody", "Password": "x"}).to_string();
    let answer = send(&app, Method::POST, "/api/v0.2/login", Some(&cookie), Some(unknown)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body, err("auth", "email or password incorrect"));
    let still = answer.cookie();
    assert_eq!(api(&app, &still, Method::GET, "/users/list", None).await.status, StatusCode::OK);
    let wrong = json!({"Email": ADMIN, "Password": "nope"}).to_string();
    let answer = send(&app, Method::POST, "/api/v0.2/login", Some(&still), Some(wrong)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(api(&app, &answer.cookie(), Method::GET, "/users/list", None).await.status, StatusCode::UNAUTHORIZED);
    let st = state(&app).await;
    assert_eq!((st["requests"]["logins"].clone(), st["requests"]["login_failures"].clone()), (json!(1), json!(2)));
    assert_eq!(st["requests"]["by_path"]["POST /api/v0.2/login"], 3);
    assert_eq!(st["requests"]["by_path"]["GET /api/v0.2/users/list"], 2);
}

#[tokio::test]
async fn logout_and_expired_sessions_answer_401() {
    let (_, app) = app();
    let cookie = login(&app, ADMIN, "admin").await;
    let out = send(&app, Method::GET, "/api/v0.2/logout", Some(&cookie), None).await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(api(&app, &out.cookie(), Method::GET, "/users/list", None).await.status, StatusCode::UNAUTHORIZED);
    let cookie = login(&app, ADMIN, "admin").await;
    assert_eq!(admin(&app, Method::POST, "/sessions/expire", json!({})).await.status, StatusCode::OK);
    let answer = api(&app, &cookie, Method::GET, "/users/list", None).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.body, err("auth", "not logged in"));
    let forged = cookie.replace("auth=", "auth=x");
    assert_eq!(api(&app, &forged, Method::GET, "/users/list", None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn users_are_visible_only_below_ones_own_level() {
    let (_, app) = app();
    add_user(&app, "manager", 1, json!({})).await;
    add_user(&app, "employee", 0, json!({})).await;
    add_user(&app, "peer", 1, json!({})).await;
    let manager = login(&app, "manager", "pw").await;
    let list = api(&app, &manager, Method::GET, "/users/list", None).await;
    assert_eq!(list.body, json!(["manager", "employee"]));
    let me = api(&app, &manager, Method::GET, "/users/employee", None).await;
    assert_eq!(
        me.body,
        json!({"Email": "employee", "AuthLevel": 0, "Permissions": {"Beacons": {}, "Applications": {}}})
    );
    for hidden in ["peer", ADMIN, "nobody"] {
        let answer = api(&app, &manager, Method::GET, &format!("/users/{hidden}"), None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{hidden}");
        assert_eq!(answer.body, err("users", "User does not exist or current permission too low"));
        let put = api(&app, &manager, Method::PUT, &format!("/users/{hidden}"), Some(json!({"AuthLevel": 0}))).await;
        assert_eq!(put.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn user_create_and_update_follow_the_level_rules() {
    let (_, app) = app();
    add_user(&app, "manager", 1, json!({"10.0.0.9:1": 1})).await;
    add_user(&app, "employee", 0, json!({})).await;
    let employee = login(&app, "employee", "pw").await;
    let refused =
        api(&app, &employee, Method::POST, "/users/create", Some(json!({"Email": "x", "Password": "y"}))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let manager = login(&app, "manager", "pw").await;
    let created =
        api(&app, &manager, Method::POST, "/users/create", Some(json!({"Email": "intern", "Password": "p"}))).await;
    assert_eq!(created.status, StatusCode::OK);
    assert!(created.text.is_empty());
    let dup =
        api(&app, &manager, Method::POST, "/users/create", Some(json!({"Email": "intern", "Password": "p"}))).await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert_eq!(dup.body, err("users", "databases: key already exists"));
    let bad = send(&app, Method::POST, "/api/v0.2/users/create", Some(&manager), Some("{".into())).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let could_not = err("users", "could not update user");
    for (body, status) in [
        (json!({"AuthLevel": -1}), StatusCode::BAD_REQUEST),
        (json!({"AuthLevel": 2}), StatusCode::FORBIDDEN),
        (json!({"AuthLevel": "1"}), StatusCode::BAD_REQUEST),
        (json!({"Beacons": {"10.0.0.9:1": 2}}), StatusCode::FORBIDDEN),
        (json!({"Beacons": {"10.0.0.8:1": 0}}), StatusCode::FORBIDDEN),
    ] {
        let answer = api(&app, &manager, Method::PUT, "/users/intern", Some(body.clone())).await;
        assert_eq!((answer.status, &answer.body), (status, &could_not), "{body}");
    }
    let ok = json!({"AuthLevel": 0, "Password": "new", "Beacons": {"10.0.0.9:1": 1}});
    assert_eq!(api(&app, &manager, Method::PUT, "/users/intern", Some(ok)).await.status, StatusCode::OK);
    let intern = api(&app, &manager, Method::GET, "/users/intern", None).await;
    assert_eq!(intern.body["Permissions"]["Beacons"], json!({"10.0.0.9:1": 1}));
    login(&app, "intern", "new").await;
    let revoke = json!({"Beacons": {"10.0.0.9:1": -1}});
    assert_eq!(api(&app, &manager, Method::PUT, "/users/intern", Some(revoke)).await.status, StatusCode::OK);
    let intern = api(&app, &manager, Method::GET, "/users/intern", None).await;
    assert_eq!(intern.body["Permissions"]["Beacons"], json!({}));
    let st = state(&app).await;
    assert_eq!(object(&st, "user", "intern").expect("intern")["hidden"]["Password"], "new");
}

#[tokio::test]
async fn beacon_create_polls_the_beacon_and_names_its_instances() {
    let (_, app) = app();
    beacon_host(&app).await;
    let cookie = login(&app, ADMIN, "admin").await;
    let create = json!({"Address": BEACON, "Token": "t", "Alias": "MyBeacon"});
    let answer = api(&app, &cookie, Method::POST, "/beacons/create", Some(create.clone())).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    let list = api(&app, &cookie, Method::GET, "/beacons/list", None).await;
    assert_eq!(list.body, json!([{"Alias": "MyBeacon", "Address": BEACON}]));
    let instances = api(&app, &cookie, Method::GET, "/beacons/list/10.0.0.5%3A8000", None).await;
    assert_eq!(
        instances.body[0],
        json!({"Alias": "MyBeacon.one", "BeaconAddress": BEACON, "CanAccessDocker": true,
        "InstanceAddress": I1, "Name": "one"})
    );
    assert_eq!(instances.body.as_array().map(Vec::len), Some(2));
    let me = api(&app, &cookie, Method::GET, "/users/admin@gmail.com", None).await;
    assert_eq!(me.body["Permissions"]["Beacons"][BEACON], 2);
    let again = api(&app, &cookie, Method::POST, "/beacons/create", Some(create)).await;
    assert_eq!(again.body, err("beacons", "databases: key already exists"));
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    let missing = api(&app, &cookie, Method::POST, "/beacons/create", Some(json!({"Address": "a:1"}))).await;
    assert_eq!(missing.body, err("beacons", "beacons: not enough or invalid parameters given"));
}

#[tokio::test]
async fn beacon_create_failures_undo_the_rows_but_keep_the_owner_level() {
    let (_, app) = app();
    beacon_host(&app).await;
    let cookie = login(&app, ADMIN, "admin").await;
    let unreachable = json!({"Address": "10.0.0.6:8000", "Token": "t", "Alias": "Gone"});
    let answer = api(&app, &cookie, Method::POST, "/beacons/create", Some(unreachable)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body["Message"], "Get http://10.0.0.6:8000/vms: dial tcp 10.0.0.6:8000: connection refused");
    let wrong_token = json!({"Address": BEACON, "Token": "bad", "Alias": "B"});
    let answer = api(&app, &cookie, Method::POST, "/beacons/create", Some(wrong_token)).await;
    assert_refused(&answer, StatusCode::INTERNAL_SERVER_ERROR, "beacons", "");
    let st = state(&app).await;
    assert_eq!(st["counts"]["beacon"], 0);
    assert_eq!(st["counts"]["alias"], 0);
    let me = &object(&st, "user", ADMIN).expect("admin")["object"]["Permissions"]["Beacons"];
    assert_eq!(me, &json!({"10.0.0.6:8000": 2, BEACON: 2}));
}

#[tokio::test]
async fn beacon_token_refresh_and_instance_listing_rules() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    // Through the alias, as a bare JSON string.
    let answer = api(&app, &cookie, Method::PUT, "/beacons/token/MyBeacon", Some(json!("t2"))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(object(&state(&app).await, "beacon", BEACON).expect("beacon")["hidden"]["Token"], "t2");
    let not_string = api(&app, &cookie, Method::PUT, "/beacons/token/MyBeacon", Some(json!({"a": 1}))).await;
    assert_eq!(not_string.status, StatusCode::BAD_REQUEST);
    // The beacon now refuses the stored token: refresh fails, listing with refresh does not.
    let refresh = api(&app, &cookie, Method::PUT, "/beacons/refresh/10.0.0.5:8000", None).await;
    assert_eq!(refresh.status, StatusCode::INTERNAL_SERVER_ERROR);
    let listed = api(&app, &cookie, Method::GET, "/beacons/list/10.0.0.5:8000?refresh=true", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    let unknown = api(&app, &cookie, Method::PUT, "/beacons/refresh/1.2.3.4:1", None).await;
    assert_eq!(unknown.body, err("beacons", "databases: result was empty"));
    add_user(&app, "employee", 0, json!({BEACON: 0, "1.2.3.4:1": 1})).await;
    let employee = login(&app, "employee", "pw").await;
    let refused = api(&app, &employee, Method::PUT, "/beacons/token/10.0.0.5%3A8000", Some(json!("x"))).await;
    assert_refused(&refused, StatusCode::FORBIDDEN, "beacons", "beacons: user not permitted to access token");
    let no_row = api(&app, &employee, Method::PUT, "/beacons/token/1.2.3.4:1", Some(json!("x"))).await;
    assert_refused(&no_row, StatusCode::BAD_REQUEST, "beacons", "databases: no rows updated");
    let no_level = api(&app, &employee, Method::GET, "/beacons/list/9.9.9.9:1", None).await;
    assert_eq!(no_level.body, json!([]));
    let unknown = api(&app, &employee, Method::GET, "/beacons/list/1.2.3.4:1", None).await;
    assert_eq!(unknown.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn aliases_upsert_by_address_and_refuse_the_empty_string_with_no_body() {
    let (_, app) = app();
    let cookie = login(&app, ADMIN, "admin").await;
    let answer = api(&app, &cookie, Method::PUT, "/aliases/10.0.0.11%3A2375%2Fv1.18", Some(json!("db"))).await;
    assert_eq!(answer.status, StatusCode::OK);
    api(&app, &cookie, Method::PUT, "/aliases/10.0.0.11:2375/v1.18", Some(json!("db2"))).await;
    let st = state(&app).await;
    assert_eq!(object(&st, "alias", I1).expect("alias")["object"], json!({"Address": I1, "Alias": "db2"}));
    assert_eq!(st["counts"]["alias"], 1);
    let empty = api(&app, &cookie, Method::PUT, "/aliases/x", Some(json!(""))).await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.text.is_empty());
    let number = api(&app, &cookie, Method::PUT, "/aliases/x", Some(json!(5))).await;
    assert_eq!(number.status, StatusCode::BAD_REQUEST);
    assert_eq!(number.body["Cause"], "aliases");
}

/// The admin's session after registering the beacon [`BEACON`] (alias `MyBeacon`, two
/// instances).
async fn registered(app: &Router) -> String {
    beacon_host(app).await;
    let cookie = login(app, ADMIN, "admin").await;
    let create = json!({"Address": BEACON, "Token": "t", "Alias": "MyBeacon"});
    assert_eq!(api(app, &cookie, Method::POST, "/beacons/create", Some(create)).await.status, StatusCode::OK);
    cookie
}

async fn create_app(app: &Router, cookie: &str, query: &str, instances: Value) -> Answer {
    let body = json!({"Name": "web", "Command": {"Image": "nginx", "Cmd": ["run"]}, "Instances": instances});
    api(app, cookie, Method::POST, &format!("/applications/create{query}"), Some(body)).await
}

fn statuses(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| format!("{} {}", r["Status"].as_str().unwrap_or(""), r["Message"].as_str().unwrap_or("")))
        .collect()
}

#[tokio::test]
async fn application_create_streams_every_step_and_makes_the_caller_owner() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    let answer = create_app(&app, &cookie, "?start=true&forcePull=true", json!([I1, I2])).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type(), "application/json");
    let records = answer.records();
    let steps: Vec<String> =
        records.iter().filter(|r| r["Status"] == "Starting").map(|r| r["Message"].to_string()).collect();
    assert_eq!(
        steps,
        [
            "\"Pulling required image\"",
            "\"Creating new container\"",
            "\"Deleting old containers\"",
            "\"Setting up new container\"",
            "\"Starting application\""
        ]
    );
    assert_eq!(
        records.last().expect("last"),
        &json!({"Status": "Finalized", "Method": "", "Endpoint": "", "Message": "",
        "Code": 0, "Instance": "", "Item": 0, "Total": 0})
    );
    assert!(records.iter().all(|r| r["Status"] != "Error"));
    let list = api(&app, &cookie, Method::GET, "/applications/list", None).await;
    assert_eq!(list.body, json!([{"Id": 1, "CurrentDeployment": 1, "Name": "web", "Instances": [I1, I2]}]));
    let st = state(&app).await;
    let web = &st["docker_hosts"][I1]["containers"]["web"];
    assert_eq!((web["running"].clone(), web["deployment_id"].clone()), (json!(true), json!(1)));
    assert_eq!(object(&st, "user", ADMIN).expect("admin")["object"]["Permissions"]["Applications"], json!({"web": 2}));
    let dup = create_app(&app, &cookie, "", json!([I1])).await;
    assert_refused(&dup, StatusCode::INTERNAL_SERVER_ERROR, "applications", "databases: key already exists");
}

#[tokio::test]
async fn application_create_refusals_before_the_stream() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    let not_enough = err("applications", "applications: not enough or invalid parameters given");
    for body in [
        json!({"Name": "a", "Command": {}, "Instances": [I1]}),
        json!({"Name": "a", "Command": {"Image": "x"}, "Instances": [1]}),
        json!({"Command": {"Image": "x"}, "Instances": [I1]}),
    ] {
        let answer = api(&app, &cookie, Method::POST, "/applications/create", Some(body)).await;
        assert_eq!((answer.status, &answer.body), (StatusCode::BAD_REQUEST, &not_enough));
    }
    let no_image = json!({"Name": "a", "Command": {"Cmd": ["x"]}, "Instances": [I1]});
    let answer = api(&app, &cookie, Method::POST, "/applications/create?forcePull=1", Some(no_image)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let bad_type = json!({"Name": "a", "Command": "x", "Instances": [I1]});
    let answer = api(&app, &cookie, Method::POST, "/applications/create", Some(bad_type)).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(state(&app).await["counts"]["application"], 0);
}

#[tokio::test]
async fn a_failed_create_deletes_the_application_and_still_answers_200() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    admin(&app, Method::PATCH, "/docker_hosts/10.0.0.12%3A2375%2Fv1.18", json!({"fail": "create"})).await;
    let answer = create_app(&app, &cookie, "?start=true", json!([I1, I2])).await;
    assert_eq!(answer.status, StatusCode::OK);
    let records = answer.records();
    assert!(records.iter().any(|r| r["Status"] == "Error" && r["Instance"] == I2 && r["Code"] == 500));
    assert!(statuses(&records).contains(&"Starting Rolling back".to_string()));
    assert_eq!(records.last().expect("last")["Status"], "Finalized");
    let st = state(&app).await;
    assert_eq!((st["counts"]["application"].clone(), st["counts"]["deployment"].clone()), (json!(0), json!(0)));
    assert_eq!(st["docker_hosts"][I1]["containers"], json!({}));
    // An instance nobody can reach fails at its first step with Go's transport error.
    let answer = create_app(&app, &cookie, "", json!(["10.9.9.9:2375/v1.18"])).await;
    let error = first_error(&answer);
    assert_eq!(
        error["Message"],
        "Post http://10.9.9.9:2375/v1.18/containers/create?name=web_tmp: dial tcp 10.9.9.9:2375: connection refused"
    );
}

#[tokio::test]
async fn history_lists_deployments_newest_first_with_versions() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    create_app(&app, &cookie, "?start=true", json!([I1])).await;
    let update = json!({"Command": {"Image": "nginx:2", "Cmd": ["b"]}});
    let answer = api(&app, &cookie, Method::PUT, "/applications/update/web?restart=true", Some(update)).await;
    assert_no_error(&answer);
    let history = api(&app, &cookie, Method::GET, "/applications/list/1", None).await;
    assert_eq!(history.content_type(), "text/plain; charset=utf-8");
    let entries = history.body.as_array().expect("history");
    assert_eq!(
        (entries[0]["Id"].clone(), entries[0]["Version"].clone(), entries[0]["Image"].clone()),
        (json!(2), json!(2), json!("nginx:2"))
    );
    assert_eq!(entries[1]["Version"], 1);
    assert_eq!(entries[0]["Creator"], ADMIN);
    let one = api(&app, &cookie, Method::GET, "/applications/list/web?count=1", None).await;
    assert_eq!(one.body.as_array().map(Vec::len), Some(1));
    let negative = api(&app, &cookie, Method::GET, "/applications/list/web?count=-1", None).await;
    assert_eq!(negative.status, StatusCode::BAD_REQUEST);
    let unknown = api(&app, &cookie, Method::GET, "/applications/list/nope", None).await;
    assert_refused(&unknown, StatusCode::NOT_FOUND, "applications", "applications: unknown application ID");
    add_user(&app, "employee", 0, json!({})).await;
    let employee = login(&app, "employee", "pw").await;
    assert_eq!(api(&app, &employee, Method::GET, "/applications/list/web", None).await.body, json!([]));
    assert_eq!(api(&app, &employee, Method::GET, "/applications/list", None).await.body, json!([]));
    let refused = api(&app, &employee, Method::POST, "/applications/stop/web", None).await;
    assert_refused(
        &refused,
        StatusCode::FORBIDDEN,
        "applications",
        "applications: user not permitted to modify application",
    );
    let st = state(&app).await;
    assert_eq!(st["docker_hosts"][I1]["containers"]["web"]["deployment_id"], 2);
    assert_eq!(application(&st)["CurrentDeployment"], 2);
}

#[tokio::test]
async fn start_and_stop_roll_back_the_instances_that_succeeded() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    create_app(&app, &cookie, "?start=true", json!([I1, I2])).await;
    let stop = api(&app, &cookie, Method::POST, "/applications/stop/1", None).await;
    assert_no_error(&stop);
    let st = state(&app).await;
    assert_eq!(st["docker_hosts"][I1]["containers"]["web"]["running"], false);
    admin(&app, Method::PATCH, &format!("/docker_hosts/{I2}"), json!({"fail": "start"})).await;
    let start = api(&app, &cookie, Method::POST, "/applications/start/web", None).await;
    let records = start.records();
    assert!(statuses(&records).contains(&"Starting Rolling back".to_string()));
    let rollback = records.iter().find(|r| r["Message"] == "Rolling back").expect("rollback");
    assert_eq!((rollback["Endpoint"].clone(), rollback["Total"].clone()), (json!("containers/web/stop"), json!(1)));
    let st = state(&app).await;
    assert_eq!(st["docker_hosts"][I1]["containers"]["web"]["running"], false);
    let unknown = api(&app, &cookie, Method::POST, "/applications/start/99", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn update_rules_instances_deployments_and_failures() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    create_app(&app, &cookie, "?start=true", json!([I1])).await;
    // Only Add: the current deployment goes to the added instance (pulled, not started).
    let add = api(&app, &cookie, Method::PUT, "/applications/update/web", Some(json!({"Add": [I2]}))).await;
    let records = add.records();
    assert_eq!(records[0]["Message"], "Pulling required image");
    assert!(records.iter().filter(|r| r["Instance"] != "").all(|r| r["Instance"] == I2));
    let st = state(&app).await;
    assert_eq!(st["docker_hosts"][I2]["containers"]["web"]["running"], false);
    assert_eq!(application(&st)["Instances"], json!([I1, I2]));
    // Remove deletes the container there; a failing new Command keeps its row.
    admin(&app, Method::PATCH, &format!("/docker_hosts/{I1}"), json!({"fail": "pull"})).await;
    let body = json!({"Command": {"Image": "nginx:3"}, "Remove": [I2]});
    let answer = api(&app, &cookie, Method::PUT, "/applications/update/web", Some(body)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let error = first_error(&answer);
    assert_eq!(error["Message"], "Error: image nginx:3 not found");
    let st = state(&app).await;
    assert_eq!(st["docker_hosts"][I2]["containers"], json!({}));
    assert_eq!(st["counts"]["deployment"], 2);
    assert_eq!(application(&st)["CurrentDeployment"], 1);
    // No Image: nothing deployed, only Finalized.
    let answer =
        api(&app, &cookie, Method::PUT, "/applications/update/web", Some(json!({"Command": {"Cmd": ["x"]}}))).await;
    assert_eq!(answer.records().len(), 1);
    let bad = api(&app, &cookie, Method::PUT, "/applications/update/web", Some(json!({"Add": [1]}))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let never = json!({"Name": "cold", "Command": {"Image": "x"}, "Instances": [I1]});
    admin(&app, Method::POST, "/objects/application", never).await;
    admin(&app, Method::PATCH, "/objects/application/cold", json!({"CurrentDeployment": -1})).await;
    let empty = api(&app, &cookie, Method::PUT, "/applications/update/cold", Some(json!({"Add": [I2]}))).await;
    assert_refused(&empty, StatusCode::INTERNAL_SERVER_ERROR, "applications", "databases: result was empty");
}

#[tokio::test]
async fn revert_picks_an_older_deployment_without_a_new_row() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    create_app(&app, &cookie, "?start=true", json!([I1])).await;
    api(&app, &cookie, Method::PUT, "/applications/update/web", Some(json!({"Command": {"Image": "nginx:2"}}))).await;
    let revert = api(&app, &cookie, Method::PUT, "/applications/revert/web", None).await;
    assert_no_error(&revert);
    let st = state(&app).await;
    assert_eq!(application(&st)["CurrentDeployment"], 1);
    assert_eq!(st["counts"]["deployment"], 2);
    let cases = [("?target=-2", 400), ("?target=99", 404)];
    for (query, status) in cases {
        let answer = api(&app, &cookie, Method::PUT, &format!("/applications/revert/web{query}"), None).await;
        assert_eq!(answer.status.as_u16(), status, "{query}");
    }
    admin(
        &app,
        Method::POST,
        "/objects/application",
        json!({"Name": "other", "Command": {"Image": "x"}, "Instances": []}),
    )
    .await;
    let mismatch = api(&app, &cookie, Method::PUT, "/applications/revert/web?target=3", None).await;
    assert_eq!(mismatch.body, err("applications", "applications: deployment does not belong to given application"));
}

#[tokio::test]
async fn instances_behind_a_beacon_need_the_callers_level_for_the_token() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    create_app(&app, &cookie, "", json!([I1])).await;
    // Someone without a level on the beacon: the beacon gets no token and answers 401.
    add_user(&app, "dev", 0, json!({})).await;
    admin(&app, Method::PATCH, "/objects/user/dev", json!({"Permissions": {"Applications": {"web": 1}}})).await;
    let dev = login(&app, "dev", "pw").await;
    let answer = api(&app, &dev, Method::POST, "/applications/start/web", None).await;
    let error = first_error(&answer);
    assert_eq!((error["Code"].clone(), error["Message"].clone()), (json!(401), json!("")));
}

#[tokio::test]
async fn a_dropped_create_answer_still_leaves_the_application_created() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    let fault = json!({"kind": "drop", "method": "POST", "path_contains": "/applications/create"});
    assert_eq!(admin(&app, Method::POST, "/faults", fault).await.status, StatusCode::OK);
    let answer = create_app(&app, &cookie, "?start=true", json!([I1])).await;
    assert!(answer.text.is_empty());
    let st = state(&app).await;
    assert_eq!(application(&st)["CurrentDeployment"], 1);
    assert_eq!(st["docker_hosts"][I1]["containers"]["web"]["running"], true);
}

/// Sends `request` over the socket and decodes its JSON answer.
async fn json_answer(request: reqwest::RequestBuilder) -> Value {
    request.send().await.expect("send").json().await.expect("json")
}

#[tokio::test]
async fn admin_objects_config_and_a_real_socket() {
    let running = spawn(SimConfig::default()).expect("spawn");
    let client = reqwest::Client::new();
    let url = running.url();
    let answer: Value = json_answer(
        client
            .post(format!("{url}/_sim/objects/beacon"))
            .json(&json!({"Address": "1.1.1.1:1", "Token": "s", "Alias": "B"})),
    )
    .await;
    assert_eq!(answer, json!({"Address": "1.1.1.1:1", "Alias": "B"}));
    let knobs: Value = json_answer(client.put(format!("{url}/_sim/config")).json(&json!({"step_delay_ms": 1}))).await;
    assert_eq!(knobs["step_delay_ms"], 1);
    let login = client
        .post(format!("{url}/api/v0.2/login"))
        .body(r#"{"Email":"admin@gmail.com","Password":"admin"}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(login.status(), reqwest::StatusCode::OK);
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .to_string();
    let list = client.get(format!("{url}/api/v0.2/beacons/list")).header("cookie", cookie).send().await.expect("send");
    assert_eq!(list.text().await.expect("text"), "[]");
    let edited: Value =
        json_answer(client.patch(format!("{url}/_sim/objects/beacon/1.1.1.1%3A1")).json(&json!({"Token": "n"}))).await;
    assert_eq!(edited["Address"], "1.1.1.1:1");
    let st: Value = json_answer(client.get(format!("{url}/_sim/state"))).await;
    assert_eq!(object(&st, "beacon", "1.1.1.1:1").expect("beacon")["hidden"]["Token"], "n");
    assert_eq!(running.sim.cfg().step_delay, std::time::Duration::from_millis(1));
}

#[tokio::test]
async fn an_empty_application_id_is_an_unknown_application() {
    let (_, app) = app();
    let cookie = login(&app, ADMIN, "admin").await;
    let answer = api(&app, &cookie, Method::GET, "/applications/list/", None).await;
    assert_refused(&answer, StatusCode::NOT_FOUND, "applications", "applications: unknown application ID");
    let answer = api(&app, &cookie, Method::PUT, "/beacons/token/", Some(json!("x"))).await;
    assert_eq!(answer.body, err("beacons", "beacons: not enough or invalid parameters given"));
}

#[tokio::test]
async fn an_error_after_commit_keeps_the_change_and_answers_the_fault() {
    let (_, app) = app();
    let cookie = login(&app, ADMIN, "admin").await;
    let fault = json!({"kind": "error_after_commit", "path_contains": "/users/create", "status": 502});
    admin(&app, Method::POST, "/faults", fault).await;
    let body = json!({"Email": "late", "Password": "p"});
    let answer = api(&app, &cookie, Method::POST, "/users/create", Some(body)).await;
    assert_eq!(answer.status, StatusCode::BAD_GATEWAY);
    assert!(object(&state(&app).await, "user", "late").is_some());
    let bad = admin(&app, Method::POST, "/faults", json!({"kind": "explode"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn refresh_adds_new_vms_and_keeps_vanished_instances() {
    let (_, app) = app();
    let cookie = registered(&app).await;
    let vms = json!([{"name": "three", "address": "10.0.0.13", "port": "2375", "version": "v1.18", "canAccessDocker": false}]);
    let patched = admin(&app, Method::PATCH, "/beacon_hosts/10.0.0.5:8000", json!({"vms": vms})).await;
    assert_eq!(patched.status, StatusCode::OK);
    assert_eq!(api(&app, &cookie, Method::PUT, "/beacons/refresh/10.0.0.5%3A8000", None).await.status, StatusCode::OK);
    let listed = api(&app, &cookie, Method::GET, "/beacons/list/10.0.0.5:8000", None).await;
    let names: Vec<&str> = listed.body.as_array().expect("list").iter().filter_map(|i| i["Name"].as_str()).collect();
    assert_eq!(names, ["one", "two", "three"]);
    // A beacon taken off the network: refresh reports Go's transport error.
    admin(&app, Method::DELETE, "/beacon_hosts/10.0.0.5:8000", json!({})).await;
    let answer = api(&app, &cookie, Method::PUT, "/beacons/refresh/10.0.0.5:8000", None).await;
    assert_eq!(answer.body["Message"], "Get http://10.0.0.5:8000/vms: dial tcp 10.0.0.5:8000: connection refused");
}
