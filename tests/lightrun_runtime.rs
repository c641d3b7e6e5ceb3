//! terraform-provider-lightrun at run time, end to end (real Terraform 1.15, real
//! provider, simulated Lightrun server): the log/snapshot/delete actions invoked with
//! `terraform apply -invoke=...`, and the read-only data sources over what agents report.

use serde_json::{json, Value as J};
use tfprov::simulators::lightrun::{
    self, SimConfig, CHECKOUT_SOURCE_ID, COMPANY_ID, DEFAULT_POOL_ID, SEEDED_ACTION_ID,
};
use tfprov::testkit::{interface_differences, terraform, Run, Workspace};

fn lightrun_workspace() -> Option<Workspace<lightrun::Running>> {
    Some(Workspace::around(terraform()?, lightrun::spawn(SimConfig::default()).expect("simulator")))
}

fn invoke(w: &Workspace<lightrun::Running>, action: &str) -> Run {
    w.tf(&["apply", &format!("-invoke=action.{action}"), "-auto-approve", "-no-color", "-input=false"])
}

/// The word after `prefix` in Terraform's output (an ID a progress message reported).
fn reported_id(r: &Run, prefix: &str) -> String {
    let all = r.all();
    let at = all.find(prefix).unwrap_or_else(|| panic!("{prefix:?} not reported:\n{all}"));
    all[at + prefix.len()..].split_whitespace().next().expect("id").to_string()
}

/// An object as the simulator holds it, with the fields its API does not show.
fn hidden(w: &Workspace<lightrun::Running>, id: &str) -> J {
    let state = w.sim_state();
    state["objects"]
        .as_array()
        .and_then(|objects| objects.iter().find(|o| o["object"]["id"] == id).map(|o| o["hidden"].clone()))
        .unwrap_or(J::Null)
}

/// The seeded default pool: agent_pool_id is mandatory with RBAC (the simulator's default).
fn pool() -> String {
    format!("locals {{\n  pool = \"{DEFAULT_POOL_ID}\"\n}}\n")
}

const ACTIONS: &str = r#"
data "lightrun_tags" "prod" {
  agent_pool_id = local.pool
  name          = "prod"
}

action "lightrun_create_log_action" "trace" {
  config {
    filename           = "com/shop/Checkout.java"
    line               = 118
    format             = "total={total}"
    source_type        = "TAG"
    source_id          = data.lightrun_tags.prod.tags[0].id
    log_level          = "WARN"
    targets            = ["STDOUT", "PLUGIN"]
    expiration_seconds = 600
    condition          = "total > 100"
    agent_pool_id      = local.pool
  }
}

action "lightrun_create_snapshot_action" "cart" {
  config {
    filename                 = "com/shop/Cart.java"
    line                     = 42
    source_type              = "CUSTOM_SOURCE"
    source_id                = "c5000000-0000-4000-8000-000000000001"
    max_hit_count            = 3
    distribute_max_hit_count = true
    watch_expressions        = ["cart.size()", "user.id"]
    agent_pool_id            = local.pool
  }
}

action "lightrun_create_log_action" "nowhere" {
  config {
    filename    = "A.java"
    line        = 1
    format      = "x"
    source_type = "AGENT"
    source_id   = "no-such-agent"
    agent_pool_id = local.pool
  }
}

action "lightrun_create_log_action" "no_pool" {
  config {
    filename    = "A.java"
    line        = 1
    format      = "x"
    source_type = "TAG"
    source_id   = "1"
  }
}

data "lightrun_actions" "live_logs" {
  agent_pool_id = local.pool
  action_type = "LOG"
  expired     = false
}

data "lightrun_actions" "seeded" {
  agent_pool_id  = local.pool
  filename       = "com/acme/*"
  results_exist  = true
  created_before = "2026-11-20"
}
"#;

fn delete(id: &str) -> String {
    format!("action \"lightrun_delete_action\" \"drop\" {{\n  config {{\n    action_id     = \"{id}\"\n    agent_pool_id = local.pool\n  }}\n}}\n")
}

