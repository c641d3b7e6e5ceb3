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

/// Sends `body` as it is, with `content_type`, to see how the API reads bodies.
fn send_text(s: &Running, method: &str, path: &str, body: &str, content_type: &str) -> (u16, J) {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    rt.block_on(async {
        let r = reqwest::Client::new()
            .request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), format!("{}{path}", s.url()))
            .header(AUTH.0, AUTH.1)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(J::Null))
    })
}

/// Waits until the object at `path` is Available.
fn wait_available(s: &Running, path: &str) -> J {
    for _ in 0..50 {
        let (_, v, _) = call(s, "GET", path, None);
        if v["state"] == "Available" {
            return v;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{path} never became Available");
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
    assert_eq!((&body["code"], &body["details"]), (&json!(5), &json!([])), "grpc-gateway's error body");
    let (st, body, _) = call(&s, "DELETE", "/api/v2/projects/nope", None);
    assert_eq!((st, body["message"].as_str()), (404, Some("Project with provided name is not found.")));
}

#[test]
fn malformed_bodies_get_the_gateway_error_body() {
    let s = sim(0);
    for (body, content_type) in [("{not json", "application/json"), ("name=x", "application/x-www-form-urlencoded")] {
        let (st, answer) = send_text(&s, "POST", "/api/v2/projects", body, content_type);
        assert_eq!(st, 400, "{body}: {answer}");
        assert_eq!((&answer["code"], &answer["details"]), (&json!(3), &json!([])), "{answer}");
        assert!(answer["message"].as_str().is_some_and(|m| !m.is_empty()), "{answer}");
    }
    // A JSON array is no message either.
    let (st, answer) = send_text(&s, "POST", "/api/v2/projects", "[]", "application/json");
    assert_eq!((st, &answer["code"]), (400, &json!(3)));
    // Like grpc-gateway, the body is read as JSON whatever the content type says.
    let (st, answer) = send_text(&s, "POST", "/api/v2/projects", r#"{"name": "typed"}"#, "text/plain");
    assert_eq!((st, &answer["name"]), (200, &json!("typed")), "{answer}");
    // Proto3 JSON types: size is a string, compression a string, not a bool.
    let mut body = new_volume("v");
    body["size"] = json!(1073741824);
    assert_eq!(call(&s, "POST", "/api/v2/projects/default/volumes", Some(body)).1["code"], 3);
    let mut body = new_volume("v");
    body["compression"] = json!(true);
    assert_eq!(call(&s, "POST", "/api/v2/projects/default/volumes", Some(body)).0, 400);
}

#[test]
fn project_update_takes_only_default_policies() {
    let s = sim(0);
    let qos = json!([{"policyType": "qosRateLimit", "policyUUID": "q-1"}]);
    let (st, p, _) = call(
        &s,
        "POST",
        "/api/v2/projects",
        Some(json!({"name": "team", "description": "first", "defaultPolicies": qos})),
    );
    assert_eq!((st, &p["defaultPolicies"]), (200, &qos), "{p}");

    // No defaultPolicies: refused, whatever else the body holds.
    let (st, body, _) =
        call(&s, "PUT", "/api/v2/projects/team", Some(json!({"projectName": "team", "description": "second"})));
    assert_eq!((st, body["message"].as_str(), &body["code"]), (400, Some("Mandatory argument is missing."), &json!(3)));
    // An empty list is proto3's "absent": the same answer.
    let (st, _, _) =
        call(&s, "PUT", "/api/v2/projects/team", Some(json!({"projectName": "team", "defaultPolicies": []})));
    assert_eq!(st, 400);

    // With defaultPolicies the update goes through, but the description is not part of it.
    let snap = json!([{"policyType": "snapshot", "policyUUID": "s-1"}]);
    // This PUT lists no 412, so a stale If-Match does not stop it.
    let (st, body, _) = raw(
        &s,
        "PUT",
        "/api/v2/projects/team",
        Some(json!({"projectName": "team", "description": "second", "defaultPolicies": snap})),
        &[AUTH, ("if-match", "\"0\"")],
    );
    assert_eq!((st, &body), (200, &json!({})));
    let (_, p, _) = call(&s, "GET", "/api/v2/projects/team", None);
    assert_eq!((&p["description"], &p["defaultPolicies"]), (&json!("first"), &snap), "{p}");
    let (_, l, _) = call(&s, "GET", "/api/v2/projects", None);
    let listed = l["projects"].as_array().and_then(|ps| ps.iter().find(|p| p["name"] == "team")).cloned();
    assert_eq!(listed.map(|p| p["defaultPolicies"].clone()), Some(snap.clone()));

    // A policy type outside the enum fails to unmarshal.
    let (st, _, _) = call(
        &s,
        "PUT",
        "/api/v2/projects/team",
        Some(json!({"defaultPolicies": [{"policyType": "QoS", "policyUUID": "q-1"}]})),
    );
    assert_eq!(st, 400);

    // A server that refuses unknown fields names the field.
    let (st, _, _) = call(&s, "PUT", "/_sim/config", Some(json!({"reject_unknown_fields": true})));
    assert_eq!(st, 200);
    let (st, body, _) = call(
        &s,
        "PUT",
        "/api/v2/projects/team",
        Some(json!({"projectName": "team", "description": "second", "defaultPolicies": snap})),
    );
    assert_eq!(st, 400);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("unknown field \"description\"")), "{body}");
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
    assert_eq!(call(&s, "GET", "/api/v2/volumes?showAll=maybe", None).0, 400);

    // Each route filters by the name its document gives: volumes `name`, snapshots
    // `Name`. An undocumented spelling is ignored, as grpc-gateway ignores unknown
    // query parameters, so it filters nothing.
    let (_, l, _) = call(&s, "GET", "/api/v2/projects/default/volumes?Name=p3", None);
    assert_eq!(l["volumes"].as_array().map(Vec::len), Some(5));
    for snap in ["s1", "s2"] {
        let body = json!({"name": snap, "sourceVolumeUUID": uuid, "retentionTime": "3600s"});
        let (st, v, _) = call(&s, "POST", "/api/v2/projects/default/snapshots", Some(body));
        assert_eq!((st, &v["retentionTime"]), (200, &json!("3600s")), "{v}");
    }
    let (_, l, _) = call(&s, "GET", "/api/v2/projects/default/snapshots?Name=s2", None);
    assert_eq!(l["snapshots"].as_array().map(Vec::len), Some(1));
    let (_, l, _) = call(&s, "GET", "/api/v2/projects/default/snapshots?name=s2", None);
    assert_eq!(l["snapshots"].as_array().map(Vec::len), Some(2));
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
    assert!(bad(json!({"name": "a", "size": "ten", "replicaCount": 1})).contains("positive integer"));
    let (st, body, _) =
        call(&s, "POST", "/api/v2/projects/default/snapshots", Some(json!({"name": "s", "sourceVolumeUUID": "nope"})));
    assert_eq!(st, 404, "{body}");
    // retentionTime is a protobuf Duration: seconds with an "s".
    let (_, v, _) = call(&s, "POST", "/api/v2/projects/default/volumes", Some(new_volume("src")));
    let source = v["UUID"].as_str().expect("uuid").to_string();
    let (st, _, _) = call(
        &s,
        "POST",
        "/api/v2/projects/default/snapshots",
        Some(json!({"name": "s", "sourceVolumeUUID": source, "retentionTime": "24h"})),
    );
    assert_eq!(st, 400);
}

#[test]
fn labels_survive_an_empty_list() {
    let s = sim(0);
    let mut body = new_volume("labelled");
    body["labels"] = json!([{"key": "env", "value": "prod"}, {"key": "team", "value": "a"}]);
    let (st, v, _) = call(&s, "POST", "/api/v2/projects/default/volumes", Some(body));
    assert_eq!(st, 200, "{v}");
    let item = format!("/api/v2/projects/default/volumes/{}", v["UUID"].as_str().expect("uuid"));
    wait_available(&s, &item);

    // [] and null are "not passed" in proto3 JSON: the labels stay.
    for empty in [json!([]), J::Null] {
        let (st, _, _) = call(&s, "PUT", &item, Some(json!({"labels": empty})));
        assert_eq!(st, 200);
        let v = wait_available(&s, &item);
        assert_eq!(v["labels"].as_array().map(Vec::len), Some(2), "{empty}: {v}");
    }
    // A non-empty list replaces the whole set, which is how keys are removed.
    let (st, _, _) = call(&s, "PUT", &item, Some(json!({"labels": [{"key": "env", "value": "test"}]})));
    assert_eq!(st, 200);
    assert_eq!(wait_available(&s, &item)["labels"], json!([{"key": "env", "value": "test"}]));

    // A clone without labels takes its snapshot's; with labels, its own.
    let body = json!({"name": "snap", "sourceVolumeName": "labelled"});
    let (st, snap, _) = call(&s, "POST", "/api/v2/projects/default/snapshots", Some(body));
    assert_eq!(st, 200, "{snap}");
    let snap_uuid = snap["UUID"].as_str().expect("uuid").to_string();
    wait_available(&s, &format!("/api/v2/projects/default/snapshots/{snap_uuid}"));
    let mut clone = new_volume("clone");
    clone["sourceSnapshotUUID"] = json!(snap_uuid);
    let (_, v, _) = call(&s, "POST", "/api/v2/projects/default/volumes", Some(clone.clone()));
    assert_eq!(v["labels"], json!([{"key": "env", "value": "test"}]), "{v}");
    clone["name"] = json!("clone2");
    clone["labels"] = json!([{"key": "own", "value": "yes"}]);
    let (_, v, _) = call(&s, "POST", "/api/v2/projects/default/volumes", Some(clone));
    assert_eq!(v["labels"], json!([{"key": "own", "value": "yes"}]), "{v}");
}

#[test]
fn ip_acl_and_label_validation() {
    let s = sim(0);
    let create = |patch: J| {
        let mut body = new_volume("checked");
        if let (Some(b), Some(p)) = (body.as_object_mut(), patch.as_object()) {
            b.extend(p.clone());
        }
        let (st, answer, _) = call(&s, "POST", "/api/v2/projects/default/volumes", Some(body));
        (st, answer["code"].clone(), answer["message"].as_str().unwrap_or_default().to_string())
    };
    let acl_invalid = (400, json!(3), "Invalid argument: ACL or IP-ACL are invalid.".to_string());
    assert_eq!(create(json!({"IPAcl": {"values": ["999.999.999.999"]}})), acl_invalid);
    assert_eq!(create(json!({"IPAcl": {"values": ["10.0.0.0/24"]}})), acl_invalid);
    assert_eq!(create(json!({"acl": {"values": ["has space"]}})), acl_invalid);
    let (st, code, message) = create(json!({"acl": {"values": []}}));
    assert_eq!((st, code), (400, json!(3)));
    assert!(message.contains("mandatory argument is missing (acl)"), "{message}");
    for labels in [
        json!([{"key": "bad key", "value": "v"}]),
        json!([{"key": "k", "value": ""}]),
        json!([{"key": "k", "value": "x".repeat(254)}]),
        J::Array((0..17).map(|i| json!({"key": format!("k{i}"), "value": "v"})).collect()),
    ] {
        let (st, code, message) = create(json!({"labels": labels}));
        assert_eq!((st, code), (400, json!(3)), "{labels}");
        assert!(message.starts_with("Invalid argument: "), "{message}");
    }

    let (st, v, _) = call(
        &s,
        "POST",
        "/api/v2/projects/default/volumes",
        Some(json!({"name": "ok", "size": "1 GiB", "replicaCount": 1, "acl": {"values": ["ALLOW_ANY"]},
                    "IPAcl": {"values": ["10.0.0.1", "fe80::1"]}})),
    );
    assert_eq!((st, &v["IPAcl"]), (200, &json!({"values": ["10.0.0.1", "fe80::1"]})), "{v}");
    let item = format!("/api/v2/projects/default/volumes/{}", v["UUID"].as_str().expect("uuid"));
    wait_available(&s, &item);
    // Updates check the same rules.
    let (st, body, _) = call(&s, "PUT", &item, Some(json!({"IPAcl": {"values": ["300.1.1.1"]}})));
    assert_eq!((st, body["message"].as_str()), (400, Some("Invalid argument: ACL or IP-ACL are invalid.")));
    let (st, _, _) = call(&s, "PUT", &item, Some(json!({"labels": [{"key": "", "value": "v"}]})));
    assert_eq!(st, 400);
}

#[test]
fn error_after_commit_commits_then_fails() {
    let s = sim(0);
    // Armed over HTTP, as a user's CI would.
    let (st, _, _) = call(
        &s,
        "POST",
        "/_sim/faults",
        Some(json!({"kind": "error_after_commit", "method": "POST", "path_contains": "/volumes"})),
    );
    assert_eq!(st, 200);
    let (st, body, _) = call(&s, "POST", "/api/v2/projects/default/volumes", Some(new_volume("committed")));
    assert_eq!((st, &body["code"], body["message"].as_str()), (500, &json!(13), Some("Internal Lightbits error.")));
    let (_, l, _) = call(&s, "GET", "/api/v2/projects/default/volumes?name=committed", None);
    assert_eq!(l["volumes"].as_array().map(Vec::len), Some(1), "the create was committed");
    // The fault is spent; a retry meets the committed volume.
    assert_eq!(call(&s, "POST", "/api/v2/projects/default/volumes", Some(new_volume("committed"))).0, 409);

    // Status and message can be chosen; unknown kinds are refused.
    s.sim.arm(fault("DELETE", "/projects/", "error_after_commit", Some(503), Some("Gone away."), 1));
    let (st, body, _) = call(&s, "POST", "/api/v2/projects", Some(json!({"name": "short-lived"})));
    assert_eq!(st, 200, "{body}");
    let (st, body, _) = call(&s, "DELETE", "/api/v2/projects/short-lived", None);
    assert_eq!((st, body["message"].as_str()), (503, Some("Gone away.")));
    assert_eq!(call(&s, "GET", "/api/v2/projects/short-lived", None).0, 404, "the delete was committed");
    assert_eq!(call(&s, "POST", "/_sim/faults", Some(json!({"kind": "explode"}))).0, 400);
}

#[test]
fn cluster_and_clusterinfo_differ() {
    let s = sim(0);
    let (st, cluster, _) = call(&s, "GET", "/api/v2/cluster", None);
    assert_eq!(st, 200);
    let (st, info, _) = call(&s, "GET", "/api/v2/clusterinfo", None);
    assert_eq!(st, 200);
    assert_eq!(cluster["UUID"], info["UUID"]);
    assert!(cluster.get("MinVersionInCluster").is_some() && info.get("MinVersionInCluster").is_none());
    assert!(cluster.get("health").is_some() && info.get("health").is_none());
    assert!(info["nvmeEndpoints"].is_array() && cluster.get("nvmeEndpoints").is_none());
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
