//! The Luminate directory end to end (groups, memberships, role bindings and the directory
//! data sources): real Terraform, real provider, simulated tenant with its seeded
//! directory (see src/simulators/luminate/directory.rs).

use serde_json::{json, Value};
use tfprov::simulators::luminate;
use tfprov::testkit::{go_luminate_site, luminate_workspace, sdkv2_resource, Workspace, GO_LUMINATE};

/// Seeded ids (src/simulators/luminate/directory.rs).
const ALICE: &str = "a11ce000-0000-4000-8000-000000000001";
const BOB: &str = "b0b00000-0000-4000-8000-000000000002";
const CAROL: &str = "ca201000-0000-4000-8000-000000000003";
const DEVELOPERS: &str = "9d000000-0000-4000-8000-0000000000d1";
const API_CLIENT: &str = "ac000000-0000-4000-8000-0000000000c1";

fn memberships(w: &Workspace<luminate::Running>) -> Vec<(String, String)> {
    w.sim_state()["memberships"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| (m["groupId"].as_str().unwrap_or_default().into(), m["userId"].as_str().unwrap_or_default().into()))
        .collect()
}

fn groups_hcl(group_name: &str, member_email: &str) -> String {
    format!(
        r#"
data "luminate_identity_provider" "local" {{
  identity_provider_name = "local"
}}

data "luminate_user" "member" {{
  identity_provider_id = data.luminate_identity_provider.local.identity_provider_id
  users                = ["{member_email}", "ALICE@acme.example.com"]
}}

data "luminate_group" "seeded" {{
  identity_provider_id = "local"
  groups               = ["Operators", "Developers"]
}}

resource "luminate_resources_group" "g" {{
  name                 = "{group_name}"
  identity_provider_id = data.luminate_identity_provider.local.identity_provider_id
}}

resource "luminate_group_user" "m" {{
  group_id = luminate_resources_group.g.id
  user_id  = data.luminate_user.member.user_ids[0]
}}

"#
    )
}

const GROUP_OUTPUTS: &str = r#"
output "user_ids" {
  value = data.luminate_user.member.user_ids
}

output "group_ids" {
  value = data.luminate_group.seeded.group_ids
}
"#;

#[test]
fn groups_and_memberships_replace_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&format!("{}{GROUP_OUTPUTS}", groups_hcl("Auditors", "bob@acme.example.com")));
    w.apply();
    w.assert_plan_empty();
    let group = w.id_of("luminate_resources_group.g");
    assert_eq!(w.id_of("luminate_group_user.m"), format!("{group}_{BOB}"));
    assert!(memberships(&w).contains(&(group.clone(), BOB.to_string())));
    // The data sources keep the configured order; e-mails compare ignoring case.
    let outputs = w.tf(&["output", "-json"]);
    let outputs: Value = serde_json::from_str(&outputs.stdout).expect("outputs");
    assert_eq!(outputs["user_ids"]["value"], json!([BOB, ALICE]));
    assert_eq!(outputs["group_ids"]["value"][1], DEVELOPERS);

    // Every argument replaces: a new name is a new group, and its membership follows.
    w.config(&groups_hcl("Auditors-2", "bob@acme.example.com"));
    w.reconcile(&["must be replaced", "2 to add, 0 to change, 2 to destroy"]);
    let renamed = w.id_of("luminate_resources_group.g");
    assert_ne!(renamed, group);
    assert!(w.sim_objects("group").iter().all(|g| g["id"] != group.as_str()), "the old group is deleted");
    w.config(&groups_hcl("Auditors-2", "carol@acme.example.com"));
    w.reconcile(&["1 to add, 0 to change, 1 to destroy"]);
    let members = memberships(&w);
    assert!(
        members.contains(&(renamed.clone(), CAROL.to_string()))
            && !members.contains(&(renamed.clone(), BOB.to_string()))
    );

    // Import by the group's ID alone (the read finds its identity provider) and by
    // `<group_id>_<user_id>`: nothing to change afterwards.
    for address in ["luminate_resources_group.g", "luminate_group_user.m"] {
        assert_eq!(w.tf(&["state", "rm", address]).code, 0);
    }
    let r = w.tf(&["import", "-no-color", "luminate_resources_group.g", &renamed]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(w.state_of("luminate_resources_group.g")["identity_provider_id"], "local");
    let r = w.tf(&["import", "-no-color", "luminate_group_user.m", "not-a-membership"]);
    assert!(r.code != 0 && r.stderr.contains("Invalid import ID"), "{}", r.all());
    let membership = format!("{renamed}_{CAROL}");
    let r = w.tf(&["import", "-no-color", "luminate_group_user.m", &membership]);
    assert_eq!(r.code, 0, "{}", r.all());
    w.assert_plan_empty();

    // Out of band: a renamed group is shown and replaced back; a removed membership and a
    // deleted group are created again.
    w.patch_object(&renamed, json!({"name": "Renamed-Elsewhere"}));
    w.reconcile(&["Renamed-Elsewhere", "must be replaced"]);
    let group = w.id_of("luminate_resources_group.g");
    w.delete_object(&format!("{group}_{CAROL}"));
    w.reconcile(&["1 to add, 0 to change, 0 to destroy"]);
    assert!(memberships(&w).contains(&(group.clone(), CAROL.to_string())));
    w.delete_object(&group);
    w.reconcile(&["2 to add"]);

    w.destroy();
    assert!(w.sim_objects("group").iter().all(|g| !g["name"].as_str().unwrap_or_default().starts_with("Auditors")));
    assert_eq!(memberships(&w).len(), 2, "only the seeded memberships are left: {:?}", memberships(&w));
}

