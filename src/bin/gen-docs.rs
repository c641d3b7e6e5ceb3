//! Regenerates `docs/<provider>/` from each provider's schema and `examples/<provider>/`.
//! Usage: cargo run --release --bin gen-docs [--check]

use std::path::Path;

use tfprov::engine::docs;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let check = std::env::args().any(|a| a == "--check");
    let mut failed = false;
    for provider in tfprov::vendors::all() {
        let (examples, out) = (root.join("examples").join(provider.name), root.join("docs").join(provider.name));
        if check {
            let stale = docs::stale(&provider, &examples, &out);
            if stale.is_empty() {
                println!("docs/{}/ is up to date", provider.name);
            } else {
                eprintln!(
                    "docs/{}: stale pages: {}; run `cargo run --release --bin gen-docs`",
                    provider.name,
                    stale.join(", ")
                );
                failed = true;
            }
            continue;
        }
        match docs::write(&provider, &examples, &out) {
            Ok(n) => println!("wrote {n} pages to {}", out.display()),
            Err(e) => {
                eprintln!("cannot write {}: {e}", out.display());
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
