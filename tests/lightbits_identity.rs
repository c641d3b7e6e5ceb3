//! Lightbits identity and access end to end: admin endpoints and credentials, with the
//! real Terraform CLI against the simulator.

mod common;

use serde_json::{json, Value as J};

/// The simulator's objects of one kind (its noun), as `/_sim/state` shows them.
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
    let uuid = w.sim_objects("admin_endpoint")[0]["UUID"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"ips": ["192.0.2.9"]}));
    w.reconcile(&["192.0.2.9", "1 to change"]);
    assert_eq!(w.http("GET", "/api/v2/adminEndpoints/9443", None).1["ips"], json!(["10.0.0.3"]));
    w.delete_object(&uuid);
    w.reconcile(&["1 to add"]);

    // Edited by someone else between plan and apply: the If-Match fails, the re-read shows
    // a real change, and the other writer's allow-list stands.
    w.config(&endpoint_hcl(9443, &["10.0.0.4"]));
    let r = w.tf(&["plan", "-input=false", "-no-color", "-out=change.tfplan"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let uuid = w.sim_objects("admin_endpoint")[0]["UUID"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"ips": ["192.0.2.10"]}));
    let r = w.tf(&["apply", "-input=false", "-no-color", "change.tfplan"]);
    assert!(r.code != 0 && r.flat().contains("was changed outside Terraform"), "{}", r.all());
    assert_eq!(w.http("GET", "/api/v2/adminEndpoints/9443", None).1["ips"], json!(["192.0.2.10"]));
    w.config(&endpoint_hcl(9443, &["10.0.0.3"]));
    w.apply();

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
    assert_eq!(w.sim_objects("admin_endpoint").len(), 1, "only the endpoint made outside Terraform is left");
}

const PEM_A: &str =
    "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaaaa\\n-----END PUBLIC KEY-----\\n";
const PEM_B: &str =
    "-----BEGIN PUBLIC KEY-----\\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbbbb\\n-----END PUBLIC KEY-----\\n";

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
    let uuid = w.sim_objects("credential")[0]["UUID"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"payload": "b3RoZXI="}));
    w.reconcile(&["forces replacement"]);
    let uuid = w.sim_objects("credential")[0]["UUID"].as_str().expect("uuid").to_string();
    w.delete_object(&uuid);
    w.reconcile(&["1 to add"]);

    // A clash with a credential made elsewhere points to import.
    let (code, _) = w.http(
        "POST",
        "/api/v2/projects/default/credentials",
        Some(json!({"ID": "taken", "type": "RS256PubKey", "payload": "eA=="})),
    );
    assert_eq!(code, 200);
    w.config(&format!(
        "{}\n{}",
        credential_hcl("key-2", PEM_B),
        credential_hcl("taken", PEM_A).replace("\"c\"", "\"t\"")
    ));
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
    assert_eq!(w.sim_objects("credential").len(), 1);
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
    assert_eq!(w.sim_objects("credential")[0]["payload"], "U0VDUkVULUtFWS1PTkU=");

    // A new value goes out with a new version (replacement: the API has no update).
    w.config(&hcl(2, "SECRET-KEY-TWO"));
    w.reconcile(&["forces replacement"]);
    assert_eq!(w.sim_objects("credential")[0]["payload"], "U0VDUkVULUtFWS1UV08=");

    // Neither payload: refused at plan time.
    w.config("resource \"lightbits_credential\" \"k\" {\n  project_name = \"default\"\n  credential_id = \"tls\"\n  type = \"TlsPrivKeyPem\"\n}\n");
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("Missing payload"), "{}", r.all());

    w.config(&hcl(2, "SECRET-KEY-TWO"));
    w.destroy();
    assert!(w.sim_objects("credential").is_empty());
}

