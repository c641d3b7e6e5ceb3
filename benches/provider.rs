//! Speed and memory figures (run with `./scripts/bench.sh` or `cargo bench`):
//! - the wire codec and the plan step per resource, in-process;
//! - a real Terraform apply and refresh-plan of many volumes against the simulator, the
//!   provider's peak memory, and Terraform's own floor (the same count of built-in
//!   `terraform_data` resources, which need no plugin) for comparison.
//!
//! - Luminate: an apply of 40 sites at -parallelism=10 against a tenant limited to 5
//!   requests per second: how much of the limit the provider uses and how many 429s
//!   it meets.
//!
//! BENCH_RESOURCES sets the resource count (default 500).

use std::time::{Duration, Instant};

use tfprov::engine::provider::Provider;
use tfprov::engine::value::Value;
use tfprov::protocol::wire;
use tfprov::simulators::lightbits::SimConfig;
use tfprov::testkit::Workspace;
use tfprov::vendors::lightbits;

fn per_op(total: Duration, n: u32) -> String {
    let ns = total.as_nanos() as f64 / f64::from(n);
    if ns > 10_000.0 {
        format!("{:.1} µs", ns / 1000.0)
    } else {
        format!("{ns:.0} ns")
    }
}

fn volume_state() -> Value {
    let mut v = Value::Object(Default::default());
    for (k, x) in [
        ("id", Value::str("default/3f1c8d52-8a3b-4f6e-9c1a-0e5d2b7a9c44")),
        ("project_name", Value::str("default")),
        ("name", Value::str("db-data")),
        ("size", Value::str("100GiB")),
        ("replica_count", Value::int(3)),
        ("acl", Value::string_list(["ALLOW_NONE"])),
        ("ip_acl", Value::string_list(["ALLOW_ANY"])),
        ("compression", Value::Bool(true)),
        ("sector_size", Value::int(4096)),
        ("qos_policy_uuid", Value::str("")),
        ("uuid", Value::str("3f1c8d52-8a3b-4f6e-9c1a-0e5d2b7a9c44")),
        ("state", Value::str("Available")),
        ("protection_state", Value::str("FullyProtected")),
        ("nsid", Value::int(7)),
        ("size_bytes", Value::int(100 << 30)),
    ] {
        v.set(k, x);
    }
    v.set("labels", Value::Map([("app".to_string(), Value::str("db"))].into()));
    v
}

fn micro() {
    let provider = Provider::new(lightbits::provider());
    let def = provider.def.resource("lightbits_volume").expect("volume");
    let ty = def.schema().value_type();
    let state = volume_state();
    let n = 100_000;
    let start = Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        let b = wire::encode_msgpack(&state, &ty).expect("encode");
        bytes = b.len();
        let back = wire::decode_msgpack(&b, &ty).expect("decode");
        std::hint::black_box(back);
    }
    println!(
        "wire codec: volume state ({bytes} bytes msgpack) encode+decode: {} per value",
        per_op(start.elapsed(), n)
    );

    let mut cfg = Value::Object(Default::default());
    cfg.set("endpoints", Value::string_list(["http://127.0.0.1:1"]));
    provider.configure(&cfg);
    let mut proposed = state.clone();
    proposed.set("size", Value::str("200GiB"));
    let n = 100_000;
    let start = Instant::now();
    for _ in 0..n {
        let out = provider.plan_resource("lightbits_volume", &state, &proposed, &proposed, b"");
        std::hint::black_box(out);
    }
    println!("plan step: volume update plan: {} per resource", per_op(start.elapsed(), n));
}

/// Peak resident memory and CPU time of the provider processes Terraform starts,
/// sampled from /proc.
struct RssWatch {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: std::thread::JoinHandle<(u64, f64)>,
}

impl RssWatch {
    fn start() -> RssWatch {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let s = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut peak = 0;
            // CPU seconds per provider process, last sample wins.
            let mut cpu: std::collections::HashMap<String, f64> = Default::default();
            while !s.load(std::sync::atomic::Ordering::Relaxed) {
                for e in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
                    if comm.trim() == "terraform-provi" {
                        let status = std::fs::read_to_string(e.path().join("status")).unwrap_or_default();
                        for line in status.lines().filter(|l| l.starts_with("VmHWM:")) {
                            let kb: u64 = line.split_whitespace().nth(1).and_then(|x| x.parse().ok()).unwrap_or(0);
                            peak = peak.max(kb);
                        }
                        // utime and stime: fields 14 and 15, in clock ticks (100 per second here).
                        let stat = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
                        let after_comm = stat.rsplit(')').next().unwrap_or_default();
                        let f: Vec<f64> = after_comm.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
                        if f.len() > 13 {
                            cpu.insert(e.file_name().to_string_lossy().into_owned(), (f[11] + f[12]) / 100.0);
                        }
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (peak, cpu.values().sum())
        });
        RssWatch { stop, handle }
    }
    fn finish(self) -> (u64, f64) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.handle.join().unwrap_or((0, 0.0))
    }
}

/// CPU seconds this process has used (the in-process simulator, while Terraform runs).
fn own_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_comm = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<f64> = after_comm.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    if f.len() > 13 {
        (f[11] + f[12]) / 100.0
    } else {
        0.0
    }
}

