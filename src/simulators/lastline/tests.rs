//! The simulator driven through its router (`oneshot`), and once over a real socket.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt as _;

use super::*;

fn app() -> (Arc<Sim>, Router) {
    app_with(SimConfig::default())
}

fn app_with(config: SimConfig) -> (Arc<Sim>, Router) {
    let sim = Sim::new(config);
    (sim.clone(), router(sim))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
    text: String,
    bytes: Vec<u8>,
}

impl Answer {
    /// `data` of a success envelope (fails the test otherwise).
    fn data(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        assert_eq!(self.body["success"], 1, "{}", self.text);
        self.body["data"].clone()
    }

    /// `error_code` of an HTTP 200 `success: 0` envelope.
    fn code(&self) -> i64 {
        assert_eq!(self.status, StatusCode::OK, "{}", self.text);
        assert_eq!(self.body["success"], 0, "{}", self.text);
        self.body["error_code"].as_i64().unwrap_or(-1)
    }

    fn session(&self) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("PHPSESSID="))
            .and_then(|v| v.split(';').next())
            .filter(|v| *v != "deleted")
            .map(str::to_string)
    }
}

async fn send(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer { status, headers, body, text, bytes }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let escape = |text: &str| {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect::<Vec<_>>().join("&")
}

async fn raw(app: &Router, method: Method, path: &str, pairs: &[(&str, &str)], cookie: Option<&str>) -> Answer {
    let form = encode(pairs);
    let (uri, body) = if method == Method::GET && !form.is_empty() {
        (format!("{path}?{form}"), String::new())
    } else {
        (path.to_string(), form)
    };
    let mut request = Request::builder().method(method).uri(uri);
    if !body.is_empty() {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("PHPSESSID={cookie}"));
    }
    send(app, request.body(Body::from(body)).expect("request")).await
}

async fn login(app: &Router, username: &str, password: &str) -> String {
    let answer = raw(app, Method::POST, "/papi/login", &[("username", username), ("password", password)], None).await;
    assert_eq!(answer.data(), json!("true"));
    answer.session().expect("a session cookie")
}

/// A logged-in client of one account.
struct Client {
    app: Router,
    cookie: String,
}

impl Client {
    async fn new(app: &Router, username: &str, password: &str) -> Client {
        Client { app: app.clone(), cookie: login(app, username, password).await }
    }

    async fn admin(app: &Router) -> Client {
        Client::new(app, DEFAULT_USERNAME, DEFAULT_PASSWORD).await
    }

    async fn analyst(app: &Router) -> Client {
        Client::new(app, ANALYST, ANALYST_PASSWORD).await
    }

    async fn get(&self, method: &str, pairs: &[(&str, &str)]) -> Answer {
        raw(&self.app, Method::GET, &format!("/papi/accounting/{method}.json"), pairs, Some(&self.cookie)).await
    }

    async fn post(&self, method: &str, pairs: &[(&str, &str)]) -> Answer {
        raw(&self.app, Method::POST, &format!("/papi/accounting/{method}.json"), pairs, Some(&self.cookie)).await
    }
}

async fn admin_call(app: &Router, method: Method, path: &str, body: Option<Value>) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
    send(app, request.body(body).expect("request")).await
}

async fn state(app: &Router) -> Value {
    admin_call(app, Method::GET, "/_sim/state", None).await.body
}

fn find<'a>(state: &'a Value, kind: &str, id: &str) -> Option<&'a Value> {
    state["objects"].as_array()?.iter().find(|o| o["kind"] == kind && o["id"] == id)
}

