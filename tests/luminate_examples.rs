//! HCL in the Go provider's documented shape (examples/luminate: sites, connectors, every
//! application type, policies, collections and roles, groups and users, DNS resiliency,
//! AWS integrations, the registration key) applies against the simulator, re-plans
//! empty, imports into a fresh state and re-plans empty: what a user switching providers
//! does with their own configuration.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tfprov::simulators::luminate::{self, SimConfig};
use tfprov::testkit::{terraform, Workspace};

/// Examples that cannot re-plan empty by design: the key version is re-created by every
/// plan (the Go provider's contract), so it is applied but neither re-planned nor imported.
const NEVER_EMPTY: &[&str] = &["luminate_site_registration_key_version", "luminate_site_registration_key"];

fn example_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/luminate");
    let mut dirs = Vec::new();
    for group in ["resources", "data-sources", "ephemeral-resources"] {
        for entry in std::fs::read_dir(root.join(group)).into_iter().flatten().flatten() {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    dirs
}

fn hcl_of(dir: &Path) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read_to_string(f).expect("read example")).collect::<Vec<_>>().join("\n")
}

/// Import blocks for every managed resource in the state, by its state `id` (the import
/// ID of every importable Luminate resource).
fn import_blocks(w: &Workspace<luminate::Running>) -> Result<(String, usize), String> {
    let shown = w.tf(&["show", "-json", "-no-color"]);
    if shown.code != 0 {
        return Err(format!("show failed: {}", shown.all()));
    }
    let state: Value = serde_json::from_str(&shown.stdout).map_err(|e| format!("show -json: {e}"))?;
    let resources = state["values"]["root_module"]["resources"].as_array().cloned().unwrap_or_default();
    let mut blocks = String::new();
    let mut count = 0;
    for r in resources.iter().filter(|r| r["mode"] == "managed") {
        let (Some(address), Some(id)) = (r["address"].as_str(), r["values"]["id"].as_str()) else {
            return Err(format!("no address or id in {r}"));
        };
        blocks.push_str(&format!("import {{\n  to = {address}\n  id = \"{id}\"\n}}\n"));
        count += 1;
    }
    Ok((blocks, count))
}

fn check_example(w: &Workspace<luminate::Running>, dir: &Path) -> Result<(), String> {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
    let hcl = hcl_of(dir);
    w.config(&hcl);
    let fail = |what: &str, r: &tfprov::testkit::Run| Err(format!("{name}: {what}:\n{}", r.all()));
    let r = w.tf(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    if r.code != 0 {
        return fail("apply failed", &r);
    }
    if !NEVER_EMPTY.contains(&name.as_str()) {
        let plan = w.tf(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        if plan.code != 0 {
            return fail("the plan after apply is not empty", &plan);
        }
        // A fresh state: the objects stay in the tenant and are imported back.
        let (blocks, count) = import_blocks(w)?;
        std::fs::remove_file(w.path().join("terraform.tfstate")).map_err(|e| format!("{name}: {e}"))?;
        if count > 0 {
            w.config(&format!("{hcl}\n{blocks}"));
            let r = w.tf(&["apply", "-auto-approve", "-input=false", "-no-color"]);
            if r.code != 0 || !r.stdout.contains(&format!("{count} imported, 0 added")) {
                return fail("the import did not adopt every object", &r);
            }
            let plan = w.tf(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
            if plan.code != 0 {
                return fail("the plan after import is not empty", &plan);
            }
            w.config(&hcl);
        }
    }
    let r = w.tf(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    if r.code != 0 {
        return fail("destroy failed", &r);
    }
    Ok(())
}

#[test]
fn every_example_applies_replans_empty_and_imports_back() {
    let Some(tf) = terraform() else { return };
    let queue = Arc::new(Mutex::new(example_dirs()));
    assert!(queue.lock().expect("queue").len() >= 30, "examples are missing");
    // Each worker has its own tenant (the limit is per tenant) and workspace.
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (tf, queue) = (tf.clone(), queue.clone());
            std::thread::spawn(move || {
                let w = Workspace::around(tf, luminate::spawn(SimConfig::default()).expect("simulator"));
                let mut errors = Vec::new();
                while let Some(dir) = queue.lock().ok().and_then(|mut q| q.pop()) {
                    if let Err(e) = check_example(&w, &dir) {
                        errors.push(e);
                    }
                }
                errors
            })
        })
        .collect();
    let errors: Vec<String> = workers.into_iter().flat_map(|h| h.join().expect("worker")).collect();
    assert!(errors.is_empty(), "{}", errors.join("\n\n"));
}
