//! Engine schemas and diagnostics in their protobuf form.

use crate::engine::datasource::DataSourceDef;
use crate::engine::diag::{AttrPath, Diagnostics, PathStep, Severity};
use crate::engine::resource::ResourceSchema;
use crate::engine::schema::{Field, Mode};
use crate::protocol::pb;

use pb::schema::nested_block::NestingMode;

pub fn attribute(f: &Field) -> pb::schema::Attribute {
    let mut description = f.description.clone();
    if let Some(var) = f.env {
        description.push_str(&format!(" May also be set with the `{var}` environment variable."));
    }
    pb::schema::Attribute {
        name: f.name.to_string(),
        r#type: f.ty.to_json().to_string().into_bytes(),
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

fn block(fields: &[Field], description: &str) -> pb::schema::Block {
    pb::schema::Block {
        attributes: fields.iter().map(attribute).collect(),
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
