//! One folder per vendor: entities as declarations, plus the hooks its API needs.

pub mod lightbits;
