//! terraform-provider-lastline end to end, licences area: lastline_license, lastline_sensor,
//! lastline_appliance and their data sources, with the real Terraform CLI against the
//! simulated Accounting API (propagation delay, lost answers, envelope errors, secrets).

use serde_json::{json, Value as J};
use tfprov::simulators::lastline::Running;
use tfprov::simulators::lastline::{APPLIANCE_UUID, DISABLED_APPLIANCE_UUID, EXPIRED_KEY, HOSTED_KEY, ONPREM_KEY};
use tfprov::testkit::{lastline_workspace, Workspace};

type Lastline = Workspace<Running>;

/// The admin view's entry of one object: `object` (as the API shows it) and `hidden`.
fn entry(w: &Lastline, kind: &str, id: &str) -> J {
    let state = w.sim_state();
    let objects = state["objects"].as_array().cloned().unwrap_or_default();
    objects.into_iter().find(|o| o["kind"] == kind && o["id"] == id).unwrap_or(J::Null)
}

fn licenses_of(w: &Lastline, product: &str) -> Vec<String> {
    w.sim_objects("license")
        .into_iter()
        .filter(|l| l["product"] == product)
        .filter_map(|l| l["access_key"].as_str().map(str::to_string))
        .collect()
}

fn license_hcl(product: &str, end_date: &str, version: Option<u32>) -> String {
    let version = version.map(|v| format!("\n  api_token_version = {v}")).unwrap_or_default();
    format!(
        "resource \"lastline_license\" \"l\" {{\n  product  = \"{product}\"\n  end_date = \"{end_date}\"{version}\n}}\n"
    )
}

#[test]
fn license_lifecycle_propagation_import_rotation_drift_replace_and_forget() {
    let Some(w) = lastline_workspace() else { return };
    // Created: generate_license, then a wait for the propagation delay (2 s).
    w.config(&license_hcl("analyst-hosted", "2030-06-30", None));
    w.apply();
    let s = w.state_of("lastline_license.l");
    let key = s["access_key"].as_str().expect("access_key").to_string();
    assert_eq!(s["id"], key.as_str());
    assert_eq!(s["license_type"], "commercial");
    assert_eq!(s["deployment"], "hosted");
    assert_eq!(s["end_date"], "2030-06-30");
    assert!(s["start_date"].as_str().is_some_and(|d| d.len() == 10), "{s}");
    let token = entry(&w, "license", &key)["hidden"]["api_token"].as_str().expect("token").to_string();
    assert_eq!(s["api_token"], token.as_str(), "the token generate_license answered is kept");
    w.assert_plan_empty();

    // Import: the token is null (the API shows it only once); nothing else differs.
    w.import_again("lastline_license.l", &key);
    assert!(w.state_of("lastline_license.l")["api_token"].is_null());
    w.assert_plan_empty();

    // In place: dates and type (update_license).
    w.config(
        &license_hcl("analyst-hosted", "2031-01-31", None).replace("end_date", "license_type = \"trial\"\n  end_date"),
    );
    w.reconcile(&["update in-place", "2031-01-31", "\"trial\""]);
    let o = &entry(&w, "license", &key)["object"];
    assert_eq!((o["end_date"].as_str(), o["license_type"].as_str()), (Some("2031-01-31"), Some("trial")));

    // Rotation (reset_api_token), under TF_LOG=trace: no token in any log line.
    w.config(
        &license_hcl("analyst-hosted", "2031-01-31", Some(1))
            .replace("end_date", "license_type = \"trial\"\n  end_date"),
    );
    let r = w.tf_with_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert_eq!(r.code, 0, "{}", r.all());
    let rotated = entry(&w, "license", &key)["hidden"]["api_token"].as_str().expect("token").to_string();
    assert_ne!(rotated, token);
    let s = w.state_of("lastline_license.l");
    assert_eq!(s["api_token"], rotated.as_str());
    assert!(!r.flat().contains(&rotated) && !r.flat().contains(&token), "a token leaked into the trace log");
    let raw = w.tf(&["show", "-json"]);
    assert!(raw.stdout.contains("\"api_token\":true"), "api_token must be marked sensitive in state");
    w.assert_plan_empty();

    // Out of band: someone moves the end date; the plan shows it and puts it back.
    w.patch_object(&format!("license/{key}"), json!({"end_date": "2032-02-29"}));
    w.reconcile(&["2032-02-29", "2031-01-31"]);
    assert_eq!(entry(&w, "license", &key)["object"]["end_date"], "2031-01-31");

    // Envelope error: quoted with the method, error and error_code; state unchanged.
    w.arm_fault(json!({"kind": "api_error", "method": "POST", "path_contains": "update_license",
        "error": "Permission denied: changing a license needs special permissions", "error_code": 3001}));
    w.config(
        &license_hcl("analyst-hosted", "2033-03-31", Some(1))
            .replace("end_date", "license_type = \"trial\"\n  end_date"),
    );
    let r = w.apply_err();
    let all = r.flat();
    assert!(all.contains("accounting/license/update_license failed"), "{all}");
    assert!(all.contains("Permission denied: changing a license needs special permissions"), "{all}");
    assert!(all.contains("3001 PERMISSION_DENIED"), "{all}");
    assert_eq!(w.state_of("lastline_license.l")["end_date"], "2031-01-31");

    // Replace (product), which forgets the old licence with a warning naming it.
    let before = w.sim_count("license");
    w.config(&license_hcl("breach-detection-hosted", "2031-01-31", Some(1)));
    let p = w.plan();
    assert!(p.stdout.contains("must be replaced"), "{}", p.stdout);
    let r = w.apply();
    assert!(r.flat().contains(&key) && r.flat().contains("analyst-hosted"), "{}", r.all());
    assert_eq!(w.sim_count("license"), before + 1, "licences cannot be deleted");
    let new_key = w.id_of("lastline_license.l");
    assert_ne!(new_key, key);
    w.assert_plan_empty();

    // Destroy: the warning at plan time and at destroy names access key, product, end date.
    let p = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(p.flat().contains("only removes it from Terraform state") && p.flat().contains(&new_key), "{}", p.all());
    let d = w.destroy();
    let all = d.all();
    assert!(all.contains(&new_key) && all.contains("breach-detection-hosted") && all.contains("2031-01-31"), "{all}");
    assert!(!entry(&w, "license", &new_key).is_null(), "the licence stays on the server");
}

