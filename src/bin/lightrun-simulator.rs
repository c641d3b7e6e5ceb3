//! Runs the Lightrun API simulator, for trying HCL offline or in CI.
//!
//! Usage: lightrun-simulator [--listen 127.0.0.1:8092] [--api-key KEY] [--scopes COMPANY,DEV,SECURITY]
//!                           [--seat-limit N] [--no-rbac] [--latency-ms 0]
//!
//! The key also comes from LIGHTRUN_SIM_API_KEY. The provider's `api_url` is the printed
//! URL, its `company_id` the printed company.

use std::time::Duration;

use tfprov::simulators::lightrun::{router, Sim, SimConfig};
use tfprov::simulators::run_command;

fn usage() -> ! {
    eprintln!("usage: lightrun-simulator [--listen ADDR:PORT] [--api-key KEY] [--scopes LEVEL,...] [--seat-limit N] [--no-rbac] [--latency-ms N]");
    std::process::exit(2);
}

fn main() {
    let mut listen = "127.0.0.1:8092".to_string();
    let defaults = SimConfig::default();
    let mut cfg =
        SimConfig { api_key: std::env::var("LIGHTRUN_SIM_API_KEY").unwrap_or(defaults.api_key.clone()), ..defaults };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--listen" => listen = value(),
            "--api-key" => cfg.api_key = value(),
            "--scopes" => {
                cfg.scopes = value().split(',').map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty()).collect()
            }
            "--seat-limit" => cfg.seat_limit = Some(value().parse().unwrap_or_else(|_| usage())),
            "--no-rbac" => cfg.rbac = false,
            "--latency-ms" => cfg.latency = Duration::from_millis(value().parse().unwrap_or_else(|_| usage())),
            "-h" | "--help" => usage(),
            _ => usage(),
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
