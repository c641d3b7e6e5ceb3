//! End-to-end harness shared by `tests/` and `benches/`: a real Terraform CLI, the real
//! provider binary (through a `dev_overrides` CLI config), and an in-process simulator per
//! workspace. Any vendor's simulator plugs in through [`Simulated`]; `Workspace` without a
//! type parameter is the Lightbits one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::simulators::lightbits::{self, Running, SimConfig};
use serde_json::Value as J;

pub const TOKEN: &str = "e2e-token";

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

    pub fn sim_object(&self, uuid: &str) -> J {
        self.sim_state()["objects"]
            .as_array()
            .and_then(|objs| objs.iter().find(|o| o["object"]["UUID"] == uuid).map(|o| o["object"].clone()))
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
