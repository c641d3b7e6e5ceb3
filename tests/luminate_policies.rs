//! Luminate policies end to end: the four access policies, the web activity policy and the
//! shared-object data source, with real Terraform against the simulator. Applications are
//! added to the simulator out of band (another area builds their resources).

use serde_json::{json, Value as J};
use tfprov::simulators::luminate;
use tfprov::testkit::{luminate_workspace, sdkv2_resource, Workspace, GO_LUMINATE};

/// Adds an application of `app_type` as someone else would; returns its ID.
fn application(w: &Workspace<luminate::Running>, name: &str, app_type: &str, sub_type: &str) -> String {
    let app = w.add_object(
        "application",
        json!({"name": name, "type": app_type, "subType": sub_type, "collectionId": luminate::DEFAULT_COLLECTION_ID,
               "enabled": true, "isVisible": true, "isNotificationEnabled": true, "connectionSettings": {}}),
    );
    app["id"].as_str().expect("id").to_string()
}

fn policy_in_sim(w: &Workspace<luminate::Running>, id: &str) -> J {
    w.sim_objects("policy").into_iter().find(|p| p["id"] == id).unwrap_or(J::Null)
}

fn access_policies_hcl(web: &str, tcp: &str, ssh: &str, rdp: &str, apps: &[String; 4]) -> String {
    format!(
        r#"
resource "luminate_web_access_policy" "web" {{
  name                 = "web-policy"
  identity_provider_id = "local"
  user_ids             = ["u-1", "u-2"]
  applications         = ["{web_app}"]
  {web}
}}

resource "luminate_tcp_access_policy" "tcp" {{
  name         = "tcp-policy"
  applications = ["{tcp_app}"]
  {tcp}
}}

resource "luminate_ssh_access_policy" "ssh" {{
  name                 = "ssh-policy"
  identity_provider_id = "local"
  group_ids            = ["g-1"]
  applications         = ["{ssh_app}"]
  {ssh}
}}

resource "luminate_rdp_access_policy" "rdp" {{
  name         = "rdp-policy"
  applications = ["{rdp_app}"]
  {rdp}
}}
"#,
        web_app = apps[0],
        tcp_app = apps[1],
        ssh_app = apps[2],
        rdp_app = apps[3],
    )
}

