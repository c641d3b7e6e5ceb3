//! Terraform actions (1.14+ `action` blocks) end to end. No vendor declares an action
//! yet, so this test declares a small provider of its own (`acttest`) on the shared engine,
//! over the Lightbits simulator's API, and serves it inside the test process: Terraform
//! attaches to it through `TF_REATTACH_PROVIDERS` (the provider's debug mode), exactly
//! as it talks to a provider binary.
//!
//! - Terraform 1.15 invokes a declared action (`terraform apply -invoke=...`), prints its
//!   progress message, and the API call is made; validation and API errors reach the user.
//! - An older Terraform (before actions) still loads a provider that declares actions.
//! - At the protocol level: metadata, schemas, PlanAction, the InvokeAction stream, and
//!   StopProvider or a dropped stream cancelling a running invocation.

mod common;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::Value as J;
use tfprov::engine::action::{ActionDef, Invoke, Progress, SendOp};
use tfprov::engine::api::Api;
use tfprov::engine::datasource::{DataSourceDef, LookupOne};
use tfprov::engine::diag::Diagnostics;
use tfprov::engine::provider::{Provider, ProviderDef};
use tfprov::engine::resource::{Ctx, Op};
use tfprov::engine::schema::{Codec, Field, Validator};
use tfprov::engine::value::Value;
use tfprov::http::{vendors, TransportConfig};
use tfprov::protocol::pb;
use tfprov::protocol::pb::provider_client::ProviderClient;
use tfprov::protocol::plugin::{serve_attached, Attached};
use tfprov::protocol::wire;
use tfprov::simulators::lightbits::{self, SimConfig};
use tonic::transport::{Channel, Endpoint, Uri};

const ADDRESS: &str = "registry.terraform.io/tfprov/acttest";

/// Reports that it waits, then waits until cancelled (and says so in `seen_cancel`).
struct Wait {
    seen_cancel: Arc<AtomicBool>,
}

#[async_trait]
impl Invoke for Wait {
    async fn invoke(&self, ctx: &Ctx, _: &ActionDef, _: &Value, progress: &Progress) -> Diagnostics {
        progress.send("waiting for the stop signal");
        ctx.cancel.cancelled().await;
        self.seen_cancel.store(true, Ordering::SeqCst);
        Diagnostics::error("Cancelled: stopped while waiting", "The wait was interrupted.")
    }
}

/// Ignores cancellation altogether: the engine must give up on it by itself.
struct Stubborn;

#[async_trait]
impl Invoke for Stubborn {
    async fn invoke(&self, _: &Ctx, _: &ActionDef, _: &Value, progress: &Progress) -> Diagnostics {
        progress.send("not listening");
        tokio::time::sleep(Duration::from_secs(600)).await;
        Diagnostics::default()
    }
}

fn test_provider(seen_cancel: Arc<AtomicBool>) -> ProviderDef {
    ProviderDef {
        name: "acttest",
        description: "Declared by tests/actions.rs over the Lightbits simulator.".into(),
        fields: vec![Field::string("endpoint").required(), Field::string("token").required().sensitive()],
        resources: vec![],
        data_sources: vec![DataSourceDef::new(
            "acttest_project",
            "",
            vec![
                Field::string("name").required(),
                Field::string("description").computed().api("description", Codec::Plain),
                Field::string("id").computed(),
            ],
            LookupOne {
                by_key: Some(Op::get("/api/v2/projects/{name}")),
                by_list: None,
                id_template: "{name}",
                noun: "project",
            },
        )],
        ephemeral_resources: vec![],
        actions: vec![
            ActionDef::new(
                "acttest_create_project",
                "Creates a project.",
                vec![
                    Field::string("name").required().api_create("name", Codec::Plain),
                    Field::string("description")
                        .optional()
                        .validate(Validator::MaxLen(40))
                        .api_create("description", Codec::Plain),
                ],
                SendOp::new(Op::post("/api/v2/projects"), "project")
                    .report("Project {answer.name} created ({answer.description})"),
            ),
            ActionDef::new(
                "acttest_wait",
                "Waits until stopped.",
                vec![Field::string("why").optional()],
                Wait { seen_cancel },
            ),
            ActionDef::new("acttest_stubborn", "Ignores stop requests.", vec![], Stubborn),
        ],
        configure: Box::new(|cfg| {
            let url = cfg.get("endpoint").as_str().unwrap_or_default().to_string();
            let token = cfg.get("token").as_str().map(str::to_string);
            let client = vendors::lightbits(TransportConfig::new(vec![url], "acttest"), token, 0)
                .map_err(|e| Diagnostics::error("Invalid settings", e.0))?;
            Ok(Arc::new(client) as Arc<dyn Api>)
        }),
    }
}

