//! terraform-provider-lighthouse end to end: real Terraform, real provider, simulated
//! Lighthouse server (with simulated beacons and Docker hosts behind it).

use std::time::{Duration, Instant};

use serde_json::{json, Value as J};
use tfprov::simulators::lighthouse;
use tfprov::testkit::{interface_differences, lighthouse_workspace, terraform, Workspace};

type Lighthouse = Workspace<lighthouse::Running>;

/// A reachable simulated beacon at `address` reporting one Docker VM `vm1` at
/// `10.0.0.11:2375` (instance `10.0.0.11:2375/v1.18`).
fn add_beacon_host(w: &Lighthouse, address: &str, token: &str) {
    add_beacon_host_with_vm(w, address, token, "10.0.0.11");
}

/// A reachable simulated beacon reporting one Docker VM `vm1` at `<vm_ip>:2375`.
fn add_beacon_host_with_vm(w: &Lighthouse, address: &str, token: &str, vm_ip: &str) {
    let vms = json!([{"name": "vm1", "address": vm_ip, "port": "2375", "version": "v1.18", "canAccessDocker": true}]);
    let (s, b) = w.http("POST", "/_sim/beacon_hosts", Some(json!({"address": address, "token": token, "vms": vms})));
    assert_eq!(s, 200, "{b}");
}

fn add_docker_host(w: &Lighthouse, address: &str) {
    let (s, b) = w.http("POST", "/_sim/docker_hosts", Some(json!({"address": address})));
    assert_eq!(s, 200, "{b}");
}

/// Containers named `name` on each Docker host: address -> container.
fn containers(w: &Lighthouse, name: &str) -> Vec<(String, J)> {
    let state = w.sim_state();
    let hosts = state["docker_hosts"].as_object().cloned().unwrap_or_default();
    hosts.into_iter().filter_map(|(address, host)| Some((address, host["containers"].get(name)?.clone()))).collect()
}

fn hidden(w: &Lighthouse, key: &str) -> J {
    let state = w.sim_state();
    let objects = state["objects"].as_array().cloned().unwrap_or_default();
    objects.into_iter().find(|o| o["id"] == key).map(|o| o["hidden"].clone()).unwrap_or(J::Null)
}

