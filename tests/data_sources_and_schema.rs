//! Data sources, the provider schema as Terraform sees it, and provider configuration.

mod common;

use serde_json::Value as J;

#[test]
fn data_sources_read_what_exists() {
    let w = workspace!();
    w.config(
        r#"
resource "lightbits_volume" "a" {
  project_name = "default"
  name         = "ds-a"
  size         = "1GiB"
}
resource "lightbits_volume" "b" {
  project_name = "default"
  name         = "ds-b"
  size         = "2GiB"
}
"#,
    );
    w.apply();
    let uuid_a = w.state_of("lightbits_volume.a")["uuid"].as_str().expect("uuid").to_string();
    w.config(&format!(
        r#"
resource "lightbits_volume" "a" {{
  project_name = "default"
  name         = "ds-a"
  size         = "1GiB"
}}
resource "lightbits_volume" "b" {{
  project_name = "default"
  name         = "ds-b"
  size         = "2GiB"
}}
data "lightbits_project" "p" {{
  name = "default"
}}
data "lightbits_volume" "by_uuid" {{
  project_name = "default"
  uuid         = "{uuid_a}"
}}
data "lightbits_volume" "by_name" {{
  project_name = "default"
  name         = "ds-b"
}}
data "lightbits_volumes" "all" {{
  project_name = "default"
}}
data "lightbits_cluster" "c" {{}}
output "project_uuid" {{ value = data.lightbits_project.p.uuid }}
output "a_name"       {{ value = data.lightbits_volume.by_uuid.name }}
output "b_bytes"      {{ value = data.lightbits_volume.by_name.size_bytes }}
output "names"        {{ value = sort([for v in data.lightbits_volumes.all.volumes : v.name]) }}
output "api_version"  {{ value = data.lightbits_cluster.c.api_version }}
output "replicas"     {{ value = data.lightbits_cluster.c.current_max_replicas }}
"#
    ));
    w.apply();
    w.assert_plan_empty();
    let r = w.tf(&["output", "-json"]);
    let out: J = serde_json::from_str(&r.stdout).expect("outputs");
    assert!(out["project_uuid"]["value"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(out["a_name"]["value"], "ds-a");
    assert_eq!(out["b_bytes"]["value"], 2u64 << 30);
    assert_eq!(out["names"]["value"], serde_json::json!(["ds-a", "ds-b"]));
    assert_eq!(out["api_version"]["value"], "v2");
    assert_eq!(out["replicas"]["value"], 3);
}

#[test]
fn data_source_argument_errors() {
    let w = workspace!();
    w.config("data \"lightbits_volume\" \"v\" {\n  project_name = \"default\"\n}\n");
    let r = w.tf(&["validate", "-no-color"]);
    assert!(r.stderr.contains("Exactly one of uuid, name must be set"), "{}", r.stderr);
    w.config("data \"lightbits_volume\" \"v\" {\n  project_name = \"default\"\n  name = \"nope\"\n}\n");
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("No volume"), "{}", r.stderr);
}

#[test]
fn schema_lists_every_type_with_descriptions() {
    let w = workspace!();
    w.config("");
    let r = w.tf(&["providers", "schema", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let v: J = serde_json::from_str(&r.stdout).expect("schema json");
    let p = &v["provider_schemas"]["registry.terraform.io/tfprov/lightbits"];
    let mut resources: Vec<&str> =
        p["resource_schemas"].as_object().expect("resources").keys().map(String::as_str).collect();
    resources.sort();
    // The 19 resources, 31 data sources and 2 actions of the catalog's mapping (§4.7).
    let mut want_resources = [
        "volume",
        "snapshot",
        "project",
        "qos_policy",
        "resource_policy",
        "credential",
        "admin_endpoint",
        "idp_configuration",
        "auth_map_entry",
        "idp_client_configuration",
        "trusted_host",
        "trusted_host_secret",
        "cluster_config_param",
        "feature_flag",
        "federated_authentication",
        "in_band_authentication",
        "cluster_encryption",
        "server",
        "nvme_device_assignment",
    ]
    .map(|n| format!("lightbits_{n}"));
    want_resources.sort();
    assert_eq!(resources, want_resources);
    let mut data: Vec<&str> =
        p["data_source_schemas"].as_object().expect("data sources").keys().map(String::as_str).collect();
    data.sort();
    let mut want_data = [
        "cluster",
        "cluster_info",
        "version",
        "volume",
        "volumes",
        "snapshot",
        "snapshots",
        "project",
        "projects",
        "qos_policy",
        "qos_policies",
        "resource_policies",
        "credentials",
        "role",
        "roles",
        "admin_endpoints",
        "idp_configurations",
        "auth_map_entries",
        "idp_client_configurations",
        "trusted_hosts",
        "cluster_config",
        "feature_flags",
        "connected_hosts",
        "node",
        "nodes",
        "nvme_device",
        "nvme_devices",
        "server",
        "servers",
        "events",
        "cluster_root_key",
    ]
    .map(|n| format!("lightbits_{n}"));
    want_data.sort();
    assert_eq!(data, want_data);
    let mut actions: Vec<&str> = p["action_schemas"].as_object().expect("actions").keys().map(String::as_str).collect();
    actions.sort();
    assert_eq!(actions, ["lightbits_cluster_root_key_rotation", "lightbits_volume_rollback"]);

    // Every attribute, also inside blocks and nested attributes, says what it is.
    fn check_attributes(path: &str, attributes: &J) {
        for (name, a) in attributes.as_object().into_iter().flatten() {
            let d = a["description"].as_str().unwrap_or_default();
            assert!(!d.is_empty(), "{path}.{name} has no description");
            check_attributes(&format!("{path}.{name}"), &a["nested_type"]["attributes"]);
        }
    }
    fn check_block(path: &str, block: &J) {
        check_attributes(path, &block["attributes"]);
        for (name, b) in block["block_types"].as_object().into_iter().flatten() {
            let d = b["block"]["description"].as_str().unwrap_or_default();
            assert!(!d.is_empty(), "{path}.{name} has no description");
            check_block(&format!("{path}.{name}"), &b["block"]);
        }
    }
    check_block("provider", &p["provider"]["block"]);
    for kind in ["resource_schemas", "data_source_schemas", "action_schemas"] {
        for (name, s) in p[kind].as_object().into_iter().flatten() {
            assert!(s["block"]["description"].as_str().is_some_and(|d| !d.is_empty()), "{name} has no description");
            check_block(name, &s["block"]);
        }
    }
    assert_eq!(p["provider"]["block"]["attributes"]["token"]["sensitive"], true);
}

#[test]
fn provider_configuration_errors_and_failover() {
    let w = workspace!();
    // No endpoints at all.
    w.config_with_provider("token = \"x\"", "data \"lightbits_cluster\" \"c\" {}\n");
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert!(r.stderr.contains("Missing endpoints"), "{}", r.stderr);
    // A bad request_timeout points at the attribute.
    w.config_with_provider(
        &format!("endpoints = [\"{}\"]\n  request_timeout = \"fast\"", w.sim.url()),
        "data \"lightbits_cluster\" \"c\" {}\n",
    );
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert!(r.stderr.contains("request_timeout"), "{}", r.stderr);
    // An absurd one is refused too, not a crash of the provider.
    w.config_with_provider(
        &format!("endpoints = [\"{}\"]\n  request_timeout = \"1e20\"", w.sim.url()),
        "data \"lightbits_cluster\" \"c\" {}\n",
    );
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert!(r.stderr.contains("request_timeout") && r.stderr.contains("longer than a year"), "{}", r.stderr);
    assert!(!r.stderr.contains("panic") && !r.stderr.contains("plugin exited"), "{}", r.stderr);
    // A dead first endpoint: the provider fails over to the second.
    w.config_with_provider(
        &format!("endpoints = [\"http://127.0.0.1:1\", \"{}\"]\n  token = \"{}\"", w.sim.url(), common::TOKEN),
        "data \"lightbits_cluster\" \"c\" {}\noutput \"u\" { value = data.lightbits_cluster.c.uuid }\n",
    );
    w.apply();
    let r = w.tf(&["output", "-raw", "u"]);
    assert_eq!(r.stdout.trim(), w.sim.sim.cluster_uuid);
}

#[test]
fn https_with_ca_certificate_or_explicit_insecure_flag() {
    let w = match common::Workspace::with_sim(tfprov::simulators::lightbits::SimConfig {
        token: Some(common::TOKEN.into()),
        tls: true,
        ..Default::default()
    }) {
        Some(w) => w,
        None => return,
    };
    let ca = w.sim.ca_pem.clone().expect("CA");
    std::fs::write(w.path().join("ca.pem"), &ca).expect("write CA");
    let body = "data \"lightbits_cluster\" \"c\" {}\noutput \"u\" { value = data.lightbits_cluster.c.uuid }\n";
    let base = format!("endpoints = [\"{}\"]\n  token = \"{}\"\n  max_retries = 0", w.sim.url(), common::TOKEN);

    // Unknown CA: refused, with a hint about TLS settings.
    w.config_with_provider(&base, body);
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("API unreachable") && r.stderr.contains("TLS"), "{}", r.stderr);

    // The cluster's CA given: verified connection.
    w.config_with_provider(&format!("{base}\n  ca_certificate = file(\"${{path.module}}/ca.pem\")"), body);
    w.apply();
    assert_eq!(w.tf(&["output", "-raw", "u"]).stdout.trim(), w.sim.sim.cluster_uuid);

    // Or verification switched off explicitly.
    w.config_with_provider(&format!("{base}\n  insecure_skip_verify = true"), body);
    w.apply();

    // A CA that is not PEM is a configuration error on that attribute.
    w.config_with_provider(&format!("{base}\n  ca_certificate = \"not a certificate\""), body);
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert!(r.stderr.contains("ca_certificate"), "{}", r.stderr);
}

#[test]
fn request_timeout_bounds_a_silent_api() {
    let w = workspace!();
    let (s, _) = w.http("PUT", "/_sim/config", Some(serde_json::json!({"latency_ms": 3000})));
    assert_eq!(s, 200);
    w.config_with_provider(
        &format!(
            "endpoints = [\"{}\"]\n  token = \"{}\"\n  request_timeout = \"500ms\"\n  max_retries = 1",
            w.sim.url(),
            common::TOKEN
        ),
        "data \"lightbits_cluster\" \"c\" {}\n",
    );
    let start = std::time::Instant::now();
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("did not answer within"), "{}", r.stderr);
    assert!(start.elapsed() < std::time::Duration::from_secs(6), "bounded by request_timeout and max_retries");
}

#[test]
fn provider_configuration_known_only_after_apply() {
    let w = workspace!();
    // The endpoint comes from a resource that does not exist yet at plan time.
    w.config_with_provider(
        &format!("endpoints = [terraform_data.cluster.output]\n  token = \"{}\"\n  default_project = \"default\"", common::TOKEN),
        &format!(
            "resource \"terraform_data\" \"cluster\" {{\n  input = \"{}\"\n}}\n\nresource \"lightbits_volume\" \"v\" {{\n  name = \"late\"\n  size = \"1GiB\"\n}}\n",
            w.sim.url()
        ),
    );
    let p = w.plan();
    assert!(p.stdout.contains("2 to add"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.state_of("lightbits_volume.v")["project_name"], "default");
}