#[test]
fn access_policies_apply_update_replace_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    let apps = [
        application(&w, "web-app", "HTTP", "HTTP_LUMINATE_DOMAIN"),
        application(&w, "tcp-app", "TCP", ""),
        application(&w, "ssh-app", "SSH", ""),
        application(&w, "rdp-app", "RDP", "SINGLE_MACHINE"),
    ];
    // Blocks the API cannot hold (an all-false device block, a false validator) must not
    // show as changes after apply.
    let web = r#"validators {
    mfa = false
  }
  conditions {
    location  = ["Wallis and Futuna"]
    source_ip = ["10.0.0.0/8"]
    managed_device {
      opswat = true
    }
    unmanaged_device {}
  }"#;
    let ssh = r#"accounts = ["root", "ops"]
  use_auto_mapping = true"#;
    let rdp = r#"target_protocol_subtype = "RDP_BROWSER"
  web_rdp_settings {
    disable_copy = true
  }"#;
    w.config(&access_policies_hcl(web, "", ssh, rdp, &apps));
    w.apply();
    w.assert_plan_empty();

    let web_id = w.id_of("luminate_web_access_policy.web");
    let tcp_id = w.id_of("luminate_tcp_access_policy.tcp");
    let ssh_id = w.id_of("luminate_ssh_access_policy.ssh");
    let rdp_id = w.id_of("luminate_rdp_access_policy.rdp");
    // What the API holds is what the Go provider would have sent.
    let web_sim = policy_in_sim(&w, &web_id);
    assert_eq!(web_sim["targetProtocol"], "HTTP");
    assert_eq!(web_sim["collectionId"], luminate::DEFAULT_COLLECTION_ID);
    assert_eq!(web_sim["directoryEntities"].as_array().map(Vec::len), Some(2));
    assert_eq!(web_sim["directoryEntities"][0]["identityProviderType"], "local");
    assert!(web_sim.get("validators").is_none(), "{web_sim}");
    let conditions = web_sim["filterConditions"].to_string();
    assert!(conditions.contains("IS_DEVICE_COMPLIANCE") && conditions.contains("OPSWAT"), "{conditions}");
    assert!(!conditions.contains("IS_NOT_WSS_IP"), "{conditions}");
    let tcp_sim = policy_in_sim(&w, &tcp_id);
    assert_eq!(tcp_sim["tcpSettings"], json!({"acceptTemporaryToken": true}));
    let ssh_sim = policy_in_sim(&w, &ssh_id);
    assert_eq!(ssh_sim["sshSettings"]["accounts"], json!(["root", "ops"]));
    assert_eq!(ssh_sim["directoryEntities"][0]["type"], "Group");
    let rdp_sim = policy_in_sim(&w, &rdp_id);
    assert_eq!(rdp_sim["targetProtocolSubType"], "RDP_BROWSER");
    assert_eq!(rdp_sim["rdpSettings"]["webRdpSettings"], json!({"disableCopy": true, "disablePaste": false}));
    let tcp_state = w.state_of("luminate_tcp_access_policy.tcp");
    assert_eq!(tcp_state["allow_temporary_token"], true);
    assert_eq!(tcp_state["enabled"], true);

    // In place: name, flags, validators, users.
    // (The update also drops the empty device block: an import cannot know of a block the
    // API has no trace of, so the import below would plan to add it back.)
    let web2 = web.replace("mfa = false", "mfa = true").replace("\n    unmanaged_device {}", "");
    let tcp2 = "enabled = false\n  allow_public_key = true";
    w.config(&access_policies_hcl(&web2, tcp2, ssh, rdp, &apps).replace("\"u-1\", \"u-2\"", "\"u-2\""));
    w.reconcile(&["2 to change", "0 to destroy"]);
    assert_eq!(w.id_of("luminate_web_access_policy.web"), web_id);
    assert_eq!(policy_in_sim(&w, &web_id)["validators"], json!({"VALIDATOR_MFA": true}));
    assert_eq!(policy_in_sim(&w, &web_id)["directoryEntities"].as_array().map(Vec::len), Some(1));
    assert_eq!(policy_in_sim(&w, &tcp_id)["enabled"], false);

    // Another identity provider replaces the policy (the Go provider's ForceNew); that
    // provider is looked up in the tenant's list, which this area does not serve: the
    // plan says replace.
    let moved = access_policies_hcl(&web2, tcp2, ssh, rdp, &apps).replace("\"u-1\", \"u-2\"", "\"u-2\"").replacen(
        "identity_provider_id = \"local\"",
        "identity_provider_id = \"okta-1\"",
        1,
    );
    w.config(&moved);
    let p = w.plan();
    assert!(p.stdout.contains("must be replaced") && p.stdout.contains("1 to add"), "{}", p.stdout);
    w.config(&access_policies_hcl(&web2, tcp2, ssh, rdp, &apps).replace("\"u-1\", \"u-2\"", "\"u-2\""));

    // Users and groups need their identity provider: refused at plan time.
    w.config(&access_policies_hcl(&web2, tcp2, ssh, rdp, &apps).replace("\"u-1\", \"u-2\"", "\"u-2\"").replacen(
        "identity_provider_id = \"local\"",
        "",
        1,
    ));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("identity_provider_id"), "{}", r.stderr);
    // A non-UUID application is refused at plan time, naming the attribute.
    let mut wrong = apps.clone();
    wrong[1] = "not-a-uuid".into();
    w.config(&access_policies_hcl(&web2, tcp2, ssh, rdp, &wrong).replace("\"u-1\", \"u-2\"", "\"u-2\""));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("applications") && r.stderr.contains("not-a-uuid"), "{}", r.stderr);
    let current = access_policies_hcl(&web2, tcp2, ssh, rdp, &apps).replace("\"u-1\", \"u-2\"", "\"u-2\"");
    w.config(&current);

    // Import each by ID: the identity provider and every block come back, no diff.
    for (address, id) in [
        ("luminate_web_access_policy.web", &web_id),
        ("luminate_tcp_access_policy.tcp", &tcp_id),
        ("luminate_ssh_access_policy.ssh", &ssh_id),
        ("luminate_rdp_access_policy.rdp", &rdp_id),
    ] {
        w.import_again(address, id);
    }
    w.assert_plan_empty();

    // Out-of-band change shown and reverted.
    w.patch_object(&ssh_id, json!({"sshSettings": {"accounts": ["intruder"], "fullUpnAutoMapping": false}}));
    w.patch_object(&rdp_id, json!({"targetProtocolSubType": "RDP_NATIVE"}));
    w.reconcile(&["intruder", "RDP_NATIVE", "2 to change"]);
    assert_eq!(policy_in_sim(&w, &ssh_id)["sshSettings"]["accounts"], json!(["root", "ops"]));
    assert_eq!(policy_in_sim(&w, &rdp_id)["targetProtocolSubType"], "RDP_BROWSER");

    // Out-of-band delete: planned for creation again.
    w.delete_object(&web_id);
    w.reconcile(&["1 to add"]);
    assert_eq!(w.sim_objects("policy").len(), 4);

    w.destroy();
    assert!(w.sim_objects("policy").is_empty(), "{:?}", w.sim_objects("policy"));
}

