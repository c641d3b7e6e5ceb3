//! The plugin protocol seen from outside the process: cookie check, handshake line,
//! gRPC services, StopProvider cancelling in-flight work, Shutdown, and --debug mode.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tfprov::engine::value::Value;
use tfprov::protocol::pb;
use tfprov::protocol::pb::provider_client::ProviderClient;
use tfprov::protocol::wire;
use tfprov::simulators::lightbits::{self, SimConfig};
use tonic::transport::{Channel, Endpoint, Uri};

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-lightbits");
const COOKIE: (&str, &str) =
    ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2");

struct Plugin {
    child: Child,
    line: String,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn start(extra_env: &[(&str, &str)], args: &[&str]) -> Plugin {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::null()).env("PLUGIN_PROTOCOL_VERSIONS", "6");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start provider");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    // The handshake (or, in debug mode, the reattach line) comes first.
    loop {
        let mut l = String::new();
        if reader.read_line(&mut l).expect("read") == 0 {
            break;
        }
        if l.starts_with("1|") || l.contains("TF_REATTACH_PROVIDERS") {
            line = l.trim().to_string();
            break;
        }
    }
    Plugin { child, line }
}

async fn connect(line: &str) -> ProviderClient<Channel> {
    ProviderClient::new(client_channel(line).await)
}

fn dv(v: &Value, ty: &tfprov::engine::value::Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue { msgpack: wire::encode_msgpack(v, ty).expect("encode"), json: vec![] })
}

#[test]
fn without_the_magic_cookie_it_explains_itself() {
    let out = Command::new(BIN).env_remove(COOKIE.0).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Terraform plugin"));
}

#[test]
fn auto_mtls_handshake_line_carries_the_server_certificate() {
    // A client certificate as Terraform would pass it.
    let key = rcgen::KeyPair::generate().expect("key");
    let cert =
        rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params").self_signed(&key).expect("cert");
    let p = start(&[COOKIE, ("PLUGIN_CLIENT_CERT", &cert.pem())], &[]);
    let parts: Vec<&str> = p.line.split('|').collect();
    assert_eq!(parts.len(), 6, "{}", p.line);
    assert_eq!(&parts[..3], ["1", "6", "unix"]);
    assert_eq!(parts[4], "grpc");
    use base64::Engine as _;
    let der = base64::engine::general_purpose::STANDARD_NO_PAD.decode(parts[5]).expect("unpadded base64 DER");
    assert_eq!(der[0], 0x30, "a DER certificate");
}