fn idp_hcl(issuer: &str, proxy: &str, claim: &str, role: &str) -> String {
    format!(
        r#"
resource "lightbits_idp_configuration" "adfs" {{
  name       = "corp-adfs"
  issuer_url = "{issuer}"
  {proxy}
}}

resource "lightbits_idp_client_configuration" "users" {{
  name                   = "converge"
  client_id              = "NOT_APPLICABLE"
  idp_configuration_name = lightbits_idp_configuration.adfs.name
  authz_mode             = "Converge"
  claim_name             = "{claim}"
}}

resource "lightbits_auth_map_entry" "admins" {{
  name                   = "storage-admins"
  identifier             = "grp-storage-admins"
  scope                  = "system"
  role                   = "{role}"
  idp_configuration_name = lightbits_idp_configuration.adfs.name
}}
"#
    )
}

const PROXY: &str = r#"proxy_info = {
    url      = "http://10.0.0.9:3128"
    username = "svc"
    password = "proxy-pass-1"
  }"#;

#[test]
fn federated_identity_lifecycle() {
    let w = workspace!();
    w.config(&idp_hcl("https://adfs.example.com/adfs", PROXY, "groups", "ClusterAdmin"));
    let p = w.plan();
    assert!(!p.stdout.contains("proxy-pass-1"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let idp = w.state_of("lightbits_idp_configuration.adfs");
    assert_eq!(idp["state"], "Active");
    assert_eq!(idp["type"], "ADFS");
    assert_eq!(w.state_of("lightbits_auth_map_entry.admins")["id"], "storage-admins");

    // In place: the issuer and proxy (a PUT selected by the body's name, then Active
    // again), the claim, the role.
    w.config(&idp_hcl("https://adfs2.example.com/adfs", "", "roles", "ProjectAdmin"));
    w.reconcile(&["3 to change"]);
    let (_, body) = w.http("GET", "/api/v2/cluster/IdpConfiguration/corp-adfs", None);
    assert_eq!(body["idpIssuerURL"], "https://adfs2.example.com/adfs");
    assert!(body.get("proxyInfo").is_none(), "{body}");
    assert_eq!(w.http("GET", "/api/v2/cluster/idpClientConfs/converge", None).1["claimName"], "roles");
    assert_eq!(w.http("GET", "/api/v2/cluster/authMaps/storage-admins", None).1["role"], "ProjectAdmin");

    // Imports by name read everything back.
    for (address, id) in [
        ("lightbits_idp_configuration.adfs", "corp-adfs"),
        ("lightbits_idp_client_configuration.users", "converge"),
        ("lightbits_auth_map_entry.admins", "storage-admins"),
    ] {
        w.import_again(address, id);
    }
    w.assert_plan_empty();

    // Out of band: a changed role is shown and put back; a deleted entry re-created.
    let uuid = w.state_of("lightbits_auth_map_entry.admins")["uuid"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"role": "Viewer"}));
    w.reconcile(&["Viewer", "1 to change"]);
    w.delete_object(&uuid);
    w.reconcile(&["1 to add"]);
    // A changed proxy password shows as a sensitive change, and is put back.
    w.config(&idp_hcl("https://adfs2.example.com/adfs", PROXY, "roles", "ProjectAdmin"));
    w.apply();
    let uuid = w.state_of("lightbits_idp_configuration.adfs")["uuid"].as_str().expect("uuid").to_string();
    w.patch_object(
        &uuid,
        json!({"proxyInfo": {"URL": "http://10.0.0.9:3128", "Username": "svc", "Password": "changed"}}),
    );
    let p = w.plan();
    assert!(p.stdout.contains("1 to change") && !p.stdout.contains("changed\""), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();

    // ForceNew: the authorization mode.
    let app = idp_hcl("https://adfs2.example.com/adfs", PROXY, "roles", "ProjectAdmin")
        .replace("\"NOT_APPLICABLE\"", "\"app-123\"")
        .replace("\"Converge\"", "\"App\"");
    w.config(&app);
    w.reconcile(&["forces replacement"]);
    assert_eq!(w.http("GET", "/api/v2/cluster/idpClientConfs/converge", None).1["authzMode"], "App");

    // Converge with a client ID: refused at plan time (the API answers 400 too).
    w.config(
        &idp_hcl("https://adfs2.example.com/adfs", PROXY, "roles", "ProjectAdmin")
            .replace("\"NOT_APPLICABLE\"", "\"app-1\""),
    );
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("client_id must be NOT_APPLICABLE"), "{}", r.all());
    let (code, body) = w.http(
        "POST",
        "/api/v2/cluster/idpClientConfs",
        Some(json!({"name": "c2", "clientId": "x", "idpConfigurationName": "corp-adfs", "claimName": "g", "authzMode": "Converge"})),
    );
    assert_eq!(code, 400, "{body}");
    // Only one IdP configuration: a second one is a 400.
    let (code, _) = w.http(
        "POST",
        "/api/v2/cluster/IdpConfiguration",
        Some(json!({"name": "other", "idpIssuerURL": "https://x.example.com", "type": "ADFS"})),
    );
    assert_eq!(code, 400);

    // The list data sources.
    w.config(&format!(
        "{app}\ndata \"lightbits_idp_configurations\" \"all\" {{\n  depends_on = [lightbits_auth_map_entry.admins, lightbits_idp_client_configuration.users]\n}}\ndata \"lightbits_auth_map_entries\" \"all\" {{\n  depends_on = [lightbits_auth_map_entry.admins]\n}}\ndata \"lightbits_idp_client_configurations\" \"all\" {{\n  depends_on = [lightbits_idp_client_configuration.users]\n}}\noutput \"lists\" {{\n  value = [data.lightbits_idp_configurations.all.idp_configurations[0].name, data.lightbits_auth_map_entries.all.auth_map_entries[0].role, data.lightbits_idp_client_configurations.all.idp_client_configurations[0].client_id]\n}}\n"
    ));
    w.apply();
    let out = w.tf(&["output", "-json", "lists"]);
    let lists: J = serde_json::from_str(&out.stdout).expect("lists json");
    assert_eq!(lists, json!(["corp-adfs", "ProjectAdmin", "app-123"]));

    // Out of band: the client configuration's claim changed, then the configuration deleted.
    let client = w.state_of("lightbits_idp_client_configuration.users")["uuid"].as_str().expect("uuid").to_string();
    w.config(&app);
    w.patch_object(&client, json!({"claimName": "elsewhere"}));
    w.reconcile(&["elsewhere", "1 to change"]);
    let client = w.state_of("lightbits_idp_client_configuration.users")["uuid"].as_str().expect("uuid").to_string();
    w.delete_object(&client);
    w.reconcile(&["1 to add"]);
    // The IdP configuration deleted out of band: re-created under the same name, which
    // its dependents keep naming.
    let idp = w.state_of("lightbits_idp_configuration.adfs")["uuid"].as_str().expect("uuid").to_string();
    w.delete_object(&idp);
    w.reconcile(&["1 to add"]);
    assert_eq!(w.sim_objects("idp_configuration").len(), 1);

    // ForceNew: the entry's name, and the configuration's name (the client configuration
    // that names it is replaced with it; the entry is updated in place).
    w.config(&app.replace("\"storage-admins\"", "\"storage-ops\""));
    w.reconcile(&["forces replacement", "1 to add, 0 to change, 1 to destroy"]);
    let names = |noun: &str| w.sim_objects(noun).iter().map(|o| o["name"].clone()).collect::<Vec<_>>();
    assert_eq!(names("auth_map"), vec![json!("storage-ops")]);
    w.config(&app.replace("\"storage-admins\"", "\"storage-ops\"").replace("\"corp-adfs\"", "\"corp-sso\""));
    w.reconcile(&["forces replacement"]);
    assert_eq!(names("idp_configuration"), vec![json!("corp-sso")]);
    assert_eq!(w.sim_objects("auth_map")[0]["idpConfigurationName"], "corp-sso");
    assert_eq!(w.sim_objects("idp_client_configuration")[0]["idpConfigurationName"], "corp-sso");

    w.destroy();
    for noun in ["idp_configuration", "auth_map", "idp_client_configuration"] {
        assert!(w.sim_objects(noun).is_empty(), "{noun} left behind");
    }
}

