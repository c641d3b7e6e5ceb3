//! Connectors, AWS integrations, DNS resiliency and SSH clients end to end: real
//! Terraform, real provider, simulated tenant.

use serde_json::{json, Value};
use tfprov::simulators::luminate;
use tfprov::testkit::{go_luminate_site, luminate_workspace, sdkv2_resource, Workspace, GO_LUMINATE};

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}")).to_string()
}

fn connector_hcl(name: &str, kind: &str) -> String {
    format!(
        "resource \"luminate_site\" \"s\" {{\n  name = \"dc\"\n}}\n\
         resource \"luminate_connector\" \"c\" {{\n  name = \"{name}\"\n  site_id = luminate_site.s.id\n  type = \"{kind}\"\n}}\n\
         output \"command\" {{\n  value = luminate_connector.c.command\n}}\n"
    )
}

#[test]
fn connector_replace_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&connector_hcl("c1", "linux"));
    w.apply();
    w.assert_plan_empty();
    let c = w.state_of("luminate_connector.c");
    let id = text(&c, "id");
    assert!(text(&c, "otp").len() >= 32, "{c}");
    assert!(text(&c, "command").contains(&id), "{c}");
    // The command is not sensitive: the Go provider's documented HCL outputs it as is.
    assert_eq!(w.tf(&["output", "-raw", "command"]).stdout, text(&c, "command"));
    let site = w.state_of("luminate_site.s");
    let api_site = w.sim_object(&text(&site, "id"));
    assert_eq!(api_site["connector_objects"][0]["id"], id.as_str(), "{api_site}");

    // The one-time password stays out of the logs, even at trace level.
    let r = w.tf_with_env(&["plan", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert!(!r.all().contains(&text(&c, "otp")), "otp in the logs");
    // A 403 on read is an error, never "gone" (which would plan a second connector).
    w.arm_fault(
        json!({"method": "GET", "path_contains": "/connectors/", "kind": "status", "status": 403, "remaining": 1}),
    );
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("Permission denied"), "{}", r.all());

    // Every argument replaces.
    w.config(&connector_hcl("c1", "docker-compose"));
    w.reconcile(&["1 to add, 0 to change, 1 to destroy"]);
    assert_eq!(w.sim_count("connector"), 1);
    let id = text(&w.state_of("luminate_connector.c"), "id");

    // Import by the connector's ID alone: the site is found from the sites' connectors.
    w.import_again("luminate_connector.c", &id);
    w.assert_plan_empty();
    let imported = w.state_of("luminate_connector.c");
    assert_eq!(imported["site_id"], site["id"]);
    assert!(imported["command"].is_string());

    // Renamed elsewhere: shown, and a new connector with the configured name replaces it.
    w.patch_object(&id, json!({"name": "renamed-elsewhere"}));
    w.reconcile(&["renamed-elsewhere", "must be replaced"]);
    let id = text(&w.state_of("luminate_connector.c"), "id");
    w.delete_object(&id);
    w.reconcile(&["1 to add"]);

    // A site in orchestrator mode refuses connectors made through the API.
    w.config(&format!(
        "{}resource \"luminate_site\" \"k8s\" {{\n  name = \"k8s\"\n  authentication_mode = \"orchestrator\"\n}}\n\
         resource \"luminate_connector\" \"k\" {{\n  name = \"k\"\n  site_id = luminate_site.k8s.id\n  type = \"kubernetes\"\n}}\n",
        connector_hcl("c1", "docker-compose")
    ));
    let r = w.apply_err();
    assert!(r.stderr.contains("orchestrator") && r.stderr.contains("Permission denied"), "{}", r.stderr);
    // A bad type is refused before any request.
    w.config(&connector_hcl("c1", "solaris"));
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("type") && r.stderr.contains("solaris"), "{}", r.stderr);

    w.config(&connector_hcl("c1", "docker-compose"));
    w.destroy();
    assert_eq!(w.sim_count("connector"), 0);
}

fn integration_hcl(name: &str, regions: &str) -> String {
    format!(
        "resource \"luminate_aws_integration\" \"i\" {{\n  integration_name = \"{name}\"\n}}\n\
         resource \"luminate_aws_integration_bind\" \"b\" {{\n\
           integration_name = luminate_aws_integration.i.integration_name\n\
           integration_id = luminate_aws_integration.i.integration_id\n\
           aws_role_arn = \"arn:aws:iam::111122223333:role/luminate\"\n\
           luminate_aws_account_id = luminate_aws_integration.i.luminate_aws_account_id\n\
           aws_external_id = luminate_aws_integration.i.aws_external_id\n\
           regions = [{regions}]\n}}\n\
         data \"luminate_aws_integration\" \"d\" {{\n  integration_name = \"{name}\"\n  depends_on = [luminate_aws_integration.i]\n}}\n\
         output \"found\" {{\n  value = data.luminate_aws_integration.d.id == luminate_aws_integration.i.id && data.luminate_aws_integration.d.integration_id == luminate_aws_integration.i.id\n}}\n"
    )
}

