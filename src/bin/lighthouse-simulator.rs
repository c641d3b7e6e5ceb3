//! Runs the Lighthouse Remote API v0.2 simulator, for trying HCL offline or in CI.
//!
//! Usage: lighthouse-simulator [--listen 127.0.0.1:5000] [--admin-email EMAIL] [--admin-password PASSWORD]
//!                             [--admin-level N] [--latency-ms 0] [--step-delay-ms 0]
//!
//! The password also comes from LIGHTHOUSE_SIM_ADMIN_PASSWORD. The provider's `endpoint`
//! is the printed URL (it appends `/api/v0.2`); beacon agents and Docker hosts are added
//! through `/_sim/beacon_hosts` and `/_sim/docker_hosts`.

use std::time::Duration;

use tfprov::simulators::lighthouse::{router, Sim, SimConfig};
use tfprov::simulators::run_command;

fn usage() -> ! {
    eprintln!("usage: lighthouse-simulator [--listen ADDR:PORT] [--admin-email EMAIL] [--admin-password PASSWORD] [--admin-level N] [--latency-ms N] [--step-delay-ms N]");
    std::process::exit(2);
}

fn main() {
    let mut listen = "127.0.0.1:5000".to_string();
    let defaults = SimConfig::default();
    let mut cfg = SimConfig {
        admin_password: std::env::var("LIGHTHOUSE_SIM_ADMIN_PASSWORD").unwrap_or(defaults.admin_password.clone()),
        ..defaults
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--listen" => listen = value(),
            "--admin-email" => cfg.admin_email = value(),
            "--admin-password" => cfg.admin_password = value(),
            "--admin-level" => cfg.admin_level = value().parse().unwrap_or_else(|_| usage()),
            "--latency-ms" => cfg.latency = Duration::from_millis(value().parse().unwrap_or_else(|_| usage())),
            "--step-delay-ms" => cfg.step_delay = Duration::from_millis(value().parse().unwrap_or_else(|_| usage())),
            _ => usage(),
        }
    }
    let banner = format!(
        "Lighthouse API v0.2 simulator (admin {} / {}, AuthLevel {})",
        cfg.admin_email, cfg.admin_password, cfg.admin_level
    );
    std::process::exit(run_command(&listen, router(Sim::new(cfg)), &banner));
}