/// Every resource and data source of ../shared/interfaces/lighthouse.md is served, point
/// by point (the JSON copy is generated from the interface's tables by
/// scripts/interface-copy.py), and nothing beyond it.
#[test]
fn schema_matches_the_interface_copy() {
    let Some(w) = lighthouse_workspace() else { return };
    w.config("");
    let r = w.tf(&["providers", "schema", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let schema: J = serde_json::from_str(&r.stdout).expect("schema json");
    let provider = &schema["provider_schemas"]["registry.terraform.io/tfprov/lighthouse"];
    let copy: J = serde_json::from_str(include_str!("interfaces/lighthouse.json")).expect("interface copy");
    let mut errors = interface_differences("provider", &copy["provider"], &provider["provider"]["block"]);
    for (kind, key) in [("resources", "resource_schemas"), ("data_sources", "data_source_schemas")] {
        for (name, attrs) in copy[kind].as_object().into_iter().flatten() {
            errors.extend(interface_differences(name, attrs, &provider[key][name]["block"]));
        }
        for name in provider[key].as_object().into_iter().flatten().map(|(name, _)| name) {
            if copy[kind][name].is_null() {
                errors.push(format!("{name}: not in the interface"));
            }
        }
    }
    assert!(errors.is_empty(), "schema differs from ../shared/interfaces/lighthouse.md:\n{}", errors.join("\n"));
}

fn user_hcl(email: &str, password: &str, version: Option<u32>, level: u32) -> String {
    let version = version.map(|v| format!("\n  password_wo_version = {v}")).unwrap_or_default();
    format!(
        "resource \"lighthouse_user\" \"bob\" {{\n  email       = \"{email}\"\n  password_wo = \"{password}\"{version}\n  auth_level  = {level}\n}}\n"
    )
}

#[test]
fn user_update_rotation_import_drift_replace_and_destroy_that_only_forgets() {
    let Some(w) = lighthouse_workspace() else { return };
    w.config(&user_hcl("bob@example.com", "first-pw-5813", None, 1));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_object("bob@example.com")["AuthLevel"], 1);
    assert_eq!(hidden(&w, "bob@example.com")["Password"], "first-pw-5813");
    let state = w.state_of("lighthouse_user.bob");
    assert_eq!((state["id"].as_str(), state["password_wo"].as_str()), (Some("bob@example.com"), None));

    // In place: the level; the password only when its version changes.
    w.config(&user_hcl("bob@example.com", "second-pw-2291", None, 2));
    w.reconcile(&["~ auth_level", "1 to change"]);
    assert_eq!(w.sim_object("bob@example.com")["AuthLevel"], 2);
    assert_eq!(hidden(&w, "bob@example.com")["Password"], "first-pw-5813", "no version change, no resend");
    w.config(&user_hcl("bob@example.com", "second-pw-2291", Some(1), 2));
    w.reconcile(&["password_wo_version", "1 to change"]);
    assert_eq!(hidden(&w, "bob@example.com")["Password"], "second-pw-2291");

    // Import: the version is null afterwards, so the configured one shows one update.
    w.import_again("lighthouse_user.bob", "bob@example.com");
    w.reconcile(&["password_wo_version", "1 to change"]);

    // Someone else changes the level: the plan shows it and apply puts it back.
    w.patch_object("user/bob@example.com", json!({"AuthLevel": 0}));
    w.reconcile(&["~ auth_level", "0 -> 2"]);

    // A level not below the provider account's own (9001) would hide the user: refused.
    w.config(&user_hcl("bob@example.com", "second-pw-2291", Some(1), 9001));
    let r = w.apply_err();
    assert!(r.all().contains("9001") && r.all().contains("auth_level"), "{}", r.all());
    assert_eq!(w.sim_object("bob@example.com")["AuthLevel"], 2, "nothing half-applied");

    // A new email is another user; the old one stays on the server, and the plan says so.
    w.config(&user_hcl("robert@example.com", "second-pw-2291", Some(1), 2));
    let plan = w.plan();
    assert!(plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    let r = w.apply();
    assert!(r.all().contains("bob@example.com") && r.all().contains("cannot delete users"), "{}", r.all());
    assert!(!w.sim_object("bob@example.com").is_null() && !w.sim_object("robert@example.com").is_null());

    let plan = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(plan.all().contains("only removes it from Terraform state"), "{}", plan.all());
    let r = w.destroy();
    assert!(r.all().contains("robert@example.com keeps existing"), "{}", r.all());
    assert!(!w.sim_object("robert@example.com").is_null(), "the server keeps the user");
    let listed = w.tf(&["state", "list"]);
    assert!(listed.stdout.trim().is_empty(), "{}", listed.stdout);
}

fn beacon_hcl(address: &str, alias: &str, token: &str, version: u32, level: u32, instance_alias: &str) -> String {
    beacon_hcl_naming(address, alias, token, version, level, "10.0.0.11:2375/v1.18", instance_alias)
}

fn beacon_hcl_naming(
    address: &str,
    alias: &str,
    token: &str,
    version: u32,
    level: u32,
    instance: &str,
    instance_alias: &str,
) -> String {
    format!(
        r#"resource "lighthouse_beacon" "lab" {{
  address          = "{address}"
  alias            = "{alias}"
  token_wo         = "{token}"
  token_wo_version = {version}
}}

resource "lighthouse_user" "dev" {{
  email       = "dev@example.com"
  password_wo = "dev-pw-4410"
}}

resource "lighthouse_beacon_permission" "dev" {{
  email          = lighthouse_user.dev.email
  beacon_address = lighthouse_beacon.lab.address
  level          = {level}
}}

resource "lighthouse_alias" "vm1" {{
  address    = "{instance}"
  alias      = "{instance_alias}"
  depends_on = [lighthouse_beacon.lab]
}}
"#
    )
}

