//! The Lightbits cluster area end to end, with the real Terraform CLI against the
//! simulator: configuration parameters and feature flags (resources and data sources),
//! the rollback and root-key rotation actions and their refusals, the read-only views of
//! the seeded cluster, servers and NVMe device assignment.

mod common;

use std::time::Duration;

use serde_json::{json, Value as J};

fn invoke(w: &common::Workspace, action: &str) -> common::Run {
    w.tf(&["apply", &format!("-invoke=action.{action}"), "-auto-approve", "-no-color", "-input=false"])
}

/// The store UUID of a seeded object of `kind` (its admin noun) whose `member` is `value`.
fn sim_uuid(w: &common::Workspace, kind: &str, member: &str, value: &str) -> String {
    let objects = w.sim_objects(kind);
    objects
        .iter()
        .find(|o| o[member] == value)
        .and_then(|o| o["UUID"].as_str())
        .unwrap_or_else(|| panic!("no {kind} with {member} = {value}: {objects:?}"))
        .to_string()
}

fn config_value(w: &common::Workspace, name: &str) -> J {
    let (s, b) = w.http("GET", &format!("/api/v2/clusterConfig/{name}"), None);
    assert_eq!(s, 200, "{b}");
    b["value"].clone()
}

fn param_hcl(name: &str, value: &str) -> String {
    format!("resource \"lightbits_cluster_config_param\" \"p\" {{\n  name  = \"{name}\"\n  value = \"{value}\"\n}}\n")
}

#[test]
fn config_param_lifecycle_restores_the_original_value() {
    let w = workspace!();
    assert_eq!(config_value(&w, "AllowedNumRevives"), "3");

    w.config(&param_hcl("AllowedNumRevives", "5"));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_cluster_config_param.p");
    assert_eq!(s["id"], "AllowedNumRevives");
    assert_eq!(s["original_value"], "3", "{s}");
    assert_eq!(config_value(&w, "AllowedNumRevives"), "5");

    // In place.
    w.config(&param_hcl("AllowedNumRevives", "7"));
    w.reconcile(&["~ value", "\"5\" -> \"7\"", "1 to change"]);
    assert_eq!(config_value(&w, "AllowedNumRevives"), "7");
    assert_eq!(w.state_of("lightbits_cluster_config_param.p")["original_value"], "3");

    // Someone else changes it: shown, and put back.
    let uuid = sim_uuid(&w, "config_param", "name", "AllowedNumRevives");
    w.patch_object(&uuid, json!({"value": "9"}));
    w.reconcile(&["\"9\" -> \"7\""]);
    assert_eq!(config_value(&w, "AllowedNumRevives"), "7");

    // The cluster checks the value's form.
    w.config(&param_hcl("AllowedNumRevives", "many"));
    let r = w.apply_err();
    assert!(r.flat().contains("not a valid [int] value"), "{}", r.all());

    // Another parameter: replacement, and the first one gets its original value back.
    w.config(&param_hcl("DurationToTurnIntoPermanentFailure", "2h"));
    w.reconcile(&["forces replacement"]);
    assert_eq!(config_value(&w, "AllowedNumRevives"), "3");
    assert_eq!(config_value(&w, "DurationToTurnIntoPermanentFailure"), "2h");

    // Import by name: the value at import time becomes the original one.
    w.import_again("lightbits_cluster_config_param.p", "DurationToTurnIntoPermanentFailure");
    w.assert_plan_empty();
    assert_eq!(w.state_of("lightbits_cluster_config_param.p")["original_value"], "2h");

    // An unknown parameter never reaches the API.
    w.config(&param_hcl("NoSuchParameter", "1"));
    let p = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(p.code, 0);
    assert!(p.flat().contains("EnableTrim"), "{}", p.all());

    // Destroy restores the original value (here, the one found at import).
    w.config(&param_hcl("DurationToTurnIntoPermanentFailure", "45m"));
    w.apply();
    assert_eq!(config_value(&w, "DurationToTurnIntoPermanentFailure"), "45m");
    w.destroy();
    assert_eq!(config_value(&w, "DurationToTurnIntoPermanentFailure"), "2h");

    // The data source lists every parameter.
    w.config("data \"lightbits_cluster_config\" \"all\" {}\n");
    w.apply();
    let d = w.state_of("data.lightbits_cluster_config.all");
    let params = d["parameters"].as_array().cloned().unwrap_or_default();
    assert_eq!(params.len(), 11, "{d}");
    assert!(params.iter().any(|p| p["name"] == "EnableTrim" && p["value"] == "true"), "{d}");
}

