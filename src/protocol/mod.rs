//! The Terraform plugin protocol: how Terraform starts and talks to a provider process.
//! This layer knows the engine's entry points but no vendor.

pub mod convert;
pub mod plugin;
pub mod server;
pub mod wire;

/// Code generated from `proto/` at build time.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod pb {
    include!(concat!(env!("OUT_DIR"), "/tfplugin6.rs"));
    pub mod plugin {
        include!(concat!(env!("OUT_DIR"), "/plugin.rs"));
    }
}
