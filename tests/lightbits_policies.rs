//! lightbits_qos_policy and lightbits_resource_policy end to end, with their data sources.

mod common;

use serde_json::json;

fn qos_hcl(name: &str, description: &str, limits: &str, scope: &str) -> String {
    format!(
        r#"
resource "lightbits_qos_policy" "q" {{
  name        = "{name}"
  description = "{description}"
  {scope}
  {limits}
}}
"#
    )
}

const IOPS: &str = "limit_iops {\n    write_iops_limit = 1024\n    read_iops_limit  = 2048\n  }";
const BW: &str = "limit_bw {\n    read_bw_limit = 300\n  }";
const GLOBAL: &str = "policy_visibility = \"Global\"";
const SCOPED: &str = "policy_visibility = \"Scoped\"\n  projects_names_scope = [\"default\"]";

#[test]
fn qos_policy_lifecycle_and_data_sources() {
    let w = workspace!();
    w.config(&qos_hcl("gold", "fast", IOPS, GLOBAL));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_qos_policy.q");
    let uuid = s["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(s["id"], uuid.as_str());
    assert_eq!(s["state"], "Active");
    let o = w.sim_object(&uuid);
    assert_eq!(o["QoSRateLimitPolicy"]["limitIOPS"], json!({"writeIOPSLimit": "1024", "readIOPSLimit": "2048"}), "{o}");
    assert_eq!(o["QoSRateLimitPolicy"]["policyVisibility"], "Global");

    // In place: description, visibility and scope, and another kind of limit (the
    // unset write limit is 0, unlimited).
    w.config(&qos_hcl("gold", "faster", BW, SCOPED));
    w.reconcile(&["1 to change"]);
    let o = w.sim_object(&uuid);
    assert_eq!(o["description"], "faster");
    assert_eq!(o["QoSRateLimitPolicy"]["limitBw"], json!({"writeBWLimit": "0", "readBWLimit": "300"}), "{o}");
    assert!(o["QoSRateLimitPolicy"].get("limitIOPS").is_none(), "{o}");
    assert_eq!(o["QoSRateLimitPolicy"]["projectsNamesScope"], json!(["default"]));
    assert_eq!(w.state_of("lightbits_qos_policy.q")["uuid"], uuid.as_str());

    // The name cannot change in place.
    w.config(&qos_hcl("platinum", "faster", BW, SCOPED));
    w.reconcile(&["forces replacement", "1 to add, 0 to change, 1 to destroy"]);
    let uuid = w.state_of("lightbits_qos_policy.q")["uuid"].as_str().expect("uuid").to_string();

    // Import by UUID, then no changes.
    w.import_again("lightbits_qos_policy.q", &uuid);
    w.assert_plan_empty();

    // Out-of-band change shown and reverted; out-of-band delete re-created.
    w.patch_object(&uuid, json!({"description": "edited elsewhere"}));
    w.reconcile(&["edited elsewhere", "1 to change"]);
    assert_eq!(w.sim_object(&uuid)["description"], "faster");
    w.delete_object(&uuid);
    w.reconcile(&["1 to add, 0 to change, 0 to destroy"]);

    // Data sources: one by name, and the list of what a project may use.
    w.config(&format!(
        "{}{}",
        qos_hcl("platinum", "faster", BW, SCOPED),
        r#"
resource "lightbits_qos_policy" "other" {
  name = "hidden"
  limit_iops_per_gb {
    read_iops_per_gb_limit = 10
  }
}
data "lightbits_qos_policy" "by_name" {
  name       = lightbits_qos_policy.q.name
}
data "lightbits_qos_policies" "for_default" {
  project_name = "default"
  depends_on   = [lightbits_qos_policy.q, lightbits_qos_policy.other]
}
data "lightbits_qos_policies" "all" {
  depends_on = [lightbits_qos_policy.q, lightbits_qos_policy.other]
}
output "by_name" { value = data.lightbits_qos_policy.by_name }
output "for_default" { value = [for p in data.lightbits_qos_policies.for_default.policies : p.name] }
output "all" { value = [for p in data.lightbits_qos_policies.all.policies : p.name] }
"#
    ));
    w.apply();
    w.assert_plan_empty();
    let out = w.tf(&["output", "-json"]);
    let out: serde_json::Value = serde_json::from_str(&out.stdout).expect("outputs");
    let by_name = &out["by_name"]["value"];
    assert_eq!(by_name["uuid"], w.state_of("lightbits_qos_policy.q")["uuid"]);
    assert_eq!(by_name["limit_bw"]["read_bw_limit"], 300);
    assert_eq!(by_name["policy_visibility"], "Scoped");
    assert_eq!(out["for_default"]["value"], json!(["platinum"]));
    let mut all = out["all"]["value"].as_array().cloned().unwrap_or_default();
    all.sort_by_key(|v| v.to_string());
    assert_eq!(all, vec![json!("hidden"), json!("platinum")]);

    w.destroy();
    assert_eq!(w.sim_state()["counts"]["qos_policy"], 0);
}

#[test]
fn qos_policy_refusals() {
    let w = workspace!();
    // Exactly one kind of limit, checked before anything is sent.
    w.config(&qos_hcl("two", "x", &format!("{IOPS}\n  {BW}"), GLOBAL));
    let r = w.tf(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("limit_iops") && r.stderr.contains("limit_bw"), "{}", r.stderr);
    w.config(&qos_hcl("none", "x", "", GLOBAL));
    let r = w.tf(&["validate", "-no-color"]);
    assert_ne!(r.code, 0, "{}", r.all());
    // A scope naming a project that does not exist: the API's 404, named.
    w.config(&qos_hcl("scoped", "x", IOPS, "policy_visibility = \"Scoped\"\n  projects_names_scope = [\"nope\"]"));
    let r = w.apply_err();
    assert!(r.stderr.contains("One of the given projects was not found"), "{}", r.stderr);
    // A name taken by a different policy: 409, not adopted.
    let (s, _) = w.http(
        "POST",
        "/api/v2/policies",
        Some(json!({"name": "taken", "qoSRateLimitPolicy": {"limitBw": {"readBWLimit": 5}}})),
    );
    assert_eq!(s, 200);
    w.config(&qos_hcl("taken", "x", IOPS, GLOBAL));
    let r = w.apply_err();
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(w.sim_state()["counts"]["qos_policy"], 1);
}

const VOLUME: &str = r#"
resource "lightbits_volume" "v" {
  project_name = "default"
  name         = "scheduled"
  size         = "2GiB"
}
"#;

fn schedule_hcl(name: &str, schedule: &str, retention: &str) -> String {
    format!(
        r#"{VOLUME}
resource "lightbits_resource_policy" "r" {{
  project_name   = "default"
  name           = "{name}"
  resource_name  = lightbits_volume.v.name
  description    = "snapshots"
  retention_time = "{retention}"
  {schedule}
}}
"#
    )
}

const HOURLY: &str = "hourly {\n    start_time     = \"2026-01-01T03:00:00+01:00\"\n    hours_in_cycle = 4\n  }";
const WEEKLY: &str = "weekly {\n    days {\n      day        = \"Monday\"\n      start_time = \"2026-01-05T02:00:00Z\"\n    }\n    days {\n      day        = \"Friday\"\n      start_time = \"2026-01-09T22:30:00Z\"\n    }\n  }";

#[test]
fn resource_policy_lifecycle_and_data_source() {
    let w = workspace!();
    // The API keeps times in UTC; the configuration's offset spelling stays in state.
    w.config(&schedule_hcl("every-4h", HOURLY, "24h"));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_resource_policy.r");
    let uuid = s["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(s["id"], format!("default/{uuid}"));
    assert_eq!(s["state"], "Active");
    assert_eq!(s["resource_uuid"], w.state_of("lightbits_volume.v")["uuid"]);
    let o = w.sim_object(&uuid);
    assert_eq!(
        o["schedulePolicy"],
        json!({"snapshotSchedulePolicy": {"hourlySchedule": {"startTime": "2026-01-01T02:00:00Z", "hoursInCycle": "4"}}, "retentionTime": "86400s"}),
        "{o}"
    );

    // In place: another schedule and retention.
    w.config(&schedule_hcl("every-4h", WEEKLY, "168h"));
    w.reconcile(&["1 to change"]);
    let o = w.sim_object(&uuid);
    assert_eq!(o["schedulePolicy"]["retentionTime"], "604800s");
    let days = &o["schedulePolicy"]["snapshotSchedulePolicy"]["weeklySchedule"]["daysOfWeek"];
    assert_eq!(days[0], json!({"day": "Monday", "startTime": "2026-01-05T02:00:00Z"}), "{o}");
    assert!(o["schedulePolicy"]["snapshotSchedulePolicy"].get("hourlySchedule").is_none(), "{o}");

    // The name cannot change in place.
    w.config(&schedule_hcl("weekly", WEEKLY, "168h"));
    w.reconcile(&["forces replacement"]);
    let uuid = w.state_of("lightbits_resource_policy.r")["uuid"].as_str().expect("uuid").to_string();

    // Import, then no changes.
    w.import_again("lightbits_resource_policy.r", &format!("default/{uuid}"));
    w.assert_plan_empty();

    // Out-of-band change shown and reverted; out-of-band delete re-created.
    w.patch_object(&uuid, json!({"schedulePolicy": {"snapshotSchedulePolicy": {"dailySchedule": {"startTime": "2026-01-01T00:00:00Z", "daysInCycle": "1"}}}}));
    w.reconcile(&["daily", "1 to change"]);
    w.delete_object(&uuid);
    w.reconcile(&["1 to add, 0 to change, 0 to destroy"]);

    // The list of a volume's policies.
    w.config(&format!(
        "{}{}",
        schedule_hcl("weekly", WEEKLY, "168h"),
        r#"
data "lightbits_resource_policies" "of_volume" {
  project_name = "default"
  volume_uuid  = lightbits_volume.v.uuid
  depends_on   = [lightbits_resource_policy.r]
}
output "names" { value = [for p in data.lightbits_resource_policies.of_volume.resource_policies : p.name] }
output "days" { value = data.lightbits_resource_policies.of_volume.resource_policies[0].weekly.days[*].day }
"#
    ));
    w.apply();
    w.assert_plan_empty();
    let out: serde_json::Value = serde_json::from_str(&w.tf(&["output", "-json"]).stdout).expect("outputs");
    assert_eq!(out["names"]["value"], json!(["weekly"]));
    assert_eq!(out["days"]["value"], json!(["Monday", "Friday"]));

    w.destroy();
    let st = w.sim_state();
    assert_eq!(st["counts"]["resource_policy"], 0);
    assert_eq!(st["volumes"], 0);
}

#[test]
fn resource_policy_refusals() {
    let w = workspace!();
    // Exactly one schedule, and exactly one way to name the volume.
    w.config(&schedule_hcl("x", &format!("{HOURLY}\n  {WEEKLY}"), "24h"));
    let r = w.tf(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("hourly") && r.stderr.contains("weekly"), "{}", r.stderr);
    // A volume that does not exist: the API's 404, named, and nothing created.
    w.config(&format!(
        "resource \"lightbits_resource_policy\" \"r\" {{\n  project_name = \"default\"\n  name = \"orphan\"\n  resource_name = \"no-such-volume\"\n  {HOURLY}\n}}\n"
    ));
    let r = w.apply_err();
    assert!(r.stderr.contains("with a given resource UUID"), "{}", r.stderr);
    assert_eq!(w.sim_state()["counts"]["resource_policy"], 0);
}

#[test]
fn volumes_name_policies_and_snapshots_and_lists_read_them() {
    let w = workspace!();
    let hcl = |qos: &str| {
        format!(
            r#"
resource "lightbits_qos_policy" "silver" {{
  name              = "silver"
  policy_visibility = "Global"
  limit_bw {{
    read_bw_limit = 100
  }}
}}
resource "lightbits_qos_policy" "bronze" {{
  name              = "bronze"
  policy_visibility = "Global"
  limit_bw {{
    read_bw_limit = 10
  }}
}}
resource "lightbits_project" "team" {{
  name = "team-q"
  default_policies = [{{ policy_type = "qosRateLimit", policy_uuid = lightbits_qos_policy.bronze.uuid }}]
}}
resource "lightbits_volume" "v" {{
  project_name    = "default"
  name            = "with-qos"
  size            = "1GiB"
  qos_policy_name = lightbits_qos_policy.{qos}.name
}}
resource "lightbits_snapshot" "s" {{
  project_name       = "default"
  source_volume_uuid = lightbits_volume.v.uuid
  name               = "snap-q"
}}
resource "lightbits_volume" "clone" {{
  project_name         = "default"
  name                 = "clone"
  size                 = "1GiB"
  source_snapshot_name = lightbits_snapshot.s.name
}}
data "lightbits_snapshot" "by_name" {{
  project_name = "default"
  name         = lightbits_snapshot.s.name
}}
data "lightbits_snapshots" "all" {{
  project_name = "default"
  depends_on   = [lightbits_snapshot.s]
}}
data "lightbits_projects" "all" {{
  depends_on = [lightbits_project.team]
}}
output "snapshot" {{ value = data.lightbits_snapshot.by_name }}
output "snapshots" {{ value = [for s in data.lightbits_snapshots.all.snapshots : s.uuid] }}
output "projects" {{ value = {{ for p in data.lightbits_projects.all.projects : p.name => p.default_policies }} }}
"#
        )
    };
    w.config(&hcl("silver"));
    w.apply();
    w.assert_plan_empty();
    let silver = w.state_of("lightbits_qos_policy.silver")["uuid"].clone();
    let bronze = w.state_of("lightbits_qos_policy.bronze")["uuid"].clone();
    let v = w.state_of("lightbits_volume.v");
    assert_eq!(v["qos_policy_uuid"], silver);
    assert!(v["creation_time"].as_str().is_some_and(|t| t.contains('T')), "{v}");
    let nodes = v["node_list"].as_array().cloned().unwrap_or_default();
    assert_eq!(nodes.len(), v["replica_count"].as_u64().unwrap_or(0) as usize, "{v}");
    assert_eq!(v["primary_node_uuid"], nodes[0]);
    assert_eq!(v["connected_hosts"], json!([]));
    // A host connects: the refresh reads it, and nothing is planned for it.
    let nqn = "nqn.2014-08.org.nvmexpress:uuid:host-1";
    let (s, b) = w.http("POST", "/_sim/connectedHosts", Some(json!({"hostNQN": nqn, "volumeUUIDs": [v["uuid"]]})));
    assert_eq!(s, 200, "{b}");
    w.assert_plan_empty();
    w.tf(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(w.state_of("lightbits_volume.v")["connected_hosts"], json!([nqn]));
    let snap = w.state_of("lightbits_snapshot.s")["uuid"].clone();
    assert_eq!(w.state_of("lightbits_volume.clone")["source_snapshot_uuid"], snap);

    // Another policy by name: in place, and the UUID follows.
    w.config(&hcl("bronze"));
    w.reconcile(&["1 to change"]);
    assert_eq!(w.state_of("lightbits_volume.v")["qos_policy_uuid"], bronze);
    let vol = w.state_of("lightbits_volume.v")["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(w.sim_object(&vol)["qosPolicyName"], "bronze");

    // Import reads both spellings of the references back: no changes.
    w.import_again(
        "lightbits_volume.clone",
        &format!("default/{}", w.state_of("lightbits_volume.clone")["uuid"].as_str().expect("uuid")),
    );
    w.assert_plan_empty();

    let out: serde_json::Value = serde_json::from_str(&w.tf(&["output", "-json"]).stdout).expect("outputs");
    assert_eq!(out["snapshot"]["value"]["uuid"], snap);
    assert_eq!(out["snapshot"]["value"]["source_volume_uuid"], vol.as_str());
    assert_eq!(out["snapshots"]["value"], json!([snap]));
    assert_eq!(out["projects"]["value"]["team-q"][0]["policy_uuid"], bronze);
    assert!(out["projects"]["value"].get("default").is_some(), "{out}");

    // A policy name that does not exist: the API's refusal, named.
    w.config(&hcl("silver").replace("lightbits_qos_policy.silver.name", "\"no-such-policy\""));
    let r = w.apply_err();
    assert!(r.stderr.contains("QoS policy is not found"), "{}", r.stderr);

    w.config("");
    w.destroy();
    let st = w.sim_state();
    assert_eq!(st["volumes"], 0);
    assert_eq!(st["counts"]["qos_policy"], 0);
}

#[test]
fn lost_create_answers_end_with_exactly_one_policy() {
    let w = workspace!();
    // Both creates are committed, then their answers are lost: the provider finds each
    // policy by name and adopts it.
    w.arm_fault(json!({"method": "POST", "path_contains": "/api/v2/policies", "kind": "drop"}));
    w.arm_fault(
        json!({"method": "POST", "path_contains": "/resourcePolicies", "kind": "error_after_commit", "status": 500}),
    );
    w.config(&format!("{}{}", qos_hcl("once", "x", IOPS, GLOBAL), schedule_hcl("once", HOURLY, "24h")));
    w.apply();
    w.assert_plan_empty();
    let counts = w.sim_state()["counts"].clone();
    assert_eq!(counts["qos_policy"], 1, "{counts}");
    assert_eq!(counts["resource_policy"], 1, "{counts}");
    assert_eq!(w.state_of("lightbits_resource_policy.r")["state"], "Active");
}
