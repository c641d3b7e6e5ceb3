//! terraform-provider-lastline end to end, accounts and access: accounts, the customer's
//! contact details, custom roles and the three kinds of grants, with the real Terraform
//! CLI against the simulated Accounting API.

use serde_json::{json, Value as J};
use tfprov::simulators::lastline;
use tfprov::simulators::lastline as store;
use tfprov::testkit::{lastline_workspace, terraform, Workspace};

type Lastline = Workspace<lastline::Running>;

fn hidden(w: &Lastline, id: &str) -> J {
    let state = w.sim_state();
    let objects = state["objects"].as_array().cloned().unwrap_or_default();
    objects
        .into_iter()
        .find(|o| o["kind"] == "account" && o["id"] == id)
        .map(|o| o["hidden"].clone())
        .unwrap_or(J::Null)
}

fn account_hcl(name: &str, username: &str, email: &str, password: &str, version: u32, blocked: bool) -> String {
    format!(
        "resource \"lastline_account\" \"{name}\" {{\n  username            = \"{username}\"\n  email               = \"{email}\"\n  first_name          = \"Bob\"\n  password_wo         = \"{password}\"\n  password_wo_version = {version}\n  blocked             = {blocked}\n}}\n"
    )
}

/// The object of `kind` with admin id `id` as the API shows it (null when none).
fn object(w: &Lastline, kind: &str, id: &str) -> J {
    let state = w.sim_state();
    let objects = state["objects"].as_array().cloned().unwrap_or_default();
    objects.into_iter().find(|o| o["kind"] == kind && o["id"] == id).map(|o| o["object"].clone()).unwrap_or(J::Null)
}

fn calls(w: &Lastline, method: &str) -> u64 {
    w.sim_state()["requests"]["calls"][method].as_u64().unwrap_or(0)
}

#[test]
fn account_lifecycle_block_rotation_import_drift_replace_and_delete() {
    let Some(w) = lastline_workspace() else { return };
    // Created blocked: account/create, then account/block.
    w.config(&account_hcl("a", "bob@acme.example", "bob@acme.example", "first-pw-3391", 1, true));
    w.apply();
    w.assert_plan_empty();
    let bob = object(&w, "account", "bob@acme.example");
    assert_eq!((bob["is_blocked"].clone(), bob["customer"].clone()), (json!(true), json!(store::DEFAULT_CUSTOMER)));
    assert_eq!(hidden(&w, "bob@acme.example")["password"], "first-pw-3391");
    let state = w.state_of("lastline_account.a");
    assert_eq!(state["customer"], store::DEFAULT_CUSTOMER, "the provider account's customer by default");
    assert!(state["password_wo"].is_null() && state["create_time"].is_string(), "{state}");

    // E-mail and name in place (password_verify = the provider's password), unblocked.
    w.config(
        &account_hcl("a", "bob@acme.example", "robert@acme.example", "first-pw-3391", 1, false)
            .replace("Bob", "Robert"),
    );
    w.reconcile(&["~ update in-place", "robert@acme.example"]);
    let bob = object(&w, "account", "bob@acme.example");
    assert_eq!((bob["email"].clone(), bob["first_name"].clone()), (json!("robert@acme.example"), json!("Robert")));
    assert_eq!(bob["is_blocked"], false);

    // Rotation: a new version sends the new password.
    w.config(
        &account_hcl("a", "bob@acme.example", "robert@acme.example", "second-pw-7720", 2, false)
            .replace("Bob", "Robert"),
    );
    w.reconcile(&["password_wo_version"]);
    assert_eq!(hidden(&w, "bob@acme.example")["password"], "second-pw-7720");

    // Import: the version is not readable, so one update re-sends the password.
    w.import_again("lastline_account.a", "bob@acme.example");
    w.reconcile(&["password_wo_version"]);
    assert_eq!(w.state_of("lastline_account.a")["email"], "robert@acme.example");

    // Out of band: a name changed and the account blocked in the portal.
    w.patch_object("account/bob@acme.example", json!({"last_name": "Changed", "is_blocked": true}));
    w.reconcile(&["last_name", "blocked"]);
    let bob = object(&w, "account", "bob@acme.example");
    assert_eq!((bob["last_name"].clone(), bob["is_blocked"].clone()), (json!(""), json!(false)));

    // Deleted by another administrator: planned again.
    w.delete_object("account/bob@acme.example");
    w.reconcile(&["will be created"]);

    // A new username is a new account; the old one is deleted.
    w.config(&account_hcl("a", "rob@acme.example", "robert@acme.example", "second-pw-7720", 2, false));
    w.reconcile(&["must be replaced"]);
    assert!(object(&w, "account", "bob@acme.example").is_null());
    assert_eq!(object(&w, "account", "rob@acme.example")["email"], "robert@acme.example");

    w.destroy();
    assert!(object(&w, "account", "rob@acme.example").is_null(), "account/delete");
    assert_eq!(calls(&w, "account/delete"), 2);
}

