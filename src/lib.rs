//! Terraform providers for several vendor APIs on one shared engine.
//!
//! Layers, each knowing only the one below it:
//! - [`protocol`]: go-plugin handshake, gRPC services, wire encodings (no vendor knowledge);
//! - [`engine`]: schemas and the plan/apply/read/import lifecycle over declared entities;
//! - [`http`]: the HTTP client (auth, retries, failover, ETag) behind the engine's API trait;
//! - [`vendors`]: one folder per vendor, entities as declarations plus a few hooks;
//! - [`simulators`]: in-memory vendor API servers for tests and offline CI.

pub mod engine;
pub mod http;
pub mod logging;
pub mod protocol;
pub mod simulators;
pub mod testkit;
pub mod timestamp;
pub mod vendors;
