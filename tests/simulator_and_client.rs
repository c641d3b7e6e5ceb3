//! The simulator's API contract (status codes, ETags, async states, paging, both route
//! families) and the HTTP client's retry policy against it. No Terraform needed.

use std::time::Duration;

use serde_json::{json, Value as J};
use tfprov::engine::api::{Api, ApiError, ApiRequest, Method};
use tfprov::http::{vendors, TransportConfig, VendorClient};
use tfprov::simulators::lightbits::{self, Fault, Running, SimConfig};
use tokio_util::sync::CancellationToken;

fn sim(delay_ms: u64) -> Running {
    lightbits::spawn(SimConfig {
        token: Some("tok".into()),
        transition_delay: Duration::from_millis(delay_ms),
        ..Default::default()
    })
    .expect("simulator")
}

fn raw(s: &Running, method: &str, path: &str, body: Option<J>, headers: &[(&str, &str)]) -> (u16, J, Option<String>) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    rt.block_on(async {
        let mut req = reqwest::Client::new()
            .request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), format!("{}{path}", s.url()));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.expect("send");
        let status = r.status().as_u16();
        let etag = r.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_string);
        (status, r.json().await.unwrap_or(J::Null), etag)
    })
}

const AUTH: (&str, &str) = ("authorization", "Bearer tok");

fn call(s: &Running, method: &str, path: &str, body: Option<J>) -> (u16, J, Option<String>) {
    raw(s, method, path, body, &[AUTH])
}

fn new_volume(name: &str) -> J {
    json!({"name": name, "size": "1073741824", "replicaCount": 1, "acl": {"values": ["ALLOW_ANY"]}})
}

#[test]
fn authentication_and_error_bodies() {
    let s = sim(0);
    let (st, body, _) = raw(&s, "GET", "/api/v2/projects", None, &[]);
    assert_eq!(st, 401);
    assert_eq!(body["message"], "Unauthorized: authentication failed.");
    assert_eq!(body["code"], 16);
    let (st, _, _) = raw(&s, "GET", "/api/v2/projects", None, &[("authorization", "Bearer other")]);
    assert_eq!(st, 401);
    let (st, body, _) = call(&s, "GET", "/api/v2/projects/nope", None);
    assert_eq!((st, body["message"].as_str()), (404, Some("Provided project name is not found.")));
}

#[test]
fn volume_states_etags_and_conflicts() {
    let s = sim(300);
    let (st, v, etag) = call(&s, "POST", "/api/v2/projects/default/volumes", Some(new_volume("v1")));
    assert_eq!(st, 200);
    assert_eq!(v["state"], "Creating");
    assert_eq!(
        etag.as_deref(),
        Some(format!("\"{}\"", v["ETag"].as_str().expect("etag")).as_str()),
        "header and body agree"
    );
    let uuid = v["UUID"].as_str().expect("uuid").to_string();
    let item = format!("/api/v2/projects/default/volumes/{uuid}");

    // Duplicate name: 409. Update while Creating: 503.
    assert_eq!(call(&s, "POST", "/api/v2/projects/default/volumes", Some(new_volume("v1"))).0, 409);
    let (st, body, _) = call(&s, "PUT", &item, Some(json!({"compression": "true"})));
    assert_eq!(
        (st, body["message"].as_str()),
        (503, Some("Volume is in temporary state and cannot be updated now (Creating/Updating)."))
    );

    std::thread::sleep(Duration::from_millis(400));
    let (_, v, _) = call(&s, "GET", &item, None);
    assert_eq!(v["state"], "Available");
    let etag = v["ETag"].as_str().expect("etag").to_string();

    // If-Match: a stale ETag is refused, the current one accepted.
    let (st, body, _) = raw(&s, "PUT", &item, Some(json!({"compression": "true"})), &[AUTH, ("if-match", "\"0\"")]);
    assert_eq!((st, body["message"].as_str()), (412, Some("Etag mismatch.")));
    let (st, _, _) =
        raw(&s, "PUT", &item, Some(json!({"size": "2147483648"})), &[AUTH, ("if-match", &format!("\"{etag}\""))]);
    assert_eq!(st, 200);
    std::thread::sleep(Duration::from_millis(400));
    // Shrinking without Force: 501, as documented.
    assert_eq!(call(&s, "PUT", &item, Some(json!({"size": "1073741824"}))).0, 501);

    // The project cannot go while it holds volumes.
    assert_eq!(call(&s, "DELETE", "/api/v2/projects/default", None).0, 400);

    // Delete: Deleting (hidden from lists unless showAll), then 404.
    assert_eq!(call(&s, "DELETE", &item, None).0, 200);
    let (_, v, _) = call(&s, "GET", &item, None);
    assert_eq!(v["state"], "Deleting");
    assert_eq!(call(&s, "DELETE", &item, None).0, 400, "already deleting");
    let (_, l, _) = call(&s, "GET", "/api/v2/projects/default/volumes", None);
    assert_eq!(l["volumes"].as_array().map(Vec::len), Some(0));
    let (_, l, _) = call(&s, "GET", "/api/v2/projects/default/volumes?showAll=true", None);
    assert_eq!(l["volumes"].as_array().map(Vec::len), Some(1));
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(call(&s, "GET", &item, None).0, 404);
}