#[test]
fn actions_insert_log_and_snapshot_actions_list_and_delete_them() {
    let Some(w) = lightrun_workspace() else { return };
    let before = w.sim_count("action");
    w.config(&format!("{}{ACTIONS}", pool()));

    // Declaring actions changes nothing; planning never invokes them.
    let r = w.plan();
    assert_eq!(r.code, 0, "actions alone plan no changes:\n{}", r.all());
    assert_eq!(w.sim_count("action"), before);

    // A log action on the tag a data source found: every argument reaches the API.
    let r = invoke(&w, "lightrun_create_log_action.trace");
    assert_eq!(r.code, 0, "invoke failed:\n{}", r.all());
    assert!(r.all().contains("inserted at com/shop/Checkout.java:118 on TAG 1"), "{}", r.all());
    let log = reported_id(&r, "Log action ");
    let object = w.sim_object(&log);
    assert_eq!(
        (&object["actionType"], &object["line"], &object["location"], &object["source"]),
        (&json!("LOG"), &json!(118), &json!("com/shop/Checkout.java"), &json!({"id": "1", "type": "TAG"}))
    );
    let extra = hidden(&w, &log);
    assert_eq!(
        (&extra["format"], &extra["logLevel"], &extra["expirationSeconds"], &extra["condition"]),
        (&json!("total={total}"), &json!("WARN"), &json!(600), &json!("total > 100"))
    );
    let mut targets: Vec<&str> = extra["targets"].as_array().expect("targets").iter().filter_map(J::as_str).collect();
    targets.sort();
    assert_eq!(targets, ["PLUGIN", "STDOUT"]);

    // A snapshot action on a custom source.
    let r = invoke(&w, "lightrun_create_snapshot_action.cart");
    assert_eq!(r.code, 0, "invoke failed:\n{}", r.all());
    let snapshot = reported_id(&r, "Snapshot action ");
    assert_eq!(w.sim_object(&snapshot)["source"], json!({"id": CHECKOUT_SOURCE_ID, "type": "CUSTOM_SOURCE"}));
    let extra = hidden(&w, &snapshot);
    assert_eq!(
        (
            &extra["maxHitCount"],
            &extra["isMaxHitCountDistributed"],
            &extra["watchExpressions"],
            &extra["expirationSeconds"]
        ),
        (&json!(3), &json!(true), &json!(["cart.size()", "user.id"]), &json!(3600)),
        "unset arguments take the API's defaults"
    );
    assert_eq!(w.sim_count("action"), before + 2);

    // A lost answer: the server inserted the action, then failed. The one new action at
    // that place is the one inserted, reported as usual; re-invoking is not needed.
    w.arm_fault(
        json!({"kind": "error_after_commit", "method": "POST", "path_contains": "/actions/logs", "remaining": 1}),
    );
    let r = invoke(&w, "lightrun_create_log_action.trace");
    assert_eq!(r.code, 0, "a lost answer is recovered:\n{}", r.all());
    let recovered = reported_id(&r, "Log action ");
    assert!(!w.sim_object(&recovered).is_null(), "{}", r.all());
    assert_eq!(w.sim_count("action"), before + 3, "exactly one action per invocation");
    w.http("DELETE", &format!("/_sim/objects/{recovered}"), None);
    // A failure before anything was inserted says that invoking again is safe.
    w.arm_fault(
        json!({"kind": "status", "status": 500, "method": "POST", "path_contains": "/actions/logs", "remaining": 1}),
    );
    let r = invoke(&w, "lightrun_create_log_action.trace");
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("invoking again is safe"), "{}", r.all());
    assert_eq!(w.sim_count("action"), before + 2);

    // The API's refusal reaches the user with its message; nothing is created.
    let r = invoke(&w, "lightrun_create_log_action.nowhere");
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("no AGENT with id no-such-agent"), "{}", r.all());
    let r = invoke(&w, "lightrun_create_log_action.no_pool");
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("agentPoolId is mandatory when RBAC is enabled"), "{}", r.all());
    assert_eq!(w.sim_count("action"), before + 2);

    // The data source sees the live log action and, by other filters, the seeded one.
    w.apply();
    let live = w.state_of("data.lightrun_actions.live_logs");
    let actions = live["actions"].as_array().expect("actions");
    assert_eq!(actions.len(), 1, "{live}");
    assert_eq!(actions[0]["id"], log.as_str());
    assert_eq!(
        (&actions[0]["source_type"], &actions[0]["source_id"], &actions[0]["line"], &actions[0]["expired"]),
        (&json!("TAG"), &json!("1"), &json!(118), &json!(false))
    );
    assert_eq!(live["id"], format!("actions?action_type=LOG&agent_pool_id={DEFAULT_POOL_ID}&expired=false"));
    let seeded = w.state_of("data.lightrun_actions.seeded");
    let ids: Vec<&J> = seeded["actions"].as_array().expect("actions").iter().map(|a| &a["id"]).collect();
    assert_eq!(ids, [&json!(SEEDED_ACTION_ID)]);
    w.assert_plan_empty();

    // Deleting: gone from the API; deleting again is a warning, not an error.
    w.config(&format!("{}{ACTIONS}\n{}", pool(), delete(&log)));
    let r = invoke(&w, "lightrun_delete_action.drop");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.all().contains(&format!("Action {log} deleted")), "{}", r.all());
    assert!(w.sim_object(&log).is_null());
    let r = invoke(&w, "lightrun_delete_action.drop");
    assert_eq!(r.code, 0, "a second delete only warns:\n{}", r.all());
    assert!(r.all().contains("Warning") && r.all().contains("does not exist"), "{}", r.all());
    assert_eq!(w.sim_count("action"), before + 1);

    // Invalid arguments are refused before anything runs, naming the argument.
    w.config(
        "action \"lightrun_create_log_action\" \"bad\" {\n  config {\n    filename    = \"A.java\"\n    line        = 0\n    format      = \"x\"\n    source_type = \"HOST\"\n    source_id   = \"1\"\n    log_level   = \"LOUD\"\n  }\n}\n",
    );
    let r = w.tf(&["validate", "-no-color"]);
    assert_ne!(r.code, 0, "{}", r.all());
    for name in ["line", "source_type", "log_level"] {
        assert!(r.all().contains(name), "{name} is named:\n{}", r.all());
    }
    let r = invoke(&w, "lightrun_create_log_action.bad");
    assert_ne!(r.code, 0, "{}", r.all());
    assert_eq!(w.sim_count("action"), before + 1);
}

