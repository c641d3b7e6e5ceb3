//! terraform-provider-luminate end to end: real Terraform, real provider, simulated tenant.

use std::time::{Duration, Instant};

use serde_json::json;
use tfprov::simulators::luminate;
use tfprov::testkit::{
    go_luminate_site, interface_differences, luminate_workspace, sdkv2_resource, Workspace, GO_LUMINATE,
};

fn site_hcl(name: &str, extra: &str) -> String {
    format!("resource \"luminate_site\" \"s\" {{\n  name = \"{name}\"\n  {extra}\n}}\n")
}

#[test]
fn site_lifecycle_update_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&site_hcl("office", ""));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("luminate_site.s");
    let id = w.id_of("luminate_site.s");
    assert_eq!(s["authentication_mode"], "manual");
    assert_eq!(s["mute_health_notification"], false);

    // In place: the whole site is PUT again.
    w.config(&site_hcl("office-2", "mute_health_notification = true"));
    w.reconcile(&["1 to change"]);
    let (_, body) = w.http("GET", "/_sim/state", None);
    assert!(body.to_string().contains("office-2"), "{body}");

    // The API cannot change the authentication mode: refused at plan time.
    w.config(&site_hcl("office-2", "mute_health_notification = true\n  authentication_mode = \"orchestrator\""));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("authentication mode of a site cannot change"), "{}", r.stderr);
    w.config(&site_hcl("office-2", "mute_health_notification = true"));

    // Import by ID into a fresh state: the next plan is empty.
    w.import_again("luminate_site.s", &id);
    w.assert_plan_empty();

    // Out-of-band change shown and reverted; out-of-band delete re-created.
    w.patch_object(&id, json!({"name": "renamed-elsewhere"}));
    w.reconcile(&["renamed-elsewhere"]);
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);

    // The client secret never reaches the logs, even at trace level.
    let r = w.tf_with_env(&["plan", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert!(!r.all().contains(luminate::SimConfig::default().client_secret.as_str()), "secret in the logs");

    w.destroy();
    let (_, state) = w.http("GET", "/_sim/state", None);
    assert!(!state.to_string().contains("office-2"), "{state}");
}

#[test]
fn collection_lifecycle() {
    let Some(w) = luminate_workspace() else { return };
    w.config("resource \"luminate_collection\" \"c\" {\n  name = \"eng\"\n}\n");
    w.apply();
    w.assert_plan_empty();
    let id = w.id_of("luminate_collection.c");
    w.config("resource \"luminate_collection\" \"c\" {\n  name = \"engineering\"\n}\n");
    w.reconcile(&["1 to change"]);
    w.import_again("luminate_collection.c", &id);
    w.assert_plan_empty();
    w.destroy();
}

#[test]
fn missing_credentials_name_the_argument() {
    let Some(w) = luminate_workspace() else { return };
    w.config_with_provider(
        &format!("api_endpoint = \"{}\"", w.sim.url()),
        "resource \"luminate_collection\" \"c\" {\n  name = \"x\"\n}\n",
    );
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("api_client_id") && r.stderr.contains("LUMINATE_API_CLIENT_ID"), "{}", r.stderr);
}

#[test]
fn state_written_by_the_go_provider_carries_over_with_replace_provider() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&site_hcl("carried-over", ""));
    w.apply();
    let site = w.state_of("luminate_site.s");
    assert!(site["id"].is_string() && site["region"].is_string(), "{site}");
    let collection_hcl = "resource \"luminate_collection\" \"c\" {\n  name = \"carried\"\n}\n";
    w.config(&format!("{}{collection_hcl}", site_hcl("carried-over", "")));
    w.apply();

    // The state as the Go provider (SDKv2, schema version 0) writes it: its provider
    // address, "" for unset optional strings, its private data.
    let resources = vec![
        go_luminate_site("s", &site),
        sdkv2_resource(
            GO_LUMINATE,
            "luminate_collection",
            "c",
            json!({"id": w.id_of("luminate_collection.c"), "name": "carried"}),
        ),
    ];
    w.take_over_state(GO_LUMINATE, resources, json!({}));
    w.assert_plan_empty();
}

