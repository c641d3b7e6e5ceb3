//! terraform-provider-lightrun end to end, access area: group members, watched packages,
//! just-in-time access grants and the data sources over pools, users, groups and grants.
//! Real Terraform, real provider, simulated Lightrun server.

use serde_json::json;
use tfprov::simulators::lightrun::{self, SimConfig};
use tfprov::testkit::{interface_differences, terraform, Workspace};

fn lightrun_workspace() -> Option<Workspace<lightrun::Running>> {
    Some(Workspace::around(terraform()?, lightrun::spawn(SimConfig::default()).expect("simulator")))
}

fn members(w: &Workspace<lightrun::Running>) -> Vec<serde_json::Value> {
    w.sim_state()["members"].as_array().cloned().unwrap_or_default()
}

const USERS_AND_GROUP: &str = r#"
resource "lightrun_user" "alice" {
  email      = "alice@example.com"
  first_name = "Alice"
  last_name  = "Liddell"
}
resource "lightrun_user" "bob" {
  email      = "bob@example.com"
  first_name = "Bob"
  last_name  = "Builder"
}
resource "lightrun_group" "oncall" {
  name  = "oncall"
  roles = ["STANDARD"]
}
"#;

#[test]
fn group_member_update_replace_import_drift_bulk_failure_and_destroy() {
    let Some(w) = lightrun_workspace() else { return };
    let member = |who: &str, admin: bool, roles: &str| {
        format!(
            "{USERS_AND_GROUP}\nresource \"lightrun_group_member\" \"m\" {{\n  group_id       = lightrun_group.oncall.id\n  email          = lightrun_user.{who}.email\n  group_admin    = {admin}\n  elevated_roles = [{roles}]\n}}\n"
        )
    };
    w.config(&member("alice", false, ""));
    w.apply();
    w.assert_plan_empty();
    let group = w.id_of("lightrun_group.oncall");
    let id = w.id_of("lightrun_group_member.m");
    assert_eq!(id, format!("{group}/alice@example.com"));
    assert_eq!(w.state_of("lightrun_group_member.m")["effective_roles"], json!(["STANDARD"]));

    // In place: admin flag and elevated roles through PUT .../members/{email}.
    w.config(&member("alice", true, "\"PRIVILEGED\""));
    w.reconcile(&["~ update in-place", "group_admin"]);
    let m = members(&w);
    let alice = m.iter().find(|m| m["email"] == "alice@example.com").expect("alice is a member");
    assert_eq!((alice["groupAdmin"].as_bool(), &alice["elevatedRoles"]), (Some(true), &json!(["PRIVILEGED"])));

    // Another email replaces the membership: alice leaves, bob joins.
    w.config(&member("bob", true, "\"PRIVILEGED\""));
    w.reconcile(&["must be replaced"]);
    let emails: Vec<String> = members(&w)
        .iter()
        .filter(|m| m["groupId"] == group.as_str())
        .map(|m| m["email"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(emails, ["bob@example.com"]);

    let id = format!("{group}/bob@example.com");
    w.import_again("lightrun_group_member.m", &id);
    w.assert_plan_empty();
    let bad = w.tf(&["import", "-no-color", "lightrun_group_member.x", "bob@example.com"]);
    assert_ne!(bad.code, 0);

    // Out of band: the admin flag dropped in the portal, then the member removed.
    w.patch_object(&id, json!({"groupAdmin": false}));
    w.reconcile(&["group_admin", "1 to change"]);
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);

    // A 207 answer: the failure item's message is the error, and nothing is kept.
    w.config(&format!(
        "{}\nresource \"lightrun_group_member\" \"ghost\" {{\n  group_id = lightrun_group.oncall.id\n  email    = \"ghost@example.com\"\n}}\n",
        member("bob", true, "\"PRIVILEGED\"")
    ));
    let r = w.apply_err();
    assert!(r.all().contains("User ghost@example.com not found") && r.all().contains("404"), "{}", r.all());
    let r = w.tf(&["state", "list"]);
    assert!(!r.stdout.contains("ghost"), "{}", r.stdout);

    w.config(&member("bob", true, "\"PRIVILEGED\""));
    w.destroy();
    assert!(members(&w).iter().all(|m| m["groupId"] != group.as_str()), "{:?}", members(&w));
}

#[test]
fn watched_package_update_replace_import_drift_and_destroy() {
    let Some(w) = lightrun_workspace() else { return };
    let before = w.sim_count("watched_package");
    let pkg = |version: &str, classes: &str, webhook: &str| {
        format!(
            "resource \"lightrun_watched_package\" \"slf4j\" {{\n  package_name = \"org.slf4j:slf4j-api\"\n  version      = \"{version}\"\n  classes      = [{classes}]\n{webhook}}}\n"
        )
    };
    w.config(&pkg("2.0.9", "\"org.slf4j.Logger\"", ""));
    w.apply();
    w.assert_plan_empty();
    let id = w.id_of("lightrun_watched_package.slf4j");
    assert_eq!(w.sim_object(&id)["classes"], json!(["org.slf4j.Logger"]));

    w.config(&pkg("2.0.13", "", ""));
    w.reconcile(&["~ update in-place", "2.0.13"]);
    assert_eq!((w.sim_object(&id)["version"].as_str(), &w.sim_object(&id)["classes"]), (Some("2.0.13"), &json!([])));

    w.import_again("lightrun_watched_package.slf4j", &id);
    w.assert_plan_empty();
    w.patch_object(&id, json!({"classes": ["org.slf4j.LoggerFactory"]}));
    w.reconcile(&["org.slf4j.LoggerFactory"]);
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);

    // The webhook is sent on create only: changing it replaces the package.
    w.config(&pkg("2.0.13", "", "  notification_webhook_id = \"hook-1\"\n"));
    w.reconcile(&["must be replaced"]);
    let id = w.id_of("lightrun_watched_package.slf4j");
    assert_eq!(w.sim_count("watched_package"), before + 1);
    assert!(w.sim_state()["objects"].to_string().contains("hook-1"), "the webhook reached the API");
    let _ = id;

    w.destroy();
    assert_eq!(w.sim_count("watched_package"), before);
}

