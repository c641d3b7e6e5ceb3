//! The engine against an API of another style than Lightbits, through the real vendor
//! client: a Lastline-like RPC server (form fields in, `{success, data, error, error_code}`
//! out, a session cookie from a login body, HTTP 200 with `success = 0` for errors), and an
//! account declared as data. No Terraform here: this checks that the declaration model and
//! the client fit an RPC API before the Lastline provider exists.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::{json, Value as J};
use tfprov::engine::api::Api;
use tfprov::engine::resource::{
    ApplyRequest, Ctx, DeleteRequest, ListSpec, Member, Op, Operations, Private, ReadOp, ReadRequest, Resource,
    ResourceDef, Toggle, UpdateOp,
};
use tfprov::engine::schema::{Codec, Field};
use tfprov::engine::value::Value;
use tfprov::http::{vendors, TransportConfig};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
struct Rpc {
    accounts: HashMap<String, J>,
    session: Option<String>,
    logins: u32,
    /// Every call as `method path?query` plus its form fields, for assertions.
    calls: Vec<(String, HashMap<String, String>)>,
}

type Shared = Arc<Mutex<Rpc>>;

fn envelope(data: J) -> Response {
    Json(json!({"success": 1, "data": data})).into_response()
}

fn refused(error: &str, code: i64) -> Response {
    // Lastline answers errors with HTTP 200 and success = 0.
    Json(json!({"success": 0, "error": error, "error_code": code})).into_response()
}

async fn login(State(rpc): State<Shared>, Form(f): Form<HashMap<String, String>>) -> Response {
    let mut rpc = rpc.lock().unwrap();
    if f.get("username").map(String::as_str) != Some("admin")
        || f.get("password").map(String::as_str) != Some("pw-1234")
    {
        return refused("Invalid credentials", 3004);
    }
    rpc.logins += 1;
    let id = format!("sess{}", rpc.logins);
    rpc.session = Some(id.clone());
    let mut r = envelope(json!({}));
    r.headers_mut().insert("set-cookie", format!("PHPSESSID={id}; Path=/").parse().unwrap());
    r
}

fn logged_in(rpc: &Rpc, headers: &HeaderMap) -> bool {
    let cookie = headers.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    rpc.session.as_ref().is_some_and(|s| cookie.contains(&format!("PHPSESSID={s}")))
}

/// One RPC method; `Form` reads a GET's query string and a POST's body alike.
async fn call(
    State(rpc): State<Shared>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let mut rpc = rpc.lock().unwrap();
    rpc.calls.push((format!("{method}?{}", query.unwrap_or_default()), form.clone()));
    if !logged_in(&rpc, &headers) {
        return refused("Authentication required", 3004);
    }
    let user = form.get("account_username").cloned().unwrap_or_default();
    match method.as_str() {
        "create.json" => {
            if rpc.accounts.contains_key(&user) {
                return refused("Account already exists", 1001);
            }
            let account = json!({"account_username": user, "email": form.get("email"), "is_blocked": false, "create_time": "2026-12-04"});
            rpc.accounts.insert(user, account.clone());
            envelope(account)
        }
        "get_accounts.json" => envelope(J::Array(rpc.accounts.get(&user).cloned().into_iter().collect())),
        "update.json" => {
            if form.get("password_verify").map(String::as_str) != Some("pw-1234") {
                return refused("password_verify does not match", 3001);
            }
            match rpc.accounts.get_mut(&user) {
                Some(a) => {
                    if let Some(e) = form.get("email") {
                        a["email"] = json!(e);
                    }
                    envelope(json!(1))
                }
                None => refused("Unknown account", 6004),
            }
        }
        "block.json" | "unblock.json" => match rpc.accounts.get_mut(&user) {
            Some(a) => {
                a["is_blocked"] = json!(method == "block.json");
                envelope(json!(1))
            }
            None => refused("Unknown account", 6004),
        },
        "delete.json" => match rpc.accounts.remove(&user) {
            Some(_) => envelope(json!(1)),
            None => refused("Unknown account", 6004),
        },
        _ => (StatusCode::NOT_FOUND, "no such method").into_response(),
    }
}

