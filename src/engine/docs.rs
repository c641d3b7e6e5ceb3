//! Registry-style documentation generated from the schema (never written by hand): per
//! provider, `docs/<provider>/index.md`, `resources/<name>.md`, `data-sources/<name>.md`,
//! `ephemeral-resources/<name>.md` and `actions/<name>.md`, with the examples from
//! `examples/<provider>/` embedded.

use std::path::Path;

use crate::engine::provider::ProviderDef;
use crate::engine::resource::ResourceSchema;
use crate::engine::schema::{Field, Mode, Nesting};
use crate::engine::value::Type;

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".into(),
    }
}

fn field_line(f: &Field) -> String {
    let kind = match &f.nested {
        Some(n) => {
            let shape = match n.nesting {
                Nesting::Single => "",
                Nesting::List => " List",
                Nesting::Set => " Set",
                Nesting::Map => " Map",
            };
            let max = if n.max_items > 0 { format!(", Max: {}", n.max_items) } else { String::new() };
            format!("{}{shape}{max}", if n.block { "Block" } else { "Attributes" })
        }
        None => type_name(&f.ty),
    };
    let mut flags = vec![kind];
    if f.sensitive {
        flags.push("Sensitive".into());
    }
    if f.write_only {
        flags.push("Write-only".into());
    }
    let mut d = f.description.clone();
    if f.replace_on_change && f.is_configurable() && !d.contains("re-creates") {
        d.push_str(" *Changing this forces a new resource.*");
    }
    if let Some(r) = f.replace_if {
        d.push_str(&format!(" *Forces a new resource when {}.*", r.describe.trim_end_matches('.')));
    }
    if f.is_configurable() {
        for v in f.validators.iter().filter_map(|v| v.describe()) {
            if !d.contains(&v) {
                d.push(' ');
                d.push_str(&v);
            }
        }
    }
    if let Some(var) = f.env {
        d.push_str(&format!(" Environment variable: `{var}`."));
    }
    if f.nested.is_some() {
        d.push_str(&format!(" (see [below for nested schema](#nested-schema-for-{}))", f.name.replace('_', "-")));
    }
    format!("- `{}` ({}) {}\n", f.name, flags.join(", "), d.trim())
}

type Pick = fn(&Field) -> bool;

/// How schema pages group attributes, as the registry does.
const GROUPS: [(&str, Pick); 3] = [
    ("Required", |f| f.mode == Mode::Required),
    ("Optional", |f| matches!(f.mode, Mode::Optional | Mode::OptionalComputed)),
    ("Read-Only", |f| f.mode == Mode::Computed),
];

/// The "Nested Schema for `x`" sections of nested attributes and blocks, depth first.
fn nested_sections(fields: &[Field], out: &mut String) {
    for f in fields {
        let Some(n) = &f.nested else { continue };
        out.push_str(&format!("\n### Nested Schema for `{}`\n", f.name));
        for (title, pick) in GROUPS {
            let lines: Vec<String> = n.fields.iter().filter(|c| pick(c)).map(field_line).collect();
            if !lines.is_empty() {
                out.push_str(&format!("\n{title}:\n\n{}", lines.concat()));
            }
        }
        nested_sections(&n.fields, out);
    }
}

