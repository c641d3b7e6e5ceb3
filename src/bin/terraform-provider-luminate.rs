//! The Luminate provider binary Terraform starts.

use tfprov::engine::provider::Provider;
use tfprov::protocol::plugin::{self, ServeOptions};
use tfprov::vendors::luminate;

fn main() {
    let provider = Provider::new(luminate::provider());
    std::process::exit(plugin::main(provider, ServeOptions { address: luminate::ADDRESS }));
}
