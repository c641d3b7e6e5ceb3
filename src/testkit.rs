//! End-to-end harness shared by `tests/` and `benches/`: a real Terraform CLI, the real
//! provider binary (through a `dev_overrides` CLI config), and an in-process simulator per
//! workspace. Any vendor's simulator plugs in through [`Simulated`]; `Workspace` without a
//! type parameter is the Lightbits one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::simulators::lightbits::{self, Running, SimConfig};
use crate::simulators::luminate;
use serde_json::{json, Value as J};

pub const TOKEN: &str = "e2e-token";

/// The Go Luminate provider's registry address, which its users' states name.
pub const GO_LUMINATE: &str = "registry.terraform.io/broadcom/luminate";

/// SDKv2's private data for schema version 0: `{"schema_version":"0"}`, base64.
pub const SDKV2_PRIVATE: &str = "eyJzY2hlbWFfdmVyc2lvbiI6IjAifQ==";

/// One managed resource as an SDKv2 provider at `source` writes it into state: one
/// instance, schema version 0, SDKv2's private data. Switching users bring such states.
pub fn sdkv2_resource(source: &str, kind: &str, name: &str, attributes: J) -> J {
    json!({
        "mode": "managed", "type": kind, "name": name,
        "provider": format!("provider[\"{source}\"]"),
        "instances": [{
            "schema_version": 0, "attributes": attributes, "sensitive_attributes": [], "private": SDKV2_PRIVATE
        }]
    })
}

/// `luminate_site.<name>` as the Go provider writes it, from our state's values of the
/// same site (`id`, `name`, `region`; the Go provider's values for the rest, unset).
pub fn go_luminate_site(name: &str, ours: &J) -> J {
    let attributes = json!({
        "authentication_mode": "manual", "id": ours["id"], "kubernetes_persistent_volume_name": "",
        "mute_health_notification": false, "name": ours["name"], "region": ours["region"]
    });
    sdkv2_resource(GO_LUMINATE, "luminate_site", name, attributes)
}

/// A workspace around a fresh Luminate simulator; `None` when Terraform is missing
/// outside CI (then `let Some(w) = luminate_workspace() else { return };` skips).
pub fn luminate_workspace() -> Option<Workspace<luminate::Running>> {
    let tf = terraform()?;
    Some(Workspace::around(tf, luminate::spawn(luminate::SimConfig::default()).expect("simulator")))
}

/// A running vendor simulator, as the harness needs it.
pub trait Simulated {
    /// The provider's name: source `tfprov/<name>`, binary `terraform-provider-<name>`.
    const PROVIDER: &'static str;
    /// The provider's environment variables, which a developer's shell may have set.
    const ENV: &'static [&'static str];
    /// Base URL of the simulator (its admin routes are under `/_sim/`).
    fn url(&self) -> String;
    /// The provider block's arguments that point at this simulator with valid credentials.
    fn provider_arguments(&self) -> String;
}

impl Simulated for Running {
    const PROVIDER: &'static str = "lightbits";
    const ENV: &'static [&'static str] = &["LIGHTBITS_ENDPOINTS", "LIGHTBITS_TOKEN", "LIGHTBITS_PROJECT"];
    fn url(&self) -> String {
        Running::url(self)
    }
    fn provider_arguments(&self) -> String {
        format!("endpoints = [\"{}\"]\n  token = \"{TOKEN}\"", Running::url(self))
    }
}

impl Simulated for crate::simulators::luminate::Running {
    const PROVIDER: &'static str = "luminate";
    const ENV: &'static [&'static str] =
        &["LUMINATE_API_ENDPOINT", "LUMINATE_API_CLIENT_ID", "LUMINATE_API_CLIENT_SECRET"];
    fn url(&self) -> String {
        crate::simulators::luminate::Running::url(self)
    }
    fn provider_arguments(&self) -> String {
        let cfg = self.sim.config.lock().map(|c| c.clone()).unwrap_or_default();
        format!(
            "api_endpoint      = \"{}\"\n  api_client_id     = \"{}\"\n  api_client_secret = \"{}\"",
            crate::simulators::luminate::Running::url(self),
            cfg.client_id,
            cfg.client_secret
        )
    }
}