fn host_hcl(nqn: &str, labels: &str, auth: bool, secret: &str) -> String {
    format!(
        r#"
resource "lightbits_trusted_host" "h" {{
  project_name  = "default"
  name          = "host-1"
  host_nqn      = "{nqn}"
  labels        = {labels}
  auth_required = {auth}
}}
{secret}
"#
    )
}

fn secret_hcl(version: u32, host_secret: &str, target_type: &str, target: &str) -> String {
    format!(
        r#"
resource "lightbits_trusted_host_secret" "s" {{
  project_name       = lightbits_trusted_host.h.project_name
  name               = lightbits_trusted_host.h.name
  host_uuid          = lightbits_trusted_host.h.uuid
  host_secret_wo     = "{host_secret}"
  target_secret_wo   = {target}
  secrets_wo_version = {version}
  target_secret_type = "{target_type}"
}}

resource "lightbits_in_band_authentication" "ib" {{
  depends_on = [lightbits_trusted_host_secret.s]
}}
"#
    )
}

const NQN_1: &str = "nqn.2014-08.org.nvmexpress:uuid:0b5e6a7c-0000-4000-8000-000000000001";
const NQN_2: &str = "nqn.2014-08.org.nvmexpress:uuid:0b5e6a7c-0000-4000-8000-000000000002";

