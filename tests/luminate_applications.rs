//! The six Luminate application types end to end: real Terraform, real provider,
//! simulated tenant.

use serde_json::{json, Value};
use tfprov::simulators::luminate::{self, DEFAULT_COLLECTION_ID};
use tfprov::testkit::{luminate_workspace, sdkv2_resource, GO_LUMINATE};

const TYPES: [&str; 6] = ["web", "ssh", "tcp", "rdp", "ssh_gw", "segment"];

fn address(kind: &str) -> String {
    format!("luminate_{kind}_application.app")
}

/// The six applications; `v` picks the variant of what changes between applies, `site`
/// the RDP application's site.
fn apps_hcl(v: u8, rdp_site: &str) -> String {
    let (web_extra, ssh_address, ports, segment) = match v {
        0 => (
            "",
            "tcp://10.0.0.2:22",
            "[5432]",
            "sub_type = \"SEGMENT_SPECIFIC_IPS\"\n  multiple_segment_settings {\n    original_ip = [\"10.1.0.1\", \"10.1.0.2\"]\n  }\n  multiple_segment_settings {\n    original_ip = [\"10.2.0.0/16\"]\n  }",
            ),
        _ => (
            "visible = false\n  sub_type = \"HTTP_CUSTOM_DOMAIN\"\n  custom_external_address = \"https://wiki.example.com\"\n  header_customization = { \"X-Team\" = \"eng\" }",
            "tcp://10.0.0.3:22",
            "[5432, 5433]",
            "multiple_segment_settings {\n    original_ip = [\"10.3.0.0/24\", \"10.1.0.1\"]\n  }",
        ),
    };
    format!(
        r#"
resource "luminate_site" "one" {{
  name = "site-one"
}}

resource "luminate_site" "two" {{
  name = "site-two"
}}

resource "luminate_web_application" "app" {{
  name             = "Wiki"
  site_id          = luminate_site.one.id
  internal_address = "http://10.0.0.1:8080"
  {web_extra}
}}

resource "luminate_ssh_application" "app" {{
  name             = "shell"
  site_id          = luminate_site.one.id
  internal_address = "{ssh_address}"
}}

resource "luminate_tcp_application" "app" {{
  name    = "db"
  site_id = luminate_site.one.id
  target {{
    address = "10.0.0.4"
    ports   = {ports}
  }}
}}

resource "luminate_rdp_application" "app" {{
  name             = "desk"
  site_id          = luminate_site.{rdp_site}.id
  internal_address = "tcp://10.0.0.5"
}}

resource "luminate_ssh_gw_application" "app" {{
  name           = "gateway"
  site_id        = luminate_site.one.id
  integration_id = "integration-1"
  tags = {{
    Type = "ssh-gw-demo"
  }}
  vpc {{
    region     = "eu-west-1"
    cidr_block = "172.31.0.0/16"
    vpc_id     = "vpc-123456789"
  }}
}}

resource "luminate_segment_application" "app" {{
  name    = "segment"
  site_id = luminate_site.one.id
  {segment}
}}
"#
    )
}

