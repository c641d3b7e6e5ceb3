//! Each auth style against a small server: what is sent, when credentials are obtained,
//! renewed and shared, and that failures name the user but never the secret.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{client, Reply, Server};
use crate::engine::api::{Api, ApiError, ApiRequest, Method};
use crate::http::vendors::{LastlineDialect, LighthouseDialect, LuminateDialect};
use crate::http::{Bearer, CookieSession, JsonDialect, NoAuth, OAuth2ClientCredentials};

#[tokio::test]
async fn bearer_token_is_sent_and_no_auth_sends_none() {
    let server = Server::start(|seen| match seen.header("authorization") {
        Some("Bearer bearer-secret-1") => Reply::json(200, json!({"ok": true})),
        _ => Reply::json(401, json!({"message": "401 Unauthorized"})),
    })
    .await;
    let cancel = CancellationToken::new();
    let answer = client(&server.url, Bearer::new("bearer-secret-1"), JsonDialect)
        .call(ApiRequest::get("/x"), &cancel)
        .await
        .expect("authorized");
    assert_eq!(answer.body, json!({"ok": true}));
    let refused = client(&server.url, NoAuth, JsonDialect).call(ApiRequest::get("/x"), &cancel).await;
    assert!(matches!(refused, Err(ApiError::Status { status: 401, .. })), "{refused:?}");
    assert!(server.requests()[1].header("authorization").is_none());
    // A server that echoes the token does not get it into an error message.
    let echo = Server::start(|seen| Reply::text(400, &format!("bad header {:?}", seen.header("authorization")))).await;
    let err = client(&echo.url, Bearer::new("bearer-secret-1"), JsonDialect).call(ApiRequest::get("/x"), &cancel).await;
    let text = err.expect_err("400").to_string();
    assert!(text.contains("bad header") && !text.contains("bearer-secret-1"), "{text}");
}

/// A token endpoint at /token issuing tok-1, tok-2, ... and an API at /api that accepts
/// only the latest token (or any token when `strict` is false).
struct TokenServer {
    server: Server,
    issued: Arc<AtomicUsize>,
    /// When set, the API refuses every token issued so far (a revoked token).
    revoke: Arc<AtomicBool>,
}

async fn token_server(expires_in: serde_json::Value, token_delay: Duration) -> TokenServer {
    let issued = Arc::new(AtomicUsize::new(0));
    let revoke = Arc::new(AtomicBool::new(false));
    let (issued_in, revoke_in) = (issued.clone(), revoke.clone());
    let server = Server::start(move |seen| {
        if seen.path == "/token" {
            let n = issued_in.fetch_add(1, Ordering::SeqCst) + 1;
            revoke_in.store(false, Ordering::SeqCst);
            let mut answer = json!({"access_token": format!("tok-{n}"), "token_type": "bearer"});
            if !expires_in.is_null() {
                answer["expires_in"] = expires_in.clone();
            }
            return Reply::json(200, answer).delay(token_delay);
        }
        let latest = format!("Bearer tok-{}", issued_in.load(Ordering::SeqCst));
        if seen.header("authorization") == Some(latest.as_str()) && !revoke_in.load(Ordering::SeqCst) {
            Reply::json(200, json!({"seen": latest}))
        } else {
            Reply::json(401, json!({"message": "token expired"}))
        }
    })
    .await;
    TokenServer { server, issued, revoke }
}

fn oauth(server: &Server) -> OAuth2ClientCredentials {
    OAuth2ClientCredentials::new(format!("{}/token", server.url), "client-7", "client-secret-xyz")
}

#[tokio::test]
async fn oauth2_token_is_fetched_once_and_reused() {
    let ts = token_server(json!(3600), Duration::ZERO).await;
    let api = client(&ts.server.url, oauth(&ts.server), LuminateDialect);
    let cancel = CancellationToken::new();
    for _ in 0..10 {
        api.call(ApiRequest::get("/api"), &cancel).await.expect("call");
    }
    assert_eq!(ts.issued.load(Ordering::SeqCst), 1);
    let token_request = &ts.server.requests()[0];
    assert_eq!(token_request.method, "POST");
    assert_eq!(token_request.body, "grant_type=client_credentials");
    assert_eq!(token_request.header("content-type"), Some("application/x-www-form-urlencoded"));
    let basic = token_request.header("authorization").and_then(|h| h.strip_prefix("Basic ")).expect("basic");
    let decoded = base64::engine::general_purpose::STANDARD.decode(basic).expect("base64");
    assert_eq!(decoded, b"client-7:client-secret-xyz");
}