#[test]
fn beacon_alias_and_permission_lifecycles() {
    let Some(w) = lighthouse_workspace() else { return };
    add_beacon_host(&w, "10.0.0.5:8000", "token-a-7781");
    // Another beacon with another VM: a beacon reporting 10.0.0.11 would rename its
    // instance alias on registration (the documented caveat of lighthouse_alias).
    add_beacon_host_with_vm(&w, "10.0.0.6:8000", "token-c-0935", "10.0.0.12");
    w.config(&beacon_hcl("10.0.0.5:8000", "lab", "token-a-7781", 1, 0, "web-1"));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_object("10.0.0.5:8000")["Alias"], "lab");
    assert_eq!(hidden(&w, "10.0.0.5:8000")["Token"], "token-a-7781");
    let dev = w.sim_object("dev@example.com");
    assert_eq!(dev["Permissions"]["Beacons"]["10.0.0.5:8000"], 0, "{dev}");
    assert_eq!(w.state_of("lighthouse_beacon_permission.dev")["id"], "dev@example.com/10.0.0.5:8000");

    // In place: the beacon alias (PUT /aliases), the token (by its version), the level,
    // the instance alias.
    w.config(&beacon_hcl("10.0.0.5:8000", "lab-b", "token-b-1204", 2, 1, "web-one"));
    w.reconcile(&["3 to change"]);
    assert_eq!(w.sim_object("10.0.0.5:8000")["Alias"], "lab-b");
    assert_eq!(hidden(&w, "10.0.0.5:8000")["Token"], "token-b-1204");
    assert_eq!(w.sim_object("dev@example.com")["Permissions"]["Beacons"]["10.0.0.5:8000"], 1);
    assert_eq!(w.sim_object("10.0.0.11:2375/v1.18")["Alias"], "web-one");

    // Import each; the token version is null after an import, so it shows once.
    w.import_again("lighthouse_beacon.lab", "10.0.0.5:8000");
    w.import_again("lighthouse_beacon_permission.dev", "dev@example.com/10.0.0.5:8000");
    w.import_again("lighthouse_alias.vm1", "10.0.0.11:2375/v1.18");
    w.reconcile(&["token_wo_version", "1 to change"]);

    // Out of band: a renamed beacon, a revoked level, a rewritten instance alias.
    w.patch_object("beacon/10.0.0.5:8000", json!({"Alias": "renamed"}));
    w.patch_object("alias/10.0.0.11:2375/v1.18", json!({"Alias": "lab-b.vm1"}));
    w.patch_object("user/dev@example.com", json!({"Permissions": {"Beacons": {}, "Applications": {}}}));
    w.reconcile(&["\"renamed\" -> \"lab-b\"", "\"lab-b.vm1\" -> \"web-one\"", "1 to add"]);
    assert_eq!(w.sim_object("dev@example.com")["Permissions"]["Beacons"]["10.0.0.5:8000"], 1);

    // A new address is another beacon (its grant follows); the old one stays, with a warning.
    w.config(&beacon_hcl("10.0.0.6:8000", "lab-c", "token-c-0935", 2, 1, "web-one"));
    let r = w.apply();
    assert!(r.all().contains("10.0.0.5:8000 stays registered"), "{}", r.all());
    assert_eq!(w.sim_count("beacon"), 2);
    w.assert_plan_empty();

    // Another address for the alias is another alias; the old one stays, with a warning.
    w.config(&beacon_hcl_naming("10.0.0.6:8000", "lab-c", "token-c-0935", 2, 1, "10.0.0.12:2375/v1.18", "db-one"));
    let r = w.apply();
    assert!(r.all().contains("10.0.0.11:2375/v1.18 keeps the alias \"web-one\""), "{}", r.all());
    assert_eq!(w.sim_object("10.0.0.12:2375/v1.18")["Alias"], "db-one");
    w.assert_plan_empty();

    let r = w.destroy();
    let out = r.all();
    assert!(out.contains("10.0.0.6:8000 stays registered") && out.contains("keeps the alias"), "{out}");
    let dev = w.sim_object("dev@example.com");
    assert!(dev["Permissions"]["Beacons"].get("10.0.0.6:8000").is_none(), "the grant is revoked: {dev}");
    assert!(!w.sim_object("10.0.0.6:8000").is_null(), "the beacon stays");
}