fn timed<S: tfprov::testkit::Simulated>(w: &Workspace<S>, args: &[&str]) -> Duration {
    let start = Instant::now();
    let r = w.tf(args);
    assert!(r.code == 0 || r.code == 2, "terraform {args:?} failed:\n{}", r.all());
    start.elapsed()
}

fn end_to_end(n: usize) {
    let Some(w) = Workspace::with_sim(SimConfig {
        token: Some(tfprov::testkit::TOKEN.into()),
        transition_delay: Duration::from_millis(50),
        ..Default::default()
    }) else {
        println!("end-to-end: skipped (no Terraform 1.15; run scripts/install-terraform.sh)");
        return;
    };
    w.config(&format!(
        "resource \"lightbits_volume\" \"v\" {{\n  count = {n}\n  project_name = \"default\"\n  name = \"bench-${{count.index}}\"\n  size = \"1GiB\"\n}}\n"
    ));
    let watch = RssWatch::start();
    let apply = timed(&w, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    let (peak_kb, apply_cpu) = watch.finish();
    let watch = RssWatch::start();
    let sim_cpu_before = own_cpu_seconds();
    let plan = timed(&w, &["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    let sim_cpu = own_cpu_seconds() - sim_cpu_before;
    let (plan_peak_kb, plan_cpu) = watch.finish();
    let peak_kb = peak_kb.max(plan_peak_kb);
    let destroy = timed(&w, &["destroy", "-auto-approve", "-input=false", "-no-color"]);
    println!(
        "end-to-end: {n} volumes: apply {:.1}s, refresh+plan {:.2}s ({} per resource), destroy {:.1}s",
        apply.as_secs_f64(),
        plan.as_secs_f64(),
        per_op(plan, n as u32),
        destroy.as_secs_f64()
    );
    println!("end-to-end: provider peak resident memory {:.1} MiB", peak_kb as f64 / 1024.0);
    println!(
        "end-to-end: provider CPU time: apply {apply_cpu:.2}s, refresh+plan {plan_cpu:.2}s, summed over its launches"
    );
    println!(
        "end-to-end: simulator CPU time (this process) during refresh+plan: {sim_cpu:.2}s; the rest is Terraform's"
    );

    // Terraform's floor: the same number of resources with no plugin at all.
    w.config(&format!("resource \"terraform_data\" \"d\" {{\n  count = {n}\n  input = \"x-${{count.index}}\"\n}}\n"));
    timed(&w, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    let floor = timed(&w, &["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    println!(
        "end-to-end: Terraform's own floor, {n} terraform_data resources: refresh+plan {:.2}s; the provider's plan costs {:.2}x that",
        floor.as_secs_f64(),
        plan.as_secs_f64() / floor.as_secs_f64().max(0.001)
    );
}

/// Median time from exec to the handshake line, with AutoMTLS as Terraform always asks
/// (PLUGIN_CLIENT_CERT set): what each of Terraform's 3-4 provider launches per run costs.
fn handshake() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let bin = tfprov::testkit::provider_dir().join("terraform-provider-lightbits");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert =
        rcgen::CertificateParams::new(vec!["localhost".to_string()]).expect("params").self_signed(&key).expect("cert");
    let mut times = Vec::new();
    for _ in 0..25 {
        let start = Instant::now();
        let mut child = Command::new(&bin)
            .env("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_CLIENT_CERT", cert.pem())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start provider");
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        times.push(start.elapsed());
        let _ = child.kill();
        let _ = child.wait();
        assert!(line.starts_with("1|6|"), "no handshake: {line:?}");
    }
    times.sort();
    println!(
        "handshake: exec to handshake line with AutoMTLS: median {}, fastest {}",
        per_op(times[times.len() / 2], 1),
        per_op(times[0], 1)
    );
}

fn luminate_rate_limit() {
    use tfprov::simulators::luminate;
    let Some(tf) = tfprov::testkit::terraform() else {
        println!("luminate: skipped (no Terraform 1.15)");
        return;
    };
    let sim = luminate::spawn(luminate::SimConfig::default()).expect("simulator");
    let w = Workspace::around(tf, sim);
    w.config("resource \"luminate_site\" \"s\" {\n  count = 40\n  name  = \"site-${count.index}\"\n}\n");
    // Terraform init and the plan phase make no API call; only the apply's requests count.
    let apply = timed(&w, &["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10"]);
    let state = w.sim_state();
    let admitted = state["requests"]["admitted"].as_u64().unwrap_or(0);
    let limited = state["requests"]["rate_limited"].as_u64().unwrap_or(0);
    let rate = admitted as f64 / apply.as_secs_f64();
    println!(
        "luminate: 40 sites at -parallelism=10: {admitted} API requests in {:.1}s (whole terraform apply) = {rate:.2}/s, {:.0}% of the 5/s limit; {limited} answered 429 ({:.1}%), none surfaced",
        apply.as_secs_f64(),
        rate / 5.0 * 100.0,
        limited as f64 * 100.0 / admitted.max(1) as f64
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a test list
    }
    let n = std::env::var("BENCH_RESOURCES").ok().and_then(|s| s.parse().ok()).unwrap_or(500);
    micro();
    handshake();
    luminate_rate_limit();
    end_to_end(n);
}