async fn serve(rpc: Shared) -> SocketAddr {
    let app = Router::new()
        .route("/papi/login", post(login))
        .route("/papi/accounting/account/{method}", get(call).post(call))
        .with_state(rpc);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// The account of ../shared/interfaces/lastline.md, reduced to the attributes that show
/// each mechanism: a list read, form writes, selectors, a value from the provider
/// configuration, a write-only password and a toggle.
fn lastline_account() -> ResourceDef {
    const ACCOUNT: &[(&str, Member)] = &[("account_username", Member::Template("{username}"))];
    let by_username = ListSpec::new(
        Op::get("/accounting/account/get_accounts.json").query(&[("account_username", "{username}")]),
        "",
    );
    ResourceDef::new(
        "lastline_account",
        "account",
        "{username}",
        Operations::crud(
            Op::post("/accounting/account/create.json"),
            Op::get("/unused"),
            Some(
                UpdateOp::patch(Op::post("/accounting/account/update.json").extra(&[
                    ("account_username", Member::Template("{username}")),
                    ("password_verify", Member::Template("{provider.password}")),
                ]))
                .toggle(Toggle {
                    attr: "blocked",
                    on: Op::post("/accounting/account/block.json").extra(ACCOUNT),
                    off: Op::post("/accounting/account/unblock.json").extra(ACCOUNT),
                }),
            ),
            Op::post("/accounting/account/delete.json").extra(ACCOUNT),
        )
        .read(ReadOp::FromList { list: by_username, key: &["username"] })
        .lookup(&["username"], Some(by_username)),
    )
    .fields(vec![
        Field::string("username").required().replace().api_create("account_username", Codec::Plain),
        Field::string("email").required().api_mutable("email", Codec::Plain),
        Field::string("password_wo")
            .sent_when_changed("password_wo_version")
            .api_create("password", Codec::Plain)
            .update_as("new_password"),
        Field::number("password_wo_version").optional(),
        Field::bool("blocked").default(Value::Bool(false)).api("is_blocked", Codec::Plain),
        Field::string("create_time").computed().api("create_time", Codec::Plain),
    ])
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    let mut v = Value::Object(Default::default());
    for (k, x) in pairs {
        v.set(k, x.clone());
    }
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn an_rpc_account_is_a_declaration() {
    let rpc: Shared = Arc::default();
    let addr = serve(rpc.clone()).await;
    let client =
        vendors::lastline(TransportConfig::new(vec![format!("http://{addr}/papi")], "test"), "admin", "pw-1234", 2)
            .expect("client");
    let api: Arc<dyn Api> = Arc::new(client);
    let ctx =
        Ctx { api, provider_config: obj(&[("password", Value::str("pw-1234"))]), cancel: CancellationToken::new() };
    let account = lastline_account();
    assert_eq!(account.declaration_errors(), Vec::<String>::new());

    // Create, blocked from the start: the create, then the block toggle.
    let planned = obj(&[
        ("id", Value::str("alice@example.com")),
        ("username", Value::str("alice@example.com")),
        ("email", Value::str("alice@example.com")),
        ("password_wo", Value::Null),
        ("password_wo_version", Value::int(1)),
        ("blocked", Value::Bool(true)),
        ("create_time", Value::Unknown),
    ]);
    let config = obj(&[("password_wo", Value::str("first-secret"))]);
    let created = account
        .create(
            &ctx,
            ApplyRequest { prior: &Value::Null, planned: &planned, config: &config, private: Private::default() },
        )
        .await;
    assert!(created.diags.is_empty(), "{}", created.diags);
    let state = created.state.expect("state");
    assert_eq!(state.get("blocked"), &Value::Bool(true));
    assert_eq!(state.get("create_time"), &Value::str("2026-12-04"));
    assert!(state.get("password_wo").is_null());
    {
        let rpc = rpc.lock().unwrap();
        let create = rpc.calls.iter().find(|(m, _)| m.starts_with("create.json")).expect("create call");
        assert_eq!(create.1.get("password").map(String::as_str), Some("first-secret"), "sent as a form field");
        assert!(rpc.calls.iter().all(|(m, _)| !m.contains("password")), "never in a URL");
        assert!(rpc.calls.iter().any(|(m, _)| m.starts_with("block.json")));
    }

    // The session expires: the client logs in again once and repeats the call.
    rpc.lock().unwrap().session = Some("expired-elsewhere".into());
    let mut next = state.clone();
    next.set("email", Value::str("alice@corp.example"));
    next.set("password_wo_version", Value::int(2));
    next.set("blocked", Value::Bool(false));
    let config = obj(&[("password_wo", Value::str("second-secret"))]);
    let updated = account
        .update(&ctx, ApplyRequest { prior: &state, planned: &next, config: &config, private: Private::default() })
        .await;
    assert!(updated.diags.is_empty(), "{}", updated.diags);
    let state = updated.state.expect("state");
    assert_eq!(state.get("email"), &Value::str("alice@corp.example"));
    assert_eq!(state.get("blocked"), &Value::Bool(false));
    {
        let rpc = rpc.lock().unwrap();
        assert_eq!(rpc.logins, 2, "one login, then one after the session expired");
        let update = rpc.calls.iter().rev().find(|(m, _)| m.starts_with("update.json")).expect("update call");
        assert_eq!(update.1.get("new_password").map(String::as_str), Some("second-secret"));
        assert_eq!(update.1.get("password_verify").map(String::as_str), Some("pw-1234"));
        assert_eq!(update.1.get("account_username").map(String::as_str), Some("alice@example.com"));
    }

    // An envelope error (HTTP 200, success = 0) is a diagnostic quoting error and code.
    let mut bad = state.clone();
    bad.set("email", Value::str("x@example.com"));
    let ctx_wrong = Ctx { provider_config: obj(&[("password", Value::str("wrong"))]), ..ctx.clone() };
    let refused = account
        .update(
            &ctx_wrong,
            ApplyRequest { prior: &state, planned: &bad, config: &Value::Null, private: Private::default() },
        )
        .await;
    let text = refused.diags.to_string();
    assert!(
        refused.diags.has_errors() && text.contains("password_verify does not match") && text.contains("3001"),
        "{text}"
    );
    assert_eq!(
        refused.state.as_ref().map(|s| s.get("email")),
        Some(&Value::str("alice@corp.example")),
        "nothing half-applied"
    );

    // Delete, then reads find nothing: an empty list means gone.
    let deleted = account.delete(&ctx, DeleteRequest { prior: &state, private: Private::default() }).await;
    assert!(deleted.diags.is_empty(), "{}", deleted.diags);
    let read = account.read(&ctx, ReadRequest { current: &state, private: Private::default() }).await;
    assert!(read.state.is_none() && read.diags.is_empty(), "{}", read.diags);
}

// ---------------------------------------------------------------------------------------
// Lighthouse style: a cookie session from a JSON login, reads by filtering a bare array,
// a secret sent as a bare JSON string to its own route, and no delete at all.

#[derive(Default)]
struct Beacons {
    list: Vec<J>,
    tokens: HashMap<String, String>,
    session: Option<String>,
    logins: u32,
}

type SharedBeacons = Arc<Mutex<Beacons>>;

fn auth_error() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"Cause": "auth", "Message": "not logged in"}))).into_response()
}

