//! lightbits_project and lightbits_snapshot end to end.

mod common;

use serde_json::json;

fn project_hcl(name: &str, description: &str) -> String {
    format!(
        "resource \"lightbits_project\" \"p\" {{\n  name        = \"{name}\"\n  description = \"{description}\"\n}}\n"
    )
}

#[test]
fn project_lifecycle() {
    let w = workspace!();
    w.config(&project_hcl("team-a", "first"));
    let p = w.plan();
    // The ID of a project is its name: known at plan time.
    assert!(p.stdout.lines().any(|l| l.trim().starts_with("+ id ") && l.contains("= \"team-a\"")), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_project.p");
    assert_eq!(s["id"], "team-a");
    assert!(s["uuid"].as_str().is_some_and(|u| !u.is_empty()));

    // Description: the API's project update cannot change it, so it forces replacement.
    w.config(&project_hcl("team-a", "second"));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let (_, body) = w.http("GET", "/api/v2/projects/team-a", None);
    assert_eq!(body["description"], "second");

    // Name: replacement.
    w.config(&project_hcl("team-b", "second"));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.http("GET", "/api/v2/projects/team-a", None).0, 404);

    // Import by name.
    assert_eq!(w.tf(&["state", "rm", "lightbits_project.p"]).code, 0);
    let r = w.tf(&["import", "-no-color", "lightbits_project.p", "team-b"]);
    assert_eq!(r.code, 0, "{}", r.all());
    w.assert_plan_empty();

    // Out-of-band change and delete.
    w.patch_object("team-b", json!({"description": "edited elsewhere"}));
    let p = w.plan();
    assert!(p.stdout.contains("edited elsewhere"), "{}", p.stdout);
    w.delete_object("team-b");
    let p = w.plan();
    assert!(p.stdout.contains("1 to add"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();

    w.destroy();
    // Only the cluster's own "default" project is left.
    assert_eq!(w.sim_state()["projects"], 1);
}

#[test]
fn project_default_policies_update_in_place() {
    const QOS_A: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    const QOS_B: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    let hcl = |uuid: &str| {
        format!(
            "resource \"lightbits_project\" \"p\" {{\n  name = \"pol\"\n  default_policies = [{{ policy_type = \"qosRateLimit\", policy_uuid = \"{uuid}\" }}]\n}}\n"
        )
    };
    let w = workspace!();
    w.config(&hcl(QOS_A));
    w.apply();
    w.assert_plan_empty();
    let (_, body) = w.http("GET", "/api/v2/projects/pol", None);
    assert_eq!(body["defaultPolicies"][0]["policyUUID"], QOS_A, "{body}");

    // In place, through the project update (projectName + defaultPolicies).
    w.config(&hcl(QOS_B));
    let p = w.plan();
    assert!(p.stdout.contains("1 to change"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let (_, body) = w.http("GET", "/api/v2/projects/pol", None);
    assert_eq!(body["defaultPolicies"][0]["policyUUID"], QOS_B, "{body}");

    // Import reads them back: the next plan is empty.
    assert_eq!(w.tf(&["state", "rm", "lightbits_project.p"]).code, 0);
    let r = w.tf(&["import", "-no-color", "lightbits_project.p", "pol"]);
    assert_eq!(r.code, 0, "{}", r.all());
    w.assert_plan_empty();

    // Emptying them is refused at plan time (the API needs at least one).
    w.config("resource \"lightbits_project\" \"p\" {\n  name = \"pol\"\n  default_policies = []\n}\n");
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Cannot clear default_policies"), "{}", r.stderr);
    // A malformed UUID is caught by validate, with its path.
    w.config(&hcl("nope"));
    let r = w.tf(&["validate", "-no-color"]);
    assert!(r.stderr.contains("policy_uuid") && r.stderr.contains("not a UUID"), "{}", r.stderr);
}

#[test]
fn project_name_clash_points_to_import() {
    let w = workspace!();
    w.config(&project_hcl("default", "clash"));
    let r = w.apply_err();
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert!(r.stderr.contains("terraform import"), "{}", r.stderr);
}

const SNAPSHOT_BASE: &str = r#"
resource "lightbits_volume" "src" {
  name = "snap-source"
  size = "4GiB"
}
"#;

fn snapshot_hcl(description: &str) -> String {
    format!(
        r#"{SNAPSHOT_BASE}
resource "lightbits_snapshot" "s" {{
  source_volume_uuid = lightbits_volume.src.uuid
  name               = "snap-1"
  description        = "{description}"
  retention_time     = "24h"
}}
"#
    )
}

#[test]
fn snapshot_lifecycle_with_default_project() {
    let w = workspace!();
    // No project_name anywhere: the provider's default_project is used.
    let provider =
        format!("endpoints = [\"{}\"]\n  token = \"{}\"\n  default_project = \"default\"", w.sim.url(), common::TOKEN);
    w.config_with_provider(&provider, &snapshot_hcl("nightly"));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_snapshot.s");
    assert_eq!(s["project_name"], "default");
    assert_eq!(s["retention_time"], "24h");
    assert_eq!(s["size_bytes"], 4u64 << 30);
    let uuid = s["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(w.sim_object(&uuid)["retentionTime"], "86400s");

    // The API cannot update snapshots: any change replaces.
    w.config_with_provider(&provider, &snapshot_hcl("weekly"));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let uuid2 = w.state_of("lightbits_snapshot.s")["uuid"].as_str().expect("uuid").to_string();
    assert_ne!(uuid, uuid2);

    // Out-of-band change and delete: a change of a create-only attribute means
    // replacement; a deleted snapshot is re-created.
    w.patch_object(&uuid2, json!({"description": "edited elsewhere"}));
    let p = w.plan();
    assert!(p.stdout.contains("edited elsewhere") && p.stdout.contains("must be replaced"), "{}", p.stdout);
    w.delete_object(&uuid2);
    let p = w.plan();
    assert!(p.stdout.contains("1 to add, 0 to change, 0 to destroy"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    let uuid2 = w.state_of("lightbits_snapshot.s")["uuid"].as_str().expect("uuid").to_string();

    // Import, then no changes.
    assert_eq!(w.tf(&["state", "rm", "lightbits_snapshot.s"]).code, 0);
    let r = w.tf(&["import", "-no-color", "lightbits_snapshot.s", &format!("default/{uuid2}")]);
    assert_eq!(r.code, 0, "{}", r.all());
    // retention_time reads back from "86400s" in its canonical spelling, "24h".
    w.assert_plan_empty();

    w.destroy();
    let st = w.sim_state();
    assert_eq!(st["snapshots"], 0);
    assert_eq!(st["volumes"], 0);
}

#[test]
fn missing_project_is_reported_at_plan_time() {
    let w = workspace!();
    w.config("resource \"lightbits_volume\" \"v\" {\n  name = \"x\"\n  size = \"1GiB\"\n}\n");
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Missing project_name"), "{}", r.stderr);
    assert!(r.stderr.contains("default_project"), "{}", r.stderr);
}

#[test]
fn cluster_encryption_is_adopted_and_destroy_only_forgets_it_with_a_warning() {
    let w = workspace!();
    let hcl = "resource \"lightbits_cluster_encryption\" \"e\" {\n  key_store = \"file\"\n}\n";
    w.config(hcl);
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.state_of("lightbits_cluster_encryption.e")["state"], "Enabled");
    assert_eq!(w.http("GET", "/api/v2/cluster", None).1["encryptionStatus"]["encryptionState"], "Enabled");

    // The plan of a destroy already says what will be left behind.
    let r = w.tf(&["plan", "-destroy", "-input=false", "-no-color"]);
    assert!(r.all().contains("only removes it from Terraform state"), "{}", r.all());
    assert!(r.all().contains("cannot be disabled once enabled"), "{}", r.all());
    let r = w.destroy();
    assert!(r.all().contains("cannot be disabled once enabled"), "{}", r.all());
    assert_eq!(
        w.http("GET", "/api/v2/cluster", None).1["encryptionStatus"]["encryptionState"],
        "Enabled",
        "the cluster keeps it"
    );

    // Declared again on a cluster that has it: the API's 409 means "adopt".
    w.apply();
    w.assert_plan_empty();

    // Import: the API does not report the key store, so the configured one is recorded
    // by one update that makes no API call; then the plan is empty.
    assert_eq!(w.tf(&["state", "rm", "lightbits_cluster_encryption.e"]).code, 0);
    let r = w.tf(&["import", "-no-color", "lightbits_cluster_encryption.e", "encryption"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let p = w.plan();
    assert!(p.stdout.contains("1 to change") && !p.stdout.contains("replace"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    // A different key store is something the API cannot do: refused at plan time.
    w.config("resource \"lightbits_cluster_encryption\" \"e\" {\n  key_store = \"tpm\"\n}\n");
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("The key store cannot change"), "{}", r.stderr);
}