#[test]
fn paging_and_flat_routes() {
    let s = sim(0);
    for i in 0..5 {
        let mut body = new_volume(&format!("p{i}"));
        body["projectName"] = json!("default");
        assert_eq!(call(&s, "POST", "/api/v2/volumes", Some(body)).0, 200);
    }
    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let q = if cursor.is_empty() { String::new() } else { format!("&offsetUUID={cursor}") };
        let (_, page, _) = call(&s, "GET", &format!("/api/v2/volumes?projectName=default&limit=2{q}"), None);
        let items = page["volumes"].as_array().cloned().unwrap_or_default();
        seen.extend(items.iter().map(|v| v["name"].as_str().unwrap_or_default().to_string()));
        if items.len() < 2 {
            break;
        }
        cursor = items[1]["UUID"].as_str().unwrap_or_default().to_string();
    }
    assert_eq!(seen, ["p0", "p1", "p2", "p3", "p4"]);
    let (_, l, _) = call(&s, "GET", "/api/v2/projects/default/volumes?name=p3", None);
    let uuid = l["volumes"][0]["UUID"].as_str().expect("uuid").to_string();
    assert_eq!(call(&s, "GET", &format!("/api/v2/volumes/{uuid}?projectName=default"), None).1["name"], "p3");
    assert_eq!(call(&s, "GET", "/api/v2/volumes?limit=zero", None).0, 400);
}

#[test]
fn validation_messages() {
    let s = sim(0);
    let bad = |body: J| {
        call(&s, "POST", "/api/v2/projects/default/volumes", Some(body)).1["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(bad(json!({"size": "1", "replicaCount": 1})).contains("mandatory"));
    assert!(bad(json!({"name": "a b", "size": "1", "replicaCount": 1})).contains("illegal characters"));
    assert!(bad(json!({"name": "a", "size": "0", "replicaCount": 1})).contains("positive integer"));
    assert!(bad(json!({"name": "a", "size": "1", "replicaCount": 4})).contains("replica count"));
    let (st, body, _) =
        call(&s, "POST", "/api/v2/projects/default/snapshots", Some(json!({"name": "s", "sourceVolumeUUID": "nope"})));
    assert_eq!(st, 404, "{body}");
}

fn client(s: &Running, max_retries: u32) -> VendorClient {
    let transport =
        TransportConfig { request_timeout: Duration::from_secs(5), ..TransportConfig::new(vec![s.url()], "test") };
    vendors::lightbits(transport, Some("tok".into()), max_retries).expect("client")
}

fn fault(method: &str, path: &str, kind: &str, status: Option<u16>, message: Option<&str>, remaining: u32) -> Fault {
    Fault {
        method: Some(method.into()),
        path_contains: path.into(),
        kind: kind.into(),
        status,
        message: message.map(str::to_string),
        remaining,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn retry_policy() {
    let s = tokio::task::spawn_blocking(|| sim(0)).await.expect("spawn");
    let c = client(&s, 3);
    let cancel = CancellationToken::new();
    let create = |name: &str| ApiRequest::new(Method::Post, "/api/v2/projects/default/volumes").body(new_volume(name));

    // Busy answers (503, 429, 409 "in progress") are retried until success.
    s.sim.arm(fault("POST", "/volumes", "status", Some(503), None, 1));
    s.sim.arm(fault("POST", "/volumes", "status", Some(429), None, 1));
    s.sim.arm(fault(
        "POST",
        "/volumes",
        "status",
        Some(409),
        Some("There is a user operation in progress on the volume"),
        1,
    ));
    assert!(c.call(create("r1"), &cancel).await.is_ok());

    // "Already exists" is an answer, not a reason to retry.
    assert!(matches!(c.call(create("r1"), &cancel).await, Err(ApiError::AlreadyExists(_))));

    // A write whose answer was lost is never repeated blindly...
    s.sim.arm(fault("POST", "/volumes", "drop", None, None, 1));
    assert!(matches!(c.call(create("r2"), &cancel).await, Err(ApiError::Ambiguous(_))));
    assert_eq!(s.sim.count(lightbits::Kind::Volume), 2, "the dropped create was committed once");
    // ...but a read is.
    s.sim.arm(fault("GET", "/projects/default", "drop", None, None, 1));
    assert!(c.call(ApiRequest::get("/api/v2/projects/default"), &cancel).await.is_ok());

    // Retries are bounded.
    s.sim.arm(fault("GET", "/version", "status", Some(503), None, 10));
    let e = client(&s, 2).call(ApiRequest::get("/api/v2/version"), &cancel).await.unwrap_err();
    assert_eq!(e.status(), Some(503));

    // Cancellation stops a retry loop at once.
    s.sim.arm(fault("GET", "/version", "status", Some(503), None, 100));
    let stop = CancellationToken::new();
    stop.cancel();
    assert!(matches!(c.call(ApiRequest::get("/api/v2/version"), &stop).await, Err(ApiError::Cancelled)));
}
