//! terraform-provider-lightrun end to end: real Terraform, real provider, simulated
//! Lightrun server.

use serde_json::json;
use tfprov::simulators::lightrun::{self, SimConfig};
use tfprov::testkit::{interface_differences, terraform, Workspace};

fn lightrun_workspace() -> Option<Workspace<lightrun::Running>> {
    Some(Workspace::around(terraform()?, lightrun::spawn(SimConfig::default()).expect("simulator")))
}

#[test]
fn agent_pool_update_toggle_import_drift_and_destroy() {
    let Some(w) = lightrun_workspace() else { return };
    let pools_before = w.sim_count("agent_pool");
    let pool = |description: &str, enabled: bool| {
        format!("resource \"lightrun_agent_pool\" \"prod\" {{\n  name           = \"prod\"\n  description    = \"{description}\"\n  agents_enabled = {enabled}\n}}\n")
    };
    w.config(&pool("production agents", true));
    w.apply();
    w.assert_plan_empty();
    let id = w.id_of("lightrun_agent_pool.prod");
    assert_eq!(w.sim_object(&id)["agentsEnabled"], true);

    // In place: the description by PUT, agents_enabled through its own endpoint.
    w.config(&pool("production, detached", false));
    w.reconcile(&["~ update in-place", "agents_enabled"]);
    let object = w.sim_object(&id);
    assert_eq!(
        (object["description"].as_str(), object["agentsEnabled"].as_bool()),
        (Some("production, detached"), Some(false))
    );

    w.import_again("lightrun_agent_pool.prod", &id);
    w.assert_plan_empty();
    w.patch_object(&id, json!({"description": "edited in the portal"}));
    w.reconcile(&["edited in the portal"]);
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);

    w.destroy();
    assert_eq!(w.sim_count("agent_pool"), pools_before);
}

#[test]
fn user_and_group_update_replace_import_and_destroy() {
    let Some(w) = lightrun_workspace() else { return };
    let hcl = |last: &str, enabled: bool, email: &str, roles: &str| {
        format!(
            "resource \"lightrun_user\" \"alice\" {{\n  email      = \"{email}\"\n  first_name = \"Alice\"\n  last_name  = \"{last}\"\n  enabled    = {enabled}\n}}\n\
             resource \"lightrun_agent_pool\" \"prod\" {{\n  name = \"prod\"\n}}\n\
             resource \"lightrun_group\" \"oncall\" {{\n  name           = \"oncall\"\n  roles          = [{roles}]\n  agent_pool_ids = [lightrun_agent_pool.prod.id]\n}}\n"
        )
    };
    let (users_before, groups_before) = (w.sim_count("user"), w.sim_count("group"));
    w.config(&hcl("Liddell", true, "alice@example.com", "\"STANDARD\""));
    w.apply();
    w.assert_plan_empty();
    let user = w.state_of("lightrun_user.alice");
    assert_eq!(user["id"], "alice@example.com");
    assert_eq!(user["roles"], json!(["DEVELOPER"]), "the server's default role is kept");
    let group = w.id_of("lightrun_group.oncall");

    // In place: a name, disabling the user, the group's roles.
    w.config(&hcl("Pleasance", false, "alice@example.com", "\"STANDARD\", \"PRIVILEGED\""));
    w.reconcile(&["2 to change"]);
    let user = w.sim_object("alice@example.com");
    assert_eq!((user["lastName"].as_str(), user["enabled"].as_bool()), (Some("Pleasance"), Some(false)));

    // An email in other letters is the same user: Terraform shows the new spelling, the
    // apply keeps the user; a new email replaces it.
    w.config(&hcl("Pleasance", false, "Alice@Example.com", "\"STANDARD\", \"PRIVILEGED\""));
    w.reconcile(&["\"Alice@Example.com\"", "1 to change"]);
    assert_eq!(w.sim_count("user"), users_before + 1);
    w.config(&hcl("Pleasance", false, "alice@example.org", "\"STANDARD\", \"PRIVILEGED\""));
    w.reconcile(&["must be replaced"]);

    w.import_again("lightrun_user.alice", "alice@example.org");
    w.import_again("lightrun_group.oncall", &group);
    w.assert_plan_empty();
    w.patch_object(&group, json!({"roles": ["STANDARD"]}));
    w.reconcile(&["PRIVILEGED"]);

    w.destroy();
    assert_eq!((w.sim_count("user"), w.sim_count("group")), (users_before, groups_before));
}

/// Every resource, data source and action of ../shared/interfaces/lightrun.md is served,
/// point by point (the JSON copy is generated from the interface's tables).
#[test]
fn schema_matches_the_interface_copy() {
    let Some(w) = lightrun_workspace() else { return };
    w.config("");
    let r = w.tf(&["providers", "schema", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let schema: serde_json::Value = serde_json::from_str(&r.stdout).expect("schema json");
    let provider = &schema["provider_schemas"]["registry.terraform.io/tfprov/lightrun"];
    let copy: serde_json::Value =
        serde_json::from_str(include_str!("interfaces/lightrun.json")).expect("interface copy");
    let mut errors = interface_differences("provider", &copy["provider"], &provider["provider"]["block"]);
    for (kind, key) in
        [("resources", "resource_schemas"), ("data_sources", "data_source_schemas"), ("actions", "action_schemas")]
    {
        for (name, attrs) in copy[kind].as_object().into_iter().flatten() {
            errors.extend(interface_differences(name, attrs, &provider[key][name]["block"]));
        }
        for name in provider[key].as_object().into_iter().flatten().map(|(name, _)| name) {
            if copy[kind][name].is_null() {
                errors.push(format!("{name}: not in the interface"));
            }
        }
    }
    assert!(errors.is_empty(), "schema differs from ../shared/interfaces/lightrun.md:\n{}", errors.join("\n"));
}

/// The provider's API key is never in a TF_LOG=trace log or the state.
#[test]
fn the_api_key_never_reaches_logs_or_state() {
    let Some(w) = lightrun_workspace() else { return };
    let key = w.sim.sim.config.lock().map(|c| c.api_key.clone()).expect("config");
    w.config("resource \"lightrun_agent_pool\" \"p\" {\n  name = \"traced\"\n}\n");
    let r = w.tf_with_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("provider.terraform-provider-lightrun"), "the trace log shows the provider's lines");
    assert!(!r.all().contains(&key), "the API key is in the log");
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
    assert!(!state.contains(&key), "the API key is in the state");
}