#[test]
fn customer_contact_adopt_update_import_drift_and_destroy_that_only_forgets() {
    let Some(w) = lastline_workspace() else { return };
    let contact = |city: &str| {
        format!(
            "resource \"lastline_customer_contact\" \"c\" {{\n  phone = \"+1 555 0100\"\n  city  = \"{city}\"\n}}\n"
        )
    };
    w.config(&contact("Springfield"));
    w.apply();
    w.assert_plan_empty();
    let customer = object(&w, "customer", store::DEFAULT_CUSTOMER);
    assert_eq!((customer["phone"].clone(), customer["city"].clone()), (json!("+1 555 0100"), json!("Springfield")));
    let state = w.state_of("lastline_customer_contact.c");
    assert_eq!(state["id"], store::DEFAULT_CUSTOMER);
    assert!(state["affiliation"].is_string(), "unset fields read back: {state}");

    w.config(&contact("Shelbyville"));
    w.reconcile(&["~ update in-place", "Shelbyville"]);
    assert_eq!(object(&w, "customer", store::DEFAULT_CUSTOMER)["city"], "Shelbyville");

    w.import_again("lastline_customer_contact.c", store::DEFAULT_CUSTOMER);
    w.assert_plan_empty();

    w.patch_object(&format!("customer/{}", store::DEFAULT_CUSTOMER), json!({"city": "Capital City"}));
    w.reconcile(&["Capital City"]);
    assert_eq!(object(&w, "customer", store::DEFAULT_CUSTOMER)["city"], "Shelbyville");

    // Destroy only forgets: warned at plan time and at destroy.
    let p = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(p.all().contains("only removes it from Terraform state"), "{}", p.all());
    let r = w.destroy();
    assert!(r.all().contains(store::DEFAULT_CUSTOMER) && r.all().contains("stay as they are"), "{}", r.all());
    assert_eq!(object(&w, "customer", store::DEFAULT_CUSTOMER)["city"], "Shelbyville");

    // An unknown customer is an error naming the 6002.
    w.config(
        "resource \"lastline_customer_contact\" \"c\" {\n  customer = \"nobody@nowhere.example\"\n  city = \"X\"\n}\n",
    );
    let r = w.apply_err();
    assert!(r.all().contains("does not exist") || r.all().contains("6002"), "{}", r.all());
}

const ROLES: &str = r#"
resource "lastline_account" "eve" {
  username    = "eve@acme.example"
  email       = "eve@acme.example"
  password_wo = "eve-pw-1"
}

resource "lastline_role" "ops" {
  name        = "ROLE_NAME"
  description = "Operations"
}

resource "lastline_role_permission" "alerts" {
  role       = lastline_role.ops.name
  permission = "can_access_alerts"
}

resource "lastline_account_role" "custom" {
  account_username = lastline_account.eve.username
  role             = lastline_role.ops.name
}

resource "lastline_account_role" "readonly" {
  account_username = lastline_account.eve.username
  role             = "Read-only"
  builtin          = true
}

resource "lastline_account_permission" "pcaps" {
  account_username = lastline_account.eve.username
  permission       = "can_access_pcaps"
  context          = "license"
  target           = "ACMEHOSTED0000000001"
}
"#;