fn activity_hcl(rules: &str, extra: &str, app: &str) -> String {
    format!(
        r#"
resource "luminate_web_activity_policy" "a" {{
  name                 = "activity"
  identity_provider_id = "local"
  user_ids             = ["u-1"]
  applications         = ["{app}"]
  {extra}
  rules = [{rules}]
}}
"#
    )
}

#[test]
fn web_activity_policy_and_shared_object_lookup() {
    let Some(w) = luminate_workspace() else { return };
    let app = application(&w, "portal", "HTTP", "HTTP_LUMINATE_DOMAIN");
    let profile = w.add_object(
        "shared_object",
        json!({"name": "strict", "type": "ISOLATION_PROFILE", "values": [], "createdAt": "2026-01-01T00:00:00Z", "modifiedOn": "2026-01-01T00:00:00Z"}),
    );
    w.add_object(
        "shared_object",
        json!({"name": "strict-ips", "type": "IP_LIST", "values": [{"value": "10.0.0.0/8"}]}),
    );
    let profile_id = profile["id"].as_str().expect("id").to_string();

    let lookup = r#"
data "luminate_shared_object" "profile" {
  name = "strict"
  type = "ISOLATION_PROFILE"
}
"#;
    let rules = r#"
    {
      action = "BLOCK"
      conditions = {
        file_downloaded = true
        uri_accessed    = true
        arguments = {
          uri_list = ["/admin"]
        }
      }
    },
    {
      action               = "WEB_ISOLATION"
      isolation_profile_id = data.luminate_shared_object.profile.id
    },
  "#;
    let conditions = r#"conditions = {
    source_ip      = ["192.168.0.0/16"]
    managed_device = {}
  }"#;
    w.config(&format!("{lookup}{}", activity_hcl(rules, conditions, &app)));
    w.apply();
    w.assert_plan_empty();
    let id = w.id_of("luminate_web_activity_policy.a");
    let sim = policy_in_sim(&w, &id);
    assert_eq!(sim["type"], "ACTIVITY");
    assert_eq!(sim["containers"][1]["isolationProfileId"], profile_id.as_str());
    assert_eq!(sim["containers"][0]["conditions"].as_array().map(Vec::len), Some(2));
    assert_eq!(sim["filterConditions"].as_array().map(Vec::len), Some(1), "{sim}");
    let state = w.state_of("luminate_web_activity_policy.a");
    assert_eq!(state["rules"][1]["isolation_profile_id"], profile_id.as_str());
    assert_eq!(state["enable_isolation"], false);

    // In place: a third rule and isolation on (and no empty device object, which an
    // import could not know of).
    let more = format!("{rules}{{\n      action = \"ALLOW\"\n    }},");
    let conditions = "conditions = {\n    source_ip = [\"192.168.0.0/16\"]\n  }";
    w.config(&format!("{lookup}{}", activity_hcl(&more, &format!("{conditions}\n  enable_isolation = true"), &app)));
    w.reconcile(&["1 to change"]);
    assert_eq!(policy_in_sim(&w, &id)["containers"].as_array().map(Vec::len), Some(3));
    assert_eq!(policy_in_sim(&w, &id)["isIsolation"], true);
    let current = format!("{lookup}{}", activity_hcl(&more, &format!("{conditions}\n  enable_isolation = true"), &app));

    // The API refuses non-ALLOW rules in allow-list mode; the message reaches the user.
    w.config(&format!("{lookup}{}", activity_hcl(&more, &format!("{conditions}\n  enable_whitelist = true"), &app)));
    let r = w.apply_err();
    assert!(r.stderr.contains("only ALLOW rules"), "{}", r.stderr);
    w.config(&current);
    w.assert_plan_empty();

    // Import, drift, out-of-band delete.
    w.import_again("luminate_web_activity_policy.a", &id);
    w.assert_plan_empty();
    w.patch_object(&id, json!({"isIsolation": false}));
    w.reconcile(&["enable_isolation", "1 to change"]);
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);

    // A CDS rule without its DLP detection is refused before anything is sent.
    w.config(&format!("{lookup}{}", activity_hcl("{ action = \"CDS\" }", "", &app)));
    let r = w.tf(&["validate", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("dlp_filter_id"), "{}", r.all());
    w.config(&current);

    // Not found: a clear diagnostic naming what was looked for.
    w.config(&format!(
        "{current}\ndata \"luminate_shared_object\" \"missing\" {{\n  name = \"strict\"\n  type = \"IP_LIST\"\n}}\n"
    ));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("No shared object") && r.stderr.contains("IP_LIST"), "{}", r.stderr);
    w.config(&current);

    w.destroy();
    assert!(w.sim_objects("policy").is_empty());
}

