//! Placeholder while terraform-provider-lastline is being built.

fn main() {
    eprintln!("terraform-provider-lastline is not built yet");
    std::process::exit(2);
}