#[test]
fn directory_data_sources_say_what_they_cannot_find() {
    let Some(w) = luminate_workspace() else { return };
    let cases = [
        (
            "data \"luminate_group\" \"g\" {\n  identity_provider_id = \"local\"\n  groups = [\"Developers\", \"Nope\"]\n}\n",
            "No group \"Nope\" of identity provider \"local\"",
        ),
        (
            "data \"luminate_user\" \"u\" {\n  identity_provider_id = \"local\"\n  users = [\"nobody@acme.example.com\"]\n}\n",
            "No user \"nobody@acme.example.com\"",
        ),
        ("data \"luminate_user\" \"u\" {\n  identity_provider_id = \"local\"\n  users = [\"user1\"]\n}\n", "is not an e-mail address"),
        (
            "data \"luminate_group\" \"g\" {\n  identity_provider_id = \"no-such-idp\"\n  groups = [\"Developers\"]\n}\n",
            "No identity provider \"no-such-idp\"",
        ),
        ("data \"luminate_identity_provider\" \"i\" {\n  identity_provider_name = \"Nope\"\n}\n", "No identity provider"),
    ];
    for (hcl, expected) in cases {
        w.config(hcl);
        let r = w.tf(&["plan", "-input=false", "-no-color"]);
        assert_ne!(r.code, 0, "{hcl}");
        assert!(r.stderr.contains(expected), "{hcl}\nexpected {expected:?} in:\n{}", r.stderr);
    }
    // A found identity provider: its ID, and the name as the data source's id.
    w.config("data \"luminate_identity_provider\" \"i\" {\n  identity_provider_name = \"Okta\"\n}\noutput \"idp\" {\n  value = data.luminate_identity_provider.i.identity_provider_id\n}\n");
    w.apply();
    assert_eq!(w.tf(&["output", "-raw", "idp"]).stdout.trim(), "0b7c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4");
}

fn roles_hcl(tenant_role: &str, site_entity: &str) -> String {
    format!(
        r#"
resource "luminate_site" "s" {{
  name = "roles-site"
}}

resource "luminate_collection" "c" {{
  name = "roles-collection"
}}

resource "luminate_tenant_role" "t" {{
  role_type            = "{tenant_role}"
  identity_provider_id = "local"
  entity_id            = "{ALICE}"
  entity_type          = "User"
}}

resource "luminate_collection_role" "c" {{
  role_type            = "PolicyOwner"
  identity_provider_id = "local"
  entity_id            = "{DEVELOPERS}"
  entity_type          = "Group"
  collection_id        = luminate_collection.c.id
}}

resource "luminate_site_role" "s" {{
  role_type            = "SiteConnectorDeployer"
  identity_provider_id = "local"
  entity_id            = "{site_entity}"
  entity_type          = "ApiClient"
  site_id              = luminate_site.s.id
}}
"#
    )
}

const ROLES: [&str; 3] = ["luminate_tenant_role.t", "luminate_collection_role.c", "luminate_site_role.s"];