fn usernames(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|a| a.iter().filter_map(|x| x["username"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn keys(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .map(|a| a.iter().filter_map(|x| x[field].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// URL grammar, envelope, HTTP methods

#[tokio::test]
async fn the_suffix_picks_json_or_xml_and_json_is_the_default() {
    let (_, app) = app();
    let c = Client::admin(&app).await;
    let plain = raw(&app, Method::GET, "/papi/accounting/account/get_account", &[], Some(&c.cookie)).await;
    assert_eq!(plain.data()["username"], DEFAULT_USERNAME);
    assert!(plain.headers["content-type"].to_str().expect("type").contains("json"));
    let xml = raw(&app, Method::GET, "/papi/accounting/account/get_account.xml", &[], Some(&c.cookie)).await;
    assert_eq!(xml.status, StatusCode::OK);
    assert!(
        xml.text.contains("<result><success>1</success><data><username>admin@acme.example</username>"),
        "{}",
        xml.text
    );
    let xml_error = raw(&app, Method::GET, "/papi/accounting/account/get_account.xml", &[], None).await;
    assert!(
        xml_error.text.contains("<success>0</success>") && xml_error.text.contains("<error_code>3004</error_code>")
    );
    let lists = raw(&app, Method::GET, "/papi/accounting/permission/info.xml", &[], Some(&c.cookie)).await;
    assert!(lists.text.contains("<data><item><permission>can_view_appliances</permission>"), "{}", lists.text);
}

#[tokio::test]
async fn unknown_methods_and_suffixes_are_404_and_wrong_http_methods_405() {
    let (_, app) = app();
    let c = Client::admin(&app).await;
    assert_eq!(c.get("account/nothing", &[]).await.status, StatusCode::NOT_FOUND);
    let html = raw(&app, Method::GET, "/papi/accounting/account/get_account.html", &[], Some(&c.cookie)).await;
    assert_eq!(html.status, StatusCode::NOT_FOUND);
    for (path, verbs, _) in METHODS {
        let wrong = match verbs {
            Verbs::Get => Method::POST,
            Verbs::Post => Method::GET,
            Verbs::GetPost => Method::DELETE,
        };
        let answer = raw(&app, wrong.clone(), &format!("/papi/accounting/{path}.json"), &[], Some(&c.cookie)).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{wrong} {path}");
        assert!(answer.headers.contains_key("allow"));
    }
    assert_eq!(METHODS.len() + 2, 39, "37 envelope methods and two licence bundles");
}

#[tokio::test]
async fn get_post_methods_take_query_or_form_parameters() {
    let (_, app) = app();
    let c = Client::admin(&app).await;
    let by_get = c.get("account/get_accounts", &[("account_username", ANALYST)]).await.data();
    let by_post = c.post("account/get_accounts", &[("account_username", ANALYST)]).await.data();
    assert_eq!(usernames(&by_get), vec![ANALYST]);
    assert_eq!(by_get, by_post);
}

// ---------------------------------------------------------------------------------------
// Authentication

#[tokio::test]
async fn login_by_post_or_get_sets_a_session_cookie() {
    let (sim, app) = app();
    let cookie = login(&app, DEFAULT_USERNAME, DEFAULT_PASSWORD).await;
    let query =
        raw(&app, Method::GET, "/papi/login.json", &[("username", ANALYST), ("password", ANALYST_PASSWORD)], None)
            .await;
    assert_eq!(query.data(), json!("true"));
    assert!(query.session().is_some());
    let me = raw(&app, Method::GET, "/papi/accounting/account/get_account.json", &[], Some(&cookie)).await;
    assert_eq!(me.data()["username"], DEFAULT_USERNAME);
    assert_eq!(sim.logins(), 2);
}

#[tokio::test]
async fn bad_or_missing_credentials_are_3004() {
    let (_, app) = app();
    let wrong =
        raw(&app, Method::POST, "/papi/login", &[("username", DEFAULT_USERNAME), ("password", "nope")], None).await;
    assert_eq!(wrong.code(), AUTHENTICATION_ERROR);
    assert!(wrong.session().is_none());
    let missing = raw(&app, Method::POST, "/papi/login", &[("username", DEFAULT_USERNAME)], None).await;
    assert_eq!(missing.code(), AUTHENTICATION_ERROR);
    let licence_login =
        raw(&app, Method::POST, "/papi/login", &[("api_key", HOSTED_KEY), ("api_token", "x")], None).await;
    assert_eq!(licence_login.code(), AUTHENTICATION_ERROR);
    let anonymous = raw(&app, Method::GET, "/papi/accounting/account/get_account.json", &[], None).await;
    assert_eq!(anonymous.code(), AUTHENTICATION_ERROR);
    assert_eq!(raw(&app, Method::PUT, "/papi/login", &[], None).await.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(state(&app).await["requests"]["failed_logins"], 3);
}

#[tokio::test]
async fn inline_credentials_authenticate_one_call_and_set_the_cookie() {
    let (_, app) = app();
    let pairs = [("username", ANALYST), ("password", ANALYST_PASSWORD)];
    let inline = raw(&app, Method::GET, "/papi/accounting/account/get_account.xml", &pairs, None).await;
    assert!(inline.text.contains("<username>analyst@acme.example</username>"));
    let cookie = inline.session().expect("cookie from inline credentials");
    let again = raw(&app, Method::GET, "/papi/accounting/account/get_account.json", &[], Some(&cookie)).await;
    assert_eq!(again.data()["username"], ANALYST);
    let bad = [("username", ANALYST), ("password", "wrong")];
    assert_eq!(
        raw(&app, Method::GET, "/papi/accounting/account/get_account.json", &bad, None).await.code(),
        AUTHENTICATION_ERROR
    );
    let requests = &state(&app).await["requests"];
    assert_eq!(requests["inline_logins"], 1);
    assert_eq!(requests["logins"], 0);
}

#[tokio::test]
async fn expired_sessions_are_3004_and_inline_credentials_still_work() {
    let (_, app) = app();
    let c = Client::admin(&app).await;
    let expired = admin_call(&app, Method::POST, "/_sim/sessions/expire", None).await;
    assert_eq!(expired.body["expired"], 1);
    let refused = c.get("account/get_account", &[]).await;
    assert_eq!(refused.code(), AUTHENTICATION_ERROR);
    assert!(refused.body["error"].as_str().expect("error").contains("expired"));
    let pairs = [("username", DEFAULT_USERNAME), ("password", DEFAULT_PASSWORD)];
    let inline = raw(&app, Method::GET, "/papi/accounting/account/get_account.json", &pairs, Some(&c.cookie)).await;
    assert_eq!(inline.data()["username"], DEFAULT_USERNAME);
    assert!(inline.session().is_some());
}

#[tokio::test]
async fn idle_sessions_expire_after_the_configured_timeout() {
    let (_, app) = app();
    let c = Client::admin(&app).await;
    let knobs = admin_call(&app, Method::PUT, "/_sim/config", Some(json!({"session_idle_timeout_ms": 50}))).await;
    assert_eq!(knobs.body["session_idle_timeout_ms"], 50);
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(c.get("account/get_account", &[]).await.code(), AUTHENTICATION_ERROR);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let (_, app) = app();
    let c = Client::admin(&app).await;
    let out = raw(&app, Method::POST, "/papi/logout.json", &[], Some(&c.cookie)).await;
    assert_eq!(out.data(), json!("true"));
    assert_eq!(c.get("account/get_account", &[]).await.code(), AUTHENTICATION_ERROR);
    assert_eq!(state(&app).await["requests"]["logouts"], 1);
}

// ---------------------------------------------------------------------------------------
// Customers

#[tokio::test]
async fn get_customer_reads_own_or_permitted_customers() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let own = admin.get("customer/get_customer", &[]).await.data();
    assert_eq!(own["customer"], DEFAULT_CUSTOMER);
    assert_eq!(own["username"], DEFAULT_CUSTOMER);
    assert_eq!(own["affiliation"], "Acme Corp");
    assert_eq!(admin.get("customer/get_customer", &[("customer", OTHER_CUSTOMER)]).await.data()["last_name"], "Globex");
    assert_eq!(admin.get("customer/get_customer", &[("customer", "ghost@x.example")]).await.code(), UNKNOWN_USER);
    let analyst = Client::analyst(&app).await;
    assert_eq!(analyst.get("customer/get_customer", &[]).await.data()["customer"], DEFAULT_CUSTOMER);
    assert_eq!(analyst.get("customer/get_customer", &[("customer", OTHER_CUSTOMER)]).await.code(), PERMISSION_DENIED);
}

#[tokio::test]
async fn update_customer_changes_given_fields_and_needs_admin_rights() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let done = admin
        .post("customer/update_customer", &[("customer", DEFAULT_CUSTOMER), ("city", "Shelbyville"), ("address2", "")])
        .await;
    assert_eq!(done.data(), json!("success"));
    let read = admin.get("customer/get_customer", &[]).await.data();
    assert_eq!(read["city"], "Shelbyville");
    assert_eq!(read["phone"], "+1 555 0100");
    assert_eq!(admin.post("customer/update_customer", &[("city", "X")]).await.code(), INVALID_PARAMETER);
    assert_eq!(admin.post("customer/update_customer", &[("customer", "ghost@x.example")]).await.code(), UNKNOWN_USER);
    let analyst = Client::analyst(&app).await;
    let refused = analyst.post("customer/update_customer", &[("customer", DEFAULT_CUSTOMER), ("city", "X")]).await;
    assert_eq!(refused.code(), PERMISSION_DENIED);
    assert!(refused.body["error"].as_str().expect("error").starts_with("Permission denied"));
    let info = admin.post("customer/update_customer_info", &[("country", "CA")]).await;
    assert_eq!(info.data(), json!("OK"));
    assert_eq!(admin.get("customer/get_customer", &[]).await.data()["country"], "CA");
    assert_eq!(analyst.post("customer/update_customer_info", &[("country", "X")]).await.code(), PERMISSION_DENIED);
}

#[tokio::test]
async fn block_customer_needs_additional_permissions_and_blocks_everything() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let other = Client::new(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
    let refused =
        other.post("customer/update_customer", &[("customer", OTHER_CUSTOMER), ("block_customer", "1")]).await;
    assert_eq!(refused.code(), PERMISSION_DENIED);
    let bad =
        admin.post("customer/update_customer", &[("customer", OTHER_CUSTOMER), ("block_customer", "maybe")]).await;
    assert_eq!(bad.code(), INVALID_PARAMETER);
    admin.post("customer/update_customer", &[("customer", OTHER_CUSTOMER), ("block_customer", "1")]).await.data();
    assert_eq!(other.get("account/get_account", &[]).await.code(), AUTHENTICATION_ERROR);
    let licences = admin.get("license/get_licenses", &[("customer", OTHER_CUSTOMER)]).await.data();
    assert_eq!(licences[0]["key_valid"], false);
    admin.post("customer/update_customer", &[("customer", OTHER_CUSTOMER), ("block_customer", "0")]).await.data();
    login(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
}

// ---------------------------------------------------------------------------------------
// Accounts

#[tokio::test]
async fn get_accounts_filters_and_checks_the_customer() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let all = admin.get("account/get_accounts", &[]).await.data();
    assert_eq!(usernames(&all), vec![DEFAULT_USERNAME.to_string(), ANALYST.to_string()]);
    assert!(all[0]["is_blocked"].is_boolean() && all[0].get("password").is_none());
    assert_eq!(
        usernames(&admin.get("account/get_accounts", &[("username_substring", "analyst")]).await.data()),
        vec![ANALYST]
    );
    assert_eq!(admin.get("account/get_accounts", &[("customer", "*")]).await.data().as_array().map(Vec::len), Some(3));
    assert_eq!(admin.get("account/get_accounts", &[("customer", "nobody")]).await.code(), UNKNOWN_USER);
    let other = Client::new(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
    assert_eq!(other.get("account/get_accounts", &[("customer", "*")]).await.code(), PERMISSION_DENIED);
    assert_eq!(other.get("account/get_accounts", &[("customer", DEFAULT_CUSTOMER)]).await.code(), PERMISSION_DENIED);
    assert_eq!(Client::analyst(&app).await.get("account/get_accounts", &[]).await.code(), PERMISSION_DENIED);
}

#[tokio::test]
async fn create_account_then_log_in_with_it() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let created = admin
        .post(
            "account/create",
            &[
                ("account_username", "new@acme.example"),
                ("email", "new@acme.example"),
                ("first_name", "Nia"),
                ("password", "pw-1"),
            ],
        )
        .await;
    assert_eq!(created.data(), json!("success"));
    let read = admin.get("account/get_accounts", &[("account_username", "new@acme.example")]).await.data();
    assert_eq!(read[0]["first_name"], "Nia");
    assert_eq!(read[0]["customer"], DEFAULT_CUSTOMER);
    assert_eq!(read[0]["created_by"], DEFAULT_USERNAME);
    assert_eq!(read[0]["default_locale"], "en_US");
    login(&app, "new@acme.example", "pw-1").await;
    let again = admin.post("account/create", &[("account_username", "new@acme.example"), ("email", "x@y")]).await;
    assert_eq!(again.code(), INVALID_PARAMETER);
    assert_eq!(admin.post("account/create", &[("account_username", "b@acme.example")]).await.code(), INVALID_PARAMETER);
    let elsewhere =
        admin.post("account/create", &[("account_username", "c@x"), ("email", "c@x"), ("customer", "nobody")]).await;
    assert_eq!(elsewhere.code(), UNKNOWN_USER);
    let analyst = Client::analyst(&app).await;
    assert_eq!(
        analyst.post("account/create", &[("account_username", "d@x"), ("email", "d@x")]).await.code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn delete_account_removes_it_except_a_primary_contact() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    admin
        .post("account/create", &[("account_username", "gone@acme.example"), ("email", "g@x"), ("password", "p")])
        .await
        .data();
    let gone = Client::new(&app, "gone@acme.example", "p").await;
    assert_eq!(
        admin.post("account/delete", &[("account_username", "gone@acme.example")]).await.data(),
        json!("success")
    );
    assert!(admin
        .get("account/get_accounts", &[("account_username", "gone@acme.example")])
        .await
        .data()
        .as_array()
        .expect("list")
        .is_empty());
    assert_eq!(gone.get("account/get_account", &[]).await.code(), AUTHENTICATION_ERROR);
    assert_eq!(
        admin.post("account/delete", &[("account_username", "gone@acme.example")]).await.code(),
        UNKNOWN_ACCOUNT
    );
    assert_eq!(admin.post("account/delete", &[("account_username", DEFAULT_CUSTOMER)]).await.code(), INVALID_PARAMETER);
    assert_eq!(admin.post("account/delete", &[]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        Client::analyst(&app).await.post("account/delete", &[("account_username", ANALYST)]).await.code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn a_deleted_creator_reads_as_deleted_account() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    admin
        .post("account/create", &[("account_username", "boss@acme.example"), ("email", "b@x"), ("password", "p")])
        .await
        .data();
    admin
        .post(
            "permission/grant",
            &[
                ("account_username", "boss@acme.example"),
                ("permission", "can_manage_users"),
                ("permission_context", "customer"),
                ("grant", DEFAULT_CUSTOMER),
            ],
        )
        .await
        .data();
    let boss = Client::new(&app, "boss@acme.example", "p").await;
    boss.post("account/create", &[("account_username", "kid@acme.example"), ("email", "k@x")]).await.data();
    admin.post("account/delete", &[("account_username", "boss@acme.example")]).await.data();
    let kid = admin.get("account/get_accounts", &[("account_username", "kid@acme.example")]).await.data();
    assert_eq!(kid[0]["created_by"], "deleted account");
}

#[tokio::test]
async fn update_account_changes_fields_and_checks_password_verify() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let named = admin
        .post(
            "account/update",
            &[("account_username", ANALYST), ("last_name", "Smith"), ("default_timezone", "Europe/Vienna")],
        )
        .await;
    assert_eq!(named.data(), json!("success"));
    let read = admin.get("account/get_accounts", &[("account_username", ANALYST)]).await.data();
    assert_eq!(read[0]["last_name"], "Smith");
    assert_eq!(read[0]["default_timezone"], "Europe/Vienna");
    assert_eq!(read[0]["last_modified_by"], DEFAULT_USERNAME);
    assert_eq!(
        admin.post("account/update", &[("account_username", ANALYST), ("email", "a@b")]).await.code(),
        INVALID_PARAMETER
    );
    let wrong = [("account_username", ANALYST), ("new_password", "n"), ("password_verify", "wrong")];
    assert_eq!(admin.post("account/update", &wrong).await.code(), INVALID_PARAMETER);
    let right = [("account_username", ANALYST), ("new_password", "fresh"), ("password_verify", DEFAULT_PASSWORD)];
    admin.post("account/update", &right).await.data();
    login(&app, ANALYST, "fresh").await;
    let reset = [("account_username", ANALYST), ("reset_password", "1"), ("old_password", DEFAULT_PASSWORD)];
    admin.post("account/update", &reset).await.data();
    let hidden = state(&app).await;
    let password = &find(&hidden, "account", ANALYST).expect("analyst")["hidden"]["password"];
    assert!(password.is_string() && *password != "fresh");
    assert_eq!(
        admin.post("account/update", &[("account_username", ANALYST), ("customer", OTHER_CUSTOMER)]).await.code(),
        UNKNOWN_ACCOUNT
    );
    assert_eq!(admin.post("account/update", &[("account_username", "ghost")]).await.code(), UNKNOWN_ACCOUNT);
    let analyst = Client::new(&app, ANALYST, password.as_str().expect("password")).await;
    assert_eq!(analyst.post("account/update", &[("first_name", "Al")]).await.data(), json!("success"));
    assert_eq!(
        analyst.post("account/update", &[("account_username", DEFAULT_USERNAME), ("first_name", "X")]).await.code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn block_and_unblock_an_account() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let analyst = Client::analyst(&app).await;
    assert_eq!(admin.post("account/block", &[("account_username", ANALYST)]).await.data(), json!("success"));
    let read = admin.get("account/get_accounts", &[("account_username", ANALYST)]).await.data();
    assert_eq!(read[0]["is_blocked"], true);
    assert!(read[0]["block_time"].is_string());
    let blocked = analyst.get("account/get_account", &[]).await;
    assert_eq!(blocked.code(), AUTHENTICATION_ERROR);
    assert!(blocked.text.contains("blocked"), "{}", blocked.text);
    let relogin =
        raw(&app, Method::POST, "/papi/login", &[("username", ANALYST), ("password", ANALYST_PASSWORD)], None).await;
    assert_eq!(relogin.code(), AUTHENTICATION_ERROR);
    assert_eq!(admin.post("account/unblock", &[("account_username", ANALYST)]).await.data(), json!("success"));
    assert_eq!(
        admin.get("account/get_accounts", &[("account_username", ANALYST)]).await.data()[0]["is_blocked"],
        false
    );
    login(&app, ANALYST, ANALYST_PASSWORD).await;
    assert_eq!(admin.post("account/block", &[("account_username", "ghost")]).await.code(), UNKNOWN_ACCOUNT);
    let analyst = Client::analyst(&app).await;
    assert_eq!(
        analyst.post("account/block", &[("account_username", DEFAULT_USERNAME)]).await.code(),
        PERMISSION_DENIED
    );
    assert_eq!(
        analyst.post("account/unblock", &[("account_username", DEFAULT_USERNAME)]).await.code(),
        PERMISSION_DENIED
    );
}

// ---------------------------------------------------------------------------------------
// Licences

#[tokio::test]
async fn a_generated_license_appears_only_after_the_propagation_delay() {
    let (_, app) = app_with(SimConfig { propagation_delay: Duration::from_millis(150), ..SimConfig::default() });
    let admin = Client::admin(&app).await;
    let answer = admin
        .post(
            "license/generate_license",
            &[("product", "analyst-hosted"), ("license_type", "trial"), ("start_date", "2026-01-01")],
        )
        .await
        .data();
    assert_eq!(answer["customer"], DEFAULT_CUSTOMER);
    let licence = &answer["licenses"][0];
    assert_eq!(licence["type"], "trial");
    assert_eq!(licence["end_date"], "2027-01-01");
    let key = licence["access_key"].as_str().expect("key").to_string();
    let token = licence["api_token"].as_str().expect("token").to_string();
    assert!(admin
        .get("license/get_licenses", &[("access_key", &key)])
        .await
        .data()
        .as_array()
        .expect("list")
        .is_empty());
    assert_eq!(admin.post("license/reset_api_token", &[("access_key", &key)]).await.code(), UNKNOWN_LICENSE_KEY);
    let shown = state(&app).await;
    let hidden = &find(&shown, "license", &key).expect("in state")["hidden"];
    assert_eq!(hidden["propagated"], false);
    assert_eq!(hidden["api_token"], token);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let read = admin.get("license/get_licenses", &[("access_key", &key)]).await.data();
    assert_eq!(read[0]["license_type"], "trial");
    assert_eq!(read[0]["deployment"], "hosted");
    assert!(read[0].get("api_token").is_none());
}

#[tokio::test]
async fn the_propagation_delay_is_a_config_knob() {
    let (_, app) = app();
    let knobs =
        admin_call(&app, Method::PUT, "/_sim/config", Some(json!({"propagation_delay_ms": 0, "latency_ms": 1}))).await;
    assert_eq!(knobs.body["propagation_delay_ms"], 0);
    let admin = Client::admin(&app).await;
    let key = admin.post("license/generate_license", &[("product", "analyst-hosted")]).await.data()["licenses"][0]
        ["access_key"]
        .clone();
    let read = admin.get("license/get_licenses", &[("access_key", key.as_str().expect("key"))]).await.data();
    assert_eq!(read.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn generate_license_refusals() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let cases: [&[(&str, &str)]; 7] = [
        &[],
        &[("product", "unknown")],
        &[("product", "enterprise-on-premise")],
        &[("product", "enterprise-hosted-bundle"), ("num_licenses", "2")],
        &[("product", "analyst-hosted"), ("num_licenses", "0")],
        &[("product", "analyst-hosted"), ("license_type", "free")],
        &[("product", "analyst-hosted"), ("start_date", "2026-05-01"), ("end_date", "2026-04-01")],
    ];
    for case in cases {
        assert_eq!(admin.post("license/generate_license", case).await.code(), INVALID_PARAMETER, "{case:?}");
    }
    let two =
        admin.post("license/generate_license", &[("product", "analyst-hosted"), ("num_licenses", "2")]).await.data();
    assert_eq!(two["licenses"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        admin.post("license/generate_license", &[("product", "analyst-hosted"), ("customer", "nobody")]).await.code(),
        UNKNOWN_USER
    );
    let other = Client::new(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
    assert_eq!(
        other.post("license/generate_license", &[("product", "analyst-hosted")]).await.code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn get_licenses_filters() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let default = admin.get("license/get_licenses", &[]).await.data();
    assert_eq!(keys(&default, "access_key"), vec![HOSTED_KEY, ONPREM_KEY, EXPIRED_KEY]);
    let valid = admin.get("license/get_licenses", &[("invalid_keys", "0")]).await.data();
    assert_eq!(keys(&valid, "access_key"), vec![HOSTED_KEY, ONPREM_KEY]);
    let children = admin.get("license/get_licenses", &[("include_child_licenses", "True")]).await.data();
    assert_eq!(children.as_array().map(Vec::len), Some(4));
    assert_eq!(children[2]["parent_access_key"], ONPREM_KEY);
    let onprem = admin.get("license/get_licenses", &[("hosted", "0")]).await.data();
    assert_eq!(keys(&onprem, "access_key"), vec![ONPREM_KEY]);
    assert_eq!(onprem[0]["on_premise_fqdn"], "manager.acme.example");
    let hosted = admin.get("license/get_licenses", &[("hosted_keys", "1"), ("license_type", "trial")]).await.data();
    assert_eq!(keys(&hosted, "access_key"), vec![EXPIRED_KEY]);
    let by_fqdn = admin.get("license/get_licenses", &[("on_premise_fqdn", "manager.acme.example")]).await.data();
    assert_eq!(keys(&by_fqdn, "access_key"), vec![ONPREM_KEY]);
    let sensor_key = format!("{ONPREM_KEY}:sensor01");
    assert_eq!(
        keys(&admin.get("license/get_licenses", &[("access_key", &sensor_key)]).await.data(), "access_key"),
        vec![ONPREM_KEY]
    );
    let conflict = admin.get("license/get_licenses", &[("on_premise_fqdn", "m"), ("hosted", "1")]).await;
    assert_eq!(conflict.code(), INVALID_PARAMETER);
    assert_eq!(
        keys(
            &admin.get("license/get_licenses", &[("customer", "*"), ("product", "analyst-hosted")]).await.data(),
            "access_key"
        )
        .len(),
        3
    );
    assert_eq!(Client::analyst(&app).await.get("license/get_licenses", &[]).await.code(), PERMISSION_DENIED);
}

#[tokio::test]
async fn get_keys_lists_keys_the_caller_holds_the_required_permission_on() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let all = admin.get("license/get_keys", &[]).await.data();
    assert_eq!(
        keys(&all, "key"),
        vec![
            HOSTED_KEY.to_string(),
            ONPREM_KEY.into(),
            format!("{ONPREM_KEY}:sensor01"),
            format!("{ONPREM_KEY}:sensor02")
        ]
    );
    assert_eq!(all[2]["subkey"], "sensor01");
    assert_eq!(all[0]["is_installation_license"], false);
    let analyst = Client::analyst(&app).await;
    let pcaps = analyst.get("license/get_keys", &[("required_permission", "access_pcaps")]).await.data();
    assert_eq!(keys(&pcaps, "key"), vec![format!("{ONPREM_KEY}:sensor01")]);
    let labels = analyst.get("license/get_keys", &[("required_permission", "manage_labels")]).await.data();
    assert!(labels.as_array().expect("list").is_empty());
    assert_eq!(
        analyst.get("license/get_keys", &[("required_permission", "everything")]).await.code(),
        INVALID_PARAMETER
    );
    let one = admin.get("license/get_keys", &[("key", &format!("{ONPREM_KEY}:sensor02"))]).await.data();
    assert_eq!(keys(&one, "key"), vec![format!("{ONPREM_KEY}:sensor02")]);
    let id = all[1]["access_key_id"].to_string();
    let by_id = admin.get("license/get_keys", &[("key_id", &id), ("products", "enterprise-on-premise,x")]).await.data();
    assert_eq!(by_id.as_array().map(Vec::len), Some(3));
    assert_eq!(
        admin.get("license/get_keys", &[("invalid_keys", "1"), ("hosted", "1")]).await.data().as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(admin.get("license/get_keys", &[("subkey_id", "1")]).await.code(), INVALID_PARAMETER);
}

#[tokio::test]
async fn get_keys_legacy_restricts_and_adds_heartbeats() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let key = format!("{ONPREM_KEY}:sensor01");
    let one = admin
        .get(
            "license/get_keys_legacy",
            &[("key", &key), ("restrict_to_subkey_id", "1"), ("include_heartbeat_data", "1")],
        )
        .await
        .data();
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    assert_eq!(one[0]["license_user"], DEFAULT_CUSTOMER);
    assert_eq!(one[0]["is_master"], false);
    assert_eq!(one[0]["internal_ip"], "10.0.0.11");
    let licence =
        admin.get("license/get_keys_legacy", &[("key", ONPREM_KEY), ("restrict_to_access_key_id", "1")]).await.data();
    assert_eq!(licence.as_array().map(Vec::len), Some(3));
    assert_eq!(licence[0]["is_master"], true);
    assert_eq!(licence[0]["license_location"], "Springfield data centre");
    let with_invalid = admin.get("license/get_keys_legacy", &[("include_invalid_keys", "1")]).await.data();
    assert_eq!(with_invalid.as_array().map(Vec::len), Some(6), "own and Globex keys, the expired one too");
}

#[tokio::test]
async fn license_stats_per_day() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let stats = admin.get("license/get_license_stats", &[("access_key", HOSTED_KEY)]).await.data();
    assert_eq!(stats["analysis"].as_array().map(Vec::len), Some(8));
    let typed = admin
        .post(
            "license/get_license_stats",
            &[
                ("access_key", HOSTED_KEY),
                ("start_date", "2026-01-01"),
                ("end_date", "2026-01-02"),
                ("by_mime_type", "1"),
            ],
        )
        .await
        .data();
    assert_eq!(typed["analysis"].as_array().map(Vec::len), Some(6));
    assert!(typed["analysis"][0]["mime_type"].is_string());
    assert_eq!(admin.get("license/get_license_stats", &[("access_key", "NOPE")]).await.code(), UNKNOWN_LICENSE_KEY);
    assert_eq!(admin.get("license/get_license_stats", &[]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        admin.get("license/get_license_stats", &[("access_key", HOSTED_KEY), ("end_date", "yesterday")]).await.code(),
        INVALID_PARAMETER
    );
    let analyst = Client::analyst(&app).await;
    analyst.get("license/get_license_stats", &[("access_key", HOSTED_KEY)]).await.data();
    let other = Client::new(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
    assert_eq!(other.get("license/get_license_stats", &[("access_key", HOSTED_KEY)]).await.code(), PERMISSION_DENIED);
}

#[tokio::test]
async fn update_license_needs_special_permissions_for_dates_and_type() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let changed = admin
        .post(
            "license/update_license",
            &[("access_key", ONPREM_KEY), ("end_date", "2031-06-30"), ("license_type", "trial")],
        )
        .await
        .data();
    assert_eq!(
        changed["licenses"],
        json!([ONPREM_KEY, format!("{ONPREM_KEY}:sensor01"), format!("{ONPREM_KEY}:sensor02"), CHILD_KEY])
    );
    let read = admin.get("license/get_licenses", &[("access_key", ONPREM_KEY)]).await.data();
    assert_eq!(read[0]["end_date"], "2031-06-30");
    assert_eq!(read[0]["license_type"], "trial");
    assert_eq!(
        admin.post("license/update_license", &[("access_key", HOSTED_KEY), ("end_date", "2020-01-01")]).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(admin.post("license/update_license", &[("access_key", "NOPE")]).await.code(), UNKNOWN_LICENSE_KEY);
    let patch = json!({"extra_permissions": false});
    admin_call(&app, Method::PATCH, &format!("/_sim/objects/account/{DEFAULT_USERNAME}"), Some(patch)).await;
    assert_eq!(
        admin.post("license/update_license", &[("access_key", HOSTED_KEY), ("end_date", "2031-01-01")]).await.code(),
        PERMISSION_DENIED
    );
    assert_eq!(
        admin.post("license/update_license", &[("access_key", HOSTED_KEY)]).await.data()["licenses"],
        json!([HOSTED_KEY])
    );
    assert_eq!(
        Client::analyst(&app).await.post("license/update_license", &[("access_key", HOSTED_KEY)]).await.code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn reset_api_token_returns_a_new_secret() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let token = admin.post("license/reset_api_token", &[("access_key", HOSTED_KEY)]).await.data()["api_token"].clone();
    assert!(token.is_string());
    let shown = state(&app).await;
    assert_eq!(find(&shown, "license", HOSTED_KEY).expect("licence")["hidden"]["api_token"], token);
    assert_eq!(admin.post("license/reset_api_token", &[("access_key", "NOPE")]).await.code(), UNKNOWN_LICENSE_KEY);
    assert_eq!(admin.post("license/reset_api_token", &[]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        Client::analyst(&app).await.post("license/reset_api_token", &[("access_key", HOSTED_KEY)]).await.code(),
        PERMISSION_DENIED
    );
}

// ---------------------------------------------------------------------------------------
// Sensors

#[tokio::test]
async fn get_sensors_reads_one_key_without_the_active_flag() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let key = format!("{ONPREM_KEY}:sensor01");
    let one = admin.get("license/get_sensors", &[("key", &key)]).await.data();
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    assert_eq!(one[0]["name"], "Perimeter sensor");
    assert_eq!(one[0]["hosted"], false);
    assert!(one[0].get("active").is_none() && one[0].get("last_checkin").is_none());
    let checkin = admin.get("license/get_sensors", &[("key", &key), ("include_checkin_data", "true")]).await.data();
    assert_eq!(checkin[0]["appliance_uuid"], APPLIANCE_UUID);
    assert_eq!(admin.get("license/get_sensors", &[]).await.data().as_array().map(Vec::len), Some(2));
    assert!(admin
        .get("license/get_sensors", &[("key", &format!("{ONPREM_KEY}:nope"))])
        .await
        .data()
        .as_array()
        .expect("list")
        .is_empty());
    assert_eq!(admin.get("license/get_sensors", &[("customer", "nobody")]).await.code(), UNKNOWN_USER);
}

#[tokio::test]
async fn add_sensor_creates_and_refuses_duplicates() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let added = admin
        .post(
            "license/add_sensor",
            &[("key", HOSTED_KEY), ("new_subkey", "edge1"), ("name", "Edge"), ("active", "False")],
        )
        .await;
    assert_eq!(added.data(), json!("OK"));
    let read = admin.get("license/get_sensors", &[("key", &format!("{HOSTED_KEY}:edge1"))]).await.data();
    assert_eq!(read[0]["name"], "Edge");
    assert_eq!(read[0]["hosted"], true);
    let shown = state(&app).await;
    assert_eq!(find(&shown, "sensor", &format!("{HOSTED_KEY}:edge1")).expect("sensor")["hidden"]["active"], false);
    let id = read[0]["access_key_id"].to_string();
    admin.post("license/add_sensor", &[("key_id", &id), ("new_subkey", "edge2")]).await.data();
    assert_eq!(
        find(&state(&app).await, "sensor", &format!("{HOSTED_KEY}:edge2")).expect("sensor")["hidden"]["active"],
        true
    );
    assert_eq!(
        admin.post("license/add_sensor", &[("key", HOSTED_KEY), ("new_subkey", "edge1")]).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(
        admin.post("license/add_sensor", &[("key", HOSTED_KEY), ("new_subkey", "a:b")]).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(
        admin
            .post("license/add_sensor", &[("key", HOSTED_KEY), ("new_subkey", "e3"), ("active", "perhaps")])
            .await
            .code(),
        INVALID_PARAMETER
    );
    assert_eq!(admin.post("license/add_sensor", &[("new_subkey", "e4")]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        admin.post("license/add_sensor", &[("key", "NOPE"), ("new_subkey", "e4")]).await.code(),
        UNKNOWN_LICENSE_KEY
    );
    assert_eq!(
        Client::analyst(&app)
            .await
            .post("license/add_sensor", &[("key", HOSTED_KEY), ("new_subkey", "e5")])
            .await
            .code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn update_sensor_by_key_or_ids() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let key = format!("{ONPREM_KEY}:sensor02");
    assert_eq!(
        admin.post("license/update_sensor", &[("key", &key), ("name", "Renamed"), ("active", "False")]).await.data(),
        json!("OK")
    );
    let read = admin.get("license/get_sensors", &[("key", &key)]).await.data();
    assert_eq!(read[0]["name"], "Renamed");
    assert_eq!(find(&state(&app).await, "sensor", &key).expect("sensor")["hidden"]["active"], false);
    let (key_id, subkey_id) = (read[0]["access_key_id"].to_string(), read[0]["subkey_id"].to_string());
    admin
        .post("license/update_sensor", &[("key_id", &key_id), ("subkey_id", &subkey_id), ("active", "True")])
        .await
        .data();
    assert_eq!(find(&state(&app).await, "sensor", &key).expect("sensor")["hidden"]["active"], true);
    assert_eq!(admin.post("license/update_sensor", &[("key", ONPREM_KEY)]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        admin.post("license/update_sensor", &[("key", &format!("{ONPREM_KEY}:zzz"))]).await.code(),
        UNKNOWN_LICENSE_KEY
    );
    assert_eq!(admin.post("license/update_sensor", &[("name", "x")]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        Client::analyst(&app).await.post("license/update_sensor", &[("key", &key), ("name", "x")]).await.code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn update_sensor_legacy_updates_or_creates() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let existing = format!("{ONPREM_KEY}:sensor01");
    admin
        .post(
            "license/update_sensor_legacy",
            &[("sensor_key", &existing), ("sensor_name", "Old"), ("expiration_date", "2001-01-01")],
        )
        .await
        .data();
    assert_eq!(find(&state(&app).await, "sensor", &existing).expect("sensor")["hidden"]["active"], false);
    let created = format!("{ONPREM_KEY}:sensor09");
    admin
        .post(
            "license/update_sensor_legacy",
            &[("sensor_key", &created), ("name", "New"), ("license_end_date", "2099-01-01")],
        )
        .await
        .data();
    let shown = state(&app).await;
    let sensor = find(&shown, "sensor", &created).expect("created");
    assert_eq!(sensor["object"]["name"], "New");
    assert_eq!(sensor["hidden"]["active"], true);
    assert_eq!(
        admin.post("license/update_sensor_legacy", &[("sensor_key", "NOPE:x")]).await.code(),
        UNKNOWN_LICENSE_KEY
    );
    assert_eq!(admin.post("license/update_sensor_legacy", &[]).await.code(), INVALID_PARAMETER);
}

// ---------------------------------------------------------------------------------------
// Appliances

#[tokio::test]
async fn appliances_are_listed_disabled_enabled_and_deregistered() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let list = admin.get("appliance/list_registered", &[]).await.data();
    assert_eq!(keys(&list, "registration_state"), vec!["REGISTERED", "DISABLED"]);
    assert_eq!(list[0]["subkey"], "sensor01");
    assert_eq!(admin.post("appliance/disable", &[("appliance_uuid", APPLIANCE_UUID)]).await.data(), json!("OK"));
    assert_eq!(admin.get("appliance/list_registered", &[]).await.data()[0]["registration_state"], "DISABLED");
    admin.post("appliance/enable", &[("appliance_uuid", APPLIANCE_UUID), ("customer", DEFAULT_CUSTOMER)]).await.data();
    assert_eq!(admin.get("appliance/list_registered", &[]).await.data()[0]["registration_state"], "REGISTERED");
    assert_eq!(admin.post("appliance/deregister", &[("appliance_uuid", APPLIANCE_UUID)]).await.data(), json!("OK"));
    assert_eq!(
        keys(&admin.get("appliance/list_registered", &[]).await.data(), "appliance_uuid"),
        vec![DISABLED_APPLIANCE_UUID]
    );
    assert_eq!(admin.post("appliance/enable", &[("appliance_uuid", APPLIANCE_UUID)]).await.code(), NO_SUCH_ENTITY);
    assert_eq!(admin.post("appliance/disable", &[]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        admin
            .post("appliance/disable", &[("appliance_uuid", DISABLED_APPLIANCE_UUID), ("customer", "nobody")])
            .await
            .code(),
        UNKNOWN_USER
    );
    let analyst = Client::analyst(&app).await;
    assert_eq!(analyst.get("appliance/list_registered", &[]).await.data().as_array().map(Vec::len), Some(1));
    assert_eq!(
        analyst.post("appliance/enable", &[("appliance_uuid", DISABLED_APPLIANCE_UUID)]).await.code(),
        PERMISSION_DENIED
    );
    let other = Client::new(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
    assert!(other.get("appliance/list_registered", &[]).await.data().as_array().expect("list").is_empty());
}

#[tokio::test]
async fn appliances_register_only_out_of_band() {
    let (_, app) = app();
    let body = json!({"access_key": HOSTED_KEY, "subkey": "s1", "appliance_uuid": "u-1", "appliance_type": "manager"});
    let added = admin_call(&app, Method::POST, "/_sim/objects/appliance", Some(body)).await;
    assert_eq!(added.body["object"]["registration_state"], "REGISTERED");
    let admin = Client::admin(&app).await;
    let list = admin.get("appliance/list_registered", &[]).await.data();
    assert_eq!(list[2]["appliance_type"], "manager");
    let again = json!({"access_key": HOSTED_KEY, "appliance_uuid": "u-1"});
    assert_eq!(
        admin_call(&app, Method::POST, "/_sim/objects/appliance", Some(again)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(admin_call(&app, Method::DELETE, "/_sim/objects/appliance/u-1", None).await.status, StatusCode::OK);
    assert_eq!(admin.get("appliance/list_registered", &[]).await.data().as_array().map(Vec::len), Some(2));
}

// ---------------------------------------------------------------------------------------
// Permissions

#[tokio::test]
async fn grant_list_and_revoke_permissions_in_each_context() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let subkey = format!("{ONPREM_KEY}:sensor02");
    for (permission, context, target) in [
        ("can_manage_labels", "license", ONPREM_KEY),
        ("can_access_alerts", "subkey", subkey.as_str()),
        ("can_access_analyzed_files", "customer", DEFAULT_CUSTOMER),
    ] {
        let grant = [
            ("account_username", ANALYST),
            ("permission", permission),
            ("permission_context", context),
            ("grant", target),
        ];
        assert_eq!(admin.post("permission/grant", &grant).await.data(), json!("OK"));
        assert_eq!(admin.post("permission/grant", &grant).await.data(), json!("OK"), "granting twice is accepted");
    }
    let list = admin.get("permission/list", &[("account_username", ANALYST), ("consider_roles", "0")]).await.data();
    assert_eq!(
        list["customer_permissions"],
        json!([{"permission": "can_access_analyzed_files", "customer": DEFAULT_CUSTOMER}])
    );
    assert_eq!(list["license_permissions"].as_array().map(Vec::len), Some(2));
    assert!(list["license_permissions"][1]["access_key_id"].is_u64());
    assert_eq!(list["subkey_permissions"][1]["key"], subkey);
    let with_roles = admin.get("permission/list", &[("account_username", ANALYST)]).await.data();
    assert_eq!(with_roles["customer_permissions"].as_array().map(Vec::len), Some(3), "Read-only adds two");
    let revoke = [
        ("account_username", ANALYST),
        ("permission", "can_manage_labels"),
        ("permission_context", "license"),
        ("revocation", ONPREM_KEY),
    ];
    assert_eq!(admin.post("permission/revoke", &revoke).await.data(), json!("OK"));
    assert_eq!(admin.post("permission/revoke", &revoke).await.code(), NO_SUCH_ENTITY);
    let own = Client::analyst(&app).await.get("permission/list", &[]).await.data();
    assert_eq!(own["license_permissions"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn permission_grant_refusals() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let grant = |permission: &'static str, context: &'static str, target: &'static str| {
        [("account_username", ANALYST), ("permission", permission), ("permission_context", context), ("grant", target)]
    };
    assert_eq!(
        admin.post("permission/grant", &grant("can_fly", "customer", DEFAULT_CUSTOMER)).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(
        admin.post("permission/grant", &grant("can_manage_users", "license", HOSTED_KEY)).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(
        admin.post("permission/grant", &grant("can_access_alerts", "galaxy", HOSTED_KEY)).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(
        admin.post("permission/grant", &grant("can_access_alerts", "license", "NOPE")).await.code(),
        NO_SUCH_ENTITY
    );
    assert_eq!(
        admin.post("permission/grant", &grant("can_access_alerts", "subkey", "NOPE:x")).await.code(),
        NO_SUCH_ENTITY
    );
    assert_eq!(
        admin.post("permission/grant", &grant("can_access_alerts", "customer", "nobody")).await.code(),
        UNKNOWN_USER
    );
    let ghost = [
        ("account_username", "ghost"),
        ("permission", "can_access_alerts"),
        ("permission_context", "customer"),
        ("grant", DEFAULT_CUSTOMER),
    ];
    assert_eq!(admin.post("permission/grant", &ghost).await.code(), UNKNOWN_ACCOUNT);
    assert_eq!(admin.post("permission/grant", &[("permission", "can_access_alerts")]).await.code(), INVALID_PARAMETER);
    let analyst = Client::analyst(&app).await;
    assert_eq!(
        analyst.post("permission/grant", &grant("can_manage_users", "customer", DEFAULT_CUSTOMER)).await.code(),
        PERMISSION_DENIED
    );
    let other = Client::new(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
    assert_eq!(
        other.post("permission/grant", &grant("can_access_alerts", "license", HOSTED_KEY)).await.code(),
        PERMISSION_DENIED
    );
    let main = [
        ("account_username", DEFAULT_CUSTOMER),
        ("permission", "can_manage_users"),
        ("permission_context", "customer"),
        ("revocation", DEFAULT_CUSTOMER),
    ];
    assert_eq!(admin.post("permission/revoke", &main).await.code(), INVALID_PARAMETER);
    assert_eq!(
        analyst.get("permission/list", &[("account_username", DEFAULT_USERNAME)]).await.code(),
        PERMISSION_DENIED
    );
    assert_eq!(admin.get("permission/list", &[("account_username", "ghost")]).await.code(), UNKNOWN_ACCOUNT);
}

#[tokio::test]
async fn the_permission_catalogue() {
    let (_, app) = app();
    let info = Client::analyst(&app).await.get("permission/info", &[]).await.data();
    assert_eq!(info.as_array().map(Vec::len), Some(8));
    assert_eq!(info[3]["permission"], "can_access_alerts");
    assert_eq!(info[3]["contexts"], json!(["customer", "license", "subkey"]));
    assert!(info[0]["display_name"].is_string() && info[0]["description"].is_string());
}

// ---------------------------------------------------------------------------------------
// Roles

#[tokio::test]
async fn custom_roles_are_created_read_and_updated() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    assert_eq!(
        admin.post("role/create", &[("name", "Responder"), ("description", "Incident response")]).await.data(),
        json!("success")
    );
    let info = admin.get("role/info", &[("role_name", "Responder"), ("builtin", "False")]).await.data();
    assert_eq!(
        info,
        json!([{"role_name": "Responder", "builtin": false, "description": "Incident response", "contexts": ["customer"], "permissions": []}])
    );
    assert_eq!(admin.get("role/info", &[("builtin", "True")]).await.data().as_array().map(Vec::len), Some(3));
    assert_eq!(admin.get("role/info", &[]).await.data().as_array().map(Vec::len), Some(4));
    assert_eq!(admin.post("role/create", &[("name", "Responder")]).await.code(), INVALID_PARAMETER);
    assert_eq!(admin.post("role/create", &[("name", &"x".repeat(65))]).await.code(), INVALID_PARAMETER);
    assert_eq!(
        admin.post("role/create", &[("name", "Ok"), ("description", &"é".repeat(129))]).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(
        admin.post("role/create", &[("name", &"é".repeat(64))]).await.data(),
        json!("success"),
        "64 unicode characters"
    );
    admin
        .post(
            "role/grant",
            &[("account_username", ANALYST), ("role", "Responder"), ("builtin", "False"), ("role_context", "customer")],
        )
        .await
        .data();
    let renamed = admin
        .post(
            "role/update",
            &[("name", "Responder"), ("new_name", "Responders"), ("description", ""), ("context", "customer")],
        )
        .await;
    assert_eq!(renamed.data(), json!("success"));
    let roles = admin.get("role/list", &[("account_username", ANALYST)]).await.data();
    assert!(
        roles["customer_roles"].as_array().expect("roles").iter().any(|r| r["role"] == "Responders"),
        "grants follow a rename"
    );
    assert_eq!(admin.post("role/update", &[("name", "Responder")]).await.code(), NO_SUCH_ENTITY);
    assert_eq!(
        admin.post("role/update", &[("name", "Administrator"), ("description", "x")]).await.code(),
        NO_SUCH_ENTITY
    );
    assert_eq!(
        admin.post("role/update", &[("name", "Responders"), ("context", "license")]).await.code(),
        INVALID_PARAMETER
    );
    let other = Client::new(&app, OTHER_CUSTOMER, OTHER_PASSWORD).await;
    assert!(
        other.get("role/info", &[("builtin", "0")]).await.data().as_array().expect("roles").is_empty(),
        "custom roles stay with their customer"
    );
    assert_eq!(other.get("role/info", &[("customer", DEFAULT_CUSTOMER)]).await.code(), PERMISSION_DENIED);
    let analyst = Client::analyst(&app).await;
    assert_eq!(analyst.post("role/create", &[("name", "Mine")]).await.code(), PERMISSION_DENIED);
    assert_eq!(
        analyst.post("role/update", &[("name", "Responders"), ("description", "x")]).await.code(),
        PERMISSION_DENIED
    );
}

#[tokio::test]
async fn role_permissions_are_granted_and_revoked() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    admin.post("role/create", &[("name", "Hunter")]).await.data();
    let grant = [("role", "Hunter"), ("permission", "can_access_pcaps")];
    assert_eq!(admin.post("role/permission/grant", &grant).await.data(), json!("OK"));
    admin.post("role/permission/grant", &grant).await.data();
    assert_eq!(
        admin.get("role/info", &[("role_name", "Hunter")]).await.data()[0]["permissions"],
        json!(["can_access_pcaps"])
    );
    assert_eq!(
        admin.post("role/permission/grant", &[("role", "Nope"), ("permission", "can_access_pcaps")]).await.code(),
        NO_SUCH_ENTITY
    );
    assert_eq!(
        admin
            .post("role/permission/grant", &[("role", "Administrator"), ("permission", "can_access_pcaps")])
            .await
            .code(),
        NO_SUCH_ENTITY
    );
    assert_eq!(
        admin.post("role/permission/grant", &[("role", "Hunter"), ("permission", "can_fly")]).await.code(),
        INVALID_PARAMETER
    );
    assert_eq!(Client::analyst(&app).await.post("role/permission/grant", &grant).await.code(), PERMISSION_DENIED);
    assert_eq!(admin.post("role/permission/revoke", &grant).await.data(), json!("OK"));
    assert_eq!(admin.post("role/permission/revoke", &grant).await.code(), INVALID_PARAMETER);
    assert_eq!(
        admin.post("role/permission/revoke", &[("role", "Nope"), ("permission", "can_access_pcaps")]).await.code(),
        NO_SUCH_ENTITY
    );
    assert_eq!(
        admin.post("role/permission/revoke", &[("permission", "can_access_pcaps")]).await.code(),
        INVALID_PARAMETER
    );
}

#[tokio::test]
async fn roles_are_granted_to_accounts_and_give_their_permissions() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let grant = [
        ("account_username", ANALYST),
        ("role", "Administrator"),
        ("builtin", "True"),
        ("role_context", "customer"),
        ("grant", DEFAULT_CUSTOMER),
    ];
    assert_eq!(admin.post("role/grant", &grant).await.data(), json!("OK"));
    let analyst = Client::analyst(&app).await;
    analyst.get("account/get_accounts", &[]).await.data();
    let roles = analyst.get("role/list", &[]).await.data();
    assert_eq!(
        roles["customer_roles"][1],
        json!({"role": "Administrator", "builtin": true, "customer": DEFAULT_CUSTOMER, "is_ephemeral": false})
    );
    let revoke =
        [("account_username", ANALYST), ("role", "Administrator"), ("builtin", "1"), ("role_context", "customer")];
    assert_eq!(admin.post("role/revoke", &revoke).await.data(), json!("OK"));
    assert_eq!(admin.post("role/revoke", &revoke).await.code(), NO_SUCH_ENTITY);
    assert_eq!(analyst.get("account/get_accounts", &[]).await.code(), PERMISSION_DENIED);
    let cases: [(&[(&str, &str)], i64); 5] = [
        (
            &[("account_username", "ghost"), ("role", "Analyst"), ("builtin", "True"), ("role_context", "customer")],
            NO_SUCH_ENTITY,
        ),
        (
            &[("account_username", ANALYST), ("role", "Nope"), ("builtin", "True"), ("role_context", "customer")],
            NO_SUCH_ENTITY,
        ),
        (
            &[("account_username", ANALYST), ("role", "Analyst"), ("builtin", "False"), ("role_context", "customer")],
            NO_SUCH_ENTITY,
        ),
        (
            &[("account_username", ANALYST), ("role", "Analyst"), ("builtin", "True"), ("role_context", "license")],
            INVALID_PARAMETER,
        ),
        (&[("account_username", ANALYST), ("role", "Analyst"), ("role_context", "customer")], INVALID_PARAMETER),
    ];
    for (case, code) in cases {
        assert_eq!(admin.post("role/grant", case).await.code(), code, "{case:?}");
    }
    let elsewhere = [
        ("account_username", ANALYST),
        ("role", "Analyst"),
        ("builtin", "True"),
        ("role_context", "customer"),
        ("grant", OTHER_CUSTOMER),
    ];
    assert_eq!(analyst.post("role/grant", &elsewhere).await.code(), PERMISSION_DENIED);
    assert_eq!(analyst.get("role/list", &[("account_username", DEFAULT_USERNAME)]).await.code(), PERMISSION_DENIED);
}

// ---------------------------------------------------------------------------------------
// Licence bundles

#[tokio::test]
async fn license_bundles_are_zips_with_http_status_refusals() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let path = "/papi/accounting/license_bundle/get";
    let zip = raw(
        &app,
        Method::GET,
        path,
        &[("access_key", ONPREM_KEY), ("bundle_format_version", "2")],
        Some(&admin.cookie),
    )
    .await;
    assert_eq!(zip.status, StatusCode::OK);
    assert_eq!(zip.headers["content-type"], "application/zip");
    assert!(zip.bytes.starts_with(b"PK\x03\x04"));
    assert!(zip.text.contains(CHILD_KEY), "version 2 lists child licences");
    let cases: [(&[(&str, &str)], StatusCode); 4] = [
        (&[], StatusCode::UNPROCESSABLE_ENTITY),
        (&[("access_key", HOSTED_KEY)], StatusCode::UNPROCESSABLE_ENTITY),
        (&[("access_key", ONPREM_KEY), ("bundle_format_version", "3")], StatusCode::NOT_IMPLEMENTED),
        (&[("access_key", ONPREM_KEY), ("bundle_format_version", "x")], StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (case, status) in cases {
        assert_eq!(raw(&app, Method::GET, path, case, Some(&admin.cookie)).await.status, status, "{case:?}");
    }
    assert_eq!(raw(&app, Method::GET, path, &[("access_key", ONPREM_KEY)], None).await.status, StatusCode::FORBIDDEN);
    let analyst = Client::analyst(&app).await;
    assert_eq!(
        raw(&app, Method::GET, path, &[("access_key", ONPREM_KEY)], Some(&analyst.cookie)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(raw(&app, Method::POST, path, &[], Some(&admin.cookie)).await.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        raw(&app, Method::GET, "/papi/accounting/license_bundle/get.json", &[], Some(&admin.cookie)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_airgap_bundle_resets_the_token_once() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let path = format!("/papi/accounting/license_bundle/airgap_installation?access_key={ONPREM_KEY}");
    let first = raw(&app, Method::POST, &path, &[], Some(&admin.cookie)).await;
    assert_eq!(first.status, StatusCode::OK);
    let shown = state(&app).await;
    let token = find(&shown, "license", ONPREM_KEY).expect("licence")["hidden"]["api_token"]
        .as_str()
        .expect("token")
        .to_string();
    assert!(first.text.contains(&token));
    assert_eq!(raw(&app, Method::POST, &path, &[], Some(&admin.cookie)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(raw(&app, Method::GET, &path, &[], Some(&admin.cookie)).await.status, StatusCode::METHOD_NOT_ALLOWED);
}

// ---------------------------------------------------------------------------------------
// Admin routes and faults

#[tokio::test]
async fn state_lists_every_kind_with_natural_keys_and_hidden_fields() {
    let (_, app) = app();
    Client::admin(&app).await;
    let shown = state(&app).await;
    let counts = &shown["counts"];
    assert_eq!(counts["account"], 3);
    assert_eq!(counts["license"], 5);
    assert_eq!(counts["sensor"], 2);
    assert_eq!(counts["appliance"], 2);
    assert_eq!(counts["role"], 3);
    assert_eq!(counts["account_role"], 1);
    assert_eq!(counts["session"], 1);
    assert_eq!(find(&shown, "account", DEFAULT_USERNAME).expect("admin")["hidden"]["password"], DEFAULT_PASSWORD);
    assert!(find(&shown, "sensor", &format!("{ONPREM_KEY}:sensor01")).is_some());
    assert!(find(&shown, "account_permission", &format!("{ANALYST}/can_access_alerts/license/{HOSTED_KEY}")).is_some());
    assert!(find(&shown, "account_role", &format!("{ANALYST}/builtin/Read-only")).is_some());
    assert_eq!(shown["requests"]["logins"], 1);
}

#[tokio::test]
async fn objects_added_edited_and_deleted_out_of_band() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let account = json!({"username": "oob@acme.example", "password": "pw", "first_name": "Oob"});
    let added = admin_call(&app, Method::POST, "/_sim/objects/account", Some(account)).await;
    assert_eq!(added.body["object"]["created_by"], "Lastline");
    login(&app, "oob@acme.example", "pw").await;
    let edited = admin_call(
        &app,
        Method::PATCH,
        "/_sim/objects/account/oob@acme.example",
        Some(json!({"first_name": "Changed", "username": "x"})),
    )
    .await;
    assert_eq!(edited.body["object"]["first_name"], "Changed");
    assert_eq!(edited.body["id"], "oob@acme.example");
    assert_eq!(
        admin_call(&app, Method::DELETE, "/_sim/objects/account/oob@acme.example", None).await.status,
        StatusCode::OK
    );
    assert!(admin
        .get("account/get_accounts", &[("account_username", "oob@acme.example")])
        .await
        .data()
        .as_array()
        .expect("list")
        .is_empty());
    assert_eq!(
        admin_call(&app, Method::DELETE, "/_sim/objects/account/oob@acme.example", None).await.status,
        StatusCode::NOT_FOUND
    );

    let licence =
        admin_call(&app, Method::POST, "/_sim/objects/license", Some(json!({"product": "breach-detection-hosted"})))
            .await;
    let key = licence.body["id"].as_str().expect("key").to_string();
    assert!(licence.body["hidden"]["api_token"].is_string());
    assert_eq!(
        admin.get("license/get_licenses", &[("access_key", &key)]).await.data()[0]["product"],
        "breach-detection-hosted"
    );
    admin_call(
        &app,
        Method::POST,
        "/_sim/objects/sensor",
        Some(json!({"access_key": key, "subkey": "s9", "name": "Nine"})),
    )
    .await;
    admin_call(&app, Method::PATCH, &format!("/_sim/objects/sensor/{key}:s9"), Some(json!({"name": "Renamed"}))).await;
    assert_eq!(admin.get("license/get_sensors", &[("key", &format!("{key}:s9"))]).await.data()[0]["name"], "Renamed");
    admin_call(&app, Method::DELETE, &format!("/_sim/objects/license/{key}"), None).await;
    assert!(admin
        .get("license/get_sensors", &[("key", &format!("{key}:s9"))])
        .await
        .data()
        .as_array()
        .expect("list")
        .is_empty());

    admin_call(
        &app,
        Method::POST,
        "/_sim/objects/role",
        Some(json!({"name": "Ops", "permissions": ["can_view_appliances"]})),
    )
    .await;
    admin_call(
        &app,
        Method::POST,
        "/_sim/objects/role_permission",
        Some(json!({"role": "Ops", "permission": "can_manage_labels"})),
    )
    .await;
    admin_call(
        &app,
        Method::POST,
        "/_sim/objects/account_role",
        Some(json!({"account_username": ANALYST, "role": "Ops", "is_ephemeral": true})),
    )
    .await;
    let roles = admin.get("role/list", &[("account_username", ANALYST)]).await.data();
    assert_eq!(roles["customer_roles"][1]["is_ephemeral"], true);
    admin_call(&app, Method::PATCH, "/_sim/objects/role/Ops", Some(json!({"name": "Ops2"}))).await;
    assert_eq!(
        admin.get("role/info", &[("role_name", "Ops2")]).await.data()[0]["permissions"],
        json!(["can_view_appliances", "can_manage_labels"])
    );
    admin_call(&app, Method::DELETE, "/_sim/objects/role_permission/Ops2/can_manage_labels", None).await;
    admin_call(&app, Method::DELETE, &format!("/_sim/objects/account_role/{ANALYST}/custom/Ops2"), None).await;
    admin_call(&app, Method::DELETE, "/_sim/objects/role/Ops2", None).await;
    assert!(admin.get("role/info", &[("role_name", "Ops2")]).await.data().as_array().expect("list").is_empty());

    let grant = json!({"account_username": ANALYST, "permission": "can_manage_users", "context": "customer", "target": DEFAULT_CUSTOMER});
    admin_call(&app, Method::POST, "/_sim/objects/account_permission", Some(grant)).await;
    Client::analyst(&app).await.get("account/get_accounts", &[]).await.data();
    let id = format!("{ANALYST}/can_manage_users/customer/{DEFAULT_CUSTOMER}");
    admin_call(&app, Method::DELETE, &format!("/_sim/objects/account_permission/{id}"), None).await;
    assert_eq!(Client::analyst(&app).await.get("account/get_accounts", &[]).await.code(), PERMISSION_DENIED);

    let customer = json!({"customer": "boss@initech.example", "password": "ini", "affiliation": "Initech"});
    admin_call(&app, Method::POST, "/_sim/objects/customer", Some(customer)).await;
    let initech = Client::new(&app, "boss@initech.example", "ini").await;
    assert_eq!(initech.get("customer/get_customer", &[]).await.data()["affiliation"], "Initech");
    assert_eq!(
        admin_call(&app, Method::POST, "/_sim/objects/planet", Some(json!({}))).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        admin_call(&app, Method::DELETE, &format!("/_sim/objects/customer/{DEFAULT_CUSTOMER}"), None).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn shared_faults_answer_http_errors_or_fail_after_commit() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let fault = json!({"kind": "status", "status": 503, "path_contains": "/account/get_account"});
    assert_eq!(admin_call(&app, Method::POST, "/_sim/faults", Some(fault)).await.status, StatusCode::OK);
    assert_eq!(admin.get("account/get_account", &[]).await.status, StatusCode::SERVICE_UNAVAILABLE);
    admin.get("account/get_account", &[]).await.data();
    let after = json!({"kind": "error_after_commit", "path_contains": "/role/create"});
    admin_call(&app, Method::POST, "/_sim/faults", Some(after)).await;
    assert_eq!(admin.post("role/create", &[("name", "Committed")]).await.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(admin.get("role/info", &[("role_name", "Committed")]).await.data().as_array().map(Vec::len), Some(1));
    let bad = json!({"kind": "explode"});
    assert_eq!(admin_call(&app, Method::POST, "/_sim/faults", Some(bad)).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn api_error_faults_answer_success_0_before_or_after_commit() {
    let (_, app) = app();
    let admin = Client::admin(&app).await;
    let before =
        json!({"kind": "api_error", "path_contains": "/permission/grant", "error": "Try later", "error_code": 3002});
    admin_call(&app, Method::POST, "/_sim/faults", Some(before)).await;
    let grant = [
        ("account_username", ANALYST),
        ("permission", "can_manage_labels"),
        ("permission_context", "license"),
        ("grant", HOSTED_KEY),
    ];
    let refused = admin.post("permission/grant", &grant).await;
    assert_eq!(refused.code(), CANNOT_SWITCH_TO_KEY);
    assert_eq!(refused.body["error"], "Try later");
    let list = admin.get("permission/list", &[("account_username", ANALYST), ("consider_roles", "0")]).await.data();
    assert_eq!(list["license_permissions"].as_array().map(Vec::len), Some(1), "nothing committed");
    let after =
        json!({"kind": "api_error", "path_contains": "/permission/grant", "error_code": 3004, "after_commit": true});
    admin_call(&app, Method::POST, "/_sim/faults", Some(after)).await;
    let answer = admin.post("permission/grant", &grant).await;
    assert_eq!(answer.body, json!({"success": 0, "error_code": 3004}));
    let list = admin.get("permission/list", &[("account_username", ANALYST), ("consider_roles", "0")]).await.data();
    assert_eq!(list["license_permissions"].as_array().map(Vec::len), Some(2), "committed");
    let text_only = json!({"kind": "api_error", "path_contains": "login", "error": "Permission denied"});
    admin_call(&app, Method::POST, "/_sim/faults", Some(text_only)).await;
    let login =
        raw(&app, Method::POST, "/papi/login", &[("username", ANALYST), ("password", ANALYST_PASSWORD)], None).await;
    assert_eq!(login.body, json!({"success": 0, "error": "Permission denied"}));
}

#[tokio::test]
async fn a_primary_contact_and_a_separate_login_account_can_be_seeded() {
    let config = SimConfig {
        username: "ops@acme.example".into(),
        customer: "owner@acme.example".into(),
        ..SimConfig::default()
    };
    let (_, app) = app_with(config);
    let ops = Client::new(&app, "ops@acme.example", DEFAULT_PASSWORD).await;
    let me = ops.get("account/get_account", &[]).await.data();
    assert_eq!(me["customer"], "owner@acme.example");
    assert_eq!(ops.get("customer/get_customer", &[]).await.data()["customer"], "owner@acme.example");
    ops.post("account/create", &[("account_username", "n@acme.example"), ("email", "n@x")]).await.data();
}

#[test]
fn a_spawned_simulator_answers_over_http() {
    let running = spawn(SimConfig::default()).expect("spawn");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::builder().build().expect("client");
        let login = client
            .post(format!("{}/papi/login", running.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&[("username", DEFAULT_USERNAME), ("password", DEFAULT_PASSWORD)]))
            .send()
            .await
            .expect("login");
        let cookie = login.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_string();
        let session = cookie.split(';').next().expect("pair").to_string();
        let me: Value = client
            .get(format!("{}/papi/accounting/account/get_account.json", running.url()))
            .header("cookie", session)
            .send()
            .await
            .expect("call")
            .json()
            .await
            .expect("json");
        assert_eq!(me["data"]["username"], DEFAULT_USERNAME);
        running.sim.arm(Fault {
            method: Some("POST".into()),
            path_contains: "/account/create".into(),
            kind: "drop".into(),
            status: None,
            message: None,
            remaining: 1,
        });
        let dropped = client
            .post(format!("{}/papi/accounting/account/create.json", running.url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(&[
                ("account_username", "dropped@acme.example"),
                ("email", "d@x"),
                ("username", DEFAULT_USERNAME),
                ("password", DEFAULT_PASSWORD),
            ]))
            .send()
            .await;
        let failed = match dropped {
            Err(_) => true,
            Ok(answer) => answer.bytes().await.is_err(),
        };
        assert!(failed, "the answer is cut off");
    });
    assert!(running.sim.store().accounts.contains_key("dropped@acme.example"), "the change was committed");
    assert_eq!(running.sim.logins(), 1);
    assert_eq!(running.sim.state()["requests"]["inline_logins"], 1);
}
