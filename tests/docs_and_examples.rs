//! Generated docs are current, and every example is valid HCL for this provider.

mod common;

use std::path::Path;

use serde_json::Value as J;

#[test]
fn docs_are_generated_from_the_current_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for p in tfprov::vendors::all() {
        let stale =
            tfprov::engine::docs::stale(&p, &root.join("examples").join(p.name), &root.join("docs").join(p.name));
        assert!(
            stale.is_empty(),
            "docs/{} is stale ({}); run `cargo run --release --bin gen-docs`",
            p.name,
            stale.join(", ")
        );
    }
}

/// Every example folder of a provider validates with Terraform in workspace `w`.
fn examples_validate<S: common::Simulated>(w: &common::Workspace<S>, provider: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(provider);
    let mut dirs = vec![];
    for group in ["resources", "data-sources", "ephemeral-resources", "actions"] {
        for e in std::fs::read_dir(root.join(group)).into_iter().flatten().flatten() {
            dirs.push(e.path());
        }
    }
    assert!(!dirs.is_empty(), "no examples for {provider}");
    for dir in dirs {
        let mut body = String::new();
        for f in std::fs::read_dir(&dir).expect("example").flatten() {
            if f.path().extension().is_some_and(|x| x == "tf") {
                body.push_str(&std::fs::read_to_string(f.path()).expect("read example"));
            }
        }
        w.config(&body);
        let r = w.tf(&["validate", "-no-color"]);
        assert_eq!(r.code, 0, "{} does not validate:\n{}", dir.display(), r.all());
    }
}

#[test]
fn every_example_validates_with_terraform() {
    let w = workspace!();
    examples_validate(&w, "lightbits");
    let Some(tf) = common::terraform() else { return };
    let luminate = tfprov::simulators::luminate::spawn(Default::default()).expect("simulator");
    examples_validate(&common::Workspace::around(tf.clone(), luminate), "luminate");
    let lightrun = tfprov::simulators::lightrun::spawn(Default::default()).expect("simulator");
    examples_validate(&common::Workspace::around(tf.clone(), lightrun), "lightrun");
    let lighthouse = tfprov::simulators::lighthouse::spawn(Default::default()).expect("simulator");
    examples_validate(&common::Workspace::around(tf.clone(), lighthouse), "lighthouse");
    let lastline = tfprov::simulators::lastline::spawn(Default::default()).expect("simulator");
    examples_validate(&common::Workspace::around(tf, lastline), "lastline");
}

#[test]
fn quickstart_applies_and_replans_empty() {
    let w = workspace!();
    let main =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lightbits/quickstart/main.tf"))
            .expect("quickstart");
    // Point the quickstart's provider block at this test's simulator.
    let main = main.replace(
        "provider \"lightbits\" {",
        &format!("provider \"lightbits\" {{\n  endpoints = [\"{}\"]\n  token     = \"{}\"", w.sim.url(), common::TOKEN),
    );
    std::fs::write(w.path().join("main.tf"), main).expect("write");
    w.apply();
    w.assert_plan_empty();
    let st = w.sim_state();
    assert_eq!(
        (st["projects"].as_u64(), st["volumes"].as_u64(), st["snapshots"].as_u64()),
        (Some(2), Some(2), Some(1))
    );
    w.destroy();
}

/// Applies `examples/<vendor>/quickstart` (what scripts/demo.sh applies) against the
/// workspace's simulator and checks that the next plan is empty; returns the objects'
/// counts by kind.
fn apply_quickstart<S: common::Simulated>(w: &common::Workspace<S>) -> J {
    let vendor = S::PROVIDER;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{vendor}/quickstart/main.tf"));
    let main = std::fs::read_to_string(path).expect("quickstart");
    // Point the quickstart's provider block at this test's simulator.
    let main = main.replace(
        &format!("provider \"{vendor}\" {{}}"),
        &format!("provider \"{vendor}\" {{\n  {}\n}}", w.sim.provider_arguments()),
    );
    std::fs::write(w.path().join("main.tf"), main).expect("write");
    w.apply();
    w.assert_plan_empty();
    w.sim_state()["counts"].clone()
}

#[test]
fn luminate_quickstart_applies_and_replans_empty() {
    let Some(tf) = common::terraform() else { return };
    let w = common::Workspace::around(tf, tfprov::simulators::luminate::spawn(Default::default()).expect("simulator"));
    let counts = apply_quickstart(&w);
    assert_eq!(counts["site"], 1, "{counts}");
    w.destroy();
    assert_eq!(w.sim_state()["sites"], 0);
}

#[test]
fn lightrun_quickstart_applies_and_replans_empty() {
    let Some(tf) = common::terraform() else { return };
    let w = common::Workspace::around(tf, tfprov::simulators::lightrun::spawn(Default::default()).expect("simulator"));
    let counts = apply_quickstart(&w);
    let user = w.sim_object("alice@example.com");
    assert_eq!(user["email"], "alice@example.com", "{counts}");
    w.destroy();
}

#[test]
fn lastline_quickstart_applies_and_replans_empty() {
    let Some(tf) = common::terraform() else { return };
    let w = common::Workspace::around(tf, tfprov::simulators::lastline::spawn(Default::default()).expect("simulator"));
    let counts = apply_quickstart(&w);
    let state = w.sim_state();
    let granted = state["objects"].as_array().into_iter().flatten().any(|o| {
        o["kind"] == "account_role"
            && o["id"].as_str().is_some_and(|id| id.starts_with("jane.doe@example.com/custom/SOC"))
    });
    assert!(granted, "{counts}");
    let d = w.destroy();
    assert!(d.flat().contains("only removes it from Terraform state"), "{}", d.all());
}
