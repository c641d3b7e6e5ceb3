//! In-memory vendor API servers, faithful to the vendor documents, for tests and for
//! users' offline CI.

pub mod faults;
pub mod lightbits;
pub mod luminate;