const READS: &str = r#"
data "lightrun_agents" "all" {
  agent_pool_id = local.pool
}

data "lightrun_agents" "checkout" {
  agent_pool_id = local.pool
  name          = "checkout-*"
}

data "lightrun_agents" "none" {
  agent_pool_id = local.pool
  name          = "no-such-agent*"
}

data "lightrun_tags" "all" {
  agent_pool_id = local.pool
}

data "lightrun_custom_sources" "checkout" {
  agent_pool_id = local.pool
  name          = "checkout-*"
}

data "lightrun_loaded_packages" "two" {
  package_names = ["org.slf4j:slf4j-api", "org.springframework:spring-core"]
}

data "lightrun_loaded_packages" "not_loaded" {
  statuses = ["NOT_LOADED"]
}

data "lightrun_loaded_packages" "prod_in_november" {
  tags            = ["prod"]
  load_date_start = "2026-11-21"
  load_date_end   = "2026-11-30"
}

data "lightrun_sbom" "spdx" {
  format             = "SPDX"
  creation_time      = "2026-12-01"
  sbom_package_name  = "shop"
  sbom_supplier_name = "ACME"
  sbom_version       = "1.2.3"
}

data "lightrun_sbom" "csv" {
  format             = "CSV"
  creation_time      = "2026-12-01"
  sbom_package_name  = "shop"
  sbom_supplier_name = "ACME"
  sbom_version       = "1.2.3"
  package_names      = ["org.slf4j:slf4j-api"]
}

data "lightrun_feature_flags" "company" {}
"#;