/// The test provider served in this process, on its own runtime.
struct Served {
    attached: Attached,
    seen_cancel: Arc<AtomicBool>,
    rt: tokio::runtime::Runtime,
}

fn serve() -> Served {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let seen_cancel = Arc::new(AtomicBool::new(false));
    let provider = Provider::new(test_provider(seen_cancel.clone()));
    let attached = rt.block_on(serve_attached(provider, ADDRESS)).expect("serve");
    Served { attached, seen_cancel, rt }
}

fn sim() -> lightbits::Running {
    lightbits::spawn(SimConfig { token: Some(common::TOKEN.into()), ..Default::default() }).expect("simulator")
}

/// Runs Terraform in `dir` attached to the served provider.
fn tf(bin: &std::path::Path, dir: &std::path::Path, served: &Served, args: &[&str]) -> common::Run {
    let out = Command::new(bin)
        .args(args)
        .current_dir(dir)
        .env("TF_REATTACH_PROVIDERS", &served.attached.reattach)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", dir.join("terraformrc"))
        .env_remove("TF_LOG")
        .output()
        .expect("run terraform");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write_config(dir: &std::path::Path, sim: &lightbits::Running, body: &str) {
    std::fs::write(dir.join("terraformrc"), "").expect("rc");
    let hcl = format!(
        "terraform {{\n  required_providers {{\n    acttest = {{ source = \"tfprov/acttest\" }}\n  }}\n}}\n\n\
         provider \"acttest\" {{\n  endpoint = \"{}\"\n  token    = \"{}\"\n}}\n\n{body}\n",
        sim.url(),
        common::TOKEN
    );
    std::fs::write(dir.join("main.tf"), hcl).expect("main.tf");
}

/// The project as the simulator's API has it (status, body).
fn project(sim: &lightbits::Running, name: &str) -> (u16, J) {
    let url = format!("{}/api/v2/projects/{name}", sim.url());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    rt.block_on(async {
        let resp = reqwest::Client::new().get(url).bearer_auth(common::TOKEN).send().await.expect("request");
        (resp.status().as_u16(), resp.json::<J>().await.unwrap_or(J::Null))
    })
}

const ACTION: &str = "action \"acttest_create_project\" \"p\" {\n  config {\n    name        = \"from-action\"\n    description = \"made by an action\"\n  }\n}\n";

#[test]
fn terraform_invokes_an_action_and_prints_its_progress() {
    let Some(bin) = common::terraform() else { return };
    let sim = sim();
    let served = serve();
    let dir = tempfile::tempdir().expect("dir");
    write_config(dir.path(), &sim, ACTION);

    // Declaring an action does nothing by itself.
    let r = tf(&bin, dir.path(), &served, &["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    assert_eq!(r.code, 0, "an action alone plans no changes:\n{}", r.all());
    assert_eq!(project(&sim, "from-action").0, 404, "planning never invokes");

    let r = tf(
        &bin,
        dir.path(),
        &served,
        &["apply", "-invoke=action.acttest_create_project.p", "-auto-approve", "-no-color", "-input=false"],
    );
    assert_eq!(r.code, 0, "invoke failed:\n{}", r.all());
    assert!(r.all().contains("Project from-action created (made by an action)"), "progress is printed:\n{}", r.all());
    let (status, body) = project(&sim, "from-action");
    assert_eq!(status, 200, "the API call was made: {body}");
    assert_eq!(body["description"], "made by an action");

    // The API's refusal (the project exists now) fails the invocation with its reason.
    let r = tf(
        &bin,
        dir.path(),
        &served,
        &["apply", "-invoke=action.acttest_create_project.p", "-auto-approve", "-no-color", "-input=false"],
    );
    assert_ne!(r.code, 0, "a second create must fail:\n{}", r.all());
    assert!(r.all().contains("Conflict: cannot create the project"), "{}", r.all());
    assert!(!r.all().contains(common::TOKEN));

    // Invalid configurations are refused before anything runs (ValidateActionConfig).
    write_config(
        dir.path(),
        &sim,
        "action \"acttest_create_project\" \"bad\" {\n  config {\n    name        = \"other\"\n    description = \"a description far longer than forty bytes\"\n  }\n}\n",
    );
    let r = tf(&bin, dir.path(), &served, &["validate", "-no-color"]);
    assert_ne!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("description"), "the diagnostic names the argument:\n{}", r.all());
    let r = tf(
        &bin,
        dir.path(),
        &served,
        &["apply", "-invoke=action.acttest_create_project.bad", "-auto-approve", "-no-color", "-input=false"],
    );
    assert_ne!(r.code, 0, "{}", r.all());
    assert_eq!(project(&sim, "other").0, 404, "an invalid action is never invoked");
}

/// A Terraform CLI older than 1.14 (no actions): `TF_OLD_BIN`, or `terraform` on PATH when
/// it is older.
fn old_terraform() -> Option<std::path::PathBuf> {
    let candidates = [std::env::var_os("TF_OLD_BIN").map(Into::into), Some(std::path::PathBuf::from("terraform"))];
    for c in candidates.into_iter().flatten() {
        let Ok(out) = Command::new(&c).args(["version", "-json"]).env("CHECKPOINT_DISABLE", "1").output() else {
            continue;
        };
        let v: J = serde_json::from_slice(&out.stdout).unwrap_or(J::Null);
        let Some(version) = v["terraform_version"].as_str() else { continue };
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        if (parts.next(), parts.next().unwrap_or(0)) < (Some(1), 14) {
            return Some(c);
        }
    }
    eprintln!("SKIPPED: no Terraform older than 1.14 found (set TF_OLD_BIN)");
    None
}

#[test]
fn older_terraform_still_loads_a_provider_that_declares_actions() {
    let Some(bin) = old_terraform() else { return };
    let sim = sim();
    let served = serve();
    let dir = tempfile::tempdir().expect("dir");
    // A project to read, made as someone else would.
    let (status, _) = {
        let url = format!("{}/api/v2/projects", sim.url());
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        rt.block_on(async {
            let resp = reqwest::Client::new()
                .post(url)
                .bearer_auth(common::TOKEN)
                .json(&serde_json::json!({"name": "seen", "description": "read by an old Terraform"}))
                .send()
                .await
                .expect("request");
            (resp.status().as_u16(), ())
        })
    };
    assert!(status < 300, "project created: {status}");
    write_config(
        dir.path(),
        &sim,
        "data \"acttest_project\" \"p\" {\n  name = \"seen\"\n}\noutput \"d\" {\n  value = data.acttest_project.p.description\n}\n",
    );
    let r = tf(&bin, dir.path(), &served, &["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.all().contains("read by an old Terraform"), "{}", r.all());
}

// ------------------------------------------------------------------ protocol level

async fn connect(served: &Served) -> ProviderClient<Channel> {
    let socket = served.attached.socket.clone();
    let channel = Endpoint::try_from("http://plugin")
        .expect("endpoint")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move {
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tokio::net::UnixStream::connect(socket).await?))
            }
        }))
        .await
        .expect("connect");
    ProviderClient::new(channel)
}

