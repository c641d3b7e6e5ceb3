//! Placeholder while terraform-provider-lighthouse is being built.

fn main() {
    eprintln!("terraform-provider-lighthouse is not built yet");
    std::process::exit(2);
}
