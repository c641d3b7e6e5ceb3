//! Lightbits identity and access end to end: admin endpoints and credentials, with the
//! real Terraform CLI against the simulator.

mod common;

use serde_json::{json, Value as J};

/// The simulator's objects of one kind (its noun), as `/_sim/state` shows them.
fn objects(w: &common::Workspace, noun: &str) -> Vec<J> {
    let state = w.sim_state();
    let all = state["objects"].as_array().cloned().unwrap_or_default();
    all.into_iter().filter(|o| o["kind"] == noun).map(|o| o["object"].clone()).collect()
}

fn endpoint_hcl(port: u16, ips: &[&str]) -> String {
    let ips: Vec<String> = ips.iter().map(|i| format!("\"{i}\"")).collect();
    format!("resource \"lightbits_admin_endpoint\" \"e\" {{\n  port = {port}\n  ips  = [{}]\n}}\n", ips.join(", "))
}

#[test]
fn admin_endpoint_lifecycle_and_list() {
    let w = workspace!();
    w.config(&endpoint_hcl(8443, &["10.0.0.1", "10.0.0.2"]));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_admin_endpoint.e");
    assert_eq!(s["id"], "8443");
    assert_eq!(s["etag"], "1");
    let (code, body) = w.http("GET", "/api/v2/adminEndpoints/8443", None);
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["ips"], json!(["10.0.0.1", "10.0.0.2"]));

    // ips in place (a set: order is no change), with If-Match on the current ETag.
    w.config(&endpoint_hcl(8443, &["10.0.0.2", "10.0.0.1"]));
    w.assert_plan_empty();
    w.config(&endpoint_hcl(8443, &["10.0.0.3"]));
    w.reconcile(&["1 to change"]);
    assert_eq!(w.http("GET", "/api/v2/adminEndpoints/8443", None).1["ips"], json!(["10.0.0.3"]));
    assert_eq!(w.state_of("lightbits_admin_endpoint.e")["etag"], "2");

    // The seed's refusals: a port out of range, an unknown one.
    let (code, body) = w.http("DELETE", "/api/v2/adminEndpoints/0", None);
    assert_eq!((code, body["message"].as_str()), (400, Some("Port is invalid.")));
    assert_eq!(w.http("GET", "/api/v2/adminEndpoints/1", None).0, 404);

    // The port is the key: replacement.
    w.config(&endpoint_hcl(9443, &["10.0.0.3"]));
    w.reconcile(&["forces replacement"]);
    assert_eq!(w.http("GET", "/api/v2/adminEndpoints/8443", None).0, 404);

    // Import by port.
    w.import_again("lightbits_admin_endpoint.e", "9443");
    w.assert_plan_empty();
    let r = w.tf(&["import", "-no-color", "lightbits_admin_endpoint.x", "https"]);
    assert_ne!(r.code, 0);

    // Out of band: an edited allow-list is shown and put back; a deleted one re-created.
    let uuid = objects(&w, "admin_endpoint")[0]["UUID"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"ips": ["192.0.2.9"]}));
    w.reconcile(&["192.0.2.9", "1 to change"]);
    assert_eq!(w.http("GET", "/api/v2/adminEndpoints/9443", None).1["ips"], json!(["10.0.0.3"]));
    w.delete_object(&uuid);
    w.reconcile(&["1 to add"]);

    // The data source lists what the simulator holds, including endpoints made elsewhere.
    let (code, body) = w.http("POST", "/api/v2/adminEndpoints", Some(json!({"port": 22443, "ips": ["10.1.0.0/16"]})));
    assert_eq!(code, 200, "{body}");
    let (code, _) = w.http("POST", "/api/v2/adminEndpoints", Some(json!({"port": 22443, "ips": ["10.1.0.1"]})));
    assert_eq!(code, 409);
    w.config(&format!(
        "{}\ndata \"lightbits_admin_endpoints\" \"all\" {{\n  depends_on = [lightbits_admin_endpoint.e]\n}}\noutput \"ports\" {{\n  value = [for e in data.lightbits_admin_endpoints.all.admin_endpoints : e.port]\n}}\n",
        endpoint_hcl(9443, &["10.0.0.3"])
    ));
    w.apply();
    let out = w.tf(&["output", "-json", "ports"]);
    let ports: J = serde_json::from_str(&out.stdout).expect("ports json");
    assert_eq!(ports, json!([9443, 22443]));

    w.destroy();
    assert_eq!(objects(&w, "admin_endpoint").len(), 1, "only the endpoint made outside Terraform is left");
}

const PEM_A: &str = "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaaaa\\n-----END PUBLIC KEY-----\\n";
const PEM_B: &str = "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbbbb\\n-----END PUBLIC KEY-----\\n";

