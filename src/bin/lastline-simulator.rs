//! Runs the Lastline Accounting API simulator, for trying HCL offline or in CI.
//!
//! Usage: lastline-simulator [--listen 127.0.0.1:8094] [--username U] [--password P]
//!                           [--customer C] [--no-extra-permissions]
//!                           [--propagation-delay-ms 2000] [--session-idle-timeout-ms N]
//!                           [--latency-ms 0]
//!
//! The password also comes from LASTLINE_SIM_PASSWORD. The provider's `base_url` is the
//! printed URL followed by `/papi`.

use tfprov::simulators::lastline::{router, Sim, SimConfig};
use tfprov::simulators::{run_command, Flags};

const USAGE: &str = "usage: lastline-simulator [--listen ADDR:PORT] [--username U] [--password P] [--customer C] \
     [--no-extra-permissions] [--propagation-delay-ms N] [--session-idle-timeout-ms N] [--latency-ms N]";

fn main() {
    let mut listen = "127.0.0.1:8094".to_string();
    let defaults = SimConfig::default();
    let mut cfg =
        SimConfig { password: std::env::var("LASTLINE_SIM_PASSWORD").unwrap_or(defaults.password.clone()), ..defaults };
    let mut customer_given = false;
    let mut flags = Flags::from_env(USAGE);
    while let Some(flag) = flags.next_flag() {
        match flag.as_str() {
            "--listen" => listen = flags.value(),
            "--username" => cfg.username = flags.value(),
            "--password" => cfg.password = flags.value(),
            "--customer" => {
                cfg.customer = flags.value();
                customer_given = true;
            }
            "--no-extra-permissions" => cfg.extra_permissions = false,
            "--propagation-delay-ms" => cfg.propagation_delay = flags.millis(),
            "--session-idle-timeout-ms" => cfg.session_idle_timeout = Some(flags.millis()),
            "--latency-ms" => cfg.latency = flags.millis(),
            _ => flags.usage(),
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
