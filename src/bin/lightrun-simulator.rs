//! Runs the Lightrun API simulator, for trying HCL offline or in CI.
//!
//! Usage: lightrun-simulator [--listen 127.0.0.1:8092] [--api-key KEY] [--scopes COMPANY,DEV,SECURITY]
//!                           [--seat-limit N] [--no-rbac] [--latency-ms 0]
//!
//! The key also comes from LIGHTRUN_SIM_API_KEY. The provider's `api_url` is the printed
//! URL, its `company_id` the printed company.

use tfprov::simulators::lightrun::{router, Sim, SimConfig};
use tfprov::simulators::{run_command, Flags};

const USAGE: &str = "usage: lightrun-simulator [--listen ADDR:PORT] [--api-key KEY] [--scopes LEVEL,...] [--seat-limit N] [--no-rbac] [--latency-ms N]";

fn main() {
    let mut listen = "127.0.0.1:8092".to_string();
    let defaults = SimConfig::default();
    let mut cfg =
        SimConfig { api_key: std::env::var("LIGHTRUN_SIM_API_KEY").unwrap_or(defaults.api_key.clone()), ..defaults };
    let mut flags = Flags::from_env(USAGE);
    while let Some(flag) = flags.next_flag() {
        match flag.as_str() {
            "--listen" => listen = flags.value(),
            "--api-key" => cfg.api_key = flags.value(),
            "--scopes" => {
                cfg.scopes =
                    flags.value().split(',').map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty()).collect()
            }
            "--seat-limit" => cfg.seat_limit = Some(flags.parsed()),
            "--no-rbac" => cfg.rbac = false,
            "--latency-ms" => cfg.latency = flags.millis(),
            _ => flags.usage(),
        }
    }
    let banner = format!(
        "Lightrun API simulator (company {}, permission levels {}, RBAC {})",
        cfg.company_id,
        cfg.scopes.join(","),
        if cfg.rbac { "on" } else { "off" }
    );
    std::process::exit(run_command(&listen, router(Sim::new(cfg)), &banner));
}