#[test]
fn stop_provider_cancels_in_flight_work_and_shutdown_exits() {
    let sim = lightbits::spawn(SimConfig {
        token: Some("t".into()),
        transition_delay: Duration::from_secs(600),
        ..Default::default()
    })
    .expect("sim");
    let mut p = start(&[COOKIE], &[]);
    let parts: Vec<&str> = p.line.split('|').collect();
    assert_eq!(parts.len(), 5, "no TLS without PLUGIN_CLIENT_CERT: {}", p.line);
    let def = tfprov::vendors::lightbits::provider();
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let mut client = connect(&p.line).await;
        let meta = client.get_metadata(pb::get_metadata::Request {}).await.expect("metadata").into_inner();
        assert_eq!(meta.resources.len(), 19, "the catalog's 19 Lightbits resources");
        assert!(meta.server_capabilities.expect("caps").get_provider_schema_optional);

        let mut cfg = Value::Object(Default::default());
        cfg.set("endpoints", Value::string_list([sim.url()]));
        cfg.set("token", Value::str("t"));
        let resp = client
            .configure_provider(pb::configure_provider::Request {
                config: dv(&cfg, &def.value_type()),
                ..Default::default()
            })
            .await
            .expect("configure")
            .into_inner();
        assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);

        // A volume whose creation never finishes (the simulator's transition is 10 minutes).
        let vol = def.resource("lightbits_volume").expect("volume");
        let ty = vol.schema().value_type();
        let mut planned = Value::Object(Default::default());
        for f in &vol.schema().fields {
            planned.set(f.name, Value::Unknown);
        }
        for (k, v) in [
            ("project_name", Value::str("default")),
            ("name", Value::str("stuck")),
            ("size", Value::str("1GiB")),
            ("replica_count", Value::int(1)),
            ("sector_size", Value::int(4096)),
            ("compression", Value::Bool(false)),
        ] {
            planned.set(k, v);
        }
        planned.set("acl", Value::string_list(["ALLOW_NONE"]));
        planned.set("ip_acl", Value::string_list(["ALLOW_ANY"]));
        for k in ["allow_shrink", "labels", "source_snapshot_uuid", "timeouts"] {
            planned.set(k, Value::Null);
        }
        let mut apply_client = client.clone();
        let req = pb::apply_resource_change::Request {
            type_name: "lightbits_volume".into(),
            prior_state: dv(&Value::Null, &ty),
            planned_state: dv(&planned, &ty),
            config: dv(&planned, &ty),
            ..Default::default()
        };
        let apply = tokio::spawn(async move { apply_client.apply_resource_change(req).await });
        tokio::time::sleep(Duration::from_millis(700)).await;
        let started = Instant::now();
        client.stop_provider(pb::stop_provider::Request {}).await.expect("stop");
        let resp = apply.await.expect("join").expect("apply rpc").into_inner();
        assert!(started.elapsed() < Duration::from_secs(5), "StopProvider must cancel promptly");
        let summaries: Vec<&str> = resp.diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert!(summaries.iter().any(|s| s.contains("Cancelled")), "{summaries:?}");
        // The volume exists in the API, so it is returned as state, not orphaned.
        let state = wire::decode_msgpack(&resp.new_state.expect("state").msgpack, &ty).expect("decode");
        assert_eq!(state.get("name"), &Value::str("stuck"));

        // Shutdown ends the process cleanly.
        let mut ctl = pb::plugin::grpc_controller_client::GrpcControllerClient::new(client_channel(&p.line).await);
        let _ = ctl.shutdown(pb::plugin::Empty {}).await;
    });
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = p.child.try_wait().expect("wait") {
            assert!(status.success());
            break;
        }
        assert!(Instant::now() < deadline, "the plugin did not exit after Shutdown");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn client_channel(line: &str) -> Channel {
    let socket = line.split('|').nth(3).expect("socket").to_string();
    Endpoint::try_from("http://plugin")
        .expect("endpoint")
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            async move {
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tokio::net::UnixStream::connect(socket).await?))
            }
        }))
        .await
        .expect("connect")
}

#[test]
fn debug_mode_serves_terraform_through_reattach() {
    let w = workspace!();
    let p = start(&[], &["--debug"]);
    let json = p
        .line
        .split("TF_REATTACH_PROVIDERS='")
        .nth(1)
        .and_then(|s| s.strip_suffix('\''))
        .expect("reattach value")
        .to_string();
    let v: serde_json::Value = serde_json::from_str(&json).expect("reattach json");
    assert_eq!(v["registry.terraform.io/tfprov/lightbits"]["ProtocolVersion"], 6);
    w.config("data \"lightbits_cluster\" \"c\" {}\noutput \"u\" { value = data.lightbits_cluster.c.uuid }\n");
    let out = Command::new(common::terraform().expect("terraform"))
        .args(["apply", "-auto-approve", "-no-color", "-input=false"])
        .current_dir(w.path())
        .env("TF_REATTACH_PROVIDERS", &json)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{text}");
    assert!(text.contains(&w.sim.sim.cluster_uuid), "{text}");
}

#[test]
fn logs_reach_terraform_and_never_contain_the_token() {
    let w = workspace!();
    w.config("data \"lightbits_cluster\" \"c\" {}\n");
    let log = w.path().join("tf.log");
    let out = Command::new(common::terraform().expect("terraform"))
        .args(["plan", "-no-color", "-input=false"])
        .current_dir(w.path())
        .env("TF_CLI_CONFIG_FILE", w.path().join("terraformrc"))
        .env("TF_LOG_PROVIDER", "DEBUG")
        .env("TF_LOG_PATH", &log)
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .expect("terraform");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&log).expect("log");
    // Forwarded as structured entries (level, message, fields), not as raw stderr text.
    let line = text
        .lines()
        .find(|l| l.contains("API call"))
        .unwrap_or_else(|| panic!("provider debug lines are forwarded:\n{text}"));
    assert!(line.contains("[DEBUG]") && line.contains("provider") && line.contains("status=200"), "{line}");
    assert!(!text.contains(common::TOKEN), "the token leaked into the log");
}