#[test]
fn license_with_a_lost_generate_answer_adopts_exactly_one_licence() {
    let Some(w) = lastline_workspace() else { return };
    let seeded = licenses_of(&w, "analyst-hosted");
    w.arm_fault(json!({"kind": "drop", "method": "POST", "path_contains": "generate_license"}));
    w.config(&license_hcl("analyst-hosted", "2030-06-30", None));
    let r = w.apply();
    assert!(r.flat().contains("API token is unknown"), "{}", r.all());
    let keys: Vec<String> = licenses_of(&w, "analyst-hosted").into_iter().filter(|k| !seeded.contains(k)).collect();
    assert_eq!(keys.len(), 1, "exactly one licence: {keys:?}");
    let s = w.state_of("lastline_license.l");
    assert_eq!(s["access_key"], keys[0].as_str());
    assert!(s["api_token"].is_null());
    w.assert_plan_empty();
    // Rotating gives a known token.
    w.config(&license_hcl("analyst-hosted", "2030-06-30", Some(1)));
    w.reconcile(&["update in-place"]);
    let token = entry(&w, "license", &keys[0])["hidden"]["api_token"].clone();
    assert_eq!(w.state_of("lastline_license.l")["api_token"], token);
    // A refused generate: the envelope error, quoted.
    w.config(&format!(
        "{}\nresource \"lastline_license\" \"bad\" {{\n  product = \"enterprise-on-premise\"\n}}\n",
        license_hcl("analyst-hosted", "2030-06-30", Some(1))
    ));
    let all = w.apply_err().flat();
    assert!(all.contains("accounting/license/generate_license failed"), "{all}");
    assert!(all.contains("is not a hosted product") && all.contains("error_code 3006"), "{all}");
}

fn sensor_hcl(subkey: &str, name: &str, active: Option<bool>) -> String {
    let active = active.map(|a| format!("\n  active     = {a}")).unwrap_or_default();
    format!(
        "resource \"lastline_sensor\" \"s\" {{\n  access_key = \"{HOSTED_KEY}\"\n  subkey     = \"{subkey}\"\n  name       = \"{name}\"{active}\n}}\n"
    )
}

