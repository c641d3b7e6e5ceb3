//! Regenerates `docs/` from the provider schemas and `examples/`.
//! Usage: cargo run --release --bin gen-docs [--check]

use std::path::Path;

use tfprov::engine::docs;
use tfprov::vendors::lightbits;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let provider = lightbits::provider();
    let (examples, out) = (root.join("examples"), root.join("docs"));
    if std::env::args().any(|a| a == "--check") {
        let stale = docs::stale(&provider, &examples, &out);
        if stale.is_empty() {
            println!("docs/ is up to date");
            return;
        }
        eprintln!("stale pages: {}; run `cargo run --release --bin gen-docs`", stale.join(", "));
        std::process::exit(1);
    }
    match docs::write(&provider, &examples, &out) {
        Ok(n) => println!("wrote {n} pages to {}", out.display()),
        Err(e) => {
            eprintln!("cannot write docs: {e}");
            std::process::exit(1);
        }
    }
}
