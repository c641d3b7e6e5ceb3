//! Body encodings and answer decoding, over the wire and on the dialects directly.

use serde_json::{json, Value as J};
use tokio_util::sync::CancellationToken;

use super::{client, Reply, Server};
use crate::engine::api::{Api, ApiError, ApiRequest, Method};
use crate::http::dialect::parse_lenient;
use crate::http::vendors::{LastlineDialect, LightbitsDialect, LighthouseDialect, LightrunDialect, LuminateDialect};
use crate::http::{Dialect, JsonDialect, NoAuth, RefusalKind};

async fn echo() -> Server {
    Server::start(|seen| {
        Reply::json(
            200,
            json!({"success": 1, "data": {"type": seen.header("content-type"), "body": seen.body, "query": seen.query}}),
        )
    })
    .await
}

#[tokio::test]
async fn form_bodies_and_json_objects_as_form_fields() {
    let server = echo().await;
    let cancel = CancellationToken::new();
    let api = client(&server.url, NoAuth, LastlineDialect);
    let fields = vec![("name".to_string(), "a b&c=d".to_string()), ("active".to_string(), "True".to_string())];
    let answer = api.call(ApiRequest::new(Method::Post, "/role/add").form(fields), &cancel).await.expect("form");
    assert_eq!(answer.body["type"], "application/x-www-form-urlencoded");
    assert_eq!(answer.body["body"], "name=a%20b%26c%3Dd&active=True");
    // An RPC dialect sends a JSON object's members as fields (nulls left out).
    let object = json!({"account_username": "u@example.com", "count": 3, "skip": null, "flag": true});
    let answer = api.call(ApiRequest::new(Method::Post, "/account/add").body(object), &cancel).await.expect("json");
    assert_eq!(answer.body["body"], "account_username=u%40example.com&count=3&flag=true");
    // Reads carry their parameters in the query.
    let read = ApiRequest::get("/account/list.json").query("account_username", "u@example.com");
    let answer = api.call(read, &cancel).await.expect("query");
    assert_eq!(answer.body["query"], "account_username=u%40example.com");
    assert!(matches!(
        api.call(ApiRequest::new(Method::Post, "/x").body(json!("bare")), &cancel).await,
        Err(ApiError::Decode(_))
    ));
}