#[test]
fn sensor_lifecycle_lost_answer_import_drift_replace_and_deactivating_destroy() {
    let Some(w) = lastline_workspace() else { return };
    let id = |subkey: &str| format!("{HOSTED_KEY}:{subkey}");
    // A lost add_sensor answer: the sensor is found by its subkey, exactly one exists.
    w.arm_fault(json!({"kind": "drop", "method": "POST", "path_contains": "add_sensor"}));
    w.config(&sensor_hcl("tf01", "Edge", None));
    w.apply();
    let sensors: Vec<J> = w.sim_objects("sensor").into_iter().filter(|s| s["subkey"] == "tf01").collect();
    assert_eq!(sensors.len(), 1, "{sensors:?}");
    let calls = &w.sim_state()["requests"]["calls"];
    assert_eq!(calls["license/add_sensor"], 1, "found by its subkey, not sent again: {calls}");
    let s = w.state_of("lastline_sensor.s");
    assert_eq!(s["id"], id("tf01").as_str());
    assert_eq!(s["active"], true);
    assert!(s["subkey_id"].as_i64().is_some() && s["access_key_id"].as_i64().is_some(), "{s}");
    assert_eq!(entry(&w, "sensor", &id("tf01"))["hidden"]["active"], true);
    w.assert_plan_empty();

    // Import assumes active = true.
    w.import_again("lastline_sensor.s", &id("tf01"));
    w.assert_plan_empty();

    // In place: name and active (update_sensor).
    w.config(&sensor_hcl("tf01", "Edge 2", Some(false)));
    w.reconcile(&["update in-place", "Edge 2"]);
    let e = entry(&w, "sensor", &id("tf01"));
    assert_eq!((e["object"]["name"].as_str(), e["hidden"]["active"].as_bool()), (Some("Edge 2"), Some(false)));

    // Out of band: a renamed sensor is shown and renamed back.
    w.patch_object(&format!("sensor/{}", id("tf01")), json!({"name": "Renamed in the portal"}));
    w.reconcile(&["Renamed in the portal", "Edge 2"]);

    // Envelope error on create: an unknown licence (6004), quoted.
    w.config(&format!(
        "{}\nresource \"lastline_sensor\" \"bad\" {{\n  access_key = \"NOSUCHKEY\"\n  subkey = \"x\"\n}}\n",
        sensor_hcl("tf01", "Edge 2", Some(false))
    ));
    let r = w.apply_err();
    let all = r.flat();
    assert!(all.contains("accounting/license/add_sensor failed"), "{all}");
    assert!(all.contains("Unknown license key: NOSUCHKEY") && all.contains("6004 UNKNOWN_LICENSE_KEY"), "{all}");

    // Replace (subkey): the old sensor is deactivated and left, with a warning.
    w.config(&sensor_hcl("tf02", "Edge 2", None));
    let p = w.plan();
    assert!(p.stdout.contains("must be replaced"), "{}", p.stdout);
    let r = w.apply();
    assert!(r.flat().contains("only removes it from Terraform state") && r.flat().contains(&id("tf01")), "{}", r.all());
    w.assert_plan_empty();

    // Destroy: deactivated, then forgotten with a warning (at plan time too).
    let p = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(p.flat().contains(&id("tf02")) && p.flat().contains("cannot delete sensors"), "{}", p.all());
    let d = w.destroy();
    assert!(d.flat().contains(&id("tf02")), "{}", d.all());
    assert_eq!(entry(&w, "sensor", &id("tf02"))["hidden"]["active"], false);
    assert!(!entry(&w, "sensor", &id("tf01")).is_null());
}

fn appliance_hcl(name: &str, uuid: &str, enabled: bool, deregister: bool) -> String {
    format!(
        "resource \"lastline_appliance\" \"{name}\" {{\n  appliance_uuid        = \"{uuid}\"\n  enabled               = {enabled}\n  deregister_on_destroy = {deregister}\n}}\n"
    )
}

fn registration(w: &Lastline, uuid: &str) -> J {
    entry(w, "appliance", uuid)["object"]["registration_state"].clone()
}

#[test]
fn appliance_states_import_drift_replace_and_both_destroys() {
    let Some(w) = lastline_workspace() else { return };
    // Not registered on the box: a clear refusal.
    w.config(&appliance_hcl("a", "a11a0000-0000-4000-8000-0000000000ff", true, false));
    let r = w.apply_err();
    assert!(r.flat().contains("register it on the appliance first"), "{}", r.all());

    // Adopted and disabled.
    w.config(&appliance_hcl("a", APPLIANCE_UUID, false, false));
    w.apply();
    assert_eq!(registration(&w, APPLIANCE_UUID), "DISABLED");
    let s = w.state_of("lastline_appliance.a");
    assert_eq!(s["access_key"], ONPREM_KEY);
    assert_eq!(s["subkey"], "sensor01");
    w.assert_plan_empty();

    // Enabled in place, then re-enabled after someone disables it.
    w.config(&appliance_hcl("a", APPLIANCE_UUID, true, false));
    w.reconcile(&["update in-place"]);
    assert_eq!(registration(&w, APPLIANCE_UUID), "REGISTERED");
    w.patch_object(&format!("appliance/{APPLIANCE_UUID}"), json!({"registration_state": "DISABLED"}));
    w.reconcile(&["enabled"]);
    assert_eq!(registration(&w, APPLIANCE_UUID), "REGISTERED");

    // Import.
    w.import_again("lastline_appliance.a", APPLIANCE_UUID);
    w.assert_plan_empty();

    // Replace (uuid): the old one is forgotten with a warning and stays registered.
    w.config(&appliance_hcl("a", DISABLED_APPLIANCE_UUID, false, true));
    let p = w.plan();
    assert!(p.stdout.contains("must be replaced"), "{}", p.stdout);
    let r = w.apply();
    assert!(r.flat().contains("stays registered") && r.flat().contains(APPLIANCE_UUID), "{}", r.all());
    assert_eq!(registration(&w, APPLIANCE_UUID), "REGISTERED");
    w.assert_plan_empty();

    // deregister_on_destroy = true: destroy deregisters (no warning).
    let d = w.destroy();
    assert!(!d.flat().contains("only removes it from Terraform state"), "{}", d.all());
    assert!(entry(&w, "appliance", DISABLED_APPLIANCE_UUID).is_null(), "deregistered");
    assert!(!entry(&w, "appliance", APPLIANCE_UUID).is_null());
}