fn names(value: &J, key: &str, field: &str) -> Vec<String> {
    value[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {value}"))
        .iter()
        .map(|x| x[field].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn data_sources_read_agents_tags_sources_packages_sbom_and_flags() {
    let Some(w) = lightrun_workspace() else { return };
    w.config(&format!("{}{READS}", pool()));
    w.apply();
    // Read again, nothing differs (the SBOM of the same packages is the same document).
    w.assert_plan_empty();

    let all = w.state_of("data.lightrun_agents.all");
    assert_eq!(names(&all, "agents", "name"), ["checkout-service-1", "checkout-service-2", "billing-worker"]);
    assert_eq!(all["agents"][2]["version_status"], "Expires soon");
    let checkout = w.state_of("data.lightrun_agents.checkout");
    assert_eq!(names(&checkout, "agents", "name"), ["checkout-service-1", "checkout-service-2"]);
    assert_eq!(checkout["id"], format!("agents?agent_pool_id={DEFAULT_POOL_ID}&name=checkout-*"));
    assert_eq!(w.state_of("data.lightrun_agents.none")["agents"], json!([]), "nothing found is an empty list");

    let tags = w.state_of("data.lightrun_tags.all");
    assert_eq!(
        tags["tags"],
        json!([{"id": "1", "name": "prod"}, {"id": "2", "name": "checkout"}, {"id": "3", "name": "staging"}])
    );
    let sources = w.state_of("data.lightrun_custom_sources.checkout");
    assert_eq!(sources["custom_sources"], json!([{"id": CHECKOUT_SOURCE_ID, "name": "checkout-prod"}]));

    // Array filters are sent as repeated parameters.
    let two = w.state_of("data.lightrun_loaded_packages.two");
    assert_eq!(names(&two, "packages", "package_name"), ["org.slf4j:slf4j-api", "org.springframework:spring-core"]);
    assert_eq!(
        two["packages"][0]["classes"],
        json!([{"name": "org.slf4j.Logger", "status": "LOADED"}, {"name": "org.slf4j.LoggerFactory", "status": "LOADED"}])
    );
    let not_loaded = w.state_of("data.lightrun_loaded_packages.not_loaded");
    assert_eq!(names(&not_loaded, "packages", "package_name"), ["org.apache.logging.log4j:log4j-core"]);
    let prod = w.state_of("data.lightrun_loaded_packages.prod_in_november");
    assert_eq!(names(&prod, "packages", "package_name"), ["com.fasterxml.jackson.core:jackson-databind"]);

    let spdx = w.state_of("data.lightrun_sbom.spdx");
    let document: J = serde_json::from_str(spdx["content"].as_str().expect("content")).expect("SPDX is JSON");
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
    assert_eq!(document["packages"].as_array().map(Vec::len), Some(4), "the root and three loaded packages");
    let csv = w.state_of("data.lightrun_sbom.csv")["content"].as_str().expect("content").to_string();
    assert_eq!(csv.lines().count(), 2, "a header and one package:\n{csv}");
    assert!(csv.contains("org.slf4j:slf4j-api,1.7.36"), "{csv}");

    // The provider's company_id is sent, and kept out of the (optional) argument.
    let flags = w.state_of("data.lightrun_feature_flags.company");
    assert_eq!(flags["features"]["DYNAMIC_LOGS"], "ENABLED");
    assert_eq!(flags["features"].as_object().map(|m| m.len()), Some(5));
    assert_eq!((&flags["id"], &flags["company_id"]), (&json!(COMPANY_ID), &J::Null));

    // The API's refusals surface with their messages: a company the server does not
    // serve, an SBOM without its pool once several pools exist, lists without a pool
    // under RBAC.
    w.config("data \"lightrun_feature_flags\" \"other\" {\n  company_id = \"other-company\"\n}\n");
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("Unknown company other-company"), "{}", r.all());
    w.add_object("agent_pool", json!({"name": "second", "agentsEnabled": true}));
    w.config(&format!("{}{READS}", pool()));
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("agentPoolId is required when several agent pools exist"), "{}", r.all());
    // Lists without a pool: refused under RBAC, every pool's objects without it.
    w.config("data \"lightrun_tags\" \"all\" {}\n");
    let r = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("agentPoolId is mandatory when RBAC is enabled"), "{}", r.all());
    let (status, body) = w.http("PUT", "/_sim/config", Some(json!({"rbac": false})));
    assert_eq!(status, 200, "{body}");
    w.apply();
    let tags = w.state_of("data.lightrun_tags.all");
    assert_eq!(names(&tags, "tags", "name"), ["prod", "checkout", "staging"]);
    assert_eq!(tags["id"], "tags");
}

