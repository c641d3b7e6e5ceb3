//! Runs the Lightbits API simulator, for trying HCL offline or in CI.
//!
//! Usage: lightbits-simulator [--listen 127.0.0.1:8090] [--token TOKEN | --no-auth]
//!                            [--delay-ms 300] [--latency-ms 0] [--tls --ca-out FILE]
//!                            [--reject-unknown-fields]

use tfprov::simulators::lightbits::{router, serve, tls, Sim, SimConfig};
use tfprov::simulators::Flags;

const USAGE: &str = "usage: lightbits-simulator [--listen ADDR:PORT] [--token TOKEN | --no-auth] [--delay-ms N] [--latency-ms N] [--tls [--ca-out FILE]] [--reject-unknown-fields]";

fn main() {
    let mut listen = "127.0.0.1:8090".to_string();
    let mut cfg = SimConfig {
        token: std::env::var("LIGHTBITS_SIM_TOKEN").ok().or(Some("sim-token".into())),
        ..SimConfig::default()
    };
    let mut ca_out: Option<String> = None;
    let mut flags = Flags::from_env(USAGE);
    while let Some(flag) = flags.next_flag() {
        match flag.as_str() {
            "--listen" => listen = flags.value(),
            "--token" => cfg.token = Some(flags.value()),
            "--no-auth" => cfg.token = None,
            "--delay-ms" => cfg.transition_delay = flags.millis(),
            "--latency-ms" => cfg.latency = flags.millis(),
            "--tls" => cfg.tls = true,
            "--ca-out" => ca_out = Some(flags.value()),
            "--reject-unknown-fields" => cfg.reject_unknown_fields = true,
            _ => flags.usage(),
        }
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start: {e}");
            std::process::exit(1);
        }
    };
    let code = rt.block_on(async move {
        let listener = match tokio::net::TcpListener::bind(&listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot listen on {listen}: {e}");
                return 1;
            }
        };
        let auth = if cfg.token.is_some() { "bearer token required" } else { "no authentication" };
        let tls = if cfg.tls {
            match tls::generate() {
                Ok(t) => Some(t),
                Err(e) => {
                    eprintln!("cannot create the TLS certificate: {e}");
                    return 1;
                }
            }
        } else {
            None
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        eprintln!(
            "Lightbits API simulator listening on {scheme}://{listen} ({auth}, transitions take {:?})",
            cfg.transition_delay
        );
        if let (Some(t), Some(path)) = (&tls, &ca_out) {
            if let Err(e) = std::fs::write(path, &t.ca_pem) {
                eprintln!("cannot write {path}: {e}");
                return 1;
            }
            eprintln!("CA certificate written to {path}");
        }
        let sim = Sim::new(cfg);
        let served = match tls {
            Some(t) => tls::serve(listener, router(sim), t.config).await,
            None => serve(listener, sim).await,
        };
        match served {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("simulator stopped: {e}");
                1
            }
        }
    });
    std::process::exit(code);
}