#[test]
fn collection_data_source_finds_the_exact_name() {
    let Some(w) = luminate_workspace() else { return };
    w.config(
        "resource \"luminate_collection\" \"a\" {\n  name = \"team\"\n}\nresource \"luminate_collection\" \"b\" {\n  name = \"team-b\"\n}\n\
         data \"luminate_collection\" \"d\" {\n  name = \"team\"\n  depends_on = [luminate_collection.a, luminate_collection.b]\n}\n\
         output \"found\" {\n  value = data.luminate_collection.d.id == luminate_collection.a.id\n}\n",
    );
    w.apply();
    assert_eq!(w.tf(&["output", "-raw", "found"]).stdout.trim(), "true");
}

#[test]
fn collection_site_link_moves_only_the_difference() {
    let Some(w) = luminate_workspace() else { return };
    let hcl = |ids: &str| {
        format!(
            "resource \"luminate_site\" \"s\" {{\n  name = \"linked\"\n}}\n\
             resource \"luminate_collection\" \"a\" {{\n  name = \"link-a\"\n}}\n\
             resource \"luminate_collection\" \"b\" {{\n  name = \"link-b\"\n}}\n\
             resource \"luminate_collection_site_link\" \"l\" {{\n  site_id = luminate_site.s.id\n  collection_ids = [{ids}]\n}}\n"
        )
    };
    w.config(&hcl("luminate_collection.a.id"));
    w.apply();
    w.assert_plan_empty();
    let site = w.id_of("luminate_site.s");
    assert_eq!(w.state_of("luminate_collection_site_link.l")["id"], site.as_str());

    // Added in place, in any order (the API reports them sorted).
    w.config(&hcl("luminate_collection.b.id, luminate_collection.a.id"));
    w.reconcile(&["1 to change"]);
    assert_eq!(w.state_of("luminate_collection_site_link.l")["collection_ids"].as_array().map(Vec::len), Some(2));

    // One removed: only it is unlinked.
    w.config(&hcl("luminate_collection.b.id"));
    w.apply();
    w.assert_plan_empty();

    // Import by the site's ID: the same set, no diff. (With several collections listed in
    // another order than the API's sorted one, an import is followed by one update that
    // makes no API call: the attribute is a list in the Go provider's schema.)
    w.import_again("luminate_collection_site_link.l", &site);
    w.assert_plan_empty();
    w.destroy();
}

/// Checks one block of `terraform providers schema -json` against the interface copy.
fn sites_hcl(count: usize) -> String {
    format!("resource \"luminate_site\" \"s\" {{\n  count = {count}\n  name  = \"site-${{count.index}}\"\n}}\n")
}

fn apply_with(w: &Workspace<luminate::Running>, extra: &[&str]) -> tfprov::testkit::Run {
    let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
    args.extend_from_slice(extra);
    w.tf(&args)
}

/// The tenant allows 5 requests a second. At -parallelism=10 the provider's one
/// process-wide bucket paces them, so almost none are answered 429 and none surfaces.
/// (`scripts/bench.sh` prints how much of the limit such an apply uses.)
#[test]
fn forty_sites_at_parallelism_ten_stay_within_the_rate_limit() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&sites_hcl(40));
    let r = apply_with(&w, &["-parallelism=10"]);
    assert_eq!(r.code, 0, "{}", r.all());
    // Not a bare "429": generated ids can contain it.
    assert!(!r.all().contains("HTTP 429") && !r.all().contains("Rate limit exceeded"), "{}", r.all());
    let state = w.sim_state();
    assert_eq!(state["sites"], 40);
    let admitted = state["requests"]["admitted"].as_u64().expect("admitted");
    let limited = state["requests"]["rate_limited"].as_u64().expect("rate_limited");
    assert!(limited * 100 <= admitted * 3, "{limited} of {admitted} requests answered 429");
}

