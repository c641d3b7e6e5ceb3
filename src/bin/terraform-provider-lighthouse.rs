//! The Lighthouse provider binary Terraform starts.

use tfprov::engine::provider::Provider;
use tfprov::protocol::plugin::{self, ServeOptions};
use tfprov::vendors::lighthouse;

fn main() {
    let provider = Provider::new(lighthouse::provider());
    std::process::exit(plugin::main(provider, ServeOptions { address: lighthouse::ADDRESS }));
}
