//! Runs the Luminate API simulator, for trying HCL offline or in CI.
//!
//! Usage: luminate-simulator [--listen 127.0.0.1:8091] [--client-id ID] [--client-secret SECRET]
//!                           [--token-ttl-secs 86400] [--rate-limit 5] [--latency-ms 0]
//!
//! The credentials also come from LUMINATE_SIM_CLIENT_ID and LUMINATE_SIM_CLIENT_SECRET.

use std::time::Duration;

use tfprov::simulators::luminate::{router, Sim, SimConfig};
use tfprov::simulators::run_command;

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
    let limit = match cfg.rate_limit_per_sec {
        0 => "no rate limit".to_string(),
        n => format!("{n} requests/s"),
    };
    let banner = format!("Luminate API simulator (client id {}, {limit})", cfg.client_id);
    std::process::exit(run_command(&listen, router(Sim::new(cfg)), &banner));
}