fn flag_hcl(name: &str, enabled: bool) -> String {
    format!("resource \"lightbits_feature_flag\" \"f\" {{\n  name    = \"{name}\"\n  enabled = {enabled}\n}}\n")
}

fn flag_enabled(w: &common::Workspace, name: &str) -> J {
    let (s, b) = w.http("GET", &format!("/api/v2/featureFlags/{name}"), None);
    assert_eq!(s, 200, "{b}");
    b["enabled"].clone()
}

#[test]
fn feature_flag_lifecycle_and_refused_disable() {
    let w = workspace!();
    assert_eq!(flag_enabled(&w, "proactive-rebalance"), false);
    w.config(&flag_hcl("proactive-rebalance", true));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(flag_enabled(&w, "proactive-rebalance"), true);
    assert_eq!(w.id_of("lightbits_feature_flag.f"), "proactive-rebalance");

    // In place, through the disable endpoint.
    w.config(&flag_hcl("proactive-rebalance", false));
    w.reconcile(&["~ enabled", "1 to change"]);
    assert_eq!(flag_enabled(&w, "proactive-rebalance"), false);

    // Out of band: shown and reverted.
    let uuid = sim_uuid(&w, "feature_flag", "name", "proactive-rebalance");
    w.patch_object(&uuid, json!({"enabled": true}));
    w.reconcile(&["true -> false"]);
    assert_eq!(flag_enabled(&w, "proactive-rebalance"), false);

    // Import, then another flag: replacement.
    w.import_again("lightbits_feature_flag.f", "proactive-rebalance");
    w.assert_plan_empty();
    w.config(&flag_hcl("evict-data", true));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement"), "{}", p.stdout);
    w.apply();
    w.assert_plan_empty();
    assert_eq!(flag_enabled(&w, "evict-data"), true);

    // Destroy leaves the flag as it is, with the warning.
    let d = w.destroy();
    assert!(d.flat().contains("keeps its current setting"), "{}", d.all());
    assert_eq!(flag_enabled(&w, "evict-data"), true);

    // A flag the cluster cannot disable once enabled: the 501 is named for what it is.
    assert_eq!(flag_enabled(&w, "fail-in-place"), false);
    w.config(&flag_hcl("fail-in-place", true));
    w.apply();
    w.config(&flag_hcl("fail-in-place", false));
    let r = w.apply_err();
    assert!(r.flat().contains("Not supported by the API"), "{}", r.all());
    assert!(r.flat().contains("Unimplemented capability"), "{}", r.all());
    assert_eq!(flag_enabled(&w, "fail-in-place"), true);

    // The data source lists every flag.
    w.config("data \"lightbits_feature_flags\" \"all\" {}\n");
    w.apply();
    let d = w.state_of("data.lightbits_feature_flags.all");
    let flags = d["feature_flags"].as_array().cloned().unwrap_or_default();
    assert_eq!(flags.len(), 5, "{d}");
    assert!(flags.iter().any(|f| f["name"] == "evict-data" && f["enabled"] == true), "{d}");
}

/// A one-replica volume made through the API, once it is available.
fn available_volume(w: &common::Workspace, name: &str) -> String {
    let (s, v) = w.http(
        "POST",
        "/api/v2/projects/default/volumes",
        Some(json!({"name": name, "size": "1 GiB", "replicaCount": 1, "acl": {"values": ["ALLOW_ANY"]}})),
    );
    assert_eq!(s, 200, "{v}");
    std::thread::sleep(Duration::from_millis(400));
    v["UUID"].as_str().expect("volume UUID").to_string()
}

