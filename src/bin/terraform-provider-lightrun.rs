//! The Lightrun provider binary Terraform starts.

use tfprov::engine::provider::Provider;
use tfprov::protocol::plugin::{self, ServeOptions};
use tfprov::vendors::lightrun;

fn main() {
    let provider = Provider::new(lightrun::provider());
    std::process::exit(plugin::main(provider, ServeOptions { address: lightrun::ADDRESS }));
}
