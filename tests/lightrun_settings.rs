//! terraform-provider-lightrun end to end, settings and keys: the singletons (SMTP, IdM
//! authentication and provisioning, licence) and system API keys, with a real Terraform
//! CLI against the simulated server.

use serde_json::{json, Value as J};
use tfprov::simulators::lightrun::{self, SimConfig, COMPANY_ID};
use tfprov::testkit::{terraform, Workspace};

fn lightrun_workspace() -> Option<Workspace<lightrun::Running>> {
    Some(Workspace::around(terraform()?, lightrun::spawn(SimConfig::default()).expect("simulator")))
}

/// A setting as the simulator holds it (unmasked).
fn setting(w: &Workspace<lightrun::Running>, name: &str) -> J {
    w.sim_state()["settings"][name].clone()
}

/// A plan that Terraform refuses, with the words it must say.
fn assert_plan_refused(w: &Workspace<lightrun::Running>, words: &[&str]) {
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0, "plan should fail:\n{}", r.all());
    for word in words {
        assert!(r.all().contains(word), "expected {word:?}:\n{}", r.all());
    }
}

#[test]
fn smtp_custom_server_secret_forms_import_drift_and_reset() {
    let Some(w) = lightrun_workspace() else { return };
    let smtp = |port: &str, secret: &str, version: u32| {
        format!(
            "resource \"lightrun_smtp_configuration\" \"this\" {{\n  type                             = \"CUSTOM\"\n  server_host                      = \"smtp.example.com\"\n  from_email_address               = \"lightrun@example.com\"\n  {port}\n  authentication_type              = \"PASSWORD\"\n  authentication_id                = \"mailer\"\n  authentication_secret_wo         = \"{secret}\"\n  authentication_secret_wo_version = {version}\n}}\n"
        )
    };
    // Refused at plan time: custom settings without CUSTOM, and both forms of the secret.
    w.config("resource \"lightrun_smtp_configuration\" \"this\" {\n  type        = \"DEFAULT\"\n  server_host = \"smtp.example.com\"\n}\n");
    assert_plan_refused(&w, &["server_host needs type = \"CUSTOM\""]);
    w.config("resource \"lightrun_smtp_configuration\" \"this\" {\n  type = \"CUSTOM\"\n  server_host = \"h\"\n  from_email_address = \"a@b.c\"\n  authentication_type = \"PASSWORD\"\n  authentication_id = \"u\"\n  authentication_secret = \"x\"\n  authentication_secret_wo = \"y\"\n}\n");
    assert_plan_refused(&w, &["authentication_secret"]);

    // Create takes over the DEFAULT configuration; unset custom values plan the API's defaults.
    w.config(&smtp("", "first-secret", 1));
    let plan = w.plan();
    assert!(plan.stdout.contains("+ server_port") && plan.stdout.contains("= 587"), "{}", plan.stdout);
    let out = w.apply();
    assert!(!out.all().contains("first-secret"), "the secret is shown:\n{}", out.all());
    w.assert_plan_empty();
    let held = setting(&w, "smtp");
    assert_eq!((held["type"].as_str(), held["serverPort"].as_i64()), (Some("CUSTOM"), Some(587)));
    assert_eq!(held["authenticationSecret"], "first-secret");
    let state = w.state_of("lightrun_smtp_configuration.this");
    assert!(state["authentication_secret_wo"].is_null(), "write-only values never reach state: {state}");
    assert_eq!(state["id"], "smtp");

    // In place: the port; a new secret only with a new version.
    w.config(&smtp("server_port = 2525", "second-secret", 1));
    w.reconcile(&["~ update in-place", "2525"]);
    assert_eq!(setting(&w, "smtp")["serverPort"], 2525);
    w.config(&smtp("server_port = 2525", "third-secret", 2));
    w.reconcile(&["authentication_secret_wo_version"]);
    assert_eq!(setting(&w, "smtp")["authenticationSecret"], "third-secret");

    // Import: any ID; the version is unknown after import, so the secret is sent again.
    w.import_again("lightrun_smtp_configuration.this", "anything");
    w.reconcile(&["authentication_secret_wo_version"]);

    // Out of band: an edit, and a reset to DEFAULT, are shown and undone.
    w.patch_object("smtp", json!({"serverHost": "rogue.example.com"}));
    w.reconcile(&["rogue.example.com"]);
    w.delete_object("smtp");
    w.reconcile(&["\"DEFAULT\" -> \"CUSTOM\""]);
    assert_eq!(setting(&w, "smtp")["serverHost"], "smtp.example.com");

    // The state-kept form of the secret (sensitive), then no mail at all: custom values
    // become null.
    w.config("resource \"lightrun_smtp_configuration\" \"this\" {\n  type = \"CUSTOM\"\n  server_host = \"smtp.example.com\"\n  from_email_address = \"lightrun@example.com\"\n  authentication_type = \"APIKEY\"\n  authentication_id = \"key-name\"\n  authentication_secret = \"plain-secret\"\n}\n");
    w.reconcile(&["authentication_secret"]);
    assert_eq!(setting(&w, "smtp")["authenticationSecret"], "plain-secret");
    assert_eq!(setting(&w, "smtp")["serverPort"], 587, "unset again: the default");
    w.config("resource \"lightrun_smtp_configuration\" \"this\" {\n  type = \"DISABLED\"\n}\n");
    w.reconcile(&["\"CUSTOM\" -> \"DISABLED\""]);
    assert!(w.state_of("lightrun_smtp_configuration.this")["server_host"].is_null());

    // Destroy resets to Lightrun's own mail service.
    w.destroy();
    assert_eq!(setting(&w, "smtp"), json!({"type": "DEFAULT"}));
}