fn rfc3339_in(secs: i64, offset_hours: i8) -> String {
    let offset = time::UtcOffset::from_hms(offset_hours, 0, 0).expect("offset");
    let at = (time::OffsetDateTime::now_utc() + time::Duration::seconds(secs)).to_offset(offset);
    at.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    ))
    .expect("format")
}

const GRANT_BASE: &str = r#"
resource "lightrun_user" "alice" {
  email      = "alice@example.com"
  first_name = "Alice"
  last_name  = "Liddell"
}
resource "lightrun_agent_pool" "prod" {
  name = "prod"
}
"#;

fn grant(expires: &str, incident: &str) -> String {
    format!(
        "{GRANT_BASE}\nresource \"lightrun_jit_access_grant\" \"incident\" {{\n  name            = \"inc-{incident}\"\n  user_emails     = [lightrun_user.alice.email]\n  agent_pool_ids  = [lightrun_agent_pool.prod.id]\n  roles           = [\"PRIVILEGED\"]\n  expiration_date = \"{expires}\"\n  incident_id     = \"{incident}\"\n}}\n"
    )
}

#[test]
fn jit_access_grant_instant_replace_import_revoke_and_destroy() {
    let Some(w) = lightrun_workspace() else { return };
    // An offset of +01:00; the API answers the same instant in UTC: no diff.
    let expires = rfc3339_in(30 * 86_400, 1);
    w.config(&grant(&expires, "00001358"));
    w.apply();
    w.assert_plan_empty();
    let state = w.state_of("lightrun_jit_access_grant.incident");
    assert_eq!((state["expiration_date"].as_str(), state["expired"].as_bool()), (Some(expires.as_str()), Some(false)));
    let id = w.id_of("lightrun_jit_access_grant.incident");
    assert!(w.sim_object(&id)["expirationDate"].as_str().is_some_and(|d| d.ends_with('Z')));

    // No update in the API: any change replaces the grant.
    w.config(&grant(&expires, "00001359"));
    w.reconcile(&["must be replaced"]);
    assert_eq!(w.sim_count("temp_access"), 1);
    let id = w.id_of("lightrun_jit_access_grant.incident");

    // Import reads the date in UTC: the plan respells it (no request), then nothing.
    w.import_again("lightrun_jit_access_grant.incident", &id);
    w.reconcile(&["expiration_date", "1 to change"]);
    assert_eq!(w.id_of("lightrun_jit_access_grant.incident"), id);

    // Revoked out of band before its expiration date: gone, created again.
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);

    // A date in the past is refused at plan time, naming the attribute.
    w.config(&grant(&rfc3339_in(-3600, 0), "00001360"));
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.all().contains("expiration_date"), "{}", r.all());

    w.config(&grant(&expires, "00001359"));
    w.destroy();
    assert_eq!(w.sim_count("temp_access"), 0);
}

