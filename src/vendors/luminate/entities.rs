//! Luminate entities as declarations. Attribute names and flags are the Go provider's
//! (../shared/interfaces/luminate.md); JSON names are the API's.

use crate::engine::datasource::{fields_from_resource, DataSourceDef, LookupOne};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{LastPage, ListSpec, Op, Operations, Paging, ResourceDef, ResourceHooks, UpdateOp};
use crate::engine::schema::{Codec, Field, Mode, Validator};
use crate::engine::value::Value;

/// Spring pages: `page` from 0, `size` at most 100, `{content, last}`.
pub(super) const fn spring(op: Op) -> ListSpec {
    ListSpec::new(op, "content").paging(Paging::PageNumber {
        page_param: "page",
        size_param: "size",
        size: 100,
        first: 0,
        last: LastPage::Flag("last"),
    })
}

// ---------------------------------------------------------------- site

pub fn site() -> ResourceDef {
    let item = "/sites/{id}";
    ResourceDef::new(
        "luminate_site",
        "site",
        "{id}",
        Operations::crud(
            Op::post("/sites").ok(&[201]),
            // A deleted site answers 403 as often as 404.
            Op::get(item).gone(&[403]),
            // PUT replaces the whole site.
            Some(UpdateOp::replace(Op::put(item).ok(&[200]))),
            Op::delete(item).ok(&[204]),
        )
        .lookup(&["name"], Some(spring(Op::get("/sites").query(&[("filter", "{name}")])))),
    )
    .id_from_api("id")
    .sdkv2_state()
    .desc("A site: a location whose connectors reach the applications behind it.")
    .hooks(SiteHooks)
    .fields(vec![
        Field::string("name")
            .required()
            .validate(Validator::MaxLen(700))
            .api_mutable("name", Codec::Plain)
            .desc("Site name, at most 700 characters. Updated in place."),
        Field::string("region")
            .optional_computed()
            .api_mutable("region", Codec::Plain)
            .desc("Region of the site's connectors; when unset, the tenant's default region."),
        Field::string("authentication_mode")
            .default(Value::str("manual"))
            .validate(Validator::OneOf(&["manual", "orchestrator"]))
            .api_mutable("authentication_mode", Codec::Plain)
            .desc("How connectors authenticate: `manual` (default) or `orchestrator`. The API refuses to change it after creation, so a plan that does is refused."),
        Field::bool("mute_health_notification")
            .default(Value::Bool(false))
            .api_mutable("mute_health_notification", Codec::Plain)
            .desc("Mute the site's health notifications (default `false`)."),
        Field::string("kubernetes_persistent_volume_name")
            .optional()
            .api_mutable("kubernetes_persistent_volume_name", Codec::Plain)
            .desc("Kubernetes persistent volume the site's connectors use."),
    ])
}

struct SiteHooks;

impl ResourceHooks for SiteHooks {
    /// The API refuses a change of authentication mode: say so at plan time rather than
    /// fail half-way through an apply.
    fn check_plan(&self, prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        let (before, after) = (prior.get("authentication_mode"), planned.get("authentication_mode"));
        if before.as_str().is_some() && after.is_fully_known() && before != after {
            diags.add_error(
                "The authentication mode of a site cannot change",
                format!("This site was created with authentication_mode = {before}; the Luminate API refuses to change it to {after}. Create another site instead."),
                Some(AttrPath::attr("authentication_mode")),
            );
        }
    }
}

// ---------------------------------------------------------------- collection

pub fn collection() -> ResourceDef {
    let item = "/collection/{id}";
    ResourceDef::new(
        "luminate_collection",
        "collection",
        "{id}",
        Operations::crud(
            Op::post("/collection"),
            Op::get(item),
            Some(UpdateOp::replace(Op::put(item))),
            Op::delete(item),
        )
        .lookup(&["name"], Some(spring(Op::get("/collection").query(&[("name", "{name}")])))),
    )
    .id_from_api("id")
    .sdkv2_state()
    .desc("A collection: a group of sites, applications and policies that roles are granted on.")
    .fields(vec![Field::string("name")
        .required()
        .api_mutable("name", Codec::Plain)
        .desc("Collection name. Updated in place.")])
}

pub fn collection_data_source() -> DataSourceDef {
    let fields = fields_from_resource(&collection().schema.fields, &[("name", Mode::Required)], &[]);
    DataSourceDef::new(
        "luminate_collection",
        "Looks up a collection by its exact name (the API's `name` filter matches substrings; the pages are followed to the exact match).",
        fields,
        LookupOne {
            by_key: None,
            by_list: Some((spring(Op::get("/collection").query(&[("name", "{name}")])), &["name"])),
            id_template: "{id}",
            noun: "collection",
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [site(), collection()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new());
        }
    }

    #[test]
    fn every_attribute_is_described() {
        let p = super::super::provider();
        for f in &p.fields {
            assert!(!f.description.is_empty(), "provider.{}", f.name);
        }
        for r in &p.resources {
            for f in &r.schema().fields {
                assert!(!f.description.is_empty(), "{}.{}", r.schema().type_name, f.name);
            }
        }
    }
}