#[test]
fn a_beacon_that_cannot_be_reached_is_a_clear_error_naming_it() {
    let Some(w) = lighthouse_workspace() else { return };
    w.config("resource \"lighthouse_beacon\" \"x\" {\n  address = \"10.9.9.9:8000\"\n  alias = \"x\"\n}\n");
    let r = w.apply_err();
    assert!(r.all().contains("10.9.9.9:8000"), "{}", r.all());
    let r = w.tf(&["state", "list"]);
    assert!(r.stdout.trim().is_empty(), "nothing in state: {}", r.stdout);
}

fn app_hcl(name: &str, command: &str, instances: &[&str], running: bool) -> String {
    let instances = instances.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ");
    format!(
        "resource \"lighthouse_application\" \"web\" {{\n  name      = \"{name}\"\n  command   = {command}\n  instances = [{instances}]\n  running   = {running}\n}}\n"
    )
}

const NGINX: &str = r#"jsonencode({ Image = "nginx:1.27", Cmd = ["nginx", "-g", "daemon off;"] })"#;
const NGINX_REORDERED: &str = r#"jsonencode({ Cmd = ["nginx", "-g", "daemon off;"], Image = "nginx:1.27" })"#;
const NGINX_NEXT: &str = r#"jsonencode({ Image = "nginx:1.28", Cmd = ["nginx", "-g", "daemon off;"] })"#;

#[test]
fn application_deploys_updates_toggles_imports_and_is_stopped_then_forgotten() {
    let Some(w) = lighthouse_workspace() else { return };
    for host in ["10.0.1.1:2375/v1.18", "10.0.1.2:2375/v1.18", "10.0.1.3:2375/v1.18"] {
        add_docker_host(&w, host);
    }
    w.config(&app_hcl("web", NGINX, &["10.0.1.1:2375/v1.18", "10.0.1.2:2375/v1.18"], true));
    w.apply();
    w.assert_plan_empty();
    let id = w.id_of("lighthouse_application.web");
    let first = w.state_of("lighthouse_application.web")["current_deployment_id"].clone();
    let running = containers(&w, "web");
    assert_eq!(running.len(), 2, "{running:?}");
    assert!(running.iter().all(|(_, c)| c["running"] == true && c["image"] == "nginx:1.27"), "{running:?}");

    // The same JSON in another key order is no change; a new image is a new deployment.
    w.config(&app_hcl("web", NGINX_REORDERED, &["10.0.1.1:2375/v1.18", "10.0.1.2:2375/v1.18"], true));
    w.assert_plan_empty();
    w.config(&app_hcl("web", NGINX_NEXT, &["10.0.1.1:2375/v1.18", "10.0.1.2:2375/v1.18"], true));
    w.reconcile(&["~ command", "1 to change"]);
    assert_ne!(w.state_of("lighthouse_application.web")["current_deployment_id"], first);
    assert!(containers(&w, "web").iter().all(|(_, c)| c["image"] == "nginx:1.28" && c["running"] == true));

    // Instances move in place: one added (deployed and started), one removed.
    w.config(&app_hcl("web", NGINX_NEXT, &["10.0.1.2:2375/v1.18", "10.0.1.3:2375/v1.18"], true));
    w.reconcile(&["~ instances", "1 to change"]);
    let now: Vec<String> =
        containers(&w, "web").into_iter().filter(|(_, c)| c["running"] == true).map(|(a, _)| a).collect();
    assert_eq!(now.len(), 2, "{now:?}");
    assert!(now.contains(&"10.0.1.3:2375/v1.18".to_string()), "{now:?}");

    // Stop, start.
    w.config(&app_hcl("web", NGINX_NEXT, &["10.0.1.2:2375/v1.18", "10.0.1.3:2375/v1.18"], false));
    w.reconcile(&["~ running", "1 to change"]);
    assert!(containers(&w, "web").iter().all(|(_, c)| c["running"] == false));
    w.config(&app_hcl("web", NGINX_NEXT, &["10.0.1.2:2375/v1.18", "10.0.1.3:2375/v1.18"], true));
    w.reconcile(&["~ running", "1 to change"]);

    // Import by name or by Id, then an empty plan.
    w.import_again("lighthouse_application.web", "web");
    assert_eq!(w.id_of("lighthouse_application.web"), id);
    w.assert_plan_empty();
    w.import_again("lighthouse_application.web", &id);
    w.assert_plan_empty();

    // Someone deploys another command: shown, and a new deployment puts ours back.
    w.patch_object(&format!("application/{id}"), json!({"Command": {"Image": "httpd:2.4"}}));
    w.reconcile(&["httpd", "1 to change"]);
    assert!(containers(&w, "web").iter().all(|(_, c)| c["image"] == "nginx:1.28"));

    // A new name is another application; the old one is stopped and left, with a warning.
    w.config(&app_hcl("web2", NGINX_NEXT, &["10.0.1.2:2375/v1.18"], true));
    let r = w.apply();
    assert!(r.all().contains(&format!("application web (Id {id})")), "{}", r.all());
    assert!(containers(&w, "web").iter().all(|(_, c)| c["running"] == false), "the old one was stopped");
    assert_eq!(w.sim_count("application"), 2);

    let plan = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(plan.all().contains("cannot delete applications"), "{}", plan.all());
    let r = w.destroy();
    let out = r.all();
    assert!(
        out.contains("application web2") && out.contains("deployment(s)") && out.contains("stopped on every instance"),
        "{out}"
    );
    assert!(containers(&w, "web2").iter().all(|(_, c)| c["running"] == false));
    assert_eq!(w.sim_count("application"), 2, "the server keeps both");
}

