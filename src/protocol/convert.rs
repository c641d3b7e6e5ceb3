//! Engine schemas and diagnostics in their protobuf form.

use crate::engine::action::ActionDef;
use crate::engine::datasource::DataSourceDef;
use crate::engine::diag::{AttrPath, Diagnostics, PathStep, Severity};
use crate::engine::resource::ResourceSchema;
use crate::engine::schema::{Field, Mode, Nesting};
use crate::protocol::pb;

use pb::schema::nested_block::NestingMode;

pub fn attribute(f: &Field) -> pb::schema::Attribute {
    let mut description = f.description.clone();
    if let Some(var) = f.env {
        description.push_str(&format!(" May also be set with the `{var}` environment variable."));
    }
    // A nested attribute carries its attributes instead of a type.
    let nested_type = f.nested.as_ref().map(|n| pb::schema::Object {
        attributes: n.fields.iter().map(attribute).collect(),
        nesting: object_nesting(n.nesting) as i32,
        ..Default::default()
    });
    pb::schema::Attribute {
        name: f.name.to_string(),
        r#type: if nested_type.is_some() { vec![] } else { f.ty.to_json().to_string().into_bytes() },
        nested_type,
        description,
        required: f.mode == Mode::Required,
        optional: matches!(f.mode, Mode::Optional | Mode::OptionalComputed),
        computed: matches!(f.mode, Mode::Computed | Mode::OptionalComputed),
        sensitive: f.sensitive,
        write_only: f.write_only,
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

fn object_nesting(n: Nesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode as Mode;
    match n {
        Nesting::Single => Mode::Single,
        Nesting::List => Mode::List,
        Nesting::Set => Mode::Set,
        Nesting::Map => Mode::Map,
    }
}

fn block_nesting(n: Nesting) -> NestingMode {
    match n {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    }
}

fn is_block(f: &Field) -> bool {
    f.nested.as_ref().is_some_and(|n| n.block)
}

fn block(fields: &[Field], description: &str) -> pb::schema::Block {
    pb::schema::Block {
        attributes: fields.iter().filter(|f| !is_block(f)).map(attribute).collect(),
        block_types: fields
            .iter()
            .filter_map(|f| {
                let n = f.nested.as_ref().filter(|n| n.block)?;
                Some(pb::schema::NestedBlock {
                    type_name: f.name.to_string(),
                    block: Some(block(&n.fields, &f.description)),
                    nesting: block_nesting(n.nesting) as i32,
                    min_items: n.min_items as i64,
                    max_items: n.max_items as i64,
                })
            })
            .collect(),
        description: description.to_string(),
        description_kind: pb::StringKind::Markdown as i32,
        ..Default::default()
    }
}

pub fn resource_schema(def: &ResourceSchema) -> pb::Schema {
    let mut b = block(&def.fields, &def.description);
    if let Some(t) = def.timeouts {
        let attr = |name: &str, d: std::time::Duration| {
            pb::schema::Attribute {
            name: name.to_string(),
            r#type: b"\"string\"".to_vec(),
            description: format!(
                "How long to wait for the {noun} to be {name}d, as a duration such as \"30s\", \"20m\" or \"1h\" (default {}).",
                crate::engine::poll::humanize(d),
                noun = def.noun,
            ),
            optional: true,
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }
        };
        b.block_types.push(pb::schema::NestedBlock {
            type_name: "timeouts".to_string(),
            block: Some(pb::schema::Block {
                attributes: t.ops().into_iter().map(|(op, d)| attr(op, d)).collect(),
                description: "Time limits for asynchronous operations.".to_string(),
                description_kind: pb::StringKind::Markdown as i32,
                ..Default::default()
            }),
            nesting: NestingMode::Single as i32,
            ..Default::default()
        });
    }
    pb::Schema { version: def.version, block: Some(b) }
}

pub fn data_source_schema(def: &DataSourceDef) -> pb::Schema {
    pb::Schema { version: 0, block: Some(block(&def.fields, &def.description)) }
}

/// An action's schema: its `config` block's arguments.
pub fn action_schema(def: &ActionDef) -> pb::ActionSchema {
    pb::ActionSchema { schema: Some(pb::Schema { version: 0, block: Some(block(&def.fields, &def.description)) }) }
}

pub fn provider_schema(fields: &[Field], description: &str) -> pb::Schema {
    pb::Schema { version: 0, block: Some(block(fields, description)) }
}

fn path(p: &AttrPath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: p
            .0
            .iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

pub fn attr_paths(paths: &[AttrPath]) -> Vec<pb::AttributePath> {
    paths.iter().map(path).collect()
}

pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.0.iter()
        .map(|x| pb::Diagnostic {
            severity: match x.severity {
                Severity::Error => pb::diagnostic::Severity::Error as i32,
                Severity::Warning => pb::diagnostic::Severity::Warning as i32,
            },
            summary: crate::logging::mask(&x.summary),
            detail: crate::logging::mask(&x.detail),
            attribute: x.path.as_ref().map(path),
        })
        .collect()
}