fn volume_and_snapshot(w: &common::Workspace) -> (String, String) {
    let volume = available_volume(w, "rb");
    let (s, snap) = w.http(
        "POST",
        "/api/v2/projects/default/snapshots",
        Some(json!({"name": "rb-snap", "sourceVolumeUUID": volume})),
    );
    assert_eq!(s, 200, "{snap}");
    let snapshot = snap["UUID"].as_str().expect("snapshot UUID").to_string();
    std::thread::sleep(Duration::from_millis(400));
    (volume, snapshot)
}

#[test]
fn rollback_and_root_key_actions() {
    let w = workspace!();
    let (volume, snapshot) = volume_and_snapshot(&w);
    let other = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    w.config(&format!(
        "action \"lightbits_volume_rollback\" \"ok\" {{\n  config {{\n    volume_uuid   = \"{volume}\"\n    snapshot_uuid = \"{snapshot}\"\n  }}\n}}\n\
         action \"lightbits_volume_rollback\" \"missing\" {{\n  config {{\n    volume_uuid   = \"{volume}\"\n    snapshot_uuid = \"{other}\"\n  }}\n}}\n\
         action \"lightbits_cluster_root_key_rotation\" \"rotate\" {{}}\n"
    ));
    // Declaring actions plans nothing.
    w.assert_plan_empty();

    let r = invoke(&w, "lightbits_volume_rollback.ok");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.flat().contains("rolled back to snapshot"), "{}", r.all());
    let (_, v) = w.http("GET", &format!("/api/v2/projects/default/volumes/{volume}"), None);
    assert_eq!(v["state"], "Available", "the action waits for the rollback: {v}");

    let r = invoke(&w, "lightbits_volume_rollback.missing");
    assert_ne!(r.code, 0);
    assert!(r.flat().contains("No such volume or snapshot"), "{}", r.all());
    assert!(r.flat().contains("Volume or snapshot UUID not found"), "{}", r.all());

    // A snapshot of another volume, and a volume being deleted: the cluster's refusals.
    let other_volume = available_volume(&w, "rb-other");
    w.config(&format!(
        "action \"lightbits_volume_rollback\" \"foreign\" {{\n  config {{\n    volume_uuid   = \"{other_volume}\"\n    snapshot_uuid = \"{snapshot}\"\n  }}\n}}\n"
    ));
    let r = invoke(&w, "lightbits_volume_rollback.foreign");
    assert_ne!(r.code, 0);
    assert!(r.flat().contains("not a snapshot of this volume"), "{}", r.all());
    w.patch_object(&other_volume, json!({"state": "Deleting"}));
    let r = invoke(&w, "lightbits_volume_rollback.foreign");
    assert_ne!(r.code, 0);
    assert!(r.flat().contains("Volume is deleting"), "{}", r.all());
    w.config("action \"lightbits_cluster_root_key_rotation\" \"rotate\" {}\n");

    // Rotation needs encryption.
    let r = invoke(&w, "lightbits_cluster_root_key_rotation.rotate");
    assert_ne!(r.code, 0);
    assert!(r.flat().contains("The root key cannot be rotated now"), "{}", r.all());
    let (s, b) = w.http("POST", "/api/v2/cluster/encryption/enable", Some(json!({})));
    assert_eq!(s, 200, "{b}");
    std::thread::sleep(Duration::from_millis(300));

    let r = invoke(&w, "lightbits_cluster_root_key_rotation.rotate");
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.flat().contains("Cluster root key rotated"), "{}", r.all());
    // Long enough for the rotation to finish, well within the minimum interval.
    std::thread::sleep(Duration::from_millis(300));
    let r = invoke(&w, "lightbits_cluster_root_key_rotation.rotate");
    assert_ne!(r.code, 0);
    assert!(r.flat().contains("Too soon for another root key rotation"), "{}", r.all());

    // The exported key: sensitive, of the latest generation (1, then one rotation).
    let (s, b) = w.http("PUT", "/_sim/rootKey", Some(json!({"min_interval_ms": 0})));
    assert_eq!(s, 200, "{b}");
    w.config("data \"lightbits_cluster_root_key\" \"k\" {\n  user_public_key = \"-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----\"\n}\noutput \"generation\" {\n  value = data.lightbits_cluster_root_key.k.encrypting_key_generation\n}\n");
    w.apply();
    let k = w.state_of("data.lightbits_cluster_root_key.k");
    assert_eq!(k["encrypting_key_generation"], "2", "{k}");
    assert!(k["encrypted_key"].as_str().is_some_and(|s| !s.is_empty()), "{k}");
    let shown = w.tf(&["show", "-no-color"]);
    assert!(shown.stdout.contains("(sensitive value)"), "{}", shown.stdout);
}

