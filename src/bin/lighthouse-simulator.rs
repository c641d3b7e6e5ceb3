//! Placeholder while lighthouse-simulator is being built.

fn main() {
    eprintln!("lighthouse-simulator is not built yet");
    std::process::exit(2);
}