#[test]
fn a_failed_deployment_lists_instance_endpoint_code_and_message() {
    let Some(w) = lighthouse_workspace() else { return };
    add_docker_host(&w, "10.0.2.1:2375/v1.18");
    add_docker_host(&w, "10.0.2.2:2375/v1.18");
    w.config(&app_hcl("api", NGINX, &["10.0.2.1:2375/v1.18", "10.0.2.2:2375/v1.18"], true));
    w.apply();
    let before = w.state_of("lighthouse_application.web")["current_deployment_id"].clone();

    // HTTP 200, an Error record inside: the update fails, naming the instance and step.
    let (s, b) = w.http("PATCH", "/_sim/docker_hosts/10.0.2.2:2375/v1.18", Some(json!({"fail": "create"})));
    assert_eq!(s, 200, "{b}");
    w.config(&app_hcl("api", NGINX_NEXT, &["10.0.2.1:2375/v1.18", "10.0.2.2:2375/v1.18"], true));
    let r = w.apply_err();
    let out = r.all();
    assert!(out.contains("10.0.2.2:2375/v1.18") && out.contains("containers/create"), "{out}");
    // The application was read again: the state shows what is in effect.
    let after = w.state_of("lighthouse_application.web");
    assert_eq!(after["current_deployment_id"], before, "the failed deployment is not current");
    let plan = w.plan();
    assert!(plan.stdout.contains("~ command"), "the next plan retries: {}", plan.stdout);

    // A first deployment that fails leaves nothing (Lighthouse removes the application).
    w.config(&format!(
        "{}\n{}",
        app_hcl("api", NGINX, &["10.0.2.1:2375/v1.18", "10.0.2.2:2375/v1.18"], true),
        app_hcl("broken", NGINX, &["10.0.2.2:2375/v1.18"], true).replace("\"web\"", "\"broken\"")
    ));
    let r = w.apply_err();
    assert!(r.all().contains("10.0.2.2:2375/v1.18"), "{}", r.all());
    let listed = w.tf(&["state", "list"]);
    assert!(!listed.stdout.contains("lighthouse_application.broken"), "{}", listed.stdout);
}

