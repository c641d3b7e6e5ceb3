//! The Lightbits provider binary Terraform starts.

use tfprov::engine::provider::Provider;
use tfprov::protocol::plugin::{self, ServeOptions};
use tfprov::vendors::lightbits;

fn main() {
    let provider = Provider::new(lightbits::provider());
    std::process::exit(plugin::main(provider, ServeOptions { address: lightbits::ADDRESS }));
}