fn schema_section(fields: &[Field], timeouts: Option<&ResourceSchema>) -> String {
    let mut s = String::from("## Schema\n");
    for (title, pick) in GROUPS {
        let lines: Vec<String> = fields.iter().filter(|f| pick(f)).map(field_line).collect();
        let has_timeouts = title == "Optional" && timeouts.is_some_and(|r| r.timeouts.is_some());
        if lines.is_empty() && !has_timeouts {
            continue;
        }
        s.push_str(&format!("\n### {title}\n\n"));
        for l in lines {
            s.push_str(&l);
        }
        if has_timeouts {
            s.push_str("- `timeouts` (Block) Time limits for asynchronous operations (see [below for nested schema](#nested-schema-for-timeouts)).\n");
        }
        // Object lists without nested attributes (e.g. a list data source's items).
        for f in fields.iter().filter(|f| pick(f) && f.nested.is_none()) {
            if let Type::List(inner) = &f.ty {
                if let Type::Object(attrs) = inner.as_ref() {
                    s.push_str(&format!(
                        "\nEach element of `{}` has: {}.\n",
                        f.name,
                        attrs.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        }
    }
    nested_sections(fields, &mut s);
    if let Some(t) = timeouts.and_then(|r| r.timeouts.map(|t| (r.noun, t))) {
        let (noun, t) = t;
        s.push_str("\n### Nested Schema for `timeouts`\n\nOptional:\n\n");
        for (name, d) in t.ops() {
            s.push_str(&format!(
                "- `{name}` (String) How long to wait for the {noun} to be {name}d (default `{}`).\n",
                crate::engine::poll::humanize(d)
            ));
        }
    }
    s
}

fn example(examples: &Path, rel: &str, lang: &str, title: &str) -> String {
    match std::fs::read_to_string(examples.join(rel)) {
        Ok(body) => format!("## {title}\n\n```{lang}\n{}\n```\n\n", body.trim_end()),
        Err(_) => String::new(),
    }
}

/// Every documentation page as (path relative to the provider's docs folder, content).
pub fn render(p: &ProviderDef, examples: &Path) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut index = format!("# {} Provider\n\n{}\n\n", p.name, p.description);
    index.push_str(&example(examples, "provider/provider.tf", "terraform", "Example Usage"));
    index.push_str(&schema_section(&p.fields, None));
    index.push_str("\n## Resources and data sources\n\n");
    for r in p.resources.iter().map(|r| r.schema()) {
        index.push_str(&format!("- [`{}`](resources/{}.md) (resource)\n", r.type_name, short(p, r.type_name)));
    }
    for d in &p.data_sources {
        index.push_str(&format!("- [`{}`](data-sources/{}.md) (data source)\n", d.type_name, short(p, d.type_name)));
    }
    for e in &p.ephemeral_resources {
        index.push_str(&format!(
            "- [`{}`](ephemeral-resources/{}.md) (ephemeral resource)\n",
            e.type_name,
            short(p, e.type_name)
        ));
    }
    for a in &p.actions {
        index.push_str(&format!("- [`{}`](actions/{}.md) (action)\n", a.type_name, short(p, a.type_name)));
    }
    pages.push(("index.md".to_string(), index));

    for r in p.resources.iter().map(|r| r.schema()) {
        let mut s = format!("# {} (Resource)\n\n{}\n\n", r.type_name, r.description);
        s.push_str(&example(examples, &format!("resources/{}/resource.tf", r.type_name), "terraform", "Example Usage"));
        s.push_str(&schema_section(&r.fields, Some(r)));
        let import = example(examples, &format!("resources/{}/import.sh", r.type_name), "shell", "Import");
        if import.is_empty() {
            s.push_str(&format!("\n## Import\n\nImport ID: `{}`.\n", r.id_template));
        } else {
            s.push_str(&format!("\n{}", import.trim_end()));
            s.push('\n');
        }
        pages.push((format!("resources/{}.md", short(p, r.type_name)), s));
    }
    for d in &p.data_sources {
        let mut s = format!("# {} (Data Source)\n\n{}\n\n", d.type_name, d.description);
        s.push_str(&example(
            examples,
            &format!("data-sources/{}/data-source.tf", d.type_name),
            "terraform",
            "Example Usage",
        ));
        s.push_str(&schema_section(&d.fields, None));
        pages.push((format!("data-sources/{}.md", short(p, d.type_name)), s));
    }
    for e in &p.ephemeral_resources {
        let mut s = format!("# {} (Ephemeral Resource)\n\n{}\n\n", e.type_name, e.description);
        s.push_str(&example(
            examples,
            &format!("ephemeral-resources/{}/ephemeral-resource.tf", e.type_name),
            "terraform",
            "Example Usage",
        ));
        s.push_str(&schema_section(&e.fields, None));
        pages.push((format!("ephemeral-resources/{}.md", short(p, e.type_name)), s));
    }
    for a in &p.actions {
        let mut s = format!("# {} (Action)\n\n{}\n\n", a.type_name, a.description);
        s.push_str(&example(examples, &format!("actions/{}/action.tf", a.type_name), "terraform", "Example Usage"));
        s.push_str(&format!(
            "Actions need Terraform 1.14 or later. Run this one with `terraform apply -invoke=action.{}.<name>`, or from a resource's `lifecycle {{ action_trigger {{ ... }} }}`. It keeps no state.\n\n",
            a.type_name
        ));
        // An action's arguments sit in its `config` block.
        s.push_str(&schema_section(&a.fields, None).replacen(
            "## Schema\n",
            "## Schema\n\nArguments of the `config` block.\n",
            1,
        ));
        pages.push((format!("actions/{}.md", short(p, a.type_name)), s));
    }
    pages
}

fn short<'a>(p: &ProviderDef, type_name: &'a str) -> &'a str {
    type_name.strip_prefix(p.name).map(|s| s.trim_start_matches('_')).unwrap_or(type_name)
}

/// Pages whose file under `docs_dir` is missing or differs; empty when up to date.
pub fn stale(p: &ProviderDef, examples: &Path, docs_dir: &Path) -> Vec<String> {
    render(p, examples)
        .into_iter()
        .filter(|(rel, content)| std::fs::read_to_string(docs_dir.join(rel)).ok().as_deref() != Some(content.as_str()))
        .map(|(rel, _)| rel)
        .collect()
}

pub fn write(p: &ProviderDef, examples: &Path, docs_dir: &Path) -> std::io::Result<usize> {
    let pages = render(p, examples);
    for (rel, content) in &pages {
        let path = docs_dir.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, content)?;
    }
    Ok(pages.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::action::{ActionDef, SendOp};
    use crate::engine::diag::Diagnostics;
    use crate::engine::resource::Op;

    #[test]
    fn actions_get_a_page_with_their_example_and_config_arguments() {
        let def = ProviderDef {
            name: "t",
            description: "Test.".into(),
            fields: vec![],
            resources: vec![],
            data_sources: vec![],
            ephemeral_resources: vec![],
            actions: vec![ActionDef::new(
                "t_delete_thing",
                "Deletes a thing.",
                vec![Field::string("thing_id").required().desc("Thing ID."), Field::string("pool").optional()],
                SendOp::new(Op::delete("/things/{thing_id}"), "thing"),
            )],
            configure: Box::new(|_| Err(Diagnostics::error("unused", "unused"))),
        };
        let examples = tempfile::tempdir().expect("dir");
        let dir = examples.path().join("actions/t_delete_thing");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("action.tf"), "action \"t_delete_thing\" \"x\" {}\n").expect("write");
        let pages = render(&def, examples.path());
        let index = &pages.iter().find(|(p, _)| p == "index.md").expect("index").1;
        assert!(index.contains("- [`t_delete_thing`](actions/delete_thing.md) (action)"), "{index}");
        let page = &pages.iter().find(|(p, _)| p == "actions/delete_thing.md").expect("page").1;
        assert!(page.starts_with("# t_delete_thing (Action)\n\nDeletes a thing."), "{page}");
        assert!(page.contains("```terraform\naction \"t_delete_thing\" \"x\" {}\n```"), "{page}");
        assert!(page.contains("-invoke=action.t_delete_thing.<name>"), "{page}");
        assert!(page.contains("Arguments of the `config` block."), "{page}");
        assert!(page.contains("### Required\n\n- `thing_id` (String) Thing ID."), "{page}");
        assert!(page.contains("### Optional\n\n- `pool` (String)"), "{page}");
    }
}