async fn beacon_login(State(b): State<SharedBeacons>, Json(body): Json<J>) -> Response {
    let mut b = b.lock().unwrap();
    if body != json!({"Email": "admin@example.com", "Password": "pw-5678"}) {
        return (StatusCode::UNAUTHORIZED, Json(json!({"Cause": "auth", "Message": "email or password incorrect"})))
            .into_response();
    }
    b.logins += 1;
    let id = format!("c{}", b.logins);
    b.session = Some(id.clone());
    let mut r = StatusCode::OK.into_response();
    r.headers_mut().insert("set-cookie", format!("auth={id}; Path=/").parse().unwrap());
    r
}

fn beacon_session(b: &Beacons, headers: &HeaderMap) -> bool {
    let cookie = headers.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    b.session.as_ref().is_some_and(|s| cookie.contains(&format!("auth={s}")))
}

async fn beacon_create(State(b): State<SharedBeacons>, headers: HeaderMap, Json(body): Json<J>) -> Response {
    let mut b = b.lock().unwrap();
    if !beacon_session(&b, &headers) {
        return auth_error();
    }
    let address = body["Address"].as_str().unwrap_or_default().to_string();
    b.tokens.insert(address.clone(), body["Token"].as_str().unwrap_or_default().to_string());
    b.list.push(json!({"Address": address, "Alias": body["Alias"]}));
    // Lighthouse answers JSON as text/plain; the client parses by content.
    ([("content-type", "text/plain")], "null").into_response()
}