impl Simulated for crate::simulators::lightrun::Running {
    const PROVIDER: &'static str = "lightrun";
    const ENV: &'static [&'static str] = &["LIGHTRUN_API_URL", "LIGHTRUN_API_KEY", "LIGHTRUN_COMPANY_ID"];
    fn url(&self) -> String {
        crate::simulators::lightrun::Running::url(self)
    }
    fn provider_arguments(&self) -> String {
        let cfg = self.sim.config.lock().map(|c| c.clone()).unwrap_or_default();
        format!(
            "api_url    = \"{}\"\n  api_key    = \"{}\"\n  company_id = \"{}\"",
            crate::simulators::lightrun::Running::url(self),
            cfg.api_key,
            cfg.company_id
        )
    }
}

impl Simulated for crate::simulators::lighthouse::Running {
    const PROVIDER: &'static str = "lighthouse";
    const ENV: &'static [&'static str] = &["LIGHTHOUSE_ENDPOINT", "LIGHTHOUSE_EMAIL", "LIGHTHOUSE_PASSWORD"];
    fn url(&self) -> String {
        crate::simulators::lighthouse::Running::url(self)
    }
    fn provider_arguments(&self) -> String {
        let cfg = self.sim.config.lock().map(|c| c.clone()).unwrap_or_default();
        format!(
            "endpoint = \"{}\"\n  email    = \"{}\"\n  password = \"{}\"",
            crate::simulators::lighthouse::Running::url(self),
            cfg.admin_email,
            cfg.admin_password
        )
    }
}

/// A workspace around a fresh Lighthouse simulator (see [`luminate_workspace`]).
pub fn lighthouse_workspace() -> Option<Workspace<crate::simulators::lighthouse::Running>> {
    let tf = terraform()?;
    let sim = crate::simulators::lighthouse::spawn(crate::simulators::lighthouse::SimConfig::default());
    Some(Workspace::around(tf, sim.expect("simulator")))
}

impl Simulated for crate::simulators::lastline::Running {
    const PROVIDER: &'static str = "lastline";
    const ENV: &'static [&'static str] =
        &["LASTLINE_BASE_URL", "LASTLINE_USERNAME", "LASTLINE_PASSWORD", "LASTLINE_CA_CERTIFICATE"];
    fn url(&self) -> String {
        crate::simulators::lastline::Running::url(self)
    }
    fn provider_arguments(&self) -> String {
        let cfg = self.sim.config.lock().map(|c| c.clone()).unwrap_or_default();
        format!(
            "base_url = \"{}/papi\"\n  username = \"{}\"\n  password = \"{}\"",
            crate::simulators::lastline::Running::url(self),
            cfg.username,
            cfg.password
        )
    }
}

/// A workspace around a fresh Lastline simulator (see [`luminate_workspace`]).
pub fn lastline_workspace() -> Option<Workspace<crate::simulators::lastline::Running>> {
    lastline_workspace_with(crate::simulators::lastline::SimConfig::default())
}

/// A workspace around a Lastline simulator configured as given.
pub fn lastline_workspace_with(
    config: crate::simulators::lastline::SimConfig,
) -> Option<Workspace<crate::simulators::lastline::Running>> {
    let tf = terraform()?;
    Some(Workspace::around(tf, crate::simulators::lastline::spawn(config).expect("simulator")))
}

/// Finds Terraform 1.15.x: `TF_BIN`, the project's `.tools/bin/terraform`, or PATH.
/// In CI a missing Terraform fails the test; elsewhere the test is skipped loudly.
pub fn terraform() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("TF_BIN").map(PathBuf::from),
        Some(root.join(".tools/bin/terraform")),
        Some(PathBuf::from("terraform")),
    ];
    for c in candidates.into_iter().flatten() {
        if let Ok(out) = Command::new(&c).args(["version", "-json"]).env("CHECKPOINT_DISABLE", "1").output() {
            let v: J = serde_json::from_slice(&out.stdout).unwrap_or(J::Null);
            if v["terraform_version"].as_str().is_some_and(|s| s.starts_with("1.15.")) {
                return Some(c);
            }
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("Terraform 1.15.x not found: run scripts/install-terraform.sh (scripts/test.sh does) or set TF_BIN");
    }
    eprintln!("SKIPPED: Terraform 1.15.x not found; run ./scripts/test.sh to install it");
    None
}

