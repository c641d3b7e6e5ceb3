//! One folder per vendor: entities as declarations, plus the hooks its API needs.

pub mod lightbits;
pub mod luminate;

use crate::engine::provider::ProviderDef;

/// Every provider this project builds, by name (also its `docs/<name>/` and
/// `examples/<name>/` folders).
pub fn all() -> Vec<ProviderDef> {
    vec![lightbits::provider(), luminate::provider()]
}
