//! `lastline_licenses` and `lastline_sensors`: filtered lists (license/get_licenses,
//! license/get_sensors). Booleans go out as `1`/`0`, as both methods document them.

use async_trait::async_trait;
use serde_json::Value as J;

use super::{failed, jbool, jint, jstr, rpc, text};
use crate::engine::api::Method;
use crate::engine::datasource::{DataSourceDef, DataSourceRead, DataSourceResponse};
use crate::engine::diag::Diagnostics;
use crate::engine::resource::Ctx;
use crate::engine::schema::Field;
use crate::engine::value::{Type, Value};

#[derive(Clone, Copy)]
enum Kind {
    Str,
    Bool,
    Num,
}

const LICENSE_ITEM: [(&str, Kind); 10] = [
    ("access_key", Kind::Str),
    ("customer", Kind::Str),
    ("product", Kind::Str),
    ("license_type", Kind::Str),
    ("start_date", Kind::Str),
    ("end_date", Kind::Str),
    ("deployment", Kind::Str),
    ("key_valid", Kind::Bool),
    ("auto_extension", Kind::Bool),
    ("parent_access_key", Kind::Str),
];

const SENSOR_ITEM: [(&str, Kind); 11] = [
    ("key", Kind::Str),
    ("access_key", Kind::Str),
    ("subkey", Kind::Str),
    ("name", Kind::Str),
    ("access_key_id", Kind::Num),
    ("subkey_id", Kind::Num),
    ("license_type", Kind::Str),
    ("license_start_date", Kind::Str),
    ("license_end_date", Kind::Str),
    ("hosted", Kind::Bool),
    ("key_valid", Kind::Bool),
];

fn item_type(item: &[(&'static str, Kind)]) -> Type {
    let attrs: Vec<(&str, Type)> = item
        .iter()
        .map(|(n, k)| {
            (
                *n,
                match k {
                    Kind::Str => Type::String,
                    Kind::Bool => Type::Bool,
                    Kind::Num => Type::Number,
                },
            )
        })
        .collect();
    Type::object(&attrs)
}

fn item_value(item: &[(&'static str, Kind)], obj: &J) -> Value {
    let mut o = Value::Object(Default::default());
    for (name, kind) in item {
        let v = match kind {
            Kind::Str => jstr(obj, name),
            Kind::Bool => jbool(obj, name),
            Kind::Num => jint(obj, name),
        };
        o.set(name, v);
    }
    o
}

struct FilteredList {
    method: &'static str,
    /// Arguments sent as they are: (attribute, API parameter).
    strings: &'static [(&'static str, &'static str)],
    /// `include_invalid` as `invalid_keys`, `1`/`0`.
    output: &'static str,
    item: &'static [(&'static str, Kind)],
}

#[async_trait]
impl DataSourceRead for FilteredList {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let mut query: Vec<(&str, String)> = Vec::new();
        let mut used = Vec::new();
        for (attr, param) in self.strings {
            if let Some(s) = config.get(attr).as_str() {
                query.push((param, s.to_string()));
                used.push(format!("{attr}={s}"));
            }
        }
        if let Some(b) = config.get("include_invalid").as_bool() {
            query.push(("invalid_keys", if b { "1" } else { "0" }.to_string()));
            used.push(format!("include_invalid={b}"));
        }
        let answer =
            rpc(ctx, Method::Get, self.method, &query).await.map_err(|e| failed(self.method, self.output, e))?;
        let Some(items) = answer.as_array() else {
            return Err(Diagnostics::error(
                format!("accounting/{} answered unexpectedly", self.method),
                format!("Expected a list, got {answer}."),
            ));
        };
        let mut out = config.clone();
        out.set(self.output, Value::List(items.iter().map(|o| item_value(self.item, o)).collect()));
        let id = if self.output == "licenses" {
            // The customer filter used.
            Some(text(config, "customer")).filter(|c| !c.is_empty()).unwrap_or_else(|| "own".into())
        } else if used.is_empty() {
            "all".into()
        } else {
            used.join(",")
        };
        out.set("id", Value::str(id));
        Ok(out.into())
    }
}

pub fn licenses_data() -> DataSourceDef {
    DataSourceDef::new(
        "lastline_licenses",
        "Licences of a customer (without their API tokens, which the API shows only once). API: license/get_licenses.",
        vec![
            Field::string("id").computed().desc("The customer filter used (`own` when unset)."),
            Field::string("customer").optional().desc("Customer whose licences to list; `*` for every customer (needs additional permissions). Default the provider account's own customer."),
            Field::string("product").optional().desc("Only licences of this product."),
            Field::string("license_type").optional().desc("Only licences of this type (commercial, trial, ...)."),
            Field::bool("include_invalid").optional().desc("Include invalid and expired licences (API `invalid_keys`). Default true, as the API."),
            Field::new("licenses", Type::list(item_type(&LICENSE_ITEM)))
                .computed()
                .desc("Matching licences: `access_key`, `customer`, `product`, `license_type`, `start_date`, `end_date`, `deployment`, `key_valid`, `auto_extension` and `parent_access_key` (child licences only)."),
        ],
        FilteredList {
            method: "license/get_licenses",
            strings: &[("customer", "customer"), ("product", "product"), ("license_type", "license_type")],
            output: "licenses",
            item: &LICENSE_ITEM,
        },
    )
}

pub fn sensors_data() -> DataSourceDef {
    DataSourceDef::new(
        "lastline_sensors",
        "Sensors (subkeys) of a customer's licences. API: license/get_sensors.",
        vec![
            Field::string("id").computed().desc("The filters used (`all` when none)."),
            Field::string("customer").optional().desc("Customer whose sensors to list. Default the provider account's own customer."),
            Field::string("access_key").optional().desc("Only sensors of this licence (API `key`)."),
            Field::bool("include_invalid").optional().desc("Include sensors of invalid or expired licences (API `invalid_keys`). Default false, as the API."),
            Field::new("sensors", Type::list(item_type(&SENSOR_ITEM)))
                .computed()
                .desc("Matching sensors: `key` (`<access_key>:<subkey>`), `access_key`, `subkey`, `name`, numeric `access_key_id` and `subkey_id`, the licence's `license_type`, `license_start_date` and `license_end_date`, `hosted` and `key_valid`."),
        ],
        FilteredList {
            method: "license/get_sensors",
            strings: &[("customer", "customer"), ("access_key", "key")],
            output: "sensors",
            item: &SENSOR_ITEM,
        },
    )
}