#[test]
fn every_data_source_reads_simulator_objects() {
    let Some(w) = lighthouse_workspace() else { return };
    add_beacon_host(&w, "10.0.3.5:8000", "t-3");
    add_docker_host(&w, "10.0.3.1:2375/v1.18");
    w.config(&format!(
        r#"resource "lighthouse_beacon" "b" {{
  address  = "10.0.3.5:8000"
  alias    = "edge"
  token_wo = "t-3"
}}
{}
data "lighthouse_beacons" "all" {{ depends_on = [lighthouse_beacon.b] }}
data "lighthouse_beacon_instances" "b" {{
  beacon_address = lighthouse_beacon.b.address
  refresh        = true
}}
data "lighthouse_users" "all" {{}}
data "lighthouse_user" "admin" {{
  email      = "admin@gmail.com"
  depends_on = [lighthouse_beacon.b, lighthouse_application.web]
}}
data "lighthouse_applications" "all" {{ depends_on = [lighthouse_application.web] }}
data "lighthouse_application" "web" {{
  name              = lighthouse_application.web.name
  deployments_limit = 1
}}
output "beacons" {{ value = data.lighthouse_beacons.all.beacons }}
output "instances" {{ value = data.lighthouse_beacon_instances.b.instances }}
output "emails" {{ value = data.lighthouse_users.all.emails }}
output "admin" {{ value = data.lighthouse_user.admin }}
output "applications" {{ value = data.lighthouse_applications.all.applications }}
output "web" {{ value = data.lighthouse_application.web }}
"#,
        app_hcl("web", NGINX, &["10.0.3.1:2375/v1.18"], true)
    ));
    w.apply();
    let r = w.tf(&["output", "-json"]);
    let out: J = serde_json::from_str(&r.stdout).expect("outputs");
    assert_eq!(out["beacons"]["value"], json!([{"address": "10.0.3.5:8000", "alias": "edge"}]));
    let instance = &out["instances"]["value"][0];
    assert_eq!(instance["instance_address"], "10.0.0.11:2375/v1.18");
    assert_eq!((instance["alias"].as_str(), instance["can_access_docker"].as_bool()), (Some("edge.vm1"), Some(true)));
    assert!(out["emails"]["value"].as_array().is_some_and(|e| e.contains(&json!("admin@gmail.com"))));
    let admin = &out["admin"]["value"];
    assert_eq!(admin["beacon_permissions"]["10.0.3.5:8000"], 2, "the creator owns the beacon: {admin}");
    assert_eq!(admin["application_permissions"]["web"], 2, "{admin}");
    let apps = out["applications"]["value"].as_array().cloned().unwrap_or_default();
    assert!(apps.iter().any(|a| a["name"] == "web" && a["instances"] == json!(["10.0.3.1:2375/v1.18"])), "{apps:?}");
    let web = &out["web"]["value"];
    assert_eq!(web["deployments"].as_array().map(Vec::len), Some(1));
    assert_eq!(web["deployments"][0]["image"], "nginx:1.27");
    assert_eq!(web["deployments"][0]["deployment_id"], web["current_deployment_id"]);
    let command: J = serde_json::from_str(web["command"].as_str().unwrap_or("null")).expect("command json");
    assert_eq!(command["Image"], "nginx:1.27");

    // A user the account cannot see is an error that says so.
    w.config("data \"lighthouse_user\" \"x\" {\n  email = \"nobody@example.com\"\n}\n");
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.all().contains("not found or not visible"), "{}", r.all());
}