#[test]
fn a_lost_create_answer_a_403_read_and_a_taken_name() {
    let Some(w) = luminate_workspace() else { return };
    let app = application(&w, "lost", "TCP", "");
    w.arm_fault(json!({"kind": "drop", "method": "POST", "path_contains": "/v2/policies"}));
    w.config(&format!(
        "resource \"luminate_tcp_access_policy\" \"t\" {{\n  name = \"once\"\n  applications = [\"{app}\"]\n}}\n"
    ));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_objects("policy").len(), 1);
    // A 403 on read is a permission problem, not a deleted policy: the plan fails and
    // the policy stays in state.
    w.arm_fault(json!({"kind": "status", "status": 403, "method": "GET", "path_contains": "/v2/policies/", "message": "Forbidden"}));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("Permission denied"), "{}", r.stderr);
    w.assert_plan_empty();

    // A name already taken is explained, not retried.
    w.config(&format!(
        "resource \"luminate_tcp_access_policy\" \"t\" {{\n  name = \"once\"\n  applications = [\"{app}\"]\n}}\n\
         resource \"luminate_tcp_access_policy\" \"dup\" {{\n  name = \"once\"\n  applications = [\"{app}\"]\n}}\n"
    ));
    let r = w.apply_err();
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(w.sim_objects("policy").len(), 1);
    // An application the tenant does not have: the API's refusal reaches the user.
    let unknown = "0f8fad5b-d9cb-469f-a165-70867728950e";
    w.config(&format!(
        "resource \"luminate_tcp_access_policy\" \"t\" {{\n  name = \"once\"\n  applications = [\"{unknown}\"]\n}}\n"
    ));
    let r = w.apply_err();
    assert!(r.stderr.contains(unknown) && r.stderr.contains("does not exist"), "{}", r.stderr);
}