#[test]
fn jit_access_grant_expired_is_kept_not_recreated() {
    let Some(w) = lightrun_workspace() else { return };
    let expires = rfc3339_in(20, 2);
    w.config(&grant(&expires, "00002000"));
    w.apply();
    let until = time::OffsetDateTime::now_utc() + time::Duration::seconds(22);
    while time::OffsetDateTime::now_utc() < until {
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    // The API lists it no more; its date has passed: kept with expired = true.
    w.assert_plan_empty();
    w.tf(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(w.state_of("lightrun_jit_access_grant.incident")["expired"], json!(true));
    w.assert_plan_empty();
    w.destroy();
}

#[test]
fn data_sources_find_and_report_not_found() {
    let Some(w) = lightrun_workspace() else { return };
    let base = r#"
resource "lightrun_user" "alice" {
  email      = "alice@example.com"
  first_name = "Alice"
  last_name  = "Liddell"
}
resource "lightrun_agent_pool" "prod" {
  name        = "prod"
  description = "production"
}
resource "lightrun_group" "oncall" {
  name           = "oncall"
  roles          = ["STANDARD"]
  agent_pool_ids = [lightrun_agent_pool.prod.id]
}
resource "lightrun_group_member" "alice" {
  group_id    = lightrun_group.oncall.id
  email       = lightrun_user.alice.email
  group_admin = true
}
resource "lightrun_jit_access_grant" "g" {
  name            = "inc-1"
  user_emails     = [lightrun_user.alice.email]
  agent_pool_ids  = [lightrun_agent_pool.prod.id]
  roles           = ["STANDARD"]
  expiration_date = "2099-12-31T23:59:59+01:00"
}
"#;
    let data = r#"
data "lightrun_agent_pool" "by_name" { name = "prod" }
data "lightrun_agent_pool" "by_id" { id = lightrun_agent_pool.prod.id }
data "lightrun_user" "alice" {
  email      = "Alice@Example.com"
  depends_on = [lightrun_group_member.alice]
}
data "lightrun_users" "ali" { search = "ali" }
data "lightrun_users" "all" {
  depends_on = [lightrun_user.alice]
}
data "lightrun_group" "by_name" {
  name       = "oncall"
  depends_on = [lightrun_group_member.alice]
}
data "lightrun_group" "by_id" { id = lightrun_group.oncall.id }
data "lightrun_jit_access_grants" "all" {
  depends_on = [lightrun_jit_access_grant.g]
}
"#;
    w.config(base);
    w.apply();
    w.config(&format!("{base}{data}"));
    w.apply();
    w.assert_plan_empty();
    let pool = w.id_of("lightrun_agent_pool.prod");
    let by_name = w.state_of("data.lightrun_agent_pool.by_name");
    assert_eq!((by_name["id"].as_str(), by_name["description"].as_str()), (Some(pool.as_str()), Some("production")));
    assert_eq!(by_name["agents_enabled"], true);
    assert_eq!(w.state_of("data.lightrun_agent_pool.by_id")["name"], "prod");

    let user = w.state_of("data.lightrun_user.alice");
    assert_eq!((user["first_name"].as_str(), user["id"].as_str()), (Some("Alice"), Some("Alice@Example.com")));
    let group = w.id_of("lightrun_group.oncall");
    assert_eq!(user["group_memberships"], json!([{"group_admin": true, "group_id": group}]));
    assert_eq!(user["agent_pool_permissions"][0]["agent_pool_id"], pool.as_str());

    let ali = w.state_of("data.lightrun_users.ali");
    assert_eq!(ali["id"], "search=ali");
    let emails: Vec<&str> = ali["users"].as_array().unwrap().iter().filter_map(|u| u["email"].as_str()).collect();
    assert_eq!(emails, ["alice@example.com"]);
    let all = w.state_of("data.lightrun_users.all");
    assert_eq!(all["id"], "all");
    assert!(all["users"].as_array().unwrap().len() >= 2, "{all}");

    let g = w.state_of("data.lightrun_group.by_name");
    assert_eq!((g["id"].as_str(), g["member_count"].as_i64()), (Some(group.as_str()), Some(1)));
    assert_eq!(g["members"][0]["email"], "alice@example.com");
    assert_eq!(g["members"][0]["group_admin"], true);
    assert_eq!(w.state_of("data.lightrun_group.by_id")["name"], "oncall");

    let grants = w.state_of("data.lightrun_jit_access_grants.all");
    assert_eq!(grants["grants"].as_array().map(Vec::len), Some(1), "{grants}");
    assert_eq!(grants["grants"][0]["name"], "inc-1");

    for missing in [
        "data \"lightrun_agent_pool\" \"x\" { name = \"pro\" }",
        "data \"lightrun_user\" \"x\" { email = \"nobody@example.com\" }",
        "data \"lightrun_group\" \"x\" { name = \"nope\" }",
        "data \"lightrun_group\" \"x\" { id = \"00000000-0000-4000-8000-000000000000\" }",
    ] {
        w.config(&format!("{base}{missing}"));
        let r = w.tf(&["plan", "-no-color"]);
        assert!(r.code != 0 && r.all().contains("No "), "{missing}:\n{}", r.all());
    }
    w.config(&format!("{base}data \"lightrun_agent_pool\" \"x\" {{\n  id   = \"a\"\n  name = \"b\"\n}}\n"));
    let r = w.tf(&["plan", "-no-color"]);
    assert_ne!(r.code, 0, "id and name together:\n{}", r.all());
    w.config(base);
    w.destroy();
}

/// The types built here match ../shared/interfaces/lightrun.md point by point.
#[test]
fn schema_matches_the_interface_copy_for_the_access_types() {
    let Some(w) = lightrun_workspace() else { return };
    w.config("");
    let r = w.tf(&["providers", "schema", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let schema: serde_json::Value = serde_json::from_str(&r.stdout).expect("schema json");
    let provider = &schema["provider_schemas"]["registry.terraform.io/tfprov/lightrun"];
    let copy: serde_json::Value =
        serde_json::from_str(include_str!("interfaces/lightrun.json")).expect("interface copy");
    let mut errors = Vec::new();
    for name in ["lightrun_group_member", "lightrun_watched_package", "lightrun_jit_access_grant"] {
        let built = &provider["resource_schemas"][name]["block"];
        assert!(!built.is_null(), "{name} not served");
        errors.extend(interface_differences(name, &copy["resources"][name], built));
    }
    let data = provider["data_source_schemas"].as_object().cloned().unwrap_or_default();
    assert!(data.len() >= 5, "{data:?}");
    for (name, built) in &data {
        if copy["data_sources"][name].is_null() {
            errors.push(format!("data source {name}: not in the interface"));
        }
        errors.extend(interface_differences(name, &copy["data_sources"][name], &built["block"]));
    }
    assert!(errors.is_empty(), "schema differs from ../shared/interfaces/lightrun.md:\n{}", errors.join("\n"));
}

/// Lost create answers end with exactly one object (found by its natural key), and a 403
/// on read is an error that keeps the state, never "gone".
#[test]
fn lost_create_answers_are_adopted_and_403_is_not_gone() {
    let Some(w) = lightrun_workspace() else { return };
    let body = format!(
        "{USERS_AND_GROUP}
resource \"lightrun_agent_pool\" \"prod\" {{
  name = \"prod\"
}}
resource \"lightrun_group_member\" \"m\" {{
  group_id = lightrun_group.oncall.id
  email    = lightrun_user.alice.email
}}
resource \"lightrun_watched_package\" \"p\" {{
  package_name = \"org.slf4j:slf4j-api\"
  version      = \"2.0.9\"
}}
resource \"lightrun_jit_access_grant\" \"g\" {{
  user_emails     = [lightrun_user.alice.email]
  agent_pool_ids  = [lightrun_agent_pool.prod.id]
  roles           = [\"STANDARD\"]
  expiration_date = \"2099-01-01T00:00:00Z\"
}}
"
    );
    w.config(&body);
    for path in ["/members", "/watched-packages", "/temp-access"] {
        w.arm_fault(json!({"method": "POST", "path_contains": path, "kind": "drop"}));
    }
    w.apply();
    w.assert_plan_empty();
    assert_eq!((w.sim_count("watched_package"), w.sim_count("temp_access")), (1, 1));
    assert_eq!(members(&w).iter().filter(|m| m["email"] == "alice@example.com").count(), 1);
    let name = w.state_of("lightrun_jit_access_grant.g")["name"].as_str().unwrap_or_default().to_string();
    assert!(name.starts_with("Temp-Access-"), "an unnamed grant is named in the server's template: {name}");

    w.arm_fault(json!({"method": "GET", "path_contains": "/temp-access", "kind": "status", "status": 403, "message": "Access is denied"}));
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.all().contains("403"), "{}", r.all());
    assert!(!w.state_of("lightrun_jit_access_grant.g")["id"].is_null());
    w.destroy();
    assert_eq!((w.sim_count("watched_package"), w.sim_count("temp_access")), (0, 0));
}