/// Every session dies in the middle of an apply (a server restart): the provider logs in
/// again once and carries on.
#[test]
fn a_session_that_expires_mid_apply_is_renewed_once() {
    let Some(w) = lighthouse_workspace() else { return };
    add_docker_host(&w, "10.0.4.1:2375/v1.18");
    let (s, b) = w.http("PUT", "/_sim/config", Some(json!({"step_delay_ms": 150})));
    assert_eq!(s, 200, "{b}");
    w.config(&format!(
        "{}\n{}",
        app_hcl("slow", NGINX, &["10.0.4.1:2375/v1.18"], true),
        user_hcl("eve@example.com", "eve-pw-1", None, 0)
    ));
    std::thread::scope(|scope| {
        let apply = scope.spawn(|| w.tf(&["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=1"]));
        // Expire once the stream has started: the provider's next calls meet a 401.
        let started = Instant::now();
        while w.sim_count("application") == 0 && started.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let (s, b) = w.http("POST", "/_sim/sessions/expire", None);
        assert_eq!(s, 200, "{b}");
        let r = apply.join().expect("apply thread");
        assert_eq!(r.code, 0, "{}", r.all());
    });
    assert_eq!(w.sim_state()["requests"]["logins"], 2, "one login, one renewal");
    assert_eq!((w.sim_count("application"), w.sim_objects("user").len() >= 2), (1, true));
    w.assert_plan_empty();
}

/// The answer to a create is lost after Lighthouse committed it: the provider finds the
/// object by its natural key and adopts it, so exactly one exists.
#[test]
fn lost_create_answers_end_with_exactly_one_object() {
    let Some(w) = lighthouse_workspace() else { return };
    add_docker_host(&w, "10.0.5.1:2375/v1.18");
    add_beacon_host(&w, "10.0.5.5:8000", "t-5");
    for path in ["/applications/create", "/users/create", "/beacons/create"] {
        w.arm_fault(json!({"kind": "drop", "method": "POST", "path_contains": path}));
    }
    w.config(&format!(
        "{}\n{}\nresource \"lighthouse_beacon\" \"b\" {{\n  address  = \"10.0.5.5:8000\"\n  alias    = \"b5\"\n  token_wo = \"t-5\"\n}}\n",
        app_hcl("once", NGINX, &["10.0.5.1:2375/v1.18"], true),
        user_hcl("once@example.com", "once-pw-1", None, 0)
    ));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_count("application"), 1);
    assert_eq!(w.sim_count("beacon"), 1);
    assert_eq!(w.sim_objects("user").iter().filter(|u| u["Email"] == "once@example.com").count(), 1);
}

/// The provider password, user passwords and beacon tokens never reach a TF_LOG=trace
/// log or the state.
#[test]
fn secrets_never_reach_logs_or_state() {
    let Some(tf) = terraform() else { return };
    let config = lighthouse::SimConfig { admin_password: "provider-pw-77310".into(), ..Default::default() };
    let w = Workspace::around(tf, lighthouse::spawn(config).expect("simulator"));
    add_beacon_host(&w, "10.0.6.5:8000", "beacon-token-93157");
    w.config(&format!(
        "{}\nresource \"lighthouse_beacon\" \"b\" {{\n  address  = \"10.0.6.5:8000\"\n  alias    = \"b6\"\n  token_wo = \"beacon-token-93157\"\n}}\n",
        user_hcl("sam@example.com", "user-password-62818", None, 0)
    ));
    let r = w.tf_with_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("POST /api/v0.2/login") || r.stderr.contains("login"), "the trace log has the calls");
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
    for secret in ["user-password-62818", "beacon-token-93157", "provider-pw-77310"] {
        assert!(!r.all().contains(secret), "{secret} in the log");
        assert!(!state.contains(secret), "{secret} in the state");
    }
}