async fn beacon_list(State(b): State<SharedBeacons>, headers: HeaderMap) -> Response {
    let b = b.lock().unwrap();
    if !beacon_session(&b, &headers) {
        return auth_error();
    }
    ([("content-type", "text/plain")], J::Array(b.list.clone()).to_string()).into_response()
}

async fn beacon_token(
    State(b): State<SharedBeacons>,
    Path(address): Path<String>,
    headers: HeaderMap,
    Json(token): Json<J>,
) -> Response {
    let mut b = b.lock().unwrap();
    if !beacon_session(&b, &headers) {
        return auth_error();
    }
    match token.as_str() {
        Some(t) => {
            b.tokens.insert(address, t.to_string());
            StatusCode::OK.into_response()
        }
        None => (StatusCode::BAD_REQUEST, "the token must be a JSON string").into_response(),
    }
}

fn lighthouse_beacon() -> ResourceDef {
    let list = ListSpec::new(Op::get("/api/v0.2/beacons/list"), "");
    let mut ops = Operations::crud(
        Op::post("/api/v0.2/beacons/create"),
        Op::get("/unused"),
        Some(UpdateOp {
            op: None,
            style: tfprov::engine::resource::UpdateStyle::Patch,
            toggles: vec![],
            per_field: vec![(
                "token_wo",
                Op::put("/api/v0.2/beacons/token/{address...}")
                    .body(tfprov::engine::resource::BodyShape::Attr("token_wo")),
            )],
        }),
        Op::delete("/unused"),
    )
    .read(ReadOp::FromList { list, key: &["address"] })
    .lookup(&["address"], Some(list));
    ops.delete = tfprov::engine::resource::DeleteOp::StateOnly {
        before: None,
        warning: "Lighthouse cannot delete beacons: {address} stays registered, with its token and permissions.",
    };
    ResourceDef::new("lighthouse_beacon", "beacon", "{address...}", ops).fields(vec![
        Field::string("address").required().replace().api_create("Address", Codec::Plain),
        Field::string("alias").required().replace().api_create("Alias", Codec::Plain),
        Field::string("token_wo").sent_when_changed("token_wo_version").api_create("Token", Codec::Plain),
        Field::number("token_wo_version").optional(),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_beacon_with_no_delete_is_a_declaration() {
    let shared: SharedBeacons = Arc::default();
    let app = Router::new()
        .route("/api/v0.2/login", post(beacon_login))
        .route("/api/v0.2/beacons/create", post(beacon_create))
        .route("/api/v0.2/beacons/list", get(beacon_list))
        .route("/api/v0.2/beacons/token/{*address}", axum::routing::put(beacon_token))
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = vendors::lighthouse(
        TransportConfig::new(vec![format!("http://{addr}")], "test"),
        "admin@example.com",
        "pw-5678",
        2,
    )
    .expect("client");
    let ctx = Ctx { api: Arc::new(client), provider_config: Value::Null, cancel: CancellationToken::new() };
    let beacon = lighthouse_beacon();
    assert_eq!(beacon.declaration_errors(), Vec::<String>::new());

    let address = "10.0.0.7:5001/v1.12";
    let planned = obj(&[
        ("id", Value::str(address)),
        ("address", Value::str(address)),
        ("alias", Value::str("edge-7")),
        ("token_wo", Value::Null),
        ("token_wo_version", Value::int(1)),
    ]);
    let created = beacon
        .create(
            &ctx,
            ApplyRequest {
                prior: &Value::Null,
                planned: &planned,
                config: &obj(&[("token_wo", Value::str("tok-one"))]),
                private: Private::default(),
            },
        )
        .await;
    assert!(created.diags.is_empty(), "{}", created.diags);
    let state = created.state.expect("state");
    assert_eq!(state.get("id"), &Value::str(address));
    assert_eq!(shared.lock().unwrap().tokens.get(address).map(String::as_str), Some("tok-one"));

    // The server restarted (sessions are lost): one new login, then the token rotation
    // goes out as a bare JSON string.
    shared.lock().unwrap().session = None;
    let mut rotated = state.clone();
    rotated.set("token_wo_version", Value::int(2));
    let out = beacon
        .update(
            &ctx,
            ApplyRequest {
                prior: &state,
                planned: &rotated,
                config: &obj(&[("token_wo", Value::str("tok-two"))]),
                private: Private::default(),
            },
        )
        .await;
    assert!(out.diags.is_empty(), "{}", out.diags);
    assert_eq!(shared.lock().unwrap().tokens.get(address).map(String::as_str), Some("tok-two"));
    assert_eq!(shared.lock().unwrap().logins, 2);

    // Destroy forgets, warns, and leaves the beacon on the server.
    let gone = beacon.delete(&ctx, DeleteRequest { prior: &state, private: Private::default() }).await;
    assert!(!gone.diags.has_errors());
    assert!(gone.diags.to_string().contains("10.0.0.7:5001/v1.12 stays registered"), "{}", gone.diags);
    assert_eq!(shared.lock().unwrap().list.len(), 1);
    let read = beacon.read(&ctx, ReadRequest { current: &state, private: Private::default() }).await;
    assert!(read.state.is_some(), "still listed: still in state for a read");
}

// ---------------------------------------------------------------------------------------
// Luminate style: OAuth2 client credentials, Spring pages (`content`, `last`), 201 and
// 204, a whole-object PUT, nested JSON, and a create followed by a bind to a site.

#[derive(Default)]
struct Tenant {
    apps: Vec<J>,
    bindings: HashMap<String, String>,
    tokens_issued: u32,
    next_id: u32,
    /// The next create is committed, then answered 500.
    fail_after_commit: bool,
}

type SharedTenant = Arc<Mutex<Tenant>>;

fn bearer_ok(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("Bearer tok-"))
}

async fn oauth_token(
    State(t): State<SharedTenant>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode("client-1:secret-1");
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Basic {basic}"));
    if !authorized || form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return (StatusCode::UNAUTHORIZED, Json(json!({"error": "invalid_client"}))).into_response();
    }
    let mut t = t.lock().unwrap();
    t.tokens_issued += 1;
    Json(json!({"access_token": format!("tok-{}", t.tokens_issued), "token_type": "Bearer", "expires_in": 3600}))
        .into_response()
}

async fn apps_create(State(t): State<SharedTenant>, headers: HeaderMap, Json(mut app): Json<J>) -> Response {
    if !bearer_ok(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut t = t.lock().unwrap();
    t.next_id += 1;
    app["id"] = json!(format!("app-{}", t.next_id));
    app["connectionSettings"]["externalAddress"] =
        json!(format!("{}.tenant.example", app["name"].as_str().unwrap_or("x")));
    t.apps.push(app.clone());
    if std::mem::take(&mut t.fail_after_commit) {
        return (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"message": "internal error"}))).into_response();
    }
    (StatusCode::CREATED, Json(app)).into_response()
}