/// Where the provider binary is: next to the test or bench executable's `deps/` folder,
/// i.e. `target/release`.
pub fn provider_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().and_then(Path::parent).map(Path::to_path_buf))
        .filter(|d| d.join("terraform-provider-lightbits").exists())
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release"))
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Both outputs with Terraform's line wrapping undone, for matching sentences.
    pub fn flat(&self) -> String {
        self.all().split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

pub struct Workspace<S: Simulated = Running> {
    pub dir: tempfile::TempDir,
    tf: PathBuf,
    pub sim: S,
    rc: PathBuf,
    rt: tokio::runtime::Runtime,
}

impl Workspace<Running> {
    /// A fresh directory, simulator and CLI config; `None` when Terraform is missing
    /// outside CI.
    pub fn new() -> Option<Workspace> {
        Self::with_sim(SimConfig {
            token: Some(TOKEN.into()),
            transition_delay: Duration::from_millis(150),
            ..SimConfig::default()
        })
    }

    /// Like [`Workspace::new`], with asynchronous operations taking `delay`.
    pub fn with_transition_delay(delay: Duration) -> Option<Workspace> {
        Self::with_sim(SimConfig { token: Some(TOKEN.into()), transition_delay: delay, ..SimConfig::default() })
    }

    pub fn with_sim(cfg: SimConfig) -> Option<Workspace> {
        let tf = terraform()?;
        Some(Workspace::around(tf, lightbits::spawn(cfg).expect("simulator")))
    }
}

// Every simulator's admin state gives `counts` by noun and `objects` as `{kind, id, object}`.
impl<S: Simulated> Workspace<S> {
    /// How many objects of one kind (its noun, e.g. "connector") the simulator holds.
    pub fn sim_count(&self, noun: &str) -> u64 {
        self.sim_state()["counts"][noun].as_u64().unwrap_or(0)
    }

    /// The simulator's objects of one kind (its noun, e.g. "policy", "role binding").
    /// Panics when the admin state lists no objects, so that "none left" cannot pass on
    /// a broken admin route.
    pub fn sim_objects(&self, noun: &str) -> Vec<J> {
        let state = self.sim_state();
        let Some(objects) = state["objects"].as_array() else { panic!("no objects in the simulator's state: {state}") };
        objects.iter().filter(|o| o["kind"] == noun).map(|o| o["object"].clone()).collect()
    }

    /// The object with `id` (the admin view's key, the object's own `id` or Lightbits
    /// `UUID`, or, for objects keyed by email such as Lightrun users, that `email`) as the
    /// simulated API holds it (`null` when it has none).
    pub fn sim_object(&self, id: &str) -> J {
        self.sim_state()["objects"]
            .as_array()
            .and_then(|objects| {
                objects
                    .iter()
                    .find(|o| {
                        o["id"] == id
                            || o["object"]["id"] == id
                            || o["object"]["UUID"] == id
                            || o["object"]["email"] == id
                    })
                    .map(|o| o["object"].clone())
            })
            .unwrap_or(J::Null)
    }
}

impl<S: Simulated> Workspace<S> {
    /// A fresh directory and CLI config around a running simulator and a Terraform CLI.
    pub fn around(tf: PathBuf, sim: S) -> Workspace<S> {
        let dir = tempfile::tempdir().expect("temp dir");
        let rc = dir.path().join("terraformrc");
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"tfprov/{}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                S::PROVIDER,
                provider_dir().display()
            ),
        )
        .expect("write rc");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        Workspace { dir, tf, sim, rc, rt }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes main.tf: the required_providers block, a provider block pointing at the
    /// simulator, then `body`.
    pub fn config(&self, body: &str) {
        self.config_with_provider(&self.sim.provider_arguments(), body);
    }

    pub fn config_with_provider(&self, provider: &str, body: &str) {
        let name = S::PROVIDER;
        let hcl = format!(
            "terraform {{\n  required_providers {{\n    {name} = {{ source = \"tfprov/{name}\" }}\n  }}\n}}\n\nprovider \"{name}\" {{\n  {provider}\n}}\n\n{body}\n"
        );
        std::fs::write(self.dir.path().join("main.tf"), hcl).expect("write main.tf");
    }

    pub fn tf(&self, args: &[&str]) -> Run {
        self.tf_with_env(args, &[])
    }

    /// Runs Terraform with extra environment variables (`TF_LOG=trace`, say).
    pub fn tf_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(&self.tf);
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("TF_CLI_CONFIG_FILE", &self.rc)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG");
        for var in S::ENV {
            cmd.env_remove(var);
        }
        cmd.envs(env.iter().copied());
        let out = cmd.output().expect("run terraform");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn apply(&self) -> Run {
        let r = self.tf(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert_eq!(r.code, 0, "apply failed:\n{}", r.all());
        r
    }

    pub fn apply_err(&self) -> Run {
        let r = self.tf(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert_ne!(r.code, 0, "apply should have failed:\n{}", r.all());
        r
    }

    /// `plan -detailed-exitcode`: 0 = no changes, 2 = changes.
    pub fn plan(&self) -> Run {
        let r = self.tf(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert!(r.code == 0 || r.code == 2, "plan failed:\n{}", r.all());
        r
    }

    pub fn assert_plan_empty(&self) {
        let r = self.plan();
        assert_eq!(r.code, 0, "expected an empty plan:\n{}", r.all());
    }

    pub fn destroy(&self) -> Run {
        let r = self.tf(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
        assert_eq!(r.code, 0, "destroy failed:\n{}", r.all());
        r
    }

    /// Attribute values of one resource in state (`terraform show -json`).
    pub fn state_of(&self, address: &str) -> J {
        let r = self.tf(&["show", "-json"]);
        assert_eq!(r.code, 0, "show failed:\n{}", r.all());
        let v: J = serde_json::from_str(&r.stdout).expect("state json");
        let resources = v["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default();
        resources
            .into_iter()
            .find(|x| x["address"] == address)
            .map(|x| x["values"].clone())
            .unwrap_or_else(|| panic!("{address} not in state:\n{}", r.stdout))
    }

    /// The `id` attribute of one resource in state.
    pub fn id_of(&self, address: &str) -> String {
        let values = self.state_of(address);
        values["id"].as_str().unwrap_or_else(|| panic!("{address} has no id: {values}")).to_string()
    }

    /// Forgets `address` and imports it again by `id`, asserting both succeed.
    pub fn import_again(&self, address: &str, id: &str) {
        let r = self.tf(&["state", "rm", address]);
        assert_eq!(r.code, 0, "state rm {address}:\n{}", r.all());
        let r = self.tf(&["import", "-no-color", address, id]);
        assert_eq!(r.code, 0, "import {address} {id}:\n{}", r.all());
    }

    /// Plans, asserts the plan shows every one of `expected`, applies, and asserts the
    /// next plan is empty: one step of a lifecycle test (a changed configuration, or an
    /// out-of-band change or delete being shown, then undone).
    pub fn reconcile(&self, expected: &[&str]) {
        let p = self.plan();
        for e in expected {
            assert!(p.stdout.contains(e), "expected {e:?} in the plan:\n{}", p.stdout);
        }
        self.apply();
        self.assert_plan_empty();
    }

    /// Writes `state` as the workspace's `terraform.tfstate`.
    pub fn write_state(&self, state: &J) {
        let bytes = serde_json::to_vec_pretty(state).expect("state json");
        std::fs::write(self.dir.path().join("terraform.tfstate"), bytes).expect("write state");
    }

    /// What a user switching from another provider does: the state as that provider at
    /// `old_source` wrote it (`resources`, `outputs`; this state's lineage, a newer
    /// serial), then `terraform state replace-provider` to ours, which must succeed.
    /// Returns the state written, before the replacement.
    pub fn take_over_state(&self, old_source: &str, resources: Vec<J>, outputs: J) -> J {
        let path = self.dir.path().join("terraform.tfstate");
        let current: J = std::fs::read(&path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(J::Null);
        let state = json!({
            "version": 4,
            "terraform_version": "1.9.8",
            "serial": current["serial"].as_u64().unwrap_or(0) + 1,
            "lineage": current["lineage"].as_str().unwrap_or("3c9e52b4-9b1e-4c1a-9a63-6d1e2f3a4b5c"),
            "outputs": outputs,
            "resources": resources,
            "check_results": null
        });
        self.write_state(&state);
        let ours = format!("registry.terraform.io/tfprov/{}", S::PROVIDER);
        let r = self.tf(&["state", "replace-provider", "-auto-approve", old_source, &ours]);
        assert_eq!(r.code, 0, "replace-provider {old_source} -> {ours}:\n{}", r.all());
        state
    }

    /// Calls the simulator's admin or API routes (the API with the token).
    pub fn http(&self, method: &str, path: &str, body: Option<J>) -> (u16, J) {
        let url = format!("{}{path}", self.sim.url());
        self.rt.block_on(async {
            let c = reqwest::Client::new();
            let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let mut req = c.request(m, url).bearer_auth(TOKEN);
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await.expect("simulator request");
            let status = resp.status().as_u16();
            let body = resp.json::<J>().await.unwrap_or(J::Null);
            (status, body)
        })
    }

    pub fn sim_state(&self) -> J {
        self.http("GET", "/_sim/state", None).1
    }

    pub fn patch_object(&self, id: &str, patch: J) {
        let (s, b) = self.http("PATCH", &format!("/_sim/objects/{id}"), Some(patch));
        assert_eq!(s, 200, "{b}");
    }

    /// Adds an object the way someone else would (a simulator's `POST /_sim/objects/{kind}`);
    /// returns it with its id.
    pub fn add_object(&self, kind: &str, body: J) -> J {
        let (s, b) = self.http("POST", &format!("/_sim/objects/{kind}"), Some(body));
        assert_eq!(s, 200, "{b}");
        b
    }

    pub fn delete_object(&self, id: &str) {
        let (s, b) = self.http("DELETE", &format!("/_sim/objects/{id}"), None);
        assert_eq!(s, 200, "{b}");
    }

    pub fn arm_fault(&self, fault: J) {
        let (s, b) = self.http("POST", "/_sim/faults", Some(fault));
        assert_eq!(s, 200, "{b}");
    }
}
/// Compares one block of `terraform providers schema -json` with the interface copy:
/// every attribute and nested block the copy names must be there with its type, flags,
/// nesting and sensitivity.
pub fn interface_differences(what: &str, expected: &J, block: &J) -> Vec<String> {
    let mut errors = Vec::new();
    check_block(what, expected, block, &mut errors);
    errors
}

fn check_block(what: &str, expected: &J, block: &J, errors: &mut Vec<String>) {
    if block.is_null() {
        errors.push(format!("{what}: missing"));
        return;
    }
    let attrs = &block["attributes"];
    let blocks = &block["block_types"];
    for (name, want) in expected.as_object().into_iter().flatten() {
        if let Some(nesting) = want["block"].as_str() {
            let got = &blocks[name];
            if got.is_null() {
                errors.push(format!("{what}.{name}: block missing"));
                continue;
            }
            if got["nesting_mode"] != nesting {
                errors.push(format!("{what}.{name}: nesting {} (interface: {nesting})", got["nesting_mode"]));
            }
            for bound in ["min", "max"] {
                let key = format!("{bound}_items");
                let got_bound = got[key.as_str()].as_u64().unwrap_or(0);
                if got_bound != want[bound].as_u64().unwrap_or(0) {
                    errors.push(format!("{what}.{name}: {key} {got_bound} (interface: {})", want[bound]));
                }
            }
            check_block(&format!("{what}.{name}"), &want["attributes"], &got["block"], errors);
            continue;
        }
        let got = &attrs[name];
        if got.is_null() {
            // The table leaves some types open (`null`): a block of that name will do.
            let open_type_as_block = want["type"].is_null() && !blocks[name].is_null();
            if !open_type_as_block {
                errors.push(format!("{what}.{name}: missing"));
            }
            continue;
        }
        if !want["type"].is_null() && got["type"] != want["type"] {
            errors.push(format!("{what}.{name}: type {} (interface: {})", got["type"], want["type"]));
        }
        let flag = |k: &str| got[k].as_bool().unwrap_or(false);
        let ok = match want["mode"].as_str().unwrap_or_default() {
            "required" => flag("required") && !flag("optional") && !flag("computed"),
            "optional" => flag("optional") && !flag("required") && !flag("computed"),
            // An optional attribute with a default may be optional+computed.
            "optional_default" => flag("optional") && !flag("required"),
            "optional_computed" => flag("optional") && flag("computed"),
            "computed" => flag("computed") && !flag("optional") && !flag("required"),
            other => {
                errors.push(format!("{what}.{name}: unknown mode {other} in the interface copy"));
                true
            }
        };
        if !ok {
            errors.push(format!("{what}.{name}: flags {got} (interface: {})", want["mode"]));
        }
        if want["write_only"].as_bool() == Some(true) && !flag("write_only") {
            errors.push(format!("{what}.{name}: must be write-only"));
        }
        match want["sensitive"].as_bool() {
            Some(true) if !flag("sensitive") => errors.push(format!("{what}.{name}: must be sensitive")),
            Some(false) if flag("sensitive") => errors.push(format!("{what}.{name}: must not be sensitive")),
            _ => {}
        }
    }
}