/// Terraform wraps diagnostics: compare words.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn six_types_apply_update_move_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&apps_hcl(0, "one"));
    w.apply();
    w.assert_plan_empty();
    let site_one = w.id_of("luminate_site.one");
    let site_two = w.id_of("luminate_site.two");
    let ids: Vec<String> = TYPES.iter().map(|t| w.id_of(&address(t))).collect();

    // The site had no collection: the first bind's fallback linked it to the default one,
    // and every application is bound to it.
    let links = w.sim_state()["links"].clone();
    assert!(
        links
            .as_array()
            .is_some_and(|l| l.contains(&json!({"siteId": site_one, "collectionId": DEFAULT_COLLECTION_ID}))),
        "{links}"
    );
    let bound = w.sim_object(&site_one)["application_ids"].clone();
    for id in &ids {
        assert!(bound.as_array().is_some_and(|b| b.contains(&json!(id))), "{id} not bound: {bound}");
    }

    // Server-computed addresses, the type names of the Go provider, normalised values kept
    // in the configuration's spelling.
    let web = w.state_of(&address("web"));
    assert_eq!(web["type"], "web");
    assert_eq!(web["subdomain"], "Wiki");
    assert_eq!(web["luminate_address"], "https://wiki.127.0.0.1");
    assert_eq!(web["collection_id"], DEFAULT_COLLECTION_ID);
    assert!(web["custom_domain_record_name"].is_null());
    let ssh = w.state_of(&address("ssh"));
    assert_eq!(ssh["external_address"], "shell.ssh.127.0.0.1");
    let rdp = w.state_of(&address("rdp"));
    assert_eq!(rdp["internal_address"], "tcp://10.0.0.5");
    assert_eq!(rdp["luminate_address"], "desk.rdp.127.0.0.1");
    assert_eq!(w.sim_object(&ids[3])["connectionSettings"]["internalAddress"], "tcp://10.0.0.5:3389");
    assert_eq!(w.state_of(&address("tcp"))["luminate_address"], "db.tcp.127.0.0.1");
    assert_eq!(w.sim_object(&ids[2])["connectionSettings"]["internalAddress"], "tcp://luminate-dummy:22");
    let gw = w.state_of(&address("ssh_gw"));
    assert_eq!(gw["type"], "sshgw");
    assert!(gw["segment_id"].is_string(), "{gw}");
    assert_eq!(w.sim_object(&ids[4])["cloudIntegrationData"]["vpcs"][0]["integration_id"], "integration-1");
    let segment = w.state_of(&address("segment"));
    assert_eq!(segment["sub_type"], "SEGMENT_SPECIFIC_IPS");
    assert_eq!(segment["visible"], false);
    let on_wire = w.sim_object(&ids[5]);
    assert_eq!(on_wire["subType"], "SEGMENT_RANGE");
    assert_eq!(on_wire["multipleSegmentSettings"].as_array().map(Vec::len), Some(3));

    // In place: four applications change, and the RDP one moves to the other site.
    w.config(&apps_hcl(1, "two"));
    w.reconcile(&["0 to add, 5 to change, 0 to destroy"]);
    let web = w.state_of(&address("web"));
    assert_eq!(web["external_address"], "https://wiki.example.com");
    assert_eq!(web["custom_domain_record_type"], "CNAME");
    let record = web["custom_domain_record_name"].as_str().expect("record name");
    assert!(record.ends_with(".127.0.0.1") && record.len() == 32 + ".127.0.0.1".len(), "{record}");
    assert_eq!(w.sim_object(&ids[0])["requestCustomizationSettings"]["headerCustomization"], json!({"X-Team": "eng"}));
    assert_eq!(w.sim_object(&ids[2])["tcpTunnelSettings"][0]["ports"], json!([5432, 5433]));
    assert_eq!(w.sim_object(&ids[5])["multipleSegmentSettings"].as_array().map(Vec::len), Some(2));
    assert_eq!(w.sim_object(&site_two)["application_ids"], json!([ids[3]]));
    assert!(!w.sim_object(&site_one)["application_ids"].as_array().is_some_and(|b| b.contains(&json!(ids[3]))));
    // The IDs stayed: nothing was replaced.
    assert_eq!(TYPES.iter().map(|t| w.id_of(&address(t))).collect::<Vec<_>>(), ids);

    // Import all six into a fresh state: the sites are found from the API, the RDP
    // address and the segment blocks read back as written, and the plan is empty.
    let addresses: Vec<String> = TYPES.iter().map(|t| address(t)).collect();
    let mut rm = vec!["state", "rm"];
    rm.extend(addresses.iter().map(String::as_str));
    assert_eq!(w.tf(&rm).code, 0);
    let imports: String =
        addresses.iter().zip(&ids).map(|(a, id)| format!("import {{\n  to = {a}\n  id = \"{id}\"\n}}\n")).collect();
    w.config(&format!("{}{imports}", apps_hcl(1, "two")));
    let p = w.plan();
    assert!(p.stdout.contains("6 to import, 0 to add, 0 to change, 0 to destroy"), "{}", p.stdout);
    w.apply();
    w.config(&apps_hcl(1, "two"));
    w.assert_plan_empty();
    assert_eq!(w.state_of(&address("rdp"))["site_id"], site_two.as_str());

    // Out-of-band changes are shown and reverted; an out-of-band delete is re-created.
    w.patch_object(&ids[1], json!({"name": "renamed-elsewhere", "isVisible": false}));
    w.reconcile(&["renamed-elsewhere", "1 to change"]);
    assert_eq!(w.sim_object(&ids[1])["name"], "shell");
    w.delete_object(&ids[2]);
    w.reconcile(&["1 to add, 0 to change"]);

    // The private key never reaches the logs.
    w.config(&apps_hcl(1, "two").replace(
        "internal_address = \"http://10.0.0.1:8080\"",
        "internal_address = \"http://10.0.0.1:8080\"\n  wildcard_private_key = \"KEY-s3cr3t-material\"",
    ));
    let r = w.tf_with_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains("KEY-s3cr3t-material"), "the private key is in the output or logs");
    w.assert_plan_empty();

    w.destroy();
    assert_eq!(w.sim.sim.count(luminate::Kind::Application), 0);
}