fn credential_hcl(id: &str, payload: &str) -> String {
    format!(
        "resource \"lightbits_credential\" \"c\" {{\n  project_name  = \"default\"\n  credential_id = \"{id}\"\n  type          = \"RS256PubKey\"\n  payload       = \"{payload}\"\n}}\n"
    )
}

#[test]
fn credential_lifecycle() {
    let w = workspace!();
    w.config(&credential_hcl("key-1", PEM_A));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_credential.c");
    assert_eq!(s["id"], "default/key-1");
    assert_eq!(s["kind"], "UserCreds");
    // Base64 on the wire, text in state.
    let (code, body) = w.http("GET", "/api/v2/projects/default/credentials/key-1", None);
    assert_eq!(code, 200, "{body}");
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD.decode(body["payload"].as_str().expect("payload"));
    assert_eq!(decoded.ok().and_then(|b| String::from_utf8(b).ok()), Some(PEM_A.replace("\\n", "\n")));
    // The payload is sensitive: plans never print it.
    w.config(&credential_hcl("key-1", PEM_B));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement") && !p.stdout.contains("bbbb"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();

    // No update in the API: the ID forces replacement too.
    w.config(&credential_hcl("key-2", PEM_B));
    w.reconcile(&["forces replacement"]);
    assert_eq!(w.http("GET", "/api/v2/projects/default/credentials/key-1", None).0, 404);

    // Import reads the payload back: the plan is empty.
    w.import_again("lightbits_credential.c", "default/key-2");
    w.assert_plan_empty();

    // Out of band: a changed payload forces replacement; a deleted credential is re-created.
    let uuid = objects(&w, "credential")[0]["UUID"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"payload": "b3RoZXI="}));
    w.reconcile(&["forces replacement"]);
    let uuid = objects(&w, "credential")[0]["UUID"].as_str().expect("uuid").to_string();
    w.delete_object(&uuid);
    w.reconcile(&["1 to add"]);

    // A clash with a credential made elsewhere points to import.
    let (code, _) = w.http(
        "POST",
        "/api/v2/projects/default/credentials",
        Some(json!({"ID": "taken", "type": "RS256PubKey", "payload": "eA=="})),
    );
    assert_eq!(code, 200);
    w.config(&format!("{}\n{}", credential_hcl("key-2", PEM_B), credential_hcl("taken", PEM_A).replace("\"c\"", "\"t\"")));
    let r = w.apply_err();
    assert!(r.stderr.contains("already exists") && r.stderr.contains("terraform import"), "{}", r.stderr);

    // The list data source shows IDs and types, never payloads.
    w.config(&format!(
        "{}\ndata \"lightbits_credentials\" \"all\" {{\n  project_name = \"default\"\n  depends_on = [lightbits_credential.c]\n}}\noutput \"ids\" {{\n  value = [for c in data.lightbits_credentials.all.credentials : c.credential_id]\n}}\n",
        credential_hcl("key-2", PEM_B)
    ));
    w.apply();
    let out = w.tf(&["output", "-json", "ids"]);
    let ids: J = serde_json::from_str(&out.stdout).expect("ids json");
    assert_eq!(ids, json!(["key-2", "taken"]));

    w.destroy();
    assert_eq!(objects(&w, "credential").len(), 1);
}

#[test]
fn credential_write_only_payload_stays_out_of_state() {
    let w = workspace!();
    let hcl = |version: u32, key: &str| {
        format!(
            "resource \"lightbits_credential\" \"k\" {{\n  project_name       = \"default\"\n  credential_id      = \"tls\"\n  type               = \"TlsPrivKeyPem\"\n  payload_wo         = \"{key}\"\n  payload_wo_version = {version}\n}}\n"
        )
    };
    w.config(&hcl(1, "SECRET-KEY-ONE"));
    w.apply();
    w.assert_plan_empty();
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
    assert!(!state.contains("SECRET-KEY-ONE") && !state.contains("U0VDUkVULUtFWS1PTkU"), "{state}");
    assert!(w.state_of("lightbits_credential.k")["payload"].is_null());
    assert_eq!(objects(&w, "credential")[0]["payload"], "U0VDUkVULUtFWS1PTkU=");

    // A new value goes out with a new version (replacement: the API has no update).
    w.config(&hcl(2, "SECRET-KEY-TWO"));
    w.reconcile(&["forces replacement"]);
    assert_eq!(objects(&w, "credential")[0]["payload"], "U0VDUkVULUtFWS1UV08=");

    // Neither payload: refused at plan time.
    w.config("resource \"lightbits_credential\" \"k\" {\n  project_name = \"default\"\n  credential_id = \"tls\"\n  type = \"TlsPrivKeyPem\"\n}\n");
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("Missing payload"), "{}", r.all());

    w.config(&hcl(2, "SECRET-KEY-TWO"));
    w.destroy();
    assert!(objects(&w, "credential").is_empty());
}