/// The data sources and actions built here match ../shared/interfaces/lightrun.md.
#[test]
fn runtime_schemas_match_the_interface_copy() {
    let Some(w) = lightrun_workspace() else { return };
    w.config("");
    let r = w.tf(&["providers", "schema", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let schema: J = serde_json::from_str(&r.stdout).expect("schema json");
    let provider = &schema["provider_schemas"]["registry.terraform.io/tfprov/lightrun"];
    let copy: J = serde_json::from_str(include_str!("interfaces/lightrun.json")).expect("interface copy");
    let mut errors = vec![];
    let data_sources = [
        "lightrun_agents",
        "lightrun_tags",
        "lightrun_custom_sources",
        "lightrun_actions",
        "lightrun_loaded_packages",
        "lightrun_sbom",
        "lightrun_feature_flags",
    ];
    for name in data_sources {
        errors.extend(interface_differences(
            name,
            &copy["data_sources"][name],
            &provider["data_source_schemas"][name]["block"],
        ));
    }
    for name in ["lightrun_create_log_action", "lightrun_create_snapshot_action", "lightrun_delete_action"] {
        errors.extend(interface_differences(name, &copy["actions"][name], &provider["action_schemas"][name]["block"]));
    }
    // Nothing beyond the interface either.
    for (kind, copy_kind) in [("data_source_schemas", "data_sources"), ("action_schemas", "actions")] {
        for built in provider[kind].as_object().into_iter().flatten().map(|(k, _)| k) {
            if copy[copy_kind][built].is_null() {
                errors.push(format!("{built}: not in the interface"));
            }
        }
    }
    assert_eq!(
        provider["action_schemas"].as_object().map(|m| m.len()),
        Some(3),
        "the three actions are declared: {}",
        provider["action_schemas"]
    );
    assert!(errors.is_empty(), "schema differs from ../shared/interfaces/lightrun.md:\n{}", errors.join("\n"));
}

/// The examples under examples/lightrun/{data-sources,actions} work against the
/// simulator as written: data sources read, actions invoked in a sensible order (the
/// delete example deletes the log action the create example inserted).
#[test]
fn runtime_examples_read_and_invoke() {
    let Some(w) = lightrun_workspace() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lightrun");
    let example = |path: &str| std::fs::read_to_string(root.join(path)).expect("example");
    for name in [
        "lightrun_agents",
        "lightrun_tags",
        "lightrun_custom_sources",
        "lightrun_actions",
        "lightrun_loaded_packages",
        "lightrun_sbom",
        "lightrun_feature_flags",
    ] {
        w.config(&example(&format!("data-sources/{name}/data-source.tf")));
        w.apply();
        w.assert_plan_empty();
    }
    let outputs = w.tf(&["output", "-json"]);
    assert!(outputs.stdout.contains("snapshots_enabled"), "{}", outputs.all());

    let before = w.sim_count("action");
    let var = format!("-var=agent_pool_id={DEFAULT_POOL_ID}");
    for (name, label) in [
        ("lightrun_create_log_action", "trace_checkout"),
        ("lightrun_create_snapshot_action", "cart"),
        ("lightrun_delete_action", "first"),
    ] {
        w.config(&example(&format!("actions/{name}/action.tf")));
        let r = w.tf(&[
            "apply",
            &format!("-invoke=action.{name}.{label}"),
            &var,
            "-auto-approve",
            "-no-color",
            "-input=false",
        ]);
        assert_eq!(r.code, 0, "{name}.{label}:\n{}", r.all());
        assert!(!r.all().contains("Warning: Warning when invoking"), "{}", r.all());
    }
    let left: Vec<J> = w.sim_objects("action").into_iter().filter(|a| a["id"] != SEEDED_ACTION_ID).collect();
    assert_eq!(w.sim_count("action"), before + 1, "the log action was deleted, the snapshot stays: {left:?}");
    assert_eq!(left[0]["actionType"], "SNAPSHOT");
}
