//! Runs the Lastline Accounting API simulator, for trying HCL offline or in CI.
//!
//! Usage: lastline-simulator [--listen 127.0.0.1:8094] [--username U] [--password P]
//!                           [--customer C] [--no-extra-permissions]
//!                           [--propagation-delay-ms 2000] [--session-idle-timeout-ms N]
//!                           [--latency-ms 0]
//!
//! The password also comes from LASTLINE_SIM_PASSWORD. The provider's `base_url` is the
//! printed URL followed by `/papi`.

use std::time::Duration;

use tfprov::simulators::lastline::{router, Sim, SimConfig};
use tfprov::simulators::run_command;

fn usage() -> ! {
    eprintln!(
        "usage: lastline-simulator [--listen ADDR:PORT] [--username U] [--password P] [--customer C] \
         [--no-extra-permissions] [--propagation-delay-ms N] [--session-idle-timeout-ms N] [--latency-ms N]"
    );
    std::process::exit(2);
}

fn millis(text: String) -> Duration {
    Duration::from_millis(text.parse().unwrap_or_else(|_| usage()))
}

fn main() {
    let mut listen = "127.0.0.1:8094".to_string();
    let defaults = SimConfig::default();
    let mut cfg =
        SimConfig { password: std::env::var("LASTLINE_SIM_PASSWORD").unwrap_or(defaults.password.clone()), ..defaults };
    let mut customer_given = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--listen" => listen = value(),
            "--username" => cfg.username = value(),
            "--password" => cfg.password = value(),
            "--customer" => {
                cfg.customer = value();
                customer_given = true;
            }
            "--no-extra-permissions" => cfg.extra_permissions = false,
            "--propagation-delay-ms" => cfg.propagation_delay = millis(value()),
            "--session-idle-timeout-ms" => cfg.session_idle_timeout = Some(millis(value())),
            "--latency-ms" => cfg.latency = millis(value()),
            _ => usage(),
        }
    }
    if !customer_given {
        // The seeded account is the customer's primary contact unless told otherwise.
        cfg.customer = cfg.username.clone();
    }
    let banner = format!(
        "Lastline Accounting API simulator (base_url http://{listen}/papi, customer {}, account {} / {}, licence propagation {} ms)",
        cfg.customer,
        cfg.username,
        cfg.password,
        cfg.propagation_delay.as_millis()
    );
    std::process::exit(run_command(&listen, router(Sim::new(cfg)), &banner));
}