#[test]
fn rotation_in_progress_is_named() {
    let w = match common::Workspace::with_transition_delay(Duration::from_secs(3)) {
        Some(w) => w,
        None => return,
    };
    let (s, b) = w.http("POST", "/api/v2/cluster/encryption/enable", Some(json!({})));
    assert_eq!(s, 200, "{b}");
    std::thread::sleep(Duration::from_millis(3200));
    w.config("action \"lightbits_cluster_root_key_rotation\" \"rotate\" {}\n");
    let r = invoke(&w, "lightbits_cluster_root_key_rotation.rotate");
    assert_eq!(r.code, 0, "{}", r.all());
    let r = invoke(&w, "lightbits_cluster_root_key_rotation.rotate");
    assert_ne!(r.code, 0);
    assert!(r.flat().contains("A root key rotation is already in progress"), "{}", r.all());
}

#[test]
fn read_only_views_of_the_seeded_cluster() {
    let w = workspace!();
    let (volume, _) = volume_and_snapshot(&w);
    // Seeds the cluster.
    let (_, servers) = w.http("GET", "/api/v2/servers", None);
    let server0 = servers["servers"][0]["UUID"].as_str().expect("seeded server").to_string();
    let (s, b) = w.http(
        "POST",
        "/_sim/connectedHosts",
        Some(json!({"hostNQN": "nqn.2014-08.org.nvmexpress:uuid:host-1", "iPAddress": "10.1.0.5", "hostname": "db-1", "volumeUUIDs": [volume]})),
    );
    assert_eq!(s, 200, "{b}");
    w.http("POST", "/_sim/connectedHosts", Some(json!({"hostNQN": "nqn.2014-08.org.nvmexpress:uuid:host-2"})));
    w.config(&format!(
        r#"
data "lightbits_cluster_info" "c" {{}}
data "lightbits_version" "v" {{}}
data "lightbits_node" "n" {{
  name = "server01-0"
}}
data "lightbits_node" "by_uuid" {{
  uuid = data.lightbits_node.n.uuid
}}
data "lightbits_nodes" "all" {{}}
data "lightbits_nodes" "fd" {{
  failure_domain = "server02"
}}
data "lightbits_nvme_device" "d" {{
  serial = "S0D1NVME0001"
}}
data "lightbits_nvme_devices" "all" {{}}
data "lightbits_nvme_devices" "on_server0" {{
  server_uuid = "{server0}"
}}
data "lightbits_server" "s" {{
  name = "server02"
}}
data "lightbits_servers" "all" {{}}
data "lightbits_events" "all" {{
  page_size = 2
}}
data "lightbits_events" "high" {{
  severity = ["High", "Critical"]
}}
data "lightbits_events" "recent" {{
  since = "2026-01-01T00:00:03.000Z"
}}
data "lightbits_connected_hosts" "all" {{}}
data "lightbits_connected_hosts" "on_volume" {{
  volume_uuid = "{volume}"
}}
"#
    ));
    w.apply();
    let c = w.state_of("data.lightbits_cluster_info.c");
    assert!(c["subsystem_nqn"].as_str().is_some_and(|s| s.starts_with("nqn.")), "{c}");
    assert_eq!(c["nvme_endpoints"][0], "127.0.0.1:4420", "{c}");
    assert_eq!(c["encryption_state"], "Disabled", "{c}");
    assert_eq!(c["id"], c["uuid"]);
    assert_eq!(w.state_of("data.lightbits_version.v")["api_version"], "v2");

    let n = w.state_of("data.lightbits_node.n");
    assert_eq!(n["state"], "Active", "{n}");
    assert_eq!(n["failure_domains"][0], "server01", "{n}");
    assert_eq!(n["num_managed_devices"], 2, "{n}");
    assert_eq!(w.state_of("data.lightbits_node.by_uuid")["name"], "server01-0");
    assert_eq!(w.state_of("data.lightbits_nodes.all")["nodes"].as_array().map(Vec::len), Some(3));
    let fd = w.state_of("data.lightbits_nodes.fd");
    assert_eq!(fd["nodes"].as_array().map(Vec::len), Some(1), "{fd}");
    assert_eq!(fd["nodes"][0]["name"], "server02-0");

    let d = w.state_of("data.lightbits_nvme_device.d");
    assert_eq!(d["state"], "Healthy", "{d}");
    assert_eq!(d["size"], 3840755982336u64, "{d}");
    assert_eq!(d["server_uuid"], server0.as_str());
    assert_eq!(w.state_of("data.lightbits_nvme_devices.all")["nvme_devices"].as_array().map(Vec::len), Some(7));
    assert_eq!(w.state_of("data.lightbits_nvme_devices.on_server0")["nvme_devices"].as_array().map(Vec::len), Some(2));

    let s = w.state_of("data.lightbits_server.s");
    assert_eq!(s["state"], "Enabled", "{s}");
    assert_eq!(s["server_endpoints"][0], "http://10.0.0.12:2380", "{s}");
    assert_eq!(w.state_of("data.lightbits_servers.all")["servers"].as_array().map(Vec::len), Some(3));

    // Five events, read two at a time through nextToken.
    let all = w.state_of("data.lightbits_events.all");
    let events = all["events"].as_array().cloned().unwrap_or_default();
    assert_eq!(events.len(), 5, "{all}");
    assert_eq!(events[0]["event_name"], "ClusterCreated");
    assert_eq!(events[4]["event_name"], "VolumeDegraded");
    let high = w.state_of("data.lightbits_events.high");
    assert_eq!(high["events"].as_array().map(Vec::len), Some(1), "{high}");
    assert_eq!(high["events"][0]["severity"], "High");
    assert_eq!(w.state_of("data.lightbits_events.recent")["events"].as_array().map(Vec::len), Some(2));

    let hosts = w.state_of("data.lightbits_connected_hosts.all");
    assert_eq!(hosts["connected_hosts"].as_array().map(Vec::len), Some(2), "{hosts}");
    let on = w.state_of("data.lightbits_connected_hosts.on_volume");
    assert_eq!(on["connected_hosts"].as_array().map(Vec::len), Some(1), "{on}");
    assert_eq!(on["connected_hosts"][0]["hostname"], "db-1");

    // Refusals: two event filters at once (refused before any request), an unknown node.
    w.config("data \"lightbits_events\" \"both\" {\n  project_name = \"default\"\n  severity = [\"High\"]\n}\n");
    let p = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(p.code, 0, "{}", p.all());
    w.config("data \"lightbits_node\" \"none\" {\n  name = \"server09-0\"\n}\n");
    let p = w.tf(&["plan", "-no-color", "-input=false"]);
    assert_ne!(p.code, 0);
    assert!(p.flat().contains("No node"), "{}", p.all());
}