#[test]
fn trusted_host_secrets_and_in_band_authentication() {
    let w = workspace!();
    let secret = secret_hcl(1, "DHHC-1:00:host-one:", "Disabled", "null");
    w.config(&host_hcl(NQN_1, "{ rack = \"r1\" }", true, &secret));
    w.apply();
    w.assert_plan_empty();
    let host = w.state_of("lightbits_trusted_host.h");
    assert_eq!(host["id"], "default/host-1");
    let (_, body) = w.http("GET", "/api/v2/projects/default/trustedHosts/host-1", None);
    assert_eq!(body["labels"], json!([{"key": "rack", "value": "r1"}]));
    assert_eq!(body["authRequired"], "true");
    let (_, secrets) = w.http("GET", "/api/v2/projects/default/trustedHostSecrets/host-1", None);
    assert_eq!(secrets["hostSecret"], "DHHC-1:00:host-one:");
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
    assert!(!state.contains("host-one"), "a write-only secret reached the state");
    assert_eq!(w.http("GET", "/_sim/authentication", None).1["inBandAuth"]["DefaultSubSystem"], true);

    // In place: labels, auth_required; the target secret with a new version.
    let secret = secret_hcl(2, "DHHC-1:00:host-two:", "Enabled", "\"DHHC-1:00:target:\"");
    w.config(&host_hcl(NQN_1, "{ rack = \"r2\" }", false, &secret));
    w.reconcile(&["2 to change"]);
    let (_, secrets) = w.http("GET", "/api/v2/projects/default/trustedHostSecrets/host-1", None);
    assert_eq!(
        (&secrets["hostSecret"], &secrets["targetSecret"], &secrets["targetSecretType"]),
        (&json!("DHHC-1:00:host-two:"), &json!("DHHC-1:00:target:"), &json!("Enabled"))
    );
    assert_eq!(w.http("GET", "/api/v2/projects/default/trustedHosts/host-1", None).1["authRequired"], "false");

    // Enabling the target side without a new version would send no secret: refused.
    let off = secret_hcl(2, "DHHC-1:00:host-two:", "Disabled", "null");
    w.config(&host_hcl(NQN_1, "{ rack = \"r2\" }", false, &off));
    w.reconcile(&["1 to change"]);
    let again = secret_hcl(2, "DHHC-1:00:host-two:", "Enabled", "\"DHHC-1:00:target:\"");
    w.config(&host_hcl(NQN_1, "{ rack = \"r2\" }", false, &again));
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("secrets_wo_version"), "{}", r.all());
    w.config(&host_hcl(NQN_1, "{ rack = \"r2\" }", false, &off));

    // Imports: the host by project/name, the secret likewise, in-band by subsystem.
    w.import_again("lightbits_trusted_host.h", "default/host-1");
    w.import_again("lightbits_trusted_host_secret.s", "default/host-1");
    w.import_again("lightbits_in_band_authentication.ib", "DefaultSubSystem");
    // After import the version is unknown to Terraform: one update re-sends the secrets.
    let p = w.plan();
    assert!(p.stdout.contains("secrets_wo_version") || p.stdout.contains("No changes"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();

    // In-band authentication disabled outside Terraform: seen, and enabled again.
    let (status, _) = w.http("POST", "/api/v2/cluster/inBandAuth/disable", Some(json!({})));
    assert_eq!(status, 200);
    w.reconcile(&["lightbits_in_band_authentication.ib will be created", "1 to add"]);
    assert_eq!(w.http("GET", "/_sim/authentication", None).1["inBandAuth"]["DefaultSubSystem"], true);

    // Out of band: labels edited, then the host deleted (its secrets go with it).
    let uuid = w.state_of("lightbits_trusted_host.h")["uuid"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"labels": [{"key": "rack", "value": "elsewhere"}]}));
    w.reconcile(&["elsewhere", "1 to change"]);
    w.delete_object(&uuid);
    w.reconcile(&["2 to add"]);

    // The NQN cannot change in place; the secrets follow the new host (host_uuid).
    w.config(&host_hcl(NQN_2, "{ rack = \"r2\" }", false, &off));
    w.reconcile(&["forces replacement", "2 to add"]);
    let (_, secrets) = w.http("GET", "/api/v2/projects/default/trustedHostSecrets/host-1", None);
    assert_eq!(secrets["hostSecret"], "DHHC-1:00:host-two:");

    // The list data source.
    w.config(&format!(
        "{}\ndata \"lightbits_trusted_hosts\" \"all\" {{\n  project_name = \"default\"\n  depends_on = [lightbits_trusted_host.h]\n}}\noutput \"nqns\" {{\n  value = [for h in data.lightbits_trusted_hosts.all.trusted_hosts : h.host_nqn]\n}}\n",
        host_hcl(NQN_2, "{ rack = \"r2\" }", false, &off)
    ));
    w.apply();
    let out = w.tf(&["output", "-json", "nqns"]);
    assert_eq!(serde_json::from_str::<J>(&out.stdout).expect("json"), json!([NQN_2]));

    // Destroy: in-band off, target secret Disabled (no delete endpoint), host deleted.
    w.destroy();
    assert_eq!(w.http("GET", "/_sim/authentication", None).1["inBandAuth"]["DefaultSubSystem"], false);
    assert!(w.sim_objects("trusted_host").is_empty());
}