#[test]
fn roles_and_grants_rename_import_drift_revoke_and_forget() {
    let Some(w) = lastline_workspace() else { return };
    w.config(&ROLES.replace("ROLE_NAME", "Ops"));
    w.apply();
    w.assert_plan_empty();
    let role = object(&w, "role", "Ops");
    assert_eq!(role["description"], "Operations", "{role}");
    assert_eq!(w.id_of("lastline_account_role.custom"), "eve@acme.example/custom/Ops");
    assert_eq!(w.id_of("lastline_account_role.readonly"), "eve@acme.example/builtin/Read-only");
    assert_eq!(w.state_of("lastline_account_role.custom")["customer"], store::DEFAULT_CUSTOMER);
    assert_eq!(
        w.id_of("lastline_account_permission.pcaps"),
        "eve@acme.example/can_access_pcaps/license/ACMEHOSTED0000000001"
    );
    assert_eq!(w.id_of("lastline_role_permission.alerts"), "Ops/can_access_alerts");

    // Every grant imports by its ID.
    for (address, id) in [
        ("lastline_role.ops", "Ops"),
        ("lastline_role_permission.alerts", "Ops/can_access_alerts"),
        ("lastline_account_role.custom", "eve@acme.example/custom/Ops"),
        ("lastline_account_role.readonly", "eve@acme.example/builtin/Read-only"),
        ("lastline_account_permission.pcaps", "eve@acme.example/can_access_pcaps/license/ACMEHOSTED0000000001"),
    ] {
        w.import_again(address, id);
    }
    w.assert_plan_empty();

    // Description in place; grants revoked in the portal are granted again.
    w.config(&ROLES.replace("ROLE_NAME", "Ops").replace("\"Operations\"", "\"Night shift\""));
    w.delete_object("account_permission/eve@acme.example/can_access_pcaps/license/ACMEHOSTED0000000001");
    w.delete_object("role_permission/Ops/can_access_alerts");
    w.reconcile(&[
        "~ update in-place",
        "lastline_account_permission.pcaps will be created",
        "lastline_role_permission.alerts will be created",
    ]);
    assert_eq!(object(&w, "role", "Ops")["description"], "Night shift");

    // A rename is in place: the role keeps its grants, the dependent grants follow it.
    w.config(&ROLES.replace("ROLE_NAME", "Operations").replace("\"Operations\"\n}", "\"Night shift\"\n}"));
    w.reconcile(&["~ update in-place"]);
    assert_eq!(w.sim_count("role"), 4, "three built-in roles and one custom role: {}", w.sim_state()["counts"]);
    assert_eq!(w.id_of("lastline_role.ops"), "Operations");
    assert_eq!(w.id_of("lastline_account_role.custom"), "eve@acme.example/custom/Operations");
    assert!(object(&w, "role_permission", "Operations/can_access_alerts").is_object());

    // Out of band: the description changed in the portal.
    w.patch_object("role/Operations", json!({"description": "edited"}));
    w.reconcile(&["edited"]);
    assert_eq!(object(&w, "role", "Operations")["description"], "Night shift");

    // A revoke that fails because the grant is already gone counts as done; the role is
    // only forgotten, with a warning at plan time too.
    let p = w.tf(&["plan", "-destroy", "-no-color"]);
    assert!(
        p.all().contains("only removes it from Terraform state") && p.all().contains("role Operations"),
        "{}",
        p.all()
    );
    w.delete_object("account_permission/eve@acme.example/can_access_pcaps/license/ACMEHOSTED0000000001");
    let r = w.tf(&["destroy", "-auto-approve", "-input=false", "-no-color", "-refresh=false"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("only removes it from Terraform state") && r.all().contains("Operations"), "{}", r.all());
    assert!(object(&w, "role", "Operations").is_object(), "roles cannot be deleted");
    assert!(object(&w, "role_permission", "Operations/can_access_alerts").is_null(), "role/permission/revoke");
    assert!(object(&w, "account", "eve@acme.example").is_null());
    assert!(calls(&w, "permission/revoke") >= 1 && calls(&w, "role/revoke") >= 1);
}

#[test]
fn refused_grants_and_contexts_are_explained() {
    let Some(w) = lastline_workspace() else { return };
    // At plan: can_manage_users has no license context.
    w.config(
        "resource \"lastline_account_permission\" \"p\" {\n  account_username = \"analyst@acme.example\"\n  permission = \"can_manage_users\"\n  context = \"license\"\n  target = \"ACMEHOSTED0000000001\"\n}\n",
    );
    let r = w.tf(&["plan", "-no-color"]);
    assert_ne!(r.code, 0);
    assert!(
        r.all().contains("can_manage_users cannot be granted at license level") && r.all().contains("context"),
        "{}",
        r.all()
    );
    assert_eq!(calls(&w, "permission/grant"), 0);

    // At apply: the API refuses, and the diagnostic names the method and quotes the envelope.
    w.arm_fault(json!({"kind": "api_error", "path_contains": "permission/grant", "error": "Permission denied: cannot grant can_access_alerts", "error_code": 3001}));
    w.config(
        "resource \"lastline_account_permission\" \"p\" {\n  account_username = \"analyst@acme.example\"\n  permission = \"can_access_alerts\"\n  context = \"customer\"\n  target = \"admin@acme.example\"\n}\n",
    );
    let r = w.apply_err();
    let text = r.all().replace('\n', " ");
    for want in [
        "accounting/permission/grant failed",
        "Permission denied: cannot grant can_access_alerts",
        "3001",
        "PERMISSION_DENIED",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{}", r.all());
    }
    assert!(r.all().contains("Cannot grant the permission can_access_alerts"), "{}", r.all());
    // Nothing half-made: the next apply grants it.
    w.apply();
    w.assert_plan_empty();
}

/// Sessions end between applies and in the middle of one: exactly one re-login each time.
#[test]
fn an_expired_session_is_renewed_once() {
    let Some(w) = lastline_workspace() else { return };
    w.config(&account_hcl("a", "kim@acme.example", "kim@acme.example", "kim-pw-1", 1, false));
    w.apply();
    let logins = w.sim_state()["requests"]["logins"].as_u64().unwrap_or(0);
    let (s, b) = w.http("POST", "/_sim/sessions/expire", None);
    assert_eq!(s, 200, "{b}");
    // One provider process: refresh meets 3004 once, logs in again, carries on.
    w.config(&account_hcl("a", "kim@acme.example", "kim@acme.example", "kim-pw-1", 1, true));
    let r = w.tf(&["apply", "-auto-approve", "-input=false", "-no-color", "-refresh=false"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let state = w.sim_state();
    assert_eq!(state["requests"]["logins"].as_u64().unwrap_or(0), logins + 1, "{}", state["requests"]);
    assert_eq!(object(&w, "account", "kim@acme.example")["is_blocked"], true);

    // Mid-apply: the session ends right after the create committed (expired by a slow
    // simulator while the next call waits).
    let (s, b) = w.http("PUT", "/_sim/config", Some(json!({"latency_ms": 300})));
    assert_eq!(s, 200, "{b}");
    w.config(&format!(
        "{}{}",
        account_hcl("a", "kim@acme.example", "kim@acme.example", "kim-pw-1", 1, true),
        account_hcl("b", "lee@acme.example", "lee@acme.example", "lee-pw-1", 1, true)
    ));
    let before = w.sim_state()["requests"]["logins"].as_u64().unwrap_or(0);
    std::thread::scope(|scope| {
        let apply = scope.spawn(|| w.tf(&["apply", "-auto-approve", "-input=false", "-no-color", "-refresh=false"]));
        let started = std::time::Instant::now();
        while object(&w, "account", "lee@acme.example").is_null()
            && started.elapsed() < std::time::Duration::from_secs(60)
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let (s, b) = w.http("POST", "/_sim/sessions/expire", None);
        assert_eq!(s, 200, "{b}");
        let r = apply.join().expect("apply thread");
        assert_eq!(r.code, 0, "{}", r.all());
    });
    assert_eq!(w.sim_state()["requests"]["logins"].as_u64().unwrap_or(0), before + 2, "one login, one renewal");
    assert_eq!(
        object(&w, "account", "lee@acme.example")["is_blocked"],
        true,
        "the block after the create went through"
    );
    let (s, b) = w.http("PUT", "/_sim/config", Some(json!({"latency_ms": 0})));
    assert_eq!(s, 200, "{b}");
    w.assert_plan_empty();
}

/// The answers to an account create and a grant are lost after the simulator committed
/// them: each ends as exactly one object, adopted by its natural key.
#[test]
fn lost_create_answers_end_with_exactly_one_object() {
    let Some(w) = lastline_workspace() else { return };
    let accounts = w.sim_count("account");
    for path in ["account/create", "permission/grant"] {
        w.arm_fault(json!({"kind": "drop", "method": "POST", "path_contains": path}));
    }
    w.config(&format!(
        "{}resource \"lastline_account_permission\" \"p\" {{\n  account_username = lastline_account.a.username\n  permission = \"can_access_alerts\"\n  context = \"customer\"\n  target = \"admin@acme.example\"\n}}\n",
        account_hcl("a", "once@acme.example", "once@acme.example", "once-pw-1", 1, false)
    ));
    w.apply();
    w.assert_plan_empty();
    assert_eq!(w.sim_count("account"), accounts + 1);
    assert_eq!(calls(&w, "account/create"), 1, "not sent twice");
    assert!(
        object(&w, "account_permission", "once@acme.example/can_access_alerts/customer/admin@acme.example").is_object()
    );
}

/// The provider password and account passwords never reach a TF_LOG=trace log or the state.
#[test]
fn passwords_never_reach_logs_or_state() {
    let Some(tf) = terraform() else { return };
    let config = lastline::SimConfig { password: "provider-pw-55102".into(), ..Default::default() };
    let w = Workspace::around(tf, lastline::spawn(config).expect("simulator"));
    w.config(&account_hcl("a", "sam@acme.example", "sam@acme.example", "account-pw-81733", 1, false));
    let r = w.tf_with_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert_eq!(r.code, 0, "{}", r.all());
    // An e-mail change sends password_verify, a rotation new_password.
    w.config(&account_hcl("a", "sam@acme.example", "samuel@acme.example", "account-pw-92044", 2, false));
    let r2 = w.tf_with_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_LOG", "trace")]);
    assert_eq!(r2.code, 0, "{}", r2.all());
    assert!(r.stderr.contains("account/create"), "the trace log has the calls");
    assert_eq!(hidden(&w, "sam@acme.example")["password"], "account-pw-92044");
    let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).expect("state");
    for secret in ["provider-pw-55102", "account-pw-81733", "account-pw-92044"] {
        assert!(!r.all().contains(secret) && !r2.all().contains(secret), "{secret} in the log");
        assert!(!state.contains(secret), "{secret} in the state");
    }
}

#[test]
fn data_sources_read_the_simulated_objects() {
    let Some(w) = lastline_workspace() else { return };
    w.add_object("role", json!({"name": "Auditors", "description": "Read logs", "builtin": false, "customer": store::DEFAULT_CUSTOMER, "permissions": ["can_access_alerts"], "contexts": ["customer"]}));
    w.config(&format!(
        r#"
data "lastline_customer" "own" {{}}
data "lastline_current_account" "me" {{}}
data "lastline_accounts" "analysts" {{
  username_substring = "analyst"
}}
data "lastline_permission_types" "all" {{}}
data "lastline_account_permissions" "analyst" {{
  account_username = "{analyst}"
  consider_roles   = false
}}
data "lastline_roles" "custom" {{
  builtin = false
}}
data "lastline_account_roles" "analyst" {{
  account_username = "{analyst}"
}}
output "customer" {{ value = data.lastline_customer.own }}
output "me" {{ value = data.lastline_current_account.me }}
output "accounts" {{ value = data.lastline_accounts.analysts }}
output "permissions" {{ value = data.lastline_permission_types.all }}
output "analyst_permissions" {{ value = data.lastline_account_permissions.analyst }}
output "roles" {{ value = data.lastline_roles.custom }}
output "analyst_roles" {{ value = data.lastline_account_roles.analyst }}
"#,
        analyst = store::ANALYST
    ));
    w.apply();
    let r = w.tf(&["output", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let out: J = serde_json::from_str(&r.stdout).expect("outputs");
    let v = |name: &str| out[name]["value"].clone();
    assert_eq!(v("customer")["id"], store::DEFAULT_CUSTOMER);
    assert_eq!(v("customer")["first_name"], object(&w, "customer", store::DEFAULT_CUSTOMER)["first_name"]);
    assert_eq!(
        (v("me")["id"].clone(), v("me")["customer"].clone()),
        (json!(store::DEFAULT_USERNAME), json!(store::DEFAULT_CUSTOMER))
    );
    assert_eq!(v("me")["is_blocked"], false);
    let accounts = v("accounts")["accounts"].as_array().cloned().unwrap_or_default();
    assert_eq!(accounts.len(), 1, "{accounts:?}");
    assert_eq!(accounts[0]["username"], store::ANALYST);
    let perms = v("permissions")["permissions"].as_array().cloned().unwrap_or_default();
    assert_eq!(perms.len(), 8);
    let alerts = perms.iter().find(|p| p["permission"] == "can_access_alerts").expect("can_access_alerts");
    assert_eq!(alerts["contexts"], json!(["customer", "license", "subkey"]));
    let ap = v("analyst_permissions");
    assert_eq!(ap["id"], store::ANALYST);
    assert_eq!(ap["license_permissions"][0]["access_key"], store::HOSTED_KEY, "{ap}");
    assert!(ap["license_permissions"][0]["access_key_id"].is_number(), "{ap}");
    assert_eq!(ap["subkey_permissions"][0]["key"], format!("{}:sensor01", store::ONPREM_KEY), "{ap}");
    let roles = v("roles")["roles"].as_array().cloned().unwrap_or_default();
    assert_eq!(roles.len(), 1, "{roles:?}");
    assert_eq!((roles[0]["role_name"].clone(), roles[0]["builtin"].clone()), (json!("Auditors"), json!(false)));
    assert_eq!(roles[0]["permissions"], json!(["can_access_alerts"]));
    let granted = v("analyst_roles")["roles"].as_array().cloned().unwrap_or_default();
    assert!(
        granted
            .iter()
            .any(|g| g["role"] == "Read-only" && g["builtin"] == true && g["customer"] == store::DEFAULT_CUSTOMER),
        "{granted:?}"
    );
    w.assert_plan_empty();
}

/// The examples of this area validate with Terraform.
#[test]
fn examples_of_accounts_and_access_validate() {
    let Some(w) = lastline_workspace() else { return };
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lastline");
    let types = [
        "resources/lastline_account",
        "resources/lastline_customer_contact",
        "resources/lastline_account_permission",
        "resources/lastline_role",
        "resources/lastline_role_permission",
        "resources/lastline_account_role",
        "data-sources/lastline_customer",
        "data-sources/lastline_current_account",
        "data-sources/lastline_accounts",
        "data-sources/lastline_permission_types",
        "data-sources/lastline_account_permissions",
        "data-sources/lastline_roles",
        "data-sources/lastline_account_roles",
    ];
    for t in types {
        let dir = root.join(t);
        let mut body = String::new();
        for f in std::fs::read_dir(&dir).expect("example folder").flatten() {
            if f.path().extension().is_some_and(|x| x == "tf") {
                body.push_str(&std::fs::read_to_string(f.path()).expect("read example"));
            }
        }
        assert!(!body.is_empty(), "{t}: no example");
        w.config(&body);
        let r = w.tf(&["validate", "-no-color"]);
        assert_eq!(r.code, 0, "{t} does not validate:\n{}", r.all());
    }
}
