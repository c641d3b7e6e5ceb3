//! The provider-agnostic engine: entity descriptions in, Terraform semantics out.
//! It knows neither gRPC (see `protocol`) nor HTTP libraries (see `http`).

pub mod action;
pub mod api;
pub mod codec;
pub mod datasource;
pub mod diag;
pub mod docs;
pub mod ephemeral;
pub mod lifecycle;
pub mod list;
pub mod mapping;
pub mod normalize;
pub mod poll;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod template;
pub mod value;