#[tokio::test]
async fn bare_json_string_body_is_sent_as_json_text() {
    let server =
        Server::start(|seen| Reply::json(200, json!({"type": seen.header("content-type"), "body": seen.body}))).await;
    let api = client(&server.url, NoAuth, LighthouseDialect);
    let req = ApiRequest::new(Method::Put, "/api/v0.2/aliases/10.0.0.1").body(J::String("web \"one\"".into()));
    let answer = api.call(req, &CancellationToken::new()).await.expect("call");
    assert_eq!(answer.body["type"], "application/json");
    assert_eq!(answer.body["body"], r#""web \"one\"""#);
}

#[tokio::test]
async fn envelope_errors_and_malformed_envelopes() {
    let server = Server::start(|seen| match seen.path.as_str() {
        "/denied" => Reply::json(200, json!({"success": 0, "error": "Permission denied", "error_code": 3001})),
        "/string-zero" => Reply::json(200, json!({"success": "0", "error_code": "6002"})),
        "/false" => Reply::json(200, json!({"success": false, "error": "nope"})),
        "/forbidden" => Reply::json(403, json!({"success": 0, "error": "Permission denied", "error_code": 3001})),
        "/ok" => Reply::json(200, json!({"success": 1, "data": "success"})),
        "/no-success" => Reply::json(200, json!({"data": 1})),
        "/no-data" => Reply::json(200, json!({"success": 1})),
        _ => Reply::text(200, "<html>maintenance</html>"),
    })
    .await;
    let api = client(&server.url, NoAuth, LastlineDialect);
    let cancel = CancellationToken::new();
    let call = |path: &'static str| api.call(ApiRequest::get(path), &cancel);
    match call("/denied").await {
        Err(ApiError::Status { status: 200, message }) => {
            assert_eq!(message, "denied failed: Permission denied (error_code 3001 PERMISSION_DENIED)")
        }
        other => panic!("{other:?}"),
    }
    match call("/string-zero").await {
        Err(ApiError::NotFound(message)) => assert!(message.contains("6002 UNKNOWN_USER"), "{message}"),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(call("/false").await, Err(ApiError::Status { status: 200, message }) if message == "false failed: nope")
    );
    // A refusal outside HTTP 200 names the method too.
    assert!(matches!(
        call("/forbidden").await,
        Err(ApiError::Status { status: 403, message })
            if message == "forbidden failed: Permission denied (error_code 3001 PERMISSION_DENIED)"
    ));
    assert_eq!(call("/ok").await.expect("ok").body, json!("success"));
    for malformed in ["/no-success", "/no-data", "/html"] {
        assert!(matches!(call(malformed).await, Err(ApiError::Decode(_))), "{malformed}");
    }
    assert_eq!(server.requests().len(), 8, "none of these is retried");
}

#[tokio::test]
async fn plain_text_and_empty_bodies() {
    let server = Server::start(|seen| match seen.path.as_str() {
        "/missing" => Reply::text(404, "databases: given key not found\n").header("content-type", "text/plain"),
        "/empty-400" => Reply::text(400, ""),
        "/json-as-text" => Reply::text(200, r#"{"Name":"app"}"#).header("content-type", "text/plain; charset=utf-8"),
        "/text" => Reply::text(200, "pong"),
        _ => Reply::text(200, ""),
    })
    .await;
    let api = client(&server.url, NoAuth, LighthouseDialect);
    let cancel = CancellationToken::new();
    let call = |path: &'static str| api.call(ApiRequest::get(path), &cancel);
    assert!(matches!(call("/missing").await, Err(ApiError::NotFound(m)) if m == "databases: given key not found"));
    assert!(
        matches!(call("/empty-400").await, Err(ApiError::Status { status: 400, message }) if message == "HTTP 400")
    );
    assert_eq!(call("/json-as-text").await.expect("json").body, json!({"Name": "app"}));
    assert_eq!(call("/text").await.expect("text").body, json!("pong"));
    assert_eq!(call("/empty").await.expect("empty").body, J::Null);
}

#[tokio::test]
async fn ndjson_streams_are_read_into_records() {
    let stream = "{\"Status\":\"Starting\",\"Message\":\"Creating new container\"}\n\
                  {\"Status\":\"OK\",\"Instance\":\"b1\",\"Code\":201}\n\n\
                  {\"Status\":\"Finalized\"}\n";
    let server = Server::start(move |seen| match seen.path.as_str() {
        "/api/v0.2/applications/create" | "/api/v0.2/applications/start/7" => {
            Reply::text(200, stream).header("content-type", "application/json")
        }
        "/api/v0.2/applications/stop/7" => Reply::text(200, "{\"Status\":\"Finalized\"}\n"),
        "/api/v0.2/applications/update/7" => Reply::text(200, "{\"Status\":\"OK\"}\n{\"Stat"),
        "/records" => Reply::text(200, "{\"a\":1}\n{\"a\":2}\n").header("content-type", "application/x-ndjson"),
        _ => Reply::text(404, ""),
    })
    .await;
    let cancel = CancellationToken::new();
    let api = client(&server.url, NoAuth, LighthouseDialect);
    let post = |path: &str| ApiRequest::new(Method::Post, path);
    let answer = api.call(post("/api/v0.2/applications/create").query("start", "true"), &cancel).await.expect("s");
    let records = answer.body.as_array().expect("records");
    assert_eq!(records.len(), 3);
    assert_eq!(records[1], json!({"Status": "OK", "Instance": "b1", "Code": 201}));
    assert_eq!(records[2]["Status"], "Finalized");
    assert_eq!(
        api.call(post("/api/v0.2/applications/start/7"), &cancel).await.expect("start").body[0]["Status"],
        "Starting"
    );
    // A stream of one record is still a list of records.
    let stop = api.call(post("/api/v0.2/applications/stop/7"), &cancel).await.expect("stop");
    assert_eq!(stop.body, json!([{"Status": "Finalized"}]));
    assert!(matches!(api.call(post("/api/v0.2/applications/update/7"), &cancel).await, Err(ApiError::Decode(_))));
    // Any dialect recognises an NDJSON content type.
    let api = client(&server.url, NoAuth, JsonDialect);
    assert_eq!(api.call(ApiRequest::get("/records"), &cancel).await.expect("r").body, json!([{"a": 1}, {"a": 2}]));
}

#[test]
fn vendor_error_messages_and_meanings() {
    let refusal = |d: &dyn Dialect, status: u16, body: J| {
        let r = d.refusal(status, &body);
        (r.kind, r.message)
    };
    // Lightbits (grpc-gateway): 409 "in progress" is busy, other 409s already exist.
    let busy = json!({"code": 10, "message": "There is a user operation in progress on the volume"});
    assert_eq!(refusal(&LightbitsDialect, 409, busy).0, RefusalKind::Busy);
    let exists = json!({"code": 6, "message": "volume already exists"});
    assert_eq!(refusal(&LightbitsDialect, 409, exists), (RefusalKind::AlreadyExists, "volume already exists".into()));
    assert_eq!(refusal(&LightbitsDialect, 400, json!({"error": "old gateway"})).1, "old gateway");
    // Lightrun (Spring).
    let spring = json!({"message": "Agent pool name already taken", "status": 409, "error": "Conflict", "path": "/x"});
    assert_eq!(refusal(&LightrunDialect, 409, spring).1, "Agent pool name already taken");
    assert_eq!(
        refusal(&LightrunDialect, 500, json!({"status": 500, "error": "Internal Server Error"})).1,
        "Internal Server Error"
    );
    // Luminate (ModelApiResponse).
    assert_eq!(
        refusal(&LuminateDialect, 400, json!({"errors": ["name is required", "bad port"]})).1,
        "name is required; bad port"
    );
    assert_eq!(
        refusal(&LuminateDialect, 403, json!({"reasonPhrase": "Forbidden"})),
        (RefusalKind::Other, "Forbidden".into())
    );
    // Lighthouse: only the session middleware's 401 means "log in again".
    let expired = json!({"Cause": "auth", "Message": "not logged in"});
    assert_eq!(refusal(&LighthouseDialect, 401, expired), (RefusalKind::SessionExpired, "not logged in".into()));
    assert_eq!(
        refusal(&LighthouseDialect, 401, json!({"Cause": "control", "Message": "unknown user"})).0,
        RefusalKind::Other
    );
    assert_eq!(refusal(&LighthouseDialect, 403, json!({"Cause": "users", "Message": "x"})).0, RefusalKind::Other);
    // Defaults.
    assert_eq!(refusal(&JsonDialect, 412, json!({"message": "Etag mismatch."})).0, RefusalKind::PreconditionFailed);
    assert_eq!(refusal(&JsonDialect, 502, J::Null).1, "HTTP 502");
    assert_eq!(parse_lenient(b"  \n"), J::Null);
}
