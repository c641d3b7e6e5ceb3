//! Runs the Lightbits API simulator, for trying HCL offline or in CI.
//!
//! Usage: lightbits-simulator [--listen 127.0.0.1:8090] [--token TOKEN | --no-auth]
//!                            [--delay-ms 300] [--latency-ms 0]

use std::time::Duration;

use tfprov::simulators::lightbits::{serve, Sim, SimConfig};

fn usage() -> ! {
    eprintln!("usage: lightbits-simulator [--listen ADDR:PORT] [--token TOKEN | --no-auth] [--delay-ms N] [--latency-ms N]");
    std::process::exit(2);
}

fn main() {
    let mut listen = "127.0.0.1:8090".to_string();
    let mut cfg = SimConfig { token: std::env::var("LIGHTBITS_SIM_TOKEN").ok().or(Some("sim-token".into())), ..SimConfig::default() };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--listen" => listen = value(),
            "--token" => cfg.token = Some(value()),
            "--no-auth" => cfg.token = None,
            "--delay-ms" => cfg.transition_delay = Duration::from_millis(value().parse().unwrap_or_else(|_| usage())),
            "--latency-ms" => cfg.latency = Duration::from_millis(value().parse().unwrap_or_else(|_| usage())),
            "-h" | "--help" => usage(),
            _ => usage(),
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
        eprintln!("Lightbits API simulator listening on http://{listen} ({auth}, transitions take {:?})", cfg.transition_delay);
        match serve(listener, Sim::new(cfg)).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("simulator stopped: {e}");
                1
            }
        }
    });
    std::process::exit(code);
}