#[test]
fn trusted_host_secret_destroy_only_disables_the_target_secret() {
    let w = workspace!();
    let (code, body) = w.http(
        "POST",
        "/api/v2/projects/default/trustedHosts",
        Some(json!({"name": "made-elsewhere", "hostNqn": NQN_1})),
    );
    assert_eq!(code, 200, "{body}");
    let hcl = |kind: &str| {
        format!(
            "resource \"lightbits_trusted_host_secret\" \"s\" {{\n  project_name = \"default\"\n  name = \"made-elsewhere\"\n  host_secret_wo = \"DHHC-1:00:h:\"\n  secrets_wo_version = 1\n  target_secret_type = \"{kind}\"\n}}\n"
        )
    };
    w.config(&hcl("AutoGenSecret"));
    w.apply();
    w.assert_plan_empty();
    let (_, secrets) = w.http("GET", "/api/v2/projects/default/trustedHostSecrets/made-elsewhere", None);
    assert_eq!(secrets["targetSecretType"], "AutoGenSecret");
    assert!(secrets["targetSecret"].as_str().is_some_and(|s| s.starts_with("DHHC-1")), "{secrets}");
    // Out of band: the type changed elsewhere is shown and put back.
    let uuid = w.sim_objects("trusted_host")[0]["UUID"].as_str().expect("uuid").to_string();
    w.patch_object(&uuid, json!({"targetSecretType": "Disabled", "targetSecret": ""}));
    w.reconcile(&["AutoGenSecret", "1 to change"]);
    // What destroy leaves behind is said at plan time and again when it happens.
    let p = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(p.flat().contains("host secret of trusted host made-elsewhere stays on the cluster"), "{}", p.all());
    let d = w.destroy();
    assert!(d.flat().contains("host secret of trusted host made-elsewhere stays on the cluster"), "{}", d.all());
    let (code, secrets) = w.http("GET", "/api/v2/projects/default/trustedHostSecrets/made-elsewhere", None);
    assert_eq!(code, 200);
    assert_eq!(secrets["targetSecretType"], "Disabled");
    assert_eq!(secrets["hostSecret"], "DHHC-1:00:h:", "the host secret cannot be removed: it stays");
}

