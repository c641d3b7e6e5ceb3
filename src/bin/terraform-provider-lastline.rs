//! The Lastline provider binary Terraform starts.

use tfprov::engine::provider::Provider;
use tfprov::protocol::plugin::{self, ServeOptions};
use tfprov::vendors::lastline;

fn main() {
    let provider = Provider::new(lastline::provider());
    std::process::exit(plugin::main(provider, ServeOptions { address: lastline::ADDRESS }));
}