#[test]
fn server_lifecycle() {
    let w = workspace!();
    let uuid = "6f1c9a52-3b6e-4c59-9d0b-2a8c4a0e7b11";
    let hcl = |enabled: bool, endpoint: &str| {
        format!(
            "resource \"lightbits_server\" \"s\" {{\n  uuid             = \"{uuid}\"\n  server_endpoints = [\"{endpoint}\"]\n  extend_cluster   = true\n  enabled          = {enabled}\n}}\n"
        )
    };
    w.config(&hcl(true, "http://10.0.0.20:2380"));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_server.s");
    assert_eq!(s["state"], "Enabled", "{s}");
    assert_eq!(s["name"], "server03", "{s}");
    let node = s["nodes_uuids"][0].as_str().expect("node").to_string();
    let (_, n) = w.http("GET", &format!("/api/v2/nodes/{node}"), None);
    assert_eq!(n["state"], "Active", "extend_cluster brings nodes up Active: {n}");

    // Disable in place: the nodes go Inactive.
    w.config(&hcl(false, "http://10.0.0.20:2380"));
    w.reconcile(&["~ enabled", "1 to change"]);
    let (_, n) = w.http("GET", &format!("/api/v2/nodes/{node}"), None);
    assert_eq!(n["state"], "Inactive", "{n}");

    // Out of band enabled again: shown and reverted.
    w.http("POST", &format!("/api/v2/servers/{uuid}/enable"), Some(json!({})));
    std::thread::sleep(Duration::from_millis(300));
    w.reconcile(&["true -> false"]);

    // Import by UUID. `extend_cluster` is create-only and never reported: the plan after
    // import records it from the configuration, without any request.
    w.import_again("lightbits_server.s", uuid);
    let etag = w.state_of("lightbits_server.s")["etag"].clone();
    w.reconcile(&["+ extend_cluster"]);
    assert_eq!(w.state_of("lightbits_server.s")["etag"], etag, "nothing was sent");

    // Another endpoint replaces the server; a taken endpoint is refused.
    w.config(&hcl(false, "http://10.0.0.21:2380"));
    w.reconcile(&["forces replacement"]);
    w.config(&format!(
        "{}resource \"lightbits_server\" \"dup\" {{\n  uuid             = \"7a2d0b63-4c7f-4d6a-8e1c-3b9d5b1f8c22\"\n  server_endpoints = [\"http://10.0.0.10:2380\"]\n}}\n",
        hcl(false, "http://10.0.0.21:2380")
    ));
    let r = w.apply_err();
    assert!(r.flat().contains("already exists"), "{}", r.all());

    // Deleted out of band: planned again.
    w.config(&hcl(false, "http://10.0.0.21:2380"));
    w.delete_object(uuid);
    w.reconcile(&["1 to add"]);

    w.destroy();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(w.http("GET", &format!("/api/v2/servers/{uuid}"), None).0, 404);
}