#[test]
fn aws_integration_and_bind_rename_rebind_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&integration_hcl("aws", "\"us-east-1\""));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.tf(&["output", "-raw", "found"]).stdout.trim(), "true");
    let i = w.state_of("luminate_aws_integration.i");
    let id = text(&i, "id");
    assert_eq!(i["integration_id"], id.as_str());
    assert!(text(&i, "luminate_aws_account_id").len() == 12, "{i}");
    assert_eq!(w.sim_object(&id)["aws_role_arn"], "arn:aws:iam::111122223333:role/luminate");

    // Renamed in place: the role and regions the binding set stay.
    w.config(&integration_hcl("aws-prod", "\"us-east-1\", \"eu-west-1\""));
    w.reconcile(&["0 to add, 2 to change, 0 to destroy"]);
    let api = w.sim_object(&id);
    assert_eq!((api["name"].clone(), api["regions"].clone()), (json!("aws-prod"), json!(["us-east-1", "eu-west-1"])));
    assert_eq!(api["aws_role_arn"], "arn:aws:iam::111122223333:role/luminate");

    // Import both by the integration's ID (the Go provider had no importer).
    w.import_again("luminate_aws_integration.i", &id);
    w.import_again("luminate_aws_integration_bind.b", &id);
    w.assert_plan_empty();

    // Changed elsewhere: shown and reverted. Deleted elsewhere: both come back.
    w.patch_object(&id, json!({"aws_role_arn": "arn:aws:iam::999:role/intruder", "regions": ["ap-south-1"]}));
    w.reconcile(&["intruder", "1 to change"]);
    w.delete_object(&id);
    w.reconcile(&["2 to add"]);

    // A server-set value the configuration contradicts is refused by the API.
    let hcl = integration_hcl("aws-prod", "\"us-east-1\"")
        .replace("luminate_aws_integration.i.aws_external_id", "\"not-the-external-id\"");
    w.config(&hcl);
    let r = w.apply_err();
    assert!(r.stderr.contains("aws_external_id"), "{}", r.stderr);

    // Destroying the binding only forgets it, and says so.
    w.config(&integration_hcl("aws-prod", "\"us-east-1\""));
    let r = w.destroy();
    assert!(r.all().contains("only removes it from Terraform state"), "{}", r.all());
    assert_eq!(w.sim_count("cloud integration"), 0);

    // Not found: a diagnostic naming what was looked for.
    w.config("data \"luminate_aws_integration\" \"d\" {\n  integration_name = \"nowhere\"\n}\n");
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("nowhere"), "{}", r.stderr);
}

fn dns_hcl(group_extra: &str, server_group: &str, address: &str) -> String {
    let suffixes = if group_extra.contains("domain_suffixes") { "" } else { "domain_suffixes = [\"corp.example\"]" };
    format!(
        "resource \"luminate_site\" \"s\" {{\n  name = \"dc\"\n}}\n\
         resource \"luminate_dns_group_resiliency\" \"g\" {{\n  name = \"corp\"\n  send_notifications = true\n  {suffixes}\n  {group_extra}\n}}\n\
         resource \"luminate_dns_group_resiliency\" \"h\" {{\n  name = \"lab\"\n  send_notifications = false\n  domain_suffixes = [\"lab.example\"]\n}}\n\
         resource \"luminate_dns_server_resiliency\" \"ns\" {{\n  name = \"ns1\"\n  site_id = luminate_site.s.id\n  group_id = luminate_dns_group_resiliency.{server_group}.id\n  internal_address = \"{address}\"\n}}\n"
    )
}

fn group_status(w: &Workspace<luminate::Running>, id: &str) -> Value {
    w.sim_object(id)["status"].clone()
}

