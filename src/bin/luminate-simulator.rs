//! Runs the Luminate API simulator, for trying HCL offline or in CI.
//!
//! Usage: luminate-simulator [--listen 127.0.0.1:8091] [--client-id ID] [--client-secret SECRET]
//!                           [--token-ttl-secs 86400] [--rate-limit 5] [--latency-ms 0]
//!
//! The credentials also come from LUMINATE_SIM_CLIENT_ID and LUMINATE_SIM_CLIENT_SECRET.

use tfprov::simulators::luminate::{router, Sim, SimConfig};
use tfprov::simulators::{run_command, Flags};

const USAGE: &str = "usage: luminate-simulator [--listen ADDR:PORT] [--client-id ID] [--client-secret SECRET] [--token-ttl-secs N] [--rate-limit N] [--latency-ms N]";

fn main() {
    let mut listen = "127.0.0.1:8091".to_string();
    let defaults = SimConfig::default();
    let mut cfg = SimConfig {
        client_id: std::env::var("LUMINATE_SIM_CLIENT_ID").unwrap_or(defaults.client_id.clone()),
        client_secret: std::env::var("LUMINATE_SIM_CLIENT_SECRET").unwrap_or(defaults.client_secret.clone()),
        ..defaults
    };
    let mut flags = Flags::from_env(USAGE);
    while let Some(flag) = flags.next_flag() {
        match flag.as_str() {
            "--listen" => listen = flags.value(),
            "--client-id" => cfg.client_id = flags.value(),
            "--client-secret" => cfg.client_secret = flags.value(),
            "--token-ttl-secs" => cfg.token_ttl = flags.secs(),
            "--rate-limit" => cfg.rate_limit_per_sec = flags.parsed(),
            "--latency-ms" => cfg.latency = flags.millis(),
            _ => flags.usage(),
        }
    }
    let limit = match cfg.rate_limit_per_sec {
        0 => "no rate limit".to_string(),
        n => format!("{n} requests/s"),
    };
    let banner = format!("Luminate API simulator (client id {}, {limit})", cfg.client_id);
    std::process::exit(run_command(&listen, router(Sim::new(cfg)), &banner));
}