#[test]
fn federated_authentication_and_roles() {
    let w = workspace!();
    w.config(
        r#"
resource "lightbits_federated_authentication" "on" {}

data "lightbits_roles" "all" {
  project_name = "default"
}

data "lightbits_role" "admin" {
  project_name = "default"
  name         = "admin"
}

output "roles" {
  value = [for r in data.lightbits_roles.all.roles : r.name]
}

output "admin_actions" {
  value = jsondecode(data.lightbits_role.admin.rules_json)[0].actions
}
"#,
    );
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.http("GET", "/_sim/authentication", None).1["federatedAuthentication"], true);
    let roles = w.tf(&["output", "-json", "roles"]);
    assert_eq!(serde_json::from_str::<J>(&roles.stdout).expect("json"), json!(["admin", "viewer"]));
    let actions = w.tf(&["output", "-json", "admin_actions"]);
    assert_eq!(serde_json::from_str::<J>(&actions.stdout).expect("json"), json!(["*"]));
    assert_eq!(w.state_of("lightbits_federated_authentication.on")["id"], "federated_authentication");

    // Import by its fixed ID.
    w.import_again("lightbits_federated_authentication.on", "federated_authentication");
    w.assert_plan_empty();

    // Turned off outside Terraform: the refresh sees it, and the plan turns it on again.
    let (status, _) = w.http("POST", "/api/v2/cluster/federatedAuthentication/disable", Some(json!({})));
    assert_eq!(status, 200);
    w.reconcile(&["lightbits_federated_authentication.on will be created", "1 to add"]);
    assert_eq!(w.http("GET", "/_sim/authentication", None).1["federatedAuthentication"], true);

    // An unknown role is a clear error.
    w.config("data \"lightbits_role\" \"x\" {\n  project_name = \"default\"\n  name = \"nobody\"\n}\n");
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("No role"), "{}", r.all());

    // Destroy disables it; a switch that is off cannot be imported.
    w.config("resource \"lightbits_federated_authentication\" \"on\" {}\n");
    w.destroy();
    assert_eq!(w.http("GET", "/_sim/authentication", None).1["federatedAuthentication"], false);
    let r = w.tf(&["import", "-no-color", "lightbits_federated_authentication.on", "federated_authentication"]);
    assert!(r.code != 0 && r.stderr.contains("non-existent"), "{}", r.all());
}

#[test]
fn lost_create_answers_end_with_exactly_one_object() {
    let w = workspace!();
    // The answer is dropped after the endpoint was created: found by its port, adopted.
    w.arm_fault(json!({"method": "POST", "path_contains": "/adminEndpoints", "kind": "drop"}));
    w.config(&endpoint_hcl(7443, &["10.0.0.1"]));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_objects("admin_endpoint").len(), 1);
    // A server error after the credential was stored: found by its ID, adopted.
    w.arm_fault(
        json!({"method": "POST", "path_contains": "/credentials", "kind": "error_after_commit", "status": 500}),
    );
    w.config(&format!("{}\n{}", endpoint_hcl(7443, &["10.0.0.1"]), credential_hcl("lost", PEM_A)));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_objects("credential").len(), 1);
    // An auth map entry's lost answer, behind an IdP configuration.
    w.arm_fault(json!({"method": "POST", "path_contains": "/authMaps", "kind": "drop"}));
    w.config(&format!(
        "{}\n{}",
        endpoint_hcl(7443, &["10.0.0.1"]),
        idp_hcl("https://adfs.example.com/adfs", "", "groups", "admin")
    ));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_objects("auth_map").len(), 1);
    w.destroy();
}
