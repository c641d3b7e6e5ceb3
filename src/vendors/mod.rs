//! One folder per vendor: entities as declarations, plus the hooks its API needs.

pub mod lightbits;
pub mod luminate;

use crate::engine::provider::ProviderDef;

/// Every provider this project builds, by name (also its `docs/<name>/` and
/// `examples/<name>/` folders).
pub fn all() -> Vec<ProviderDef> {
    vec![lightbits::provider(), luminate::provider()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_action_declaration_is_sound() {
        for p in super::all() {
            for a in &p.actions {
                assert_eq!(a.declaration_errors(), Vec::<String>::new(), "{}", a.type_name);
                assert!(a.type_name.starts_with(&format!("{}_", p.name)), "{}", a.type_name);
            }
        }
    }
}
