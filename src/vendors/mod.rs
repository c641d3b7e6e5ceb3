//! One folder per vendor: entities as declarations, plus the hooks its API needs.

pub mod lightbits;

use crate::engine::provider::ProviderDef;

/// Every provider this project builds, by name (also its `docs/<name>/` and
/// `examples/<name>/` folders).
pub fn all() -> Vec<ProviderDef> {
    vec![lightbits::provider()]
}