#[tokio::test]
async fn oauth2_token_is_renewed_before_it_expires() {
    // 11 s minus the 10 s margin: renewed after one second; a numeric string is accepted.
    let ts = token_server(json!("11"), Duration::ZERO).await;
    let api = client(&ts.server.url, oauth(&ts.server), LuminateDialect);
    let cancel = CancellationToken::new();
    api.call(ApiRequest::get("/api"), &cancel).await.expect("first");
    api.call(ApiRequest::get("/api"), &cancel).await.expect("reused");
    assert_eq!(ts.issued.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    api.call(ApiRequest::get("/api"), &cancel).await.expect("renewed");
    assert_eq!(ts.issued.load(Ordering::SeqCst), 2);
    assert_eq!(ts.server.count("/api"), 3, "no request was refused on the way");
}

#[tokio::test]
async fn oauth2_renews_once_on_401_and_repeats_the_request() {
    // No expires_in: the token is never renewed ahead of time, only after a refusal.
    let ts = token_server(serde_json::Value::Null, Duration::ZERO).await;
    let api = client(&ts.server.url, oauth(&ts.server), LuminateDialect);
    let cancel = CancellationToken::new();
    api.call(ApiRequest::get("/api"), &cancel).await.expect("first");
    ts.revoke.store(true, Ordering::SeqCst);
    // A POST too: a 401 means it was not applied.
    let post = ApiRequest::new(Method::Post, "/api").body(json!({"a": 1}));
    let answer = api.call(post, &cancel).await.expect("renewed and repeated");
    assert_eq!(answer.body["seen"], "Bearer tok-2");
    assert_eq!(ts.issued.load(Ordering::SeqCst), 2);
    assert_eq!(ts.server.count("/api"), 3);

    // A server that refuses every token: one renewal, then the 401 is the answer.
    let refusing = Server::start(|seen| match seen.path.as_str() {
        "/token" => Reply::json(200, json!({"access_token": "never-good-token", "expires_in": 0})),
        _ => Reply::json(401, json!({"message": "no"})),
    })
    .await;
    let api = client(&refusing.url, oauth(&refusing), LuminateDialect);
    let err = api.call(ApiRequest::get("/api"), &cancel).await.expect_err("refused");
    assert_eq!(err.status(), Some(401));
    assert_eq!((refusing.count("/token"), refusing.count("/api")), (2, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth2_concurrent_calls_share_one_fetch_and_one_renewal() {
    let ts = token_server(serde_json::Value::Null, Duration::from_millis(100)).await;
    let api = Arc::new(client(&ts.server.url, oauth(&ts.server), LuminateDialect));
    let run_many = |api: Arc<crate::http::VendorClient>| async move {
        let calls: Vec<_> = (0..10)
            .map(|_| {
                let api = api.clone();
                tokio::spawn(async move { api.call(ApiRequest::get("/api"), &CancellationToken::new()).await })
            })
            .collect();
        for call in calls {
            call.await.expect("join").expect("call");
        }
    };
    run_many(api.clone()).await;
    assert_eq!(ts.issued.load(Ordering::SeqCst), 1, "one token for ten concurrent first calls");
    ts.revoke.store(true, Ordering::SeqCst);
    run_many(api).await;
    assert_eq!(ts.issued.load(Ordering::SeqCst), 2, "one renewal for ten refused calls");
}

#[tokio::test]
async fn oauth2_refusal_names_the_client_not_the_secret() {
    let server = Server::start(|_| {
        Reply::json(401, json!({"error": "invalid_client", "error_description": "bad client credentials"}))
    })
    .await;
    let api = client(&server.url, oauth(&server), LuminateDialect);
    let err = api.call(ApiRequest::get("/api"), &CancellationToken::new()).await.expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("client-7") && text.contains("invalid_client"), "{text}");
    assert!(!text.contains("client-secret-xyz"), "{text}");
    assert_eq!(server.count("/api"), 0);
}

/// Lighthouse-like: POST /api/v0.2/login {"Email","Password"} sets cookie `auth`; a
/// server "restart" forgets every session.
async fn lighthouse_server() -> (Server, Arc<AtomicUsize>) {
    let sessions = Arc::new(AtomicUsize::new(0));
    let current = sessions.clone();
    let server = Server::start(move |seen| {
        if seen.path == "/api/v0.2/login" {
            let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap_or_default();
            if body == json!({"Email": "ops@example.com", "Password": "pw-secret-42"}) {
                let n = current.fetch_add(1, Ordering::SeqCst) + 1;
                return Reply::text(200, "")
                    .header("set-cookie", &format!("auth=session-{n}; Path=/; Max-Age=2592000"));
            }
            return Reply::json(401, json!({"Cause": "auth", "Message": "email or password incorrect"}))
                .header("set-cookie", "auth=; Max-Age=0");
        }
        let valid = format!("auth=session-{}", current.load(Ordering::SeqCst));
        if seen.header("cookie") == Some(valid.as_str()) {
            // JSON labelled text/plain, as Go's sniffing does.
            Reply::text(200, r#"[{"Email":"ops@example.com"}]"#).header("content-type", "text/plain; charset=utf-8")
        } else {
            Reply::json(401, json!({"Cause": "auth", "Message": "not logged in"}))
        }
    })
    .await;
    (server, sessions)
}

#[tokio::test]
async fn cookie_session_logs_in_at_first_call_and_again_once_when_it_expires() {
    let (server, sessions) = lighthouse_server().await;
    let session = CookieSession::json_login(
        "/api/v0.2/login",
        ("Email", "ops@example.com"),
        ("Password", "pw-secret-42"),
        Some("auth"),
    );
    let api = client(&server.url, session, LighthouseDialect);
    let cancel = CancellationToken::new();
    assert_eq!(server.count("/api/v0.2/login"), 0, "no login before the first call");
    let answer = api.call(ApiRequest::get("/api/v0.2/users"), &cancel).await.expect("first");
    assert_eq!(answer.body, json!([{"Email": "ops@example.com"}]));
    api.call(ApiRequest::get("/api/v0.2/users"), &cancel).await.expect("second");
    assert_eq!(server.count("/api/v0.2/login"), 1);
    // The server restarts: every session is gone.
    sessions.fetch_add(1, Ordering::SeqCst);
    let create = ApiRequest::new(Method::Post, "/api/v0.2/users").body(json!({"Email": "new@example.com"}));
    api.call(create, &cancel).await.expect("re-logged in and repeated");
    assert_eq!(server.count("/api/v0.2/login"), 2);
    assert_eq!(server.count("/api/v0.2/users"), 4);
}

#[tokio::test]
async fn cookie_session_bad_credentials_name_the_user_not_the_password() {
    let (server, _) = lighthouse_server().await;
    let session = CookieSession::json_login(
        "/api/v0.2/login",
        ("Email", "ops@example.com"),
        ("Password", "wrong-pw-77"),
        Some("auth"),
    );
    let api = client(&server.url, session, LighthouseDialect);
    let err = api.call(ApiRequest::get("/api/v0.2/users"), &CancellationToken::new()).await.expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("ops@example.com") && text.contains("email or password incorrect"), "{text}");
    assert!(!text.contains("wrong-pw-77"), "{text}");
    assert_eq!(server.count("/api/v0.2/login"), 1, "a configuration error is not retried");
    assert_eq!(server.count("/api/v0.2/users"), 0);
}

#[tokio::test]
async fn form_login_and_envelope_session_expiry() {
    // Lastline-like: POST /login form fields; sessions expire with error_code 3004 in an HTTP 200.
    let sessions = Arc::new(AtomicUsize::new(0));
    let current = sessions.clone();
    let server = Server::start(move |seen| {
        if seen.path == "/login" {
            if seen.body == "username=ops%40example.com&password=p%26ss%201" {
                let n = current.fetch_add(1, Ordering::SeqCst) + 1;
                return Reply::json(200, json!({"success": 1, "data": "true"}))
                    .header("set-cookie", &format!("PHPSESSID=s{n}; path=/; HttpOnly"));
            }
            return Reply::json(200, json!({"success": 0, "error": "Authentication failed", "error_code": 3004}));
        }
        if seen.header("cookie") == Some(format!("PHPSESSID=s{}", current.load(Ordering::SeqCst)).as_str()) {
            Reply::json(200, json!({"success": 1, "data": [{"username": "a"}]}))
        } else {
            Reply::json(200, json!({"success": 0, "error": "Not authenticated", "error_code": 3004}))
        }
    })
    .await;
    let login = |password: &str| {
        CookieSession::form_login("/login", ("username", "ops@example.com"), ("password", password), None)
    };
    let cancel = CancellationToken::new();
    let api = client(&server.url, login("p&ss 1"), LastlineDialect);
    let answer = api.call(ApiRequest::get("/accounting/account/list.json"), &cancel).await.expect("call");
    assert_eq!(answer.body, json!([{"username": "a"}]));
    sessions.fetch_add(1, Ordering::SeqCst);
    api.call(ApiRequest::get("/accounting/account/list.json"), &cancel).await.expect("re-login");
    assert_eq!(server.count("/login"), 2);
    assert!(server.requests().iter().all(|s| !s.query.contains("password")), "credentials never in a URL");

    let api = client(&server.url, login("bad-password-9"), LastlineDialect);
    let err = api.call(ApiRequest::get("/accounting/account/list.json"), &cancel).await.expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("ops@example.com") && text.contains("3004"), "{text}");
    assert!(!text.contains("bad-password-9"), "{text}");
}