/// examples/lighthouse/quickstart (what scripts/demo.sh applies) applies, re-plans empty
/// and destroys with its warnings, against the same machines the demo sets up.
#[test]
fn quickstart_applies_replans_empty_and_destroy_only_forgets() {
    let Some(w) = lighthouse_workspace() else { return };
    let vms = json!([
        {"name": "dock1", "address": "10.0.0.11", "port": "2375", "version": "v1.18", "canAccessDocker": true},
        {"name": "dock2", "address": "10.0.0.12", "port": "2375", "version": "v1.18", "canAccessDocker": true}
    ]);
    let host = json!({"address": "127.0.0.1:5002", "token": "demo-beacon-token", "vms": vms});
    let (s, b) = w.http("POST", "/_sim/beacon_hosts", Some(host));
    assert_eq!(s, 200, "{b}");
    let main = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lighthouse/quickstart/main.tf"),
    )
    .expect("quickstart");
    let provider =
        format!("provider \"lighthouse\" {{\n  {}\n}}", tfprov::testkit::Simulated::provider_arguments(&w.sim));
    std::fs::write(w.path().join("main.tf"), main.replace("provider \"lighthouse\" {}", &provider)).expect("write");
    w.apply();
    w.assert_plan_empty();
    assert_eq!(containers(&w, "web").len(), 2);
    let r = w.destroy();
    assert!(r.all().contains("only removes it from Terraform state"), "{}", r.all());
    assert_eq!((w.sim_count("application"), w.sim_count("beacon")), (1, 1), "the server keeps them");
}

/// Reads are retried after 5xx answers; a write the server refused with a 500 before doing
/// anything is looked up by its natural key and, being absent, sent once more.
#[test]
fn server_errors_are_retried_without_creating_twice() {
    let Some(w) = lighthouse_workspace() else { return };
    w.arm_fault(json!({"kind": "status", "status": 500, "method": "POST", "path_contains": "/users/create"}));
    w.arm_fault(json!({"kind": "status", "status": 502, "method": "GET", "path_contains": "/users/", "remaining": 2}));
    w.config(&user_hcl("retry@example.com", "retry-pw-1", None, 0));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_objects("user").iter().filter(|u| u["Email"] == "retry@example.com").count(), 1);
}

/// GET /beacons/list and GET /beacons/list/{Beacon} requests the simulator has received.
fn beacon_listings(w: &Lighthouse) -> u64 {
    let state = w.sim_state();
    let by_path = state["requests"]["by_path"].as_object().cloned().unwrap_or_default();
    by_path
        .iter()
        .filter(|(key, _)| key.starts_with("GET /api/v0.2/beacons/list"))
        .filter_map(|(_, n)| n.as_u64())
        .sum()
}

/// A refresh asks each beacon listing once for the beacon and all its aliases (without
/// sharing them, 7 requests: the beacon's list, then per alias the list and the beacon's
/// instances), and drift made out of band between two commands is still seen.
#[test]
fn alias_reads_share_the_beacon_listings_of_one_refresh() {
    let Some(w) = lighthouse_workspace() else { return };
    let vms: Vec<J> = (1..=3)
        .map(|n| json!({"name": format!("vm{n}"), "address": format!("10.0.7.1{n}"), "port": "2375", "version": "v1.18", "canAccessDocker": true}))
        .collect();
    let (s, b) =
        w.http("POST", "/_sim/beacon_hosts", Some(json!({"address": "10.0.7.5:8000", "token": "t-7", "vms": vms})));
    assert_eq!(s, 200, "{b}");
    w.config(
        r#"resource "lighthouse_beacon" "edge" {
  address  = "10.0.7.5:8000"
  alias    = "edge"
  token_wo = "t-7"
}

resource "lighthouse_alias" "vm" {
  for_each   = toset(["1", "2", "3"])
  address    = "10.0.7.1${each.key}:2375/v1.18"
  alias      = "web-${each.key}"
  depends_on = [lighthouse_beacon.edge]
}
"#,
    );
    w.apply();
    let before = beacon_listings(&w);
    w.assert_plan_empty();
    let listings = beacon_listings(&w) - before;
    eprintln!("beacon listings of one refresh (a beacon and 3 aliases): {listings}");
    assert_eq!(listings, 2, "one beacon list and one instance list, shared by every read");

    w.patch_object("alias/10.0.7.12:2375/v1.18", json!({"Alias": "renamed"}));
    w.reconcile(&["\"renamed\" -> \"web-2\"", "1 to change"]);
    assert_eq!(w.sim_object("10.0.7.12:2375/v1.18")["Alias"], "web-2");
}