/// Spring paging: `page`, `size`, answer `{content, last}`; `filter` matches names.
async fn apps_list(
    State(t): State<SharedTenant>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    if !bearer_ok(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let t = t.lock().unwrap();
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let size: usize = q.get("size").and_then(|p| p.parse().ok()).unwrap_or(20);
    let filter = q.get("filter").cloned().unwrap_or_default();
    let matching: Vec<&J> =
        t.apps.iter().filter(|a| a["name"].as_str().unwrap_or_default().contains(&filter)).collect();
    let content: Vec<J> = matching.iter().skip(page * size).take(size).map(|a| (*a).clone()).collect();
    let last = (page + 1) * size >= matching.len();
    Json(json!({"content": content, "last": last, "number": page})).into_response()
}

async fn app_item(
    State(t): State<SharedTenant>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: axum::http::Method,
    body: axum::body::Bytes,
) -> Response {
    if !bearer_ok(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let mut t = t.lock().unwrap();
    let Some(index) = t.apps.iter().position(|a| a["id"] == id.as_str()) else {
        return (StatusCode::NOT_FOUND, Json(json!({"message": "no such application"}))).into_response();
    };
    match method {
        axum::http::Method::GET => Json(t.apps[index].clone()).into_response(),
        axum::http::Method::PUT => {
            // A whole-object replace: what the body leaves out is gone.
            let mut app: J = serde_json::from_slice(&body).unwrap_or(J::Null);
            app["id"] = json!(id);
            app["connectionSettings"]["externalAddress"] =
                t.apps[index]["connectionSettings"]["externalAddress"].clone();
            t.apps[index] = app.clone();
            Json(app).into_response()
        }
        axum::http::Method::DELETE => {
            t.apps.remove(index);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

async fn app_bind(
    State(t): State<SharedTenant>,
    Path((id, site)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !bearer_ok(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    t.lock().unwrap().bindings.insert(id, site);
    StatusCode::OK.into_response()
}

fn luminate_ssh_application() -> ResourceDef {
    let by_name = ListSpec::new(Op::get("/v2/applications").query(&[("filter", "{name}")]), "content").paging(
        tfprov::engine::resource::Paging::PageNumber {
            page_param: "page",
            size_param: "size",
            size: 2,
            first: 0,
            last: tfprov::engine::resource::LastPage::Flag("last"),
        },
    );
    const TYPE: &[(&str, Member)] = &[("type", Member::Literal("\"SSH\"")), ("enabled", Member::Literal("true"))];
    ResourceDef::new(
        "luminate_ssh_application",
        "application",
        "{app_id}",
        Operations::crud(
            Op::post("/v2/applications"),
            Op::get("/v2/applications/{app_id}"),
            Some(UpdateOp::replace(Op::put("/v2/applications/{app_id}").extra(TYPE).ok(&[200]))),
            Op::delete("/v2/applications/{app_id}").ok(&[204]),
        )
        .create(tfprov::engine::resource::CreateOp::Steps {
            first: Op::post("/v2/applications").extra(TYPE).ok(&[201]),
            then: vec![tfprov::engine::resource::Step {
                name: "bind",
                op: Op::new(tfprov::engine::api::Method::Put, "/v2/applications/{app_id}/site-binding/{site_id}")
                    .ok(&[200]),
            }],
        })
        .lookup(&["name"], Some(by_name)),
    )
    .fields(vec![
        Field::string("name").required().api_mutable("name", Codec::Plain),
        Field::string("site_id").required().replace(),
        Field::string("internal_address").required().api_mutable("connectionSettings.internalAddress", Codec::Plain),
        Field::string("subdomain").optional_computed().api_mutable("connectionSettings.subdomain", Codec::Plain),
        Field::string("external_address").computed().api("connectionSettings.externalAddress", Codec::Plain),
        Field::string("app_id").computed().api("id", Codec::Plain),
    ])
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oauth2_application_with_a_bind_step_is_a_declaration() {
    let tenant: SharedTenant = Arc::default();
    // Namesakes by substring fill the first pages, so a lookup has to follow the paging.
    for i in 0..3 {
        tenant.lock().unwrap().apps.push(json!({"id": format!("old-{i}"), "name": format!("ssh-web-old-{i}")}));
    }
    let app = Router::new()
        .route("/v1/oauth/token", post(oauth_token))
        .route("/v2/applications", post(apps_create).get(apps_list))
        .route("/v2/applications/{id}", get(app_item).put(app_item).delete(app_item))
        .route("/v2/applications/{id}/site-binding/{site}", axum::routing::put(app_bind))
        .with_state(tenant.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = vendors::luminate(
        TransportConfig::new(vec![format!("http://{addr}")], "test"),
        format!("http://{addr}/v1/oauth/token"),
        "client-1".into(),
        "secret-1",
        2,
    )
    .expect("client");
    let ctx = Ctx { api: Arc::new(client), provider_config: Value::Null, cancel: CancellationToken::new() };
    let res = luminate_ssh_application();
    assert_eq!(res.declaration_errors(), Vec::<String>::new());

    let planned = obj(&[
        ("id", Value::Unknown),
        ("name", Value::str("ssh-db")),
        ("site_id", Value::str("site-9")),
        ("internal_address", Value::str("tcp://10.0.0.5:22")),
        ("subdomain", Value::Unknown),
        ("external_address", Value::Unknown),
        ("app_id", Value::Unknown),
    ]);
    let created = res
        .create(
            &ctx,
            ApplyRequest { prior: &Value::Null, planned: &planned, config: &Value::Null, private: Private::default() },
        )
        .await;
    assert!(created.diags.is_empty(), "{}", created.diags);
    let state = created.state.expect("state");
    let id = state.get("app_id").as_str().expect("id").to_string();
    assert_eq!(state.get("id"), &Value::str(&id));
    assert_eq!(state.get("external_address"), &Value::str("ssh-db.tenant.example"));
    {
        let t = tenant.lock().unwrap();
        assert_eq!(t.bindings.get(&id).map(String::as_str), Some("site-9"), "bound after the create");
        let stored = t.apps.iter().find(|a| a["id"] == id.as_str()).expect("stored");
        assert_eq!(stored["type"], "SSH");
        assert_eq!(stored["connectionSettings"]["internalAddress"], "tcp://10.0.0.5:22");
    }

    // A whole-object update keeps what it does not change (the subdomain the API chose).
    let mut next = state.clone();
    next.set("internal_address", Value::str("tcp://10.0.0.6:22"));
    let updated = res
        .update(&ctx, ApplyRequest { prior: &state, planned: &next, config: &Value::Null, private: created.private })
        .await;
    assert!(updated.diags.is_empty(), "{}", updated.diags);
    let state = updated.state.expect("state");
    assert_eq!(state.get("internal_address"), &Value::str("tcp://10.0.0.6:22"));
    assert_eq!(state.get("name"), &Value::str("ssh-db"));

    // A create committed but answered 500: the lookup by name follows the Spring pages
    // (filter matches by substring) to the exact name, adopts it, and binds it.
    tenant.lock().unwrap().fail_after_commit = true;
    let mut web = planned.clone();
    web.set("name", Value::str("ssh-web"));
    let adopted = res
        .create(
            &ctx,
            ApplyRequest { prior: &Value::Null, planned: &web, config: &Value::Null, private: Private::default() },
        )
        .await;
    assert!(adopted.diags.is_empty(), "{}", adopted.diags);
    let web_id = adopted.state.expect("state").get("app_id").as_str().expect("id").to_string();
    {
        let t = tenant.lock().unwrap();
        assert_eq!(t.apps.iter().filter(|a| a["name"] == "ssh-web").count(), 1, "exactly one, no orphan");
        assert_eq!(t.bindings.get(&web_id).map(String::as_str), Some("site-9"));
    }

    // Delete answers 204; then the application reads as gone.
    let gone = res.delete(&ctx, DeleteRequest { prior: &state, private: Private::default() }).await;
    assert!(gone.diags.is_empty(), "{}", gone.diags);
    let read = res.read(&ctx, ReadRequest { current: &state, private: Private::default() }).await;
    assert!(read.state.is_none() && read.diags.is_empty(), "{}", read.diags);
    assert_eq!(tenant.lock().unwrap().tokens_issued, 1, "one token for every call of the provider process");
}
