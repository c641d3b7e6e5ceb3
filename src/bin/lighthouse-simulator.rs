//! Runs the Lighthouse Remote API v0.2 simulator, for trying HCL offline or in CI.
//!
//! Usage: lighthouse-simulator [--listen 127.0.0.1:5000] [--admin-email EMAIL] [--admin-password PASSWORD]
//!                             [--admin-level N] [--latency-ms 0] [--step-delay-ms 0]
//!
//! The password also comes from LIGHTHOUSE_SIM_ADMIN_PASSWORD. The provider's `endpoint`
//! is the printed URL (it appends `/api/v0.2`); beacon agents and Docker hosts are added
//! through `/_sim/beacon_hosts` and `/_sim/docker_hosts`.

use tfprov::simulators::lighthouse::{router, Sim, SimConfig};
use tfprov::simulators::{run_command, Flags};

const USAGE: &str = "usage: lighthouse-simulator [--listen ADDR:PORT] [--admin-email EMAIL] [--admin-password PASSWORD] [--admin-level N] [--latency-ms N] [--step-delay-ms N]";

fn main() {
    let mut listen = "127.0.0.1:5000".to_string();
    let defaults = SimConfig::default();
    let mut cfg = SimConfig {
        admin_password: std::env::var("LIGHTHOUSE_SIM_ADMIN_PASSWORD").unwrap_or(defaults.admin_password.clone()),
        ..defaults
    };
    let mut flags = Flags::from_env(USAGE);
    while let Some(flag) = flags.next_flag() {
        match flag.as_str() {
            "--listen" => listen = flags.value(),
            "--admin-email" => cfg.admin_email = flags.value(),
            "--admin-password" => cfg.admin_password = flags.value(),
            "--admin-level" => cfg.admin_level = flags.parsed(),
            "--latency-ms" => cfg.latency = flags.millis(),
            "--step-delay-ms" => cfg.step_delay = flags.millis(),
            _ => flags.usage(),
        }
    }
    let banner = format!(
        "Lighthouse API v0.2 simulator (admin {} / {}, AuthLevel {})",
        cfg.admin_email, cfg.admin_password, cfg.admin_level
    );
    std::process::exit(run_command(&listen, router(Sim::new(cfg)), &banner));
}