#[test]
fn state_written_by_the_go_provider_carries_over_with_replace_provider() {
    let Some(w) = luminate_workspace() else { return };
    let web_app = application(&w, "go-web", "HTTP", "HTTP_LUMINATE_DOMAIN");
    let tcp_app = application(&w, "go-tcp", "TCP", "");
    let ssh_app = application(&w, "go-ssh", "SSH", "");
    let rdp_app = application(&w, "go-rdp", "RDP", "SINGLE_MACHINE");
    let hcl = format!(
        r#"
resource "luminate_web_access_policy" "web" {{
  name                 = "go-web"
  identity_provider_id = "local"
  user_ids             = ["u-1"]
  applications         = ["{web_app}"]
  validators {{
    mfa = true
  }}
}}
resource "luminate_tcp_access_policy" "tcp" {{
  name         = "go-tcp"
  applications = ["{tcp_app}"]
}}
resource "luminate_ssh_access_policy" "ssh" {{
  name         = "go-ssh"
  applications = ["{ssh_app}"]
  accounts     = ["root"]
}}
resource "luminate_rdp_access_policy" "rdp" {{
  name         = "go-rdp"
  applications = ["{rdp_app}"]
  conditions {{
    location = ["France"]
  }}
}}
resource "luminate_web_activity_policy" "act" {{
  name         = "go-activity"
  applications = ["{web_app}"]
  rules = [{{ action = "BLOCK", conditions = {{ file_uploaded = true }} }}]
}}
"#
    );
    w.config(&hcl);
    w.apply();
    let id = |a: &str| w.id_of(a);
    let (web, tcp, ssh, rdp, act) = (
        id("luminate_web_access_policy.web"),
        id("luminate_tcp_access_policy.tcp"),
        id("luminate_ssh_access_policy.ssh"),
        id("luminate_rdp_access_policy.rdp"),
        id("luminate_web_activity_policy.act"),
    );
    let collection = luminate::DEFAULT_COLLECTION_ID;
    // The state as the Go provider writes it: SDKv2 for the access policies ("" for unset
    // strings, [] for unset lists, blocks as lists), plugin framework for the activity
    // policy (nulls), its provider address and private data.
    let resource = |kind: &str, name: &str, attributes: J| sdkv2_resource(GO_LUMINATE, kind, name, attributes);
    let resources = vec![
        resource(
            "luminate_web_access_policy",
            "web",
            json!({
                "id": web, "enabled": true, "name": "go-web", "identity_provider_id": "local", "user_ids": ["u-1"], "group_ids": [],
                "applications": [web_app], "collection_id": collection, "validators": [{"mfa": true}], "conditions": []}),
        ),
        resource(
            "luminate_tcp_access_policy",
            "tcp",
            json!({
                "id": tcp, "enabled": true, "name": "go-tcp", "identity_provider_id": "", "user_ids": [], "group_ids": [],
                "applications": [tcp_app], "collection_id": collection, "allow_temporary_token": true, "allow_public_key": false,
                "validators": [], "conditions": []}),
        ),
        resource(
            "luminate_ssh_access_policy",
            "ssh",
            json!({
                "id": ssh, "enabled": true, "name": "go-ssh", "identity_provider_id": "", "user_ids": null, "group_ids": null,
                "applications": [ssh_app], "collection_id": collection, "accounts": ["root"], "use_auto_mapping": false,
                "full_upn_auto_mapping": false, "allow_agent_forwarding": false, "allow_temporary_token": true,
                "allow_public_key": false, "validators": [], "conditions": []}),
        ),
        resource(
            "luminate_rdp_access_policy",
            "rdp",
            json!({
                "id": rdp, "enabled": true, "name": "go-rdp", "identity_provider_id": "", "user_ids": [], "group_ids": [],
                "applications": [rdp_app], "collection_id": collection, "allow_long_term_password": false,
                "target_protocol_subtype": "RDP_NATIVE", "validators": [], "web_rdp_settings": [],
                "conditions": [{"location": ["France"], "source_ip": [], "managed_device": [], "unmanaged_device": []}]}),
        ),
        resource(
            "luminate_web_activity_policy",
            "act",
            json!({
                "id": act, "enabled": true, "name": "go-activity", "identity_provider_id": null, "user_ids": null, "group_ids": null,
                "applications": [web_app], "collection_id": collection, "conditions": null, "enable_isolation": false,
                "enable_whitelist": false,
                // The Go provider writes no arguments object when a rule has none.
                "rules": [{"action": "BLOCK", "isolation_profile_id": null, "dlp_filter_id": null,
                           "conditions": {"file_downloaded": false, "file_uploaded": true, "uri_accessed": false, "http_command": false,
                                          "arguments": null}}]}),
        ),
    ];
    w.take_over_state(GO_LUMINATE, resources, json!({}));
    w.assert_plan_empty();
}