#[test]
fn role_bindings_replace_import_drift_and_destroy() {
    let Some(w) = luminate_workspace() else { return };
    w.config(&roles_hcl("TenantViewer", API_CLIENT));
    w.apply();
    w.assert_plan_empty();
    let bindings = w.sim_objects("role binding");
    assert_eq!(bindings.len(), 3, "{bindings:?}");
    let tenant = w.id_of("luminate_tenant_role.t");
    let of = |id: &str| bindings.iter().find(|b| b["id"] == id).cloned().unwrap_or(Value::Null);
    assert_eq!(of(&tenant)["entity"]["displayName"], "Alice Archer");
    assert_eq!(of(&tenant)["entity"]["identityProviderType"], "local");
    let collection = w.state_of("luminate_collection.c")["id"].clone();
    assert_eq!(of(&w.id_of("luminate_collection_role.c"))["resource"]["id"], collection);

    // Every argument replaces.
    w.config(&roles_hcl("TenantAdmin", API_CLIENT));
    w.reconcile(&["must be replaced", "1 to add, 0 to change, 1 to destroy"]);
    let tenant = w.id_of("luminate_tenant_role.t");
    assert_eq!(w.sim_objects("role binding").iter().filter(|b| b["role"]["RoleType"] == "TenantAdmin").count(), 1);

    // Import by the binding's ID alone: the read finds role, entity and subject.
    let ids: Vec<String> = ROLES.iter().map(|a| w.id_of(a)).collect();
    for (address, id) in ROLES.iter().zip(&ids) {
        assert_eq!(w.tf(&["state", "rm", address]).code, 0);
        if address.starts_with("luminate_collection_role") {
            // A tenant binding is not a collection role.
            let r = w.tf(&["import", "-no-color", address, &tenant]);
            assert!(r.code != 0 && r.all().contains("another scope"), "{}", r.all());
        }
        let r = w.tf(&["import", "-no-color", address, id]);
        assert_eq!(r.code, 0, "{}", r.all());
    }
    w.assert_plan_empty();
    assert_eq!(w.state_of("luminate_site_role.s")["entity_type"], "ApiClient");

    // Out of band: a changed binding is shown and replaced; a deleted one is created again.
    w.patch_object(&tenant, json!({"role": {"id": "x", "name": "Tenant Viewer", "RoleType": "TenantViewer"}}));
    w.reconcile(&["\"TenantViewer\" -> \"TenantAdmin\""]);
    let site_binding = w.id_of("luminate_site_role.s");
    w.delete_object(&site_binding);
    w.reconcile(&["1 to add, 0 to change, 0 to destroy"]);

    // Wrong role for the scope: refused at plan time, naming the attribute. An unknown
    // entity: refused at apply, naming it.
    w.config(&roles_hcl("SiteEditor", API_CLIENT));
    let r = w.tf(&["plan", "-input=false", "-no-color"]);
    assert!(
        r.code != 0 && r.stderr.contains("role_type") && r.stderr.contains("TenantAdmin, TenantViewer"),
        "{}",
        r.stderr
    );
    w.config(&roles_hcl("TenantAdmin", BOB));
    let r = w.apply_err();
    assert!(r.stderr.contains("API client") || r.stderr.contains(BOB), "{}", r.stderr);
    w.config(&roles_hcl("TenantAdmin", API_CLIENT));
    w.apply();

    w.destroy();
    assert!(w.sim_objects("role binding").is_empty(), "{:?}", w.sim_objects("role binding"));
}

#[test]
fn state_written_by_the_go_provider_carries_over_with_replace_provider() {
    let Some(w) = luminate_workspace() else { return };
    let hcl = format!("{}{}", roles_hcl("TenantViewer", API_CLIENT), groups_hcl("Carried", "bob@acme.example.com"));
    w.config(&hcl);
    w.apply();
    let site = w.state_of("luminate_site.s");
    let group = w.id_of("luminate_resources_group.g");
    let role = |address: &str| {
        let mut s = w.state_of(address);
        if let Some(o) = s.as_object_mut() {
            o.retain(|_, v| !v.is_null());
        }
        s
    };
    // As the Go provider (SDKv2, schema version 0) writes it: its provider address, ""
    // for unset optional strings, its private data.
    let go = |kind: &str, name: &str, attributes: Value| sdkv2_resource(GO_LUMINATE, kind, name, attributes);
    let resources = vec![
        go_luminate_site("s", &site),
        go("luminate_collection", "c", json!({"id": w.id_of("luminate_collection.c"), "name": "roles-collection"})),
        go("luminate_tenant_role", "t", role("luminate_tenant_role.t")),
        go("luminate_collection_role", "c", role("luminate_collection_role.c")),
        go("luminate_site_role", "s", role("luminate_site_role.s")),
        go("luminate_resources_group", "g", json!({"id": group, "identity_provider_id": "local", "name": "Carried"})),
        go("luminate_group_user", "m", json!({"id": format!("{group}_{BOB}"), "group_id": group, "user_id": BOB})),
    ];
    w.take_over_state(GO_LUMINATE, resources, json!({}));
    w.assert_plan_empty();
    w.destroy();
    assert!(w.sim_objects("role binding").is_empty());
}

#[test]
fn creates_whose_answer_is_lost_end_with_exactly_one_object() {
    let Some(w) = luminate_workspace() else { return };
    w.arm_fault(json!({"method": "POST", "path_contains": "/groups", "kind": "error_after_commit", "status": 500}));
    w.arm_fault(json!({"method": "PUT", "path_contains": "/users/", "kind": "drop"}));
    w.arm_fault(json!({"method": "POST", "path_contains": "/tenant-role-bindings", "kind": "drop"}));
    let tenant_role = format!(
        "resource \"luminate_tenant_role\" \"t\" {{\n  role_type = \"TenantViewer\"\n  identity_provider_id = \"local\"\n  entity_id = \"{CAROL}\"\n  entity_type = \"User\"\n}}\n"
    );
    w.config(&format!("{}{tenant_role}", groups_hcl("Lost", "bob@acme.example.com")));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_objects("group").iter().filter(|g| g["name"] == "Lost").count(), 1);
    assert_eq!(w.sim_objects("role binding").len(), 1);
    let group = w.id_of("luminate_resources_group.g");
    assert!(memberships(&w).contains(&(group, BOB.to_string())));
}