#[test]
fn data_sources_read_licences_sensors_and_appliances() {
    let Some(w) = lastline_workspace() else { return };
    w.config(&format!(
        "data \"lastline_licenses\" \"all\" {{}}\n\
         data \"lastline_licenses\" \"valid\" {{\n  include_invalid = false\n}}\n\
         data \"lastline_sensors\" \"onprem\" {{\n  access_key = \"{ONPREM_KEY}\"\n}}\n\
         data \"lastline_appliances\" \"all\" {{}}\n"
    ));
    w.apply();
    let all = w.state_of("data.lastline_licenses.all");
    let keys: Vec<&str> =
        all["licenses"].as_array().expect("licenses").iter().filter_map(|l| l["access_key"].as_str()).collect();
    assert!(keys.contains(&HOSTED_KEY) && keys.contains(&EXPIRED_KEY), "{keys:?}");
    let hosted = all["licenses"].as_array().into_iter().flatten().find(|l| l["access_key"] == HOSTED_KEY).cloned();
    let hosted = hosted.expect("hosted licence");
    assert_eq!((hosted["deployment"].as_str(), hosted["key_valid"].as_bool()), (Some("hosted"), Some(true)));
    let valid = w.state_of("data.lastline_licenses.valid");
    assert!(valid["licenses"].as_array().expect("licenses").iter().all(|l| l["key_valid"] == true), "{valid}");
    let sensors = w.state_of("data.lastline_sensors.onprem");
    let subkeys: Vec<&str> =
        sensors["sensors"].as_array().expect("sensors").iter().filter_map(|s| s["subkey"].as_str()).collect();
    assert_eq!(subkeys, ["sensor01", "sensor02"]);
    assert_eq!(sensors["sensors"][0]["key"], format!("{ONPREM_KEY}:sensor01").as_str());
    assert!(sensors["sensors"][0]["subkey_id"].as_i64().is_some());
    let appliances = w.state_of("data.lastline_appliances.all");
    let states: Vec<(&str, &str)> = appliances["appliances"]
        .as_array()
        .expect("appliances")
        .iter()
        .filter_map(|a| Some((a["appliance_uuid"].as_str()?, a["registration_state"].as_str()?)))
        .collect();
    assert!(
        states.contains(&(APPLIANCE_UUID, "REGISTERED")) && states.contains(&(DISABLED_APPLIANCE_UUID, "DISABLED")),
        "{states:?}"
    );
    assert_eq!(appliances["id"], "appliances");
}

#[test]
fn license_slower_than_timeouts_create_is_kept_in_state_and_adopted_after_untaint() {
    let Some(w) = lastline_workspace() else { return };
    let seeded = licenses_of(&w, "analyst-hosted").len();
    let (status, body) = w.http("PUT", "/_sim/config", Some(json!({"propagation_delay_ms": 6000})));
    assert_eq!(status, 200, "{body}");
    w.config(
        "resource \"lastline_license\" \"l\" {\n  product = \"analyst-hosted\"\n  timeouts {\n    create = \"1s\"\n  }\n}\n",
    );
    let all = w.apply_err().flat();
    assert!(all.contains("was generated but has not propagated"), "{all}");
    // Kept (tainted) with its key and token: nothing is lost.
    let s = w.state_of("lastline_license.l");
    let key = s["access_key"].as_str().expect("access_key").to_string();
    assert_eq!(s["api_token"], entry(&w, "license", &key)["hidden"]["api_token"]);
    let r = w.tf(&["untaint", "lastline_license.l"]);
    assert_eq!(r.code, 0, "{}", r.all());
    std::thread::sleep(std::time::Duration::from_secs(6));
    w.apply();
    w.assert_plan_empty();
    let s = w.state_of("lastline_license.l");
    assert_eq!((s["access_key"].as_str(), s["deployment"].as_str()), (Some(key.as_str()), Some("hosted")));
    assert_eq!(licenses_of(&w, "analyst-hosted").len(), seeded + 1, "exactly one licence generated");
}
