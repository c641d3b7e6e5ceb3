//! terraform-provider-lastline end to end: real Terraform, real provider, simulated
//! Lastline Accounting API.

use serde_json::Value as J;
use tfprov::testkit::{interface_differences, lastline_workspace};

/// Every resource and data source of ../shared/interfaces/lastline.md is served and matches
/// it point by point (the JSON copy is generated from its tables by
/// scripts/interface-copy.py), and the provider serves nothing beyond it.
#[test]
fn schema_matches_the_interface_copy() {
    let Some(w) = lastline_workspace() else { return };
    w.config("");
    let r = w.tf(&["providers", "schema", "-json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let schema: J = serde_json::from_str(&r.stdout).expect("schema json");
    let provider = &schema["provider_schemas"]["registry.terraform.io/tfprov/lastline"];
    let copy: J = serde_json::from_str(include_str!("interfaces/lastline.json")).expect("interface copy");
    let mut errors = interface_differences("provider", &copy["provider"], &provider["provider"]["block"]);
    for (kind, key) in [("resources", "resource_schemas"), ("data_sources", "data_source_schemas")] {
        for (name, served) in provider[key].as_object().into_iter().flatten() {
            match copy[kind].get(name) {
                Some(attrs) => errors.extend(interface_differences(name, attrs, &served["block"])),
                None => errors.push(format!("{name}: not in the interface")),
            }
        }
        for name in copy[kind].as_object().into_iter().flatten().map(|(name, _)| name) {
            if provider[key][name].is_null() {
                errors.push(format!("{name}: in the interface, not served"));
            }
        }
    }
    assert!(errors.is_empty(), "schema differs from ../shared/interfaces/lastline.md:\n{}", errors.join("\n"));
}