#[test]
fn nvme_device_assignment_is_forgotten_on_destroy() {
    let w = workspace!();
    let (_, nodes) = w.http("GET", "/api/v2/nodes?name=server02-0", None);
    let node = nodes["nodes"][0]["UUID"].as_str().expect("node").to_string();
    let (_, nodes) = w.http("GET", "/api/v2/nodes?name=server00-0", None);
    let other_node = nodes["nodes"][0]["UUID"].as_str().expect("node").to_string();
    let serial = "S2D2NVME0022";
    let hcl = |node: &str| {
        format!("resource \"lightbits_nvme_device_assignment\" \"a\" {{\n  serial_number = \"{serial}\"\n  node_uuid     = \"{node}\"\n}}\n")
    };

    // A node on another server is refused, with the cluster's reason.
    w.config(&hcl(&other_node));
    let r = w.apply_err();
    assert!(r.flat().contains("not on the device's server"), "{}", r.all());

    w.config(&hcl(&node));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lightbits_nvme_device_assignment.a");
    assert_eq!(s["state"], "Healthy", "{s}");
    assert_eq!(s["id"], serial);

    w.import_again("lightbits_nvme_device_assignment.a", serial);
    w.assert_plan_empty();

    // Someone else's change of the managing node is shown as a replacement.
    let uuid = sim_uuid(&w, "nvme_device", "serial", serial);
    w.patch_object(&uuid, json!({"nodeUUID": other_node}));
    let p = w.plan();
    assert!(p.stdout.contains("forces replacement"), "{}", p.stdout);
    w.patch_object(&uuid, json!({"nodeUUID": node}));
    w.assert_plan_empty();
    // Released elsewhere (unmanaged again): planned and added back.
    w.patch_object(&uuid, json!({"nodeUUID": "", "state": "None", "deviceUsage": "UnManaged"}));
    w.reconcile(&["lightbits_nvme_device_assignment.a"]);
    let (_, dev) = w.http("GET", &format!("/api/v2/nvmeDevices/{serial}"), None);
    assert_eq!(dev["nodeUUID"], node.as_str(), "{dev}");

    // Destroy forgets it, says so (at plan time too), and the device stays managed.
    let p = w.tf(&["plan", "-destroy", "-no-color", "-input=false"]);
    assert!(p.flat().contains("cannot detach a device"), "{}", p.all());
    let d = w.destroy();
    assert!(d.flat().contains("stays managed by node"), "{}", d.all());
    let (_, dev) = w.http("GET", &format!("/api/v2/nvmeDevices/{serial}"), None);
    assert_eq!(dev["nodeUUID"], node.as_str(), "{dev}");
}