fn dv(v: &Value, ty: &tfprov::engine::value::Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue { msgpack: wire::encode_msgpack(v, ty).expect("encode"), json: vec![] })
}

fn object(pairs: &[(&str, Value)]) -> Value {
    let mut v = Value::Object(Default::default());
    for (k, x) in pairs {
        v.set(k, x.clone());
    }
    v
}

async fn configure(client: &mut ProviderClient<Channel>, sim: &lightbits::Running) {
    let def = test_provider(Arc::default());
    let cfg = object(&[("endpoint", Value::str(sim.url())), ("token", Value::str(common::TOKEN))]);
    let resp = client
        .configure_provider(pb::configure_provider::Request {
            config: dv(&cfg, &def.value_type()),
            ..Default::default()
        })
        .await
        .expect("configure")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
}

/// Collects an invocation's events: progress messages, then the completed diagnostics.
async fn events(mut stream: tonic::Streaming<pb::invoke_action::Event>) -> (Vec<String>, Option<Vec<pb::Diagnostic>>) {
    use pb::invoke_action::event::Type;
    let mut progress = vec![];
    let mut completed = None;
    while let Some(e) = stream.message().await.expect("event") {
        match e.r#type.expect("event type") {
            Type::Progress(p) => {
                assert!(completed.is_none(), "progress after completion");
                progress.push(p.message)
            }
            Type::Completed(c) => completed = Some(c.diagnostics),
        }
    }
    (progress, completed)
}

fn invoke_request(def: &ProviderDef, action: &str, cfg: &Value) -> pb::invoke_action::Request {
    let ty = def.action(action).expect("action").value_type();
    pb::invoke_action::Request { action_type: action.into(), config: dv(cfg, &ty), client_capabilities: None }
}

