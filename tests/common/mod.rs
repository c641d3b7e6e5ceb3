//! The shared end-to-end harness lives in the library (`tfprov::testkit`) so that
//! benchmarks use it too.

#![allow(unused_imports)]

pub use tfprov::testkit::*;

/// Skips the test (returns) when Terraform is not available outside CI.
#[macro_export]
macro_rules! workspace {
    () => {
        match common::Workspace::new() {
            Some(w) => w,
            None => return,
        }
    };
}
