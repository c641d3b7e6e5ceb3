//! lightbits_volume end to end: real Terraform, real provider, simulated cluster.

mod common;

use serde_json::json;

fn volume_hcl(name: &str, size: &str, extra: &str) -> String {
    format!(
        r#"
resource "lightbits_volume" "v" {{
  project_name = "default"
  name         = "{name}"
  size         = "{size}"
  {extra}
}}
"#
    )
}

#[test]
fn lifecycle_update_replace_import_drift_and_destroy() {
    let w = workspace!();

    // Create with a human size: the next plan is empty.
    w.config(&volume_hcl("vol-a", "10GiB", r#"labels = { env = "test" }"#));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_volume.v");
    let uuid = s["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(s["id"], format!("default/{uuid}"));
    assert_eq!(s["size"], "10GiB");
    assert_eq!(s["size_bytes"], 10737418240u64);
    assert_eq!(s["state"], "Available");
    assert_eq!(s["acl"], json!(["ALLOW_NONE"]));
    assert_eq!(w.sim_object(&uuid)["size"], "10737418240");

    // Another spelling of the same size is not a change the API sees.
    w.config(&volume_hcl("vol-a", "10 GiB", r#"labels = { env = "test" }"#));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.state_of("lightbits_volume.v")["uuid"], uuid.as_str());

    // In place: grow, rename, change labels and ACL.
    w.config(&volume_hcl(
        "vol-renamed",
        "20GiB",
        r#"labels = { env = "prod" }
  acl    = ["nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555"]"#,
    ));
    let p = w.plan();
    assert_eq!(p.code, 2);
    assert!(p.stdout.contains("1 to change, 0 to destroy"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let obj = w.sim_object(&uuid);
    assert_eq!(obj["name"], "vol-renamed");
    assert_eq!(obj["size"], "21474836480");
    assert_eq!(obj["labels"], json!([{"key": "env", "value": "prod"}]));

    // A create-only attribute forces replacement, and the plan says which.
    w.config(&volume_hcl(
        "vol-renamed",
        "20GiB",
        r#"labels = { env = "prod" }
  replica_count = 2"#,
    ));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement"), "{}", p.stdout);
    assert!(p.stdout.contains("1 to add, 0 to change, 1 to destroy"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_volume.v");
    let uuid2 = s["uuid"].as_str().expect("uuid").to_string();
    assert_ne!(uuid2, uuid);
    assert_eq!(w.sim_state()["volumes"], 1, "the old volume is gone");

    // Import: forget it, import by <project>/<uuid>, and nothing is left to change.
    assert_eq!(w.tf(&["state", "rm", "lightbits_volume.v"]).code, 0);
    let r = w.tf(&["import", "-no-color", "lightbits_volume.v", &format!("default/{uuid2}")]);
    assert_eq!(r.code, 0, "{}", r.all());
    w.assert_plan_empty();

    // Out-of-band change: the plan shows it and apply puts it back.
    w.patch_object(&uuid2, json!({"labels": [{"key": "env", "value": "hacked"}]}));
    let p = w.plan();
    assert_eq!(p.code, 2, "{}", p.stdout);
    assert!(p.stdout.contains("hacked"), "{}", p.stdout);
    w.apply();
    assert_eq!(w.sim_object(&uuid2)["labels"], json!([{"key": "env", "value": "prod"}]));

    // Out-of-band delete: re-created.
    w.delete_object(&uuid2);
    let p = w.plan();
    assert!(p.stdout.contains("1 to add"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_state()["volumes"], 1);

    // Destroy leaves the simulator without volumes (delete waits for 404).
    w.destroy();
    assert_eq!(w.sim_state()["volumes"], 0);
}

#[test]
fn concurrent_change_between_plan_and_apply_is_refused() {
    let w = workspace!();
    w.config(&volume_hcl("shared", "10GiB", r#"labels = { owner = "terraform" }"#));
    w.apply();
    let uuid = w.state_of("lightbits_volume.v")["uuid"].as_str().expect("uuid").to_string();

    w.config(&volume_hcl("shared", "10GiB", r#"labels = { owner = "terraform-v2" }"#));
    let r = w.tf(&["plan", "-input=false", "-no-color", "-out=change.tfplan"]);
    assert_eq!(r.code, 0, "{}", r.all());

    // Someone else edits the volume after the plan was saved.
    w.patch_object(&uuid, json!({"labels": [{"key": "owner", "value": "someone-else"}], "compression": "true"}));

    let r = w.tf(&["apply", "-input=false", "-no-color", "change.tfplan"]);
    assert_ne!(r.code, 0, "apply of a stale plan must fail:\n{}", r.all());
    let out = r.all();
    assert!(out.contains("was changed outside Terraform"), "{out}");
    assert!(out.contains("labels"), "{out}");
    // The other writer's change stands.
    let obj = w.sim_object(&uuid);
    assert_eq!(obj["labels"], json!([{"key": "owner", "value": "someone-else"}]));
    assert_eq!(obj["compression"], "true");
}

#[test]
fn lost_create_response_ends_with_exactly_one_volume() {
    let w = workspace!();
    // The simulator commits the create, then breaks the connection mid-answer.
    w.arm_fault(json!({"method": "POST", "path_contains": "/volumes", "kind": "drop"}));
    w.config(&volume_hcl("once", "1GiB", ""));
    w.apply();
    assert_eq!(w.sim_state()["volumes"], 1);
    let s = w.state_of("lightbits_volume.v");
    assert_eq!(s["name"], "once");
    assert_eq!(s["state"], "Available");
    w.assert_plan_empty();
}

#[test]
fn server_error_after_commit_ends_with_exactly_one_volume() {
    let w = workspace!();
    // The simulator commits the create, then answers 500: the provider must find the
    // volume by name and adopt it, not leave an orphan that blocks the next apply.
    w.arm_fault(json!({"method": "POST", "path_contains": "/volumes", "kind": "error_after_commit", "status": 500}));
    w.config(&volume_hcl("committed", "1GiB", ""));
    w.apply();
    assert_eq!(w.sim_state()["volumes"], 1);
    assert_eq!(w.state_of("lightbits_volume.v")["state"], "Available");
    w.assert_plan_empty();
}

#[test]
fn labels_are_managed_only_when_configured_and_never_emptied() {
    let w = workspace!();
    w.config(&volume_hcl("labelled", "1GiB", r#"labels = { env = "test" }"#));
    w.apply();
    w.assert_plan_empty();
    let uuid = w.state_of("lightbits_volume.v")["uuid"].as_str().expect("uuid").to_string();

    // Removed from the configuration: no longer managed; the API keeps them and the
    // plan promises nothing apply cannot do.
    w.config(&volume_hcl("labelled", "1GiB", ""));
    w.assert_plan_empty();

    // Added out of band while unmanaged: still no diff, no inconsistent result.
    w.patch_object(&uuid, json!({"labels": [{"key": "team", "value": "storage"}]}));
    w.assert_plan_empty();
    w.config(&volume_hcl("labelled", "2GiB", ""));
    w.apply();
    w.assert_plan_empty();

    // Emptying them is something the API cannot do (an empty list means "no change"):
    // refused at plan time, naming the attribute.
    w.config(&volume_hcl("labelled", "2GiB", "labels = {}"));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Cannot clear labels"), "{}", r.stderr);

    // Managed again: a change replaces the whole set.
    w.config(&volume_hcl("labelled", "2GiB", r#"labels = { env = "prod" }"#));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_object(&uuid)["labels"], json!([{"key": "env", "value": "prod"}]));
}

#[test]
fn busy_api_is_retried() {
    let w = workspace!();
    w.arm_fault(json!({"method": "POST", "path_contains": "/volumes", "kind": "status", "status": 409,
        "message": "There is a user operation in progress on the volume", "remaining": 2}));
    w.arm_fault(
        json!({"method": "GET", "path_contains": "/volumes/", "kind": "status", "status": 503, "remaining": 2}),
    );
    w.config(&volume_hcl("busy", "1GiB", ""));
    w.apply();
    assert_eq!(w.sim_state()["volumes"], 1);
}

#[test]
fn shrink_is_refused_at_plan_time_unless_allowed() {
    let w = workspace!();
    w.config(&volume_hcl("shrinky", "10GiB", ""));
    w.apply();
    w.config(&volume_hcl("shrinky", "5GiB", ""));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Volume shrink refused"), "{}", r.stderr);
    assert!(r.stderr.contains("allow_shrink"), "{}", r.stderr);
    w.config(&volume_hcl("shrinky", "5GiB", "allow_shrink = true"));
    w.apply();
    w.assert_plan_empty();
    let uuid = w.state_of("lightbits_volume.v")["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(w.sim_object(&uuid)["size"], (5u64 << 30).to_string());
}

#[test]
fn bad_configuration_gets_clear_diagnostics() {
    let w = workspace!();
    w.config(&volume_hcl(
        "bad",
        "ten gigs",
        r#"replica_count = 5
  sector_size = 1024
  acl = ["not-an-nqn"]"#,
    ));
    let r = w.tf(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    let e = r.stderr;
    assert!(e.contains("Invalid value for size") && e.contains("unknown unit"), "{e}");
    assert!(e.contains("from 1 to 3"), "{e}");
    assert!(e.contains("512, 4096"), "{e}");
    assert!(e.contains("ALLOW_ANY or ALLOW_NONE"), "{e}");
    // Each diagnostic points at its attribute.
    assert!(e.contains("on main.tf line"), "{e}");
    assert_eq!(w.sim_state()["volumes"], 0, "nothing was created");

    // Addresses and labels the API refuses are refused at plan time, by attribute.
    w.config(&volume_hcl(
        "bad",
        "-1GiB",
        r#"ip_acl = ["999.999.999.999"]
  labels = { "env" = "has space" }"#,
    ));
    let r = w.tf(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    let e = r.stderr;
    assert!(e.contains("Invalid value for ip_acl") && e.contains("999.999.999.999"), "{e}");
    assert!(e.contains("Invalid value for labels") && e.contains("has space"), "{e}");
    assert!(e.contains("negative") && !e.contains("unknown unit"), "{e}");
    assert!(!e.contains(".."), "no doubled periods: {e}");

    // Absurd durations are refused, not a crash.
    w.config(&volume_hcl("bad", "1GiB", "timeouts {\n    create = \"1e20\"\n  }"));
    let r = w.tf(&["validate", "-no-color"]);
    assert!(r.stderr.contains("Invalid timeout") && r.stderr.contains("longer than a year"), "{}", r.stderr);
    assert!(!r.stderr.contains("panic"), "{}", r.stderr);

    // A bad timeout is caught before anything happens.
    w.config(&volume_hcl("bad", "1GiB", "timeouts {\n    create = \"soon\"\n  }"));
    let r = w.tf(&["validate", "-no-color"]);
    assert!(r.stderr.contains("Invalid timeout"), "{}", r.stderr);
}

#[test]
fn wrong_token_is_an_error_not_a_deleted_resource() {
    let w = workspace!();
    w.config(&volume_hcl("authz", "1GiB", ""));
    w.apply();
    w.config_with_provider(
        &format!("endpoints = [\"{}\"]\n  token = \"wrong-token\"", w.sim.url()),
        &volume_hcl("authz", "1GiB", ""),
    );
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Authentication failed"), "{}", r.stderr);
    assert!(!r.all().contains("wrong-token"), "the token must not be echoed");
    // State still holds the volume.
    assert_eq!(w.state_of("lightbits_volume.v")["name"], "authz");
}

#[test]
fn create_timeout_keeps_the_volume_in_state() {
    // Transitions take 30 s: the volume stays Creating while Terraform waits.
    let Some(w) = common::Workspace::with_transition_delay(std::time::Duration::from_secs(30)) else { return };
    w.config(&volume_hcl("slow", "1GiB", "timeouts {\n    create = \"1s\"\n  }"));
    let r = w.apply_err();
    assert!(r.stderr.contains("Timed out"), "{}", r.stderr);
    assert!(r.stderr.contains("Creating"), "the last observed state is reported:\n{}", r.stderr);
    // Not orphaned: Terraform tracks it (tainted) and will replace it.
    let s = w.state_of("lightbits_volume.v");
    assert_eq!(s["name"], "slow");
    let p = w.tf(&["plan", "-input=false", "-no-color"]);
    assert!(p.stdout.contains("tainted"), "{}", p.stdout);
}

#[test]
fn internal_etag_change_between_plan_and_apply_is_not_a_conflict() {
    let w = workspace!();
    w.config(&volume_hcl("etag", "10GiB", r#"labels = { v = "1" }"#));
    w.apply();
    let uuid = w.state_of("lightbits_volume.v")["uuid"].as_str().expect("uuid").to_string();
    w.config(&volume_hcl("etag", "10GiB", r#"labels = { v = "2" }"#));
    let r = w.tf(&["plan", "-input=false", "-no-color", "-out=change.tfplan"]);
    assert_eq!(r.code, 0, "{}", r.all());
    // Only something the provider does not manage moves (and with it the ETag).
    w.patch_object(&uuid, json!({"protectionState": "Degraded"}));
    let r = w.tf(&["apply", "-input=false", "-no-color", "change.tfplan"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(w.sim_object(&uuid)["labels"], json!([{"key": "v", "value": "2"}]));
}

#[test]
fn volume_being_deleted_elsewhere_is_recreated_once_gone() {
    let w = workspace!();
    w.config(&volume_hcl("phoenix", "1GiB", ""));
    w.apply();
    let uuid = w.state_of("lightbits_volume.v")["uuid"].as_str().expect("uuid").to_string();
    // Someone deletes it through the API; the deletion takes a while.
    let (s, _) = w.http("PUT", "/_sim/config", Some(json!({"transition_delay_ms": 1500})));
    assert_eq!(s, 200);
    let (s, b) = w.http("DELETE", &format!("/api/v2/projects/default/volumes/{uuid}"), None);
    assert_eq!(s, 200, "{b}");
    assert_eq!(w.sim_object(&uuid)["state"], "Deleting");
    // A volume on its way out counts as gone: plan a re-create, not an update.
    let p = w.plan();
    assert!(p.stdout.contains("1 to add, 0 to change, 0 to destroy"), "{}", p.stdout);
    // The name is still taken until the deletion finishes; the create waits for it.
    w.apply();
    let s = w.state_of("lightbits_volume.v");
    assert_ne!(s["uuid"], uuid.as_str());
    assert_eq!(w.sim_state()["volumes"], 1);
}

#[test]
fn import_ids_are_checked() {
    let w = workspace!();
    w.config(&volume_hcl("imp", "1GiB", ""));
    let r = w.tf(&["import", "-no-color", "lightbits_volume.v", "just-a-uuid"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("{project_name}/{uuid}"), "the expected format is named:\n{}", r.stderr);
    let r = w.tf(&["import", "-no-color", "lightbits_volume.v", "default/00000000-0000-0000-0000-000000000000"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Cannot import a non-existent volume"), "{}", r.stderr);
    // A malformed part is refused before any API call, naming the part.
    let r = w.tf(&["import", "-no-color", "lightbits_volume.v", "default/not-a-uuid"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("uuid part"), "{}", r.stderr);
    assert!(!r.stderr.contains("null"), "{}", r.stderr);
}

#[test]
fn failed_creation_is_reported_and_the_volume_kept_tainted() {
    // Transitions take 30 s: the volume stays Creating while Terraform waits.
    let Some(w) = common::Workspace::with_transition_delay(std::time::Duration::from_secs(30)) else { return };
    w.config(&volume_hcl("doomed", "1GiB", ""));
    std::thread::scope(|scope| {
        let apply = scope.spawn(|| w.tf(&["apply", "-auto-approve", "-input=false", "-no-color"]));
        // The cluster gives up on the volume while Terraform waits for it.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let uuid = loop {
            let st = w.sim_state();
            if let Some(u) = st["objects"]
                .as_array()
                .and_then(|o| o.iter().find(|x| x["kind"] == "volume"))
                .map(|x| x["object"]["UUID"].clone())
            {
                break u.as_str().unwrap_or_default().to_string();
            }
            assert!(std::time::Instant::now() < deadline, "the volume never appeared");
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        w.patch_object(&uuid, json!({"state": "Failed"}));
        let r = apply.join().expect("apply thread");
        assert_ne!(r.code, 0);
        assert!(r.stderr.contains("Operation failed") && r.stderr.contains("Failed"), "{}", r.stderr);
    });
    let p = w.tf(&["plan", "-input=false", "-no-color"]);
    assert!(p.stdout.contains("tainted"), "{}", p.stdout);
}

#[test]
fn placement_restrictions_need_one_replica_and_force_replacement() {
    let w = workspace!();
    let placement = |fd: &str| {
        format!(
            r#"placement_restrictions {{
    label_value_key_pairs {{
      key   = "FD"
      value = "{fd}"
    }}
  }}"#
        )
    };

    // Three replicas (the default) cannot be placed by rule: refused at plan time.
    w.config(&volume_hcl("placed", "1GiB", &placement("server00")));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Placement restrictions need a single replica"), "{}", r.stderr);
    assert!(r.stderr.contains("placement_restrictions"), "{}", r.stderr);

    // One replica: created with the rule, which the cluster keeps and reports.
    let one = |fd: &str| format!("replica_count = 1\n  {}", placement(fd));
    w.config(&volume_hcl("placed", "1GiB", &one("server00")));
    w.apply();
    w.assert_plan_empty();
    let uuid = w.state_of("lightbits_volume.v")["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(
        w.sim_object(&uuid)["placementRestrictions"],
        json!([{"operator": "In", "labelValueKeyPairs": [{"key": "FD", "value": "server00"}]}])
    );
    assert_eq!(w.state_of("lightbits_volume.v")["placement_restrictions"][0]["operator"], "In");
    // Its one replica is on the node of that failure domain.
    let node = w.state_of("lightbits_volume.v")["node_list"][0].as_str().expect("a node").to_string();
    assert_eq!(w.sim_object(&node)["failureDomains"], json!(["server00"]));

    // Import reads the rule back: no diff.
    w.import_again("lightbits_volume.v", &format!("default/{uuid}"));
    w.assert_plan_empty();

    // The update request cannot change it: replacement.
    w.config(&volume_hcl("placed", "1GiB", &one("server01")));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    assert_ne!(w.state_of("lightbits_volume.v")["uuid"], uuid.as_str());
    assert_eq!(w.sim_count("volume"), 1);

    // With dynamic rebalancing on, the cluster refuses the rule; nothing is created.
    let (s, b) = w.http("POST", "/api/v2/featureFlags/proactive-rebalance/enable", Some(json!({})));
    assert_eq!(s, 200, "{b}");
    w.config(&format!(
        "{}\n{}",
        volume_hcl("placed", "1GiB", &one("server01")),
        volume_hcl("placed-too", "1GiB", &one("server02")).replace("\"v\"", "\"w\"")
    ));
    let r = w.apply_err();
    assert!(r.all().contains("dynamic rebalance is enabled"), "{}", r.all());
    assert_eq!(w.sim_count("volume"), 1);
}

#[test]
fn volume_list_reads_every_page_past_the_thousand_per_answer() {
    let w = workspace!();
    // One more than the API's page (at most 1000 volumes per answer).
    for i in 0..1001 {
        let body = json!({"name": format!("bulk-{i:04}"), "size": "1 GiB", "replicaCount": 1, "acl": {"values": ["ALLOW_ANY"]}});
        let (status, answer) = w.http("POST", "/api/v2/projects/default/volumes", Some(body));
        assert_eq!(status, 200, "{answer}");
    }
    w.config(
        r#"
data "lightbits_volumes" "all" {
  project_name = "default"
}
output "distinct_names" {
  value = length(distinct([for v in data.lightbits_volumes.all.volumes : v.name]))
}
output "count" {
  value = length(data.lightbits_volumes.all.volumes)
}
"#,
    );
    w.apply();
    let read = |name: &str| w.tf(&["output", "-json", name]).stdout.trim().to_string();
    assert_eq!((read("count"), read("distinct_names")), ("1001".to_string(), "1001".to_string()));
}