/// Every token expires mid-apply: the provider renews once (concurrent requests share
/// the renewal) and repeats the refused requests.
#[test]
fn token_expiry_mid_apply_is_renewed_once() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&sites_hcl(15));
    let addr = w.sim.addr;
    let expire = std::thread::spawn(move || -> std::io::Result<String> {
        use std::io::{Read, Write};
        std::thread::sleep(Duration::from_millis(1500));
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.write_all(
            b"POST /_sim/expire-tokens HTTP/1.1\r\nHost: sim\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    });
    let started = Instant::now();
    let r = apply_with(&w, &["-parallelism=10"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let answer = expire.join().expect("thread").expect("expire-tokens");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() > Duration::from_millis(1500), "the apply ended before the tokens expired");
    let state = w.sim_state();
    assert_eq!(state["sites"], 15);
    assert_eq!(state["tokens"], 1, "one token issued after the expiry: {state}");
}

/// 403 on read is a permission problem, not a deleted site: the plan fails and says so,
/// and the site stays in state (the Go provider forgets it).
#[test]
fn forbidden_read_is_an_error_and_keeps_state() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&site_hcl("guarded", ""));
    w.apply();
    let id = w.id_of("luminate_site.s");
    w.arm_fault(json!({"method": "GET", "path_contains": format!("/v2/sites/{id}"), "kind": "status", "status": 403, "message": "Access denied", "remaining": 10}));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("403") || r.stderr.contains("Access denied"), "{}", r.stderr);
    let listed = w.tf(&["state", "list"]);
    assert!(listed.stdout.contains("luminate_site.s"), "{}", listed.all());
}

/// A burst of 429s is absorbed: retried after the documented second, each site created
/// exactly once.
#[test]
fn a_storm_of_429_is_absorbed() {
    let Some(w) = luminate_workspace() else { return };
    w.arm_fault(json!({"method": "POST", "path_contains": "/v2/sites", "kind": "status", "status": 429, "message": "Rate limit exceeded", "remaining": 4}));
    w.config(&sites_hcl(3));
    w.apply();
    assert_eq!(w.sim_state()["sites"], 3);
    w.assert_plan_empty();
}

/// The ephemeral registration key is minted during apply (the version is new on every
/// run, so it is unknown while planning) and lives only in that run: never in the state,
/// the plan or a TF_LOG=trace log.
#[test]
fn registration_key_is_rotated_each_run_and_never_stored() {
    let Some(w) = luminate_workspace() else { return };
    w.config(
        "resource \"luminate_site\" \"s\" {\n  name = \"keyed\"\n}\n\
         resource \"luminate_site_registration_key_version\" \"v\" {}\n\
         ephemeral \"luminate_site_registration_key\" \"k\" {\n  site_id = luminate_site.s.id\n  version = luminate_site_registration_key_version.v.version\n  revoke_existing_key_immediately = true\n}\n",
    );
    let mut seen = Vec::new();
    for _ in 0..2 {
        let r = w.tf_with_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
        assert_eq!(r.code, 0, "{}", r.all());
        let keys = w.sim_objects("registration key");
        assert_eq!(keys.len(), 1, "revoke_existing_key_immediately leaves only the new key: {keys:?}");
        let key = keys[0]["key"].as_str().expect("key").to_string();
        assert!(!r.all().contains(&key), "the key is in the log");
        let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
        assert!(!state.contains(&key), "the key is in the state");
        seen.push(key);
    }
    assert_ne!(seen[0], seen[1], "every run rotates the key");
}

#[test]
fn schema_matches_the_interface_copy() {
    let Some(w) = luminate_workspace() else { return };
    w.config("");
    let r = w.tf(&["providers", "schema", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let schema: serde_json::Value = serde_json::from_str(&r.stdout).expect("schema json");
    let provider = &schema["provider_schemas"]["registry.terraform.io/tfprov/luminate"];
    let copy: serde_json::Value =
        serde_json::from_str(include_str!("interfaces/luminate.json")).expect("interface copy");
    let mut errors = interface_differences("provider", &copy["provider"], &provider["provider"]["block"]);
    for (kind, key) in [
        ("resources", "resource_schemas"),
        ("data_sources", "data_source_schemas"),
        ("ephemeral_resources", "ephemeral_resource_schemas"),
    ] {
        for (name, attrs) in copy[kind].as_object().into_iter().flatten() {
            errors.extend(interface_differences(name, attrs, &provider[key][name]["block"]));
        }
    }
    assert!(errors.is_empty(), "schema differs from ../shared/interfaces/luminate.md:\n{}", errors.join("\n"));
}