#[test]
fn idm_authentication_protocols_import_drift_and_destroy_keeps_the_method() {
    let Some(w) = lightrun_workspace() else { return };
    let auth = |method: &str, protocol: Option<&str>| {
        let protocol = protocol.map(|p| format!("  sso_protocol = \"{p}\"\n")).unwrap_or_default();
        format!("resource \"lightrun_idm_authentication\" \"this\" {{\n  login_method = \"{method}\"\n{protocol}}}\n")
    };
    w.config(&auth("SSO", None));
    assert_plan_refused(&w, &["Missing sso_protocol"]);
    w.config(&auth("GOOGLE", Some("SAML")));
    assert_plan_refused(&w, &["sso_protocol needs login_method"]);

    w.config(&auth("SSO", Some("SAML")));
    w.apply();
    w.assert_plan_empty();
    let state = w.state_of("lightrun_idm_authentication.this");
    assert!(state["sso_redirect_url"].as_str().is_some_and(|u| u.starts_with("https://")), "{state}");
    assert!(state["saml_entity_id"].is_string() && state["oidc_client_id"].is_null(), "{state}");

    // In place: the other protocol; the SAML details go, the OIDC ones come.
    w.config(&auth("SSO", Some("OIDC")));
    w.reconcile(&["~ update in-place", "\"SAML\" -> \"OIDC\""]);
    let state = w.state_of("lightrun_idm_authentication.this");
    assert!(state["saml_entity_id"].is_null() && state["sso_redirect_url"].is_string(), "{state}");
    assert_eq!(setting(&w, "idm_authentication")["protocol"], "OIDC");

    w.import_again("lightrun_idm_authentication.this", "idm_authentication");
    w.assert_plan_empty();
    // The portal sets the IdP's details: read, never a change to plan.
    w.patch_object("idm_authentication", json!({"clientId": "portal-client"}));
    w.assert_plan_empty();
    w.tf(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(w.state_of("lightrun_idm_authentication.this")["oidc_client_id"], "portal-client");
    w.patch_object("idm_authentication", json!({"loginMethod": "PASSWORD"}));
    w.reconcile(&["\"PASSWORD\" -> \"SSO\""]);

    // Destroy forgets, with the warning, and leaves SSO on (no lock-out).
    w.config(&auth("SSO", Some("OIDC")));
    let plan = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(plan.all().contains("only removes it from Terraform state"), "{}", plan.all());
    let out = w.destroy();
    assert!(out.all().contains("is not reset to PASSWORD"), "{}", out.all());
    assert_eq!(setting(&w, "idm_authentication")["loginMethod"], "SSO");
}

#[test]
fn idm_provisioning_scim_credentials_import_drift_and_reset() {
    let Some(w) = lightrun_workspace() else { return };
    let provisioning = |scim: bool, domains: &str| {
        format!(
            "resource \"lightrun_idm_provisioning\" \"this\" {{\n  jit_provisioning_enabled          = true\n  self_registration_enabled         = true\n  self_registration_allowed_domains = [{domains}]\n  scim_enabled                      = {scim}\n  scim_sync_groups                  = {scim}\n}}\n"
        )
    };
    w.config(&provisioning(true, "\"example.com\", \"example.org\""));
    w.apply();
    w.assert_plan_empty();
    let state = w.state_of("lightrun_idm_provisioning.this");
    assert!(state["scim_endpoint_url"].is_string() && state["scim_oauth_client_secret"].is_string(), "{state}");
    assert_eq!(state["scim_create_existing_users"], true, "the default is planned");
    let shown = w.tf(&["show", "-no-color"]).stdout;
    assert!(!shown.contains(state["scim_oauth_client_secret"].as_str().unwrap_or("?")), "the client secret is shown");

    // In place: SCIM off drops the server's credentials; a domain fewer.
    w.config(&provisioning(false, "\"example.com\""));
    w.reconcile(&["~ update in-place", "example.org"]);
    let state = w.state_of("lightrun_idm_provisioning.this");
    assert!(state["scim_endpoint_url"].is_null() && state["scim_oauth_client_id"].is_null(), "{state}");

    w.import_again("lightrun_idm_provisioning.this", "idm_provisioning");
    w.assert_plan_empty();
    w.patch_object("idm_provisioning", json!({"jitProvisionEnabled": false}));
    w.reconcile(&["jit_provisioning_enabled"]);
    w.delete_object("idm_provisioning");
    w.reconcile(&["self_registration_enabled"]);

    w.destroy();
    let held = setting(&w, "idm_provisioning");
    assert_eq!(
        (held["jitProvisionEnabled"].as_bool(), held["selfRegistrationEnabled"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(held["selfRegistrationAllowedDomains"], json!([]));
}

fn license_hcl(issued: &str, signature: &str) -> String {
    format!(
        "locals {{\n  license = base64encode(jsonencode({{ company = \"{COMPANY_ID}\", seats = 100, issuedAt = \"{issued}\" }}))\n}}\n\
         resource \"lightrun_license\" \"this\" {{\n  license           = local.license\n  license_signature = {signature}\n}}\n"
    )
}

#[test]
fn license_install_update_refusals_import_drift_and_forget() {
    let Some(w) = lightrun_workspace() else { return };
    let seeded = setting(&w, "license");
    // The simulator's signature rule: md5 of the licence text.
    w.config(&license_hcl("2026-06-01", "\"not-the-signature\""));
    let err = w.apply_err();
    assert!(err.all().contains("Invalid license content or signature"), "{}", err.all());
    assert_eq!(setting(&w, "license"), seeded, "nothing installed");

    w.config(&license_hcl("2026-06-01", "md5(local.license)"));
    w.apply();
    w.assert_plan_empty();
    let installed = setting(&w, "license");
    assert_ne!(installed, seeded);
    assert_eq!(w.state_of("lightrun_license.this")["license"], installed);
    assert!(w.state_of("lightrun_license.this")["license_signature"].is_null(), "write-only");

    // In place: a newer licence, signature sent with it; an older one is refused.
    w.config(&license_hcl("2026-07-01", "md5(local.license)"));
    w.reconcile(&["~ update in-place", "license"]);
    let newer = setting(&w, "license");
    w.config(&license_hcl("2026-05-01", "md5(local.license)"));
    let err = w.apply_err();
    assert!(err.all().contains("Newer license exists"), "{}", err.all());
    w.config(&license_hcl("2026-07-01", "md5(local.license)"));
    w.assert_plan_empty();

    w.import_again("lightrun_license.this", "license");
    w.assert_plan_empty();
    // Out of band: another licence shows as a change; no licence at all as a create.
    w.patch_object("license", json!({"license": seeded}));
    w.reconcile(&["~ license"]);
    assert_eq!(setting(&w, "license"), newer);
    w.delete_object("license");
    w.reconcile(&["1 to add"]);

    let out = w.destroy();
    assert!(out.all().contains("a licence cannot be removed"), "{}", out.all());
    assert_eq!(setting(&w, "license"), newer, "destroy forgets, the licence stays");
}

/// The secret the simulator holds for a key (hidden from the API's lists).
fn key_secret(w: &Workspace<lightrun::Running>, id: &str) -> J {
    let state = w.sim_state();
    let objects = state["objects"].as_array().cloned().unwrap_or_default();
    objects
        .into_iter()
        .find(|o| o["kind"] == "api_key" && o["object"]["id"] == id)
        .map(|o| o["hidden"]["secret"].clone())
        .unwrap_or(J::Null)
}

#[test]
fn system_api_key_secret_once_label_in_place_replace_import_drift_and_lost_create() {
    let Some(w) = lightrun_workspace() else { return };
    let keys_before = w.sim_count("api_key");
    let key = |label: &str, days: u32| {
        format!("resource \"lightrun_system_api_key\" \"ci\" {{\n  label           = \"{label}\"\n  expiration_days = {days}\n  scopes          = [\"DEV\", \"COMPANY\"]\n}}\n")
    };
    w.config(&key("ci key", 30));
    w.apply();
    w.assert_plan_empty();
    let state = w.state_of("lightrun_system_api_key.ci");
    let id = state["id"].as_str().expect("id").to_string();
    assert_eq!(state["api_key"], key_secret(&w, &id), "state holds the working secret");
    assert_eq!((state["company_id"].as_str(), state["expiration_days"].as_i64()), (Some(COMPANY_ID), Some(30)));

    // In place: the label; replaced: the validity.
    w.config(&key("ci key renamed", 30));
    w.reconcile(&["~ update in-place", "ci key renamed"]);
    assert_eq!(w.sim_object(&id)["label"], "ci key renamed");
    w.config(&key("ci key renamed", 60));
    w.reconcile(&["must be replaced"]);
    let id = w.id_of("lightrun_system_api_key.ci");
    assert_eq!(w.sim_count("api_key"), keys_before + 1);
    assert_eq!(w.state_of("lightrun_system_api_key.ci")["api_key"], key_secret(&w, &id));

    // Import by <company_id>/<id> and by <id>: the secret is not known then (null).
    w.import_again("lightrun_system_api_key.ci", &format!("{COMPANY_ID}/{id}"));
    w.assert_plan_empty();
    w.import_again("lightrun_system_api_key.ci", &id);
    w.assert_plan_empty();
    assert!(w.state_of("lightrun_system_api_key.ci")["api_key"].is_null());

    // Out of band: a relabel is reverted; a deleted key is created again.
    w.patch_object(&id, json!({"label": "someone else"}));
    w.reconcile(&["someone else"]);
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);
    assert_eq!(w.sim_count("api_key"), keys_before + 1);

    // A create whose answer is lost: the key it made is deleted and a fresh one made, so
    // exactly one exists and state has its secret. Keys created side by side, with
    // server-given labels, are each told apart.
    w.arm_fault(json!({"method": "POST", "path_contains": "/system-api-key", "kind": "drop"}));
    w.config(&format!(
        "{}resource \"lightrun_system_api_key\" \"lost\" {{\n  label = \"lost answer\"\n}}\nresource \"lightrun_system_api_key\" \"many\" {{\n  count = 3\n}}\n",
        key("ci key renamed", 60)
    ));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_count("api_key"), keys_before + 5);
    let lost = w.state_of("lightrun_system_api_key.lost");
    let lost_id = lost["id"].as_str().expect("id");
    assert_eq!(lost["api_key"], key_secret(&w, lost_id));
    assert_eq!(lost["scopes"].as_array().map(Vec::len), Some(4), "unset scopes: the API's default, all");
    assert_eq!(lost["expiration_days"], 90);
    for i in 0..3 {
        let many = w.state_of(&format!("lightrun_system_api_key.many[{i}]"));
        assert_eq!(many["api_key"], key_secret(&w, many["id"].as_str().expect("id")), "{many}");
    }

    w.destroy();
    assert_eq!(w.sim_count("api_key"), keys_before);
}