#[test]
fn bind_falls_back_to_the_default_collection_only_for_a_site_without_collections() {
    let Some(w) = luminate_workspace() else { return };
    let hcl = |collection: &str| {
        format!(
            r#"
resource "luminate_site" "lonely" {{
  name = "lonely"
}}
resource "luminate_site" "linked" {{
  name = "linked"
}}
resource "luminate_collection" "team" {{
  name = "team"
}}
resource "luminate_collection_site_link" "l" {{
  site_id        = luminate_site.linked.id
  collection_ids = [luminate_collection.team.id]
}}
resource "luminate_ssh_application" "alone" {{
  name             = "alone"
  site_id          = luminate_site.lonely.id
  internal_address = "tcp://10.0.0.1:22"
}}
resource "luminate_ssh_application" "team" {{
  name             = "team-shell"
  site_id          = luminate_site.linked.id
  internal_address = "tcp://10.0.0.2:22"
  {collection}
  depends_on       = [luminate_collection_site_link.l]
}}
"#
        )
    };
    // The linked site is linked to another collection than the application's (the
    // default one): no fallback, the bind's refusal is reported and the application is
    // kept in state, tainted, rather than orphaned.
    w.config(&hcl(""));
    // The answer to one create is lost after the API committed it: the application is
    // found by its name and completed, not created twice.
    w.arm_fault(json!({"method": "POST", "path_contains": "/v2/applications", "kind": "drop"}));
    let r = w.apply_err();
    assert!(flat(&r.stderr).contains("is not linked to collection"), "{}", r.stderr);
    assert!(flat(&r.stderr).contains("created, but not completed"), "{}", r.stderr);
    let lonely = w.id_of("luminate_site.lonely");
    let links = w.sim_state()["links"].clone();
    assert!(
        links.as_array().is_some_and(|l| l.contains(&json!({"siteId": lonely, "collectionId": DEFAULT_COLLECTION_ID}))),
        "{links}"
    );
    assert_eq!(w.sim.sim.count(luminate::Kind::Application), 2);

    // In the team's collection, the tainted application is replaced and bound.
    w.config(&hcl("collection_id = luminate_collection.team.id"));
    w.reconcile(&["1 to add, 0 to change, 1 to destroy"]);
    assert_eq!(w.sim.sim.count(luminate::Kind::Application), 2);
    let linked = w.id_of("luminate_site.linked");
    let team_app = w.id_of("luminate_ssh_application.team");
    assert_eq!(w.sim_object(&linked)["application_ids"], json!([team_app]));

    // Moving the application to a site linked to another collection (the default one,
    // by the fallback above) is refused the same way, and the state keeps the old site.
    w.config(
        &hcl("collection_id = luminate_collection.team.id")
            .replace("site_id          = luminate_site.linked.id", "site_id          = luminate_site.lonely.id"),
    );
    let r = w.apply_err();
    assert!(flat(&r.stderr).contains("is not linked to collection"), "{}", r.stderr);
    assert_eq!(w.state_of("luminate_ssh_application.team")["site_id"], linked.as_str());
    w.destroy();
    assert_eq!(w.sim.sim.count(luminate::Kind::Application), 0);
}

/// SDKv2 state of one resource: unset strings `""`, unset lists `[]`.
fn go_attributes(ours: &Value) -> Value {
    match ours {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("linked_applications" | "port_mapping", Value::Null) => json!([]),
                        (_, Value::Null) => json!(""),
                        (_, Value::Array(items)) => Value::Array(items.iter().map(go_attributes).collect()),
                        _ => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn state_written_by_the_go_provider_carries_over_for_all_six_types() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&apps_hcl(0, "one"));
    w.apply();
    // The state as the Go provider (SDKv2, schema version 0) writes it: its provider
    // address, empty values for unset optional attributes, its private data.
    let state: Value =
        serde_json::from_slice(&std::fs::read(w.path().join("terraform.tfstate")).expect("state")).expect("json");
    let mut resources = Vec::new();
    for resource in state["resources"].as_array().expect("resources") {
        let kind = resource["type"].as_str().expect("type");
        let instances = resource["instances"].as_array().expect("instances");
        assert_eq!(instances.len(), 1, "{resource}");
        let mut attributes = instances[0]["attributes"].clone();
        if kind.ends_with("_application") {
            attributes = go_attributes(&attributes);
            if kind == "luminate_web_application" {
                // The Go provider leaves these empty without a custom domain.
                attributes["custom_domain_record_name"] = json!("");
                attributes["custom_domain_record_type"] = json!("");
            }
        }
        resources.push(sdkv2_resource(GO_LUMINATE, kind, resource["name"].as_str().expect("name"), attributes));
    }
    w.take_over_state(GO_LUMINATE, resources, state["outputs"].clone());
    w.assert_plan_empty();
    // Applied, the state is ours: unset arguments are null again.
    let r = w.apply();
    assert!(r.stdout.contains("0 added, 0 changed, 0 destroyed"), "{}", r.stdout);
    let segment = w.state_of(&address("segment"));
    assert!(segment["icon"].is_null(), "{segment}");
    let tcp = w.state_of(&address("tcp"));
    assert!(tcp["target"][0]["port_mapping"].is_null(), "{tcp}");
}