#[test]
fn dns_group_and_server_update_move_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    // Created disabled: the switch is not part of the group, so a request after the
    // create sets it.
    w.config(&dns_hcl("is_enabled = false", "g", "udp://10.0.0.53:53"));
    w.apply();
    w.assert_plan_empty();
    let group = text(&w.state_of("luminate_dns_group_resiliency.g"), "id");
    assert_eq!(group_status(&w, &group), "Disabled");
    let server = w.state_of("luminate_dns_server_resiliency.ns");
    assert_eq!(server["group_id"], group.as_str());

    // In place: the group's switch and suffixes, the server's address.
    w.config(&dns_hcl(
        "is_enabled = true\n  domain_suffixes = [\"corp.example\", \"ad.example\"]",
        "g",
        "udp://10.0.0.54:53",
    ));
    w.reconcile(&["0 to add, 2 to change, 0 to destroy"]);
    assert_eq!(group_status(&w, &group), "Enabled");
    let api_group = w.sim_object(&group);
    assert_eq!(api_group["domainSuffixes"], json!(["corp.example", "ad.example"]));
    assert_eq!(api_group["activeServerAddress"], "udp://10.0.0.54:53");

    // Another group: the server is made anew there.
    w.config(&dns_hcl("is_enabled = true", "h", "udp://10.0.0.54:53"));
    w.reconcile(&["must be replaced"]);
    assert_eq!(w.sim_count("dns server"), 1);
    let server = text(&w.state_of("luminate_dns_server_resiliency.ns"), "id");

    // Import by the IDs alone: the server's group is found from the groups' servers.
    w.import_again("luminate_dns_group_resiliency.g", &group);
    w.import_again("luminate_dns_server_resiliency.ns", &server);
    // The API does not report the switch: after import the configured value is applied
    // (a request with no other effect).
    w.reconcile(&["is_enabled", "1 to change"]);

    // Changed elsewhere: shown and reverted. Deleted elsewhere: made again.
    w.patch_object(&server, json!({"internalAddress": "udp://10.9.9.9:53"}));
    w.reconcile(&["10.9.9.9"]);
    w.patch_object(&group, json!({"sendNotifications": false}));
    w.reconcile(&["send_notifications", "1 to change"]);
    w.delete_object(&server);
    w.reconcile(&["1 to add"]);

    w.destroy();
    assert_eq!((w.sim_count("dns group"), w.sim_count("dns server")), (0, 0));
}

#[test]
fn ssh_clients_are_found_by_exact_name_and_key_versions_never_stay() {
    let Some(w) = luminate_workspace() else { return };
    // Someone else's client whose name contains the one looked for comes first.
    w.add_object(
        "ssh_client",
        json!({"id": "00000000-0000-4000-8000-000000000001", "name": "ci-runner-old", "key_size": 2048}),
    );
    w.config(
        "data \"luminate_ssh_client\" \"c\" {\n  name = \"ci-runner\"\n}\n\
         resource \"luminate_site_registration_key_version\" \"v\" {}\n\
         output \"client\" {\n  value = \"${data.luminate_ssh_client.c.id} ${data.luminate_ssh_client.c.key_size} ${data.luminate_ssh_client.c.expires}\"\n}\n",
    );
    w.apply();
    let out = w.tf(&["output", "-raw", "client"]).stdout;
    assert_eq!(out, "5b0c3f1e-7d52-4a8e-9c61-0f2b8e4d1a01 4096 2026-01-15T09:30:00Z");
    let version = w.state_of("luminate_site_registration_key_version.v")["version"].as_i64().expect("version");
    assert!(version > 1_700_000_000, "{version}");
    // By design (the contract): read forgets it, so every plan makes a new version.
    let p = w.plan();
    assert!(p.stdout.contains("1 to add"), "{}", p.stdout);

    w.config("data \"luminate_ssh_client\" \"c\" {\n  name = \"nobody\"\n}\n");
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("No SSH client") && r.stderr.contains("nobody"), "{}", r.stderr);
    w.config("data \"luminate_ssh_client\" \"c\" {\n  name = \"\"\n}\n");
    let r = w.tf(&["plan", "-no-color"]);
    assert!(r.code != 0 && r.stderr.contains("non-empty"), "{}", r.stderr);
}

/// One managed resource as the Go provider's state holds it.
fn go_resource(kind: &str, name: &str, attributes: Value) -> Value {
    sdkv2_resource(GO_LUMINATE, kind, name, attributes)
}

