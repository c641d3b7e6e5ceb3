//! Placeholder while lastline-simulator is being built.

fn main() {
    eprintln!("lastline-simulator is not built yet");
    std::process::exit(2);
}