#[test]
fn protocol_lists_plans_and_streams_actions() {
    let sim = sim();
    let served = serve();
    let def = test_provider(Arc::default());
    served.rt.block_on(async {
        let mut client = connect(&served).await;
        let meta = client.get_metadata(pb::get_metadata::Request {}).await.expect("metadata").into_inner();
        let mut names: Vec<&str> = meta.actions.iter().map(|a| a.type_name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["acttest_create_project", "acttest_stubborn", "acttest_wait"]);
        let schema =
            client.get_provider_schema(pb::get_provider_schema::Request {}).await.expect("schema").into_inner();
        let block = schema.action_schemas["acttest_create_project"].schema.as_ref().and_then(|s| s.block.as_ref());
        let attrs: Vec<(&str, bool)> =
            block.expect("block").attributes.iter().map(|a| (a.name.as_str(), a.required)).collect();
        assert_eq!(attrs, [("name", true), ("description", false)]);

        let ty = def.action("acttest_create_project").expect("action").value_type();
        let bad = object(&[("name", Value::str("x")), ("description", Value::str("y".repeat(41)))]);
        let v = client
            .validate_action_config(pb::validate_action_config::Request {
                type_name: "acttest_create_project".into(),
                config: dv(&bad, &ty),
            })
            .await
            .expect("validate")
            .into_inner();
        assert_eq!(v.diagnostics.len(), 1, "{:?}", v.diagnostics);
        // Planning works before the provider is configured, with values still unknown.
        let unknown = object(&[("name", Value::Unknown), ("description", Value::Null)]);
        let p = client
            .plan_action(pb::plan_action::Request {
                action_type: "acttest_create_project".into(),
                config: dv(&unknown, &ty),
                client_capabilities: None,
            })
            .await
            .expect("plan")
            .into_inner();
        assert!(p.diagnostics.is_empty() && p.deferred.is_none(), "{:?}", p.diagnostics);
        let p = client
            .plan_action(pb::plan_action::Request {
                action_type: "acttest_create_project".into(),
                config: dv(&bad, &ty),
                client_capabilities: None,
            })
            .await
            .expect("plan")
            .into_inner();
        assert_eq!(p.diagnostics.len(), 1, "plans carry validation errors");
        // An unknown action type completes with an error instead of failing the call.
        let r = client
            .invoke_action(pb::invoke_action::Request { action_type: "acttest_nope".into(), ..Default::default() })
            .await
            .expect("invoke");
        let (progress, done) = events(r.into_inner()).await;
        assert!(progress.is_empty());
        assert!(done.expect("completed")[0].summary.contains("Unknown action"));

        configure(&mut client, &sim).await;
        let cfg = object(&[("name", Value::str("streamed")), ("description", Value::str("d"))]);
        let r = client.invoke_action(invoke_request(&def, "acttest_create_project", &cfg)).await.expect("invoke");
        let (progress, done) = events(r.into_inner()).await;
        assert_eq!(progress, ["Project streamed created (d)"]);
        assert_eq!(done.expect("completed"), vec![]);
    });
    assert_eq!(project(&sim, "streamed").0, 200);
}

#[test]
fn stop_provider_cancels_a_running_action() {
    let sim = sim();
    let served = serve();
    let def = test_provider(Arc::default());
    served.rt.block_on(async {
        let mut client = connect(&served).await;
        configure(&mut client, &sim).await;

        // Terraform going away (the stream dropped) cancels the invocation.
        let r = client.invoke_action(invoke_request(&def, "acttest_wait", &object(&[]))).await.expect("invoke");
        let mut stream = r.into_inner();
        let first = stream.message().await.expect("event").expect("progress");
        assert!(matches!(first.r#type, Some(pb::invoke_action::event::Type::Progress(_))));
        drop(stream);
        let deadline = Instant::now() + Duration::from_secs(5);
        while !served.seen_cancel.load(Ordering::SeqCst) {
            assert!(Instant::now() < deadline, "a dropped stream must cancel the action");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        // StopProvider: a cooperative action ends with its own diagnostics, one that
        // ignores cancellation is abandoned after the grace period.
        let wait = client.invoke_action(invoke_request(&def, "acttest_wait", &object(&[]))).await.expect("invoke");
        let stubborn =
            client.invoke_action(invoke_request(&def, "acttest_stubborn", &object(&[]))).await.expect("invoke");
        let (wait, stubborn) = (tokio::spawn(events(wait.into_inner())), tokio::spawn(events(stubborn.into_inner())));
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = Instant::now();
        client.stop_provider(pb::stop_provider::Request {}).await.expect("stop");
        let (progress, done) = wait.await.expect("join");
        assert_eq!(progress, ["waiting for the stop signal"]);
        assert_eq!(done.expect("completed")[0].summary, "Cancelled: stopped while waiting");
        assert!(started.elapsed() < Duration::from_secs(2), "cooperative actions stop at once");
        let (progress, done) = stubborn.await.expect("join");
        assert_eq!(progress, ["not listening"]);
        assert!(done.expect("completed")[0].summary.contains("Cancelled: acttest_stubborn was stopped"));
        assert!(started.elapsed() < Duration::from_secs(6), "abandoned after the grace period");
    });
}