#[test]
fn state_written_by_the_go_provider_carries_over_with_replace_provider() {
    let Some(w) = luminate_workspace() else { return };
    let hcl = format!(
        "{}{}resource \"luminate_dns_group_resiliency\" \"g\" {{\n  name = \"corp\"\n  send_notifications = true\n  is_enabled = true\n  domain_suffixes = [\"corp.example\"]\n}}\n\
         resource \"luminate_dns_server_resiliency\" \"ns\" {{\n  name = \"ns1\"\n  site_id = luminate_site.s.id\n  group_id = luminate_dns_group_resiliency.g.id\n  internal_address = \"udp://10.0.0.53:53\"\n}}\n",
        connector_hcl("c1", "linux"),
        integration_hcl("aws", "\"us-east-1\"")
    );
    w.config(&hcl);
    w.apply();
    let site = w.state_of("luminate_site.s");
    let c = w.state_of("luminate_connector.c");
    let i = w.state_of("luminate_aws_integration.i");
    let b = w.state_of("luminate_aws_integration_bind.b");
    let g = w.state_of("luminate_dns_group_resiliency.g");
    let ns = w.state_of("luminate_dns_server_resiliency.ns");

    // The attributes as the Go provider (SDKv2, and the framework for the key version)
    // writes them.
    let resources = vec![
        go_luminate_site("s", &site),
        go_resource(
            "luminate_connector",
            "c",
            json!({
                "id": c["id"], "name": "c1", "site_id": site["id"], "type": "linux", "command": c["command"], "otp": c["otp"]
            }),
        ),
        go_resource(
            "luminate_aws_integration",
            "i",
            json!({
                "id": i["id"], "integration_name": "aws", "integration_id": i["id"],
                "luminate_aws_account_id": i["luminate_aws_account_id"], "aws_external_id": i["aws_external_id"]
            }),
        ),
        go_resource(
            "luminate_aws_integration_bind",
            "b",
            json!({
                "id": i["id"], "integration_name": "aws", "integration_id": i["id"], "aws_role_arn": b["aws_role_arn"],
                "luminate_aws_account_id": i["luminate_aws_account_id"], "aws_external_id": i["aws_external_id"],
                "regions": ["us-east-1"]
            }),
        ),
        go_resource(
            "luminate_dns_group_resiliency",
            "g",
            json!({
                "id": g["id"], "name": "corp", "send_notifications": true, "is_enabled": true, "domain_suffixes": ["corp.example"]
            }),
        ),
        go_resource(
            "luminate_dns_server_resiliency",
            "ns",
            json!({
                "id": ns["id"], "name": "ns1", "site_id": site["id"], "group_id": g["id"], "internal_address": "udp://10.0.0.53:53"
            }),
        ),
    ];
    let outputs = json!({
        "command": {"value": c["command"], "type": "string"},
        "found": {"value": true, "type": "bool"}
    });
    let state = w.take_over_state(GO_LUMINATE, resources, outputs);
    w.assert_plan_empty();

    // The key version (a framework resource without `id` in the Go provider) is created
    // anew by every plan, also from its old state.
    let mut with_version = state.clone();
    if let Some(list) = with_version["resources"].as_array_mut() {
        list.push(json!({
            "mode": "managed", "type": "luminate_site_registration_key_version", "name": "v",
            "provider": "provider[\"registry.terraform.io/tfprov/luminate\"]",
            "instances": [{"schema_version": 0, "attributes": {"version": 1735689600}, "sensitive_attributes": []}]
        }));
        for r in list.iter_mut() {
            r["provider"] = json!("provider[\"registry.terraform.io/tfprov/luminate\"]");
        }
    }
    with_version["serial"] = json!(20);
    w.write_state(&with_version);
    w.config(&format!("{hcl}resource \"luminate_site_registration_key_version\" \"v\" {{}}\n"));
    let p = w.plan();
    assert!(p.stdout.contains("1 to add, 0 to change, 0 to destroy"), "{}", p.stdout);
}

#[test]
fn lost_create_answers_end_with_exactly_one_object() {
    let Some(w) = luminate_workspace() else { return };
    // Each create is committed, then its answer is lost (the connection drops, or the
    // server fails after committing): the provider finds the object by its natural key.
    w.arm_fault(json!({"method": "POST", "path_contains": "/connectors", "kind": "drop"}));
    w.arm_fault(json!({"method": "POST", "path_contains": "/cloud-integrations/", "kind": "drop"}));
    w.arm_fault(json!({"method": "POST", "path_contains": "/dns-groups", "kind": "error_after_commit", "status": 500}));
    w.arm_fault(json!({"method": "POST", "path_contains": "/servers/", "kind": "error_after_commit", "status": 500}));
    w.config(&format!(
        "{}resource \"luminate_aws_integration\" \"i\" {{\n  integration_name = \"aws\"\n}}\n\
         resource \"luminate_dns_group_resiliency\" \"g\" {{\n  name = \"corp\"\n  send_notifications = true\n  domain_suffixes = [\"corp.example\"]\n}}\n\
         resource \"luminate_dns_server_resiliency\" \"ns\" {{\n  name = \"ns1\"\n  site_id = luminate_site.s.id\n  group_id = luminate_dns_group_resiliency.g.id\n  internal_address = \"udp://10.0.0.53:53\"\n}}\n",
        connector_hcl("once", "linux")
    ));
    w.apply();
    for noun in ["connector", "cloud integration", "dns group", "dns server"] {
        assert_eq!(w.sim_count(noun), 1, "{noun}");
    }
    let c = w.state_of("luminate_connector.c");
    assert!(c["command"].is_string(), "{c}");
    // The one-time password was only in the lost answer.
    assert!(c["otp"].is_null(), "{c}");
    w.assert_plan_empty();
}
