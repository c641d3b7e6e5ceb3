//! Runs the Luminate API simulator, for trying HCL offline or in CI.
//!
//! Usage: luminate-simulator [--listen 127.0.0.1:8091] [--client-id ID] [--client-secret SECRET]
//!                           [--token-ttl-secs 86400] [--rate-limit 5] [--latency-ms 0]
//!
//! The credentials also come from LUMINATE_SIM_CLIENT_ID and LUMINATE_SIM_CLIENT_SECRET.

use std::time::Duration;

use tfprov::simulators::luminate::{serve, Sim, SimConfig};

fn usage() -> ! {
    eprintln!("usage: luminate-simulator [--listen ADDR:PORT] [--client-id ID] [--client-secret SECRET] [--token-ttl-secs N] [--rate-limit N] [--latency-ms N]");
    std::process::exit(2);
}

fn main() {
    let mut listen = "127.0.0.1:8091".to_string();
    let defaults = SimConfig::default();
    let mut cfg = SimConfig {
        client_id: std::env::var("LUMINATE_SIM_CLIENT_ID").unwrap_or(defaults.client_id.clone()),
        client_secret: std::env::var("LUMINATE_SIM_CLIENT_SECRET").unwrap_or(defaults.client_secret.clone()),
        ..defaults
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--listen" => listen = value(),
            "--client-id" => cfg.client_id = value(),
            "--client-secret" => cfg.client_secret = value(),
            "--token-ttl-secs" => cfg.token_ttl = Duration::from_secs(value().parse().unwrap_or_else(|_| usage())),
            "--rate-limit" => cfg.rate_limit_per_sec = value().parse().unwrap_or_else(|_| usage()),
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
        let limit = match cfg.rate_limit_per_sec {
            0 => "no rate limit".to_string(),
            n => format!("{n} requests/s"),
        };
        eprintln!("Luminate API simulator listening on http://{listen} (client id {}, {limit})", cfg.client_id);
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
