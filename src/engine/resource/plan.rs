//! Validation and planning: Terraform semantics, the same for every resource.

use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::normalize::parse_duration;
use crate::engine::schema::{semantically_equal, Clear, DefaultValue, Field, Mode, Nested, Nesting};
use crate::engine::value::Value;

use super::{Constraint, PlanRequest, PlanResponse, ResourceSchema, TIMEOUTS};

/// Field validators, resource-level constraints and `timeouts` values.
pub fn validate_config(schema: &ResourceSchema, config: &Value) -> Diagnostics {
    let mut diags = check_arguments(&schema.fields, &schema.constraints, config);
    if let Value::Object(t) = config.get(TIMEOUTS) {
        for (k, v) in t {
            if let Some(s) = v.as_str() {
                if let Err(e) = parse_duration(s) {
                    diags.add_error("Invalid timeout", e, Some(AttrPath::attr(TIMEOUTS).then_attr(k)));
                }
            }
        }
    }
    diags
}

/// The fields' validators, then the constraints between them: what resources, data sources
/// and actions check alike.
pub fn check_arguments(fields: &[Field], constraints: &[Constraint], config: &Value) -> Diagnostics {
    let mut diags = check_fields(fields, config);
    check_constraints(constraints, config, &mut diags);
    diags
}

/// Runs every field's validators on a configuration (resources, data sources, providers).
pub fn check_fields(fields: &[Field], config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for f in fields {
        f.check(config.get(f.name), &AttrPath::attr(f.name), &mut diags);
    }
    diags
}

pub fn check_constraints(constraints: &[Constraint], config: &Value, diags: &mut Diagnostics) {
    for c in constraints {
        let (group, exactly_one) = match c {
            Constraint::ExactlyOneOf(g) => (*g, true),
            Constraint::ConflictsWith(g) => (*g, false),
        };
        let set: Vec<&str> = group.iter().copied().filter(|n| !config.get(n).is_null()).collect();
        let unknown = group.iter().any(|n| config.get(n).is_unknown());
        let missing = exactly_one && set.is_empty() && !unknown;
        if set.len() > 1 || missing {
            let names = group.join(", ");
            let (summary, detail) = if missing {
                (format!("Exactly one of {names} must be set"), "None is set.".to_string())
            } else {
                (
                    format!("{} of {names} may be set", if exactly_one { "Exactly one" } else { "Only one" }),
                    format!("{} are set.", set.join(" and ")),
                )
            };
            let at = set.get(1).or(group.first()).copied().unwrap_or_default();
            diags.add_error(summary, detail, Some(AttrPath::attr(at)));
        }
    }
}

/// Plans the objects of a nested attribute: defaults for unset children, and computed
/// children unknown in objects that are new (kept from the prior object otherwise).
fn plan_nested(n: &Nested, planned: &Value, prior: &Value, config: &Value) -> Value {
    let object = |p: &Value, before: Option<&Value>, cfg: &Value| -> Value {
        if !matches!(p, Value::Object(_)) {
            return p.clone();
        }
        let mut out = p.clone();
        for c in &n.fields {
            let unset = cfg.get(c.name).is_null();
            match (&c.default, c.mode) {
                (Some(DefaultValue::Static(d)), _) if unset => out.set(c.name, d.clone()),
                (_, Mode::Computed | Mode::OptionalComputed) if unset => {
                    let kept = before.map(|b| b.get(c.name).clone()).filter(|v| !v.is_null());
                    out.set(c.name, kept.unwrap_or(Value::Unknown));
                }
                _ => {}
            }
            if let Some(inner) = &c.nested {
                let v = plan_nested(
                    inner,
                    out.get(c.name),
                    before.map(|b| b.get(c.name)).unwrap_or(&Value::Null),
                    cfg.get(c.name),
                );
                out.set(c.name, v);
            }
        }
        out
    };
    match (n.nesting, planned) {
        (_, Value::Null | Value::Unknown) => planned.clone(),
        (Nesting::Single, _) => object(planned, Some(prior).filter(|p| !p.is_null()), config),
        (Nesting::List, Value::List(items)) => {
            let (before, cfg) = (prior.as_items().unwrap_or_default(), config.as_items().unwrap_or_default());
            Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, x)| object(x, before.get(i), cfg.get(i).unwrap_or(&Value::Null)))
                    .collect(),
            )
        }
        // Set elements have no identity to match a prior object by: computed children of
        // changed sets are unknown.
        (Nesting::Set, Value::Set(items)) => Value::Set(items.iter().map(|x| object(x, None, x)).collect()),
        (Nesting::Map, Value::Map(m)) => Value::Map(
            m.iter()
                .map(|(k, x)| {
                    let before = prior.as_map().and_then(|p| p.get(k));
                    let cfg = config.as_map().and_then(|c| c.get(k)).unwrap_or(&Value::Null);
                    (k.clone(), object(x, before, cfg))
                })
                .collect(),
        ),
        _ => planned.clone(),
    }
}

/// Computes the planned state with defaults, unknowns, replacements and `extra_checks`
/// (a resource's own plan-time rules).
pub fn plan_change(
    schema: &ResourceSchema,
    req: PlanRequest<'_>,
    extra_checks: impl FnOnce(&Value, &Value, &mut Diagnostics),
) -> PlanResponse {
    let PlanRequest { provider_config, prior, proposed, config, private } = req;
    let mut out =
        PlanResponse { planned: Value::Null, requires_replace: vec![], private, diags: Diagnostics::default() };
    if proposed.is_null() {
        return out; // destroy
    }
    let mut planned = proposed.clone();
    let diags = &mut out.diags;
    for f in &schema.fields {
        if config.get(f.name).is_null() && f.is_configurable() {
            match &f.default {
                Some(DefaultValue::Static(v)) => planned.set(f.name, v.clone()),
                Some(DefaultValue::FromProvider(attr)) => {
                    let v = provider_config.get(attr).clone();
                    if v.is_null() {
                        diags.add_error(
                            format!("Missing {}", f.name),
                            format!(
                                "Set \"{}\" on this resource, or \"{attr}\" in the provider configuration.",
                                f.name
                            ),
                            Some(AttrPath::attr(f.name)),
                        );
                    }
                    planned.set(f.name, v);
                }
                None if f.mode == Mode::OptionalComputed && prior.is_null() => planned.set(f.name, Value::Unknown),
                None => {}
            }
        }
        if f.write_only {
            planned.set(f.name, Value::Null);
        }
        if let Some(n) = &f.nested {
            let v = plan_nested(n, planned.get(f.name), prior.get(f.name), config.get(f.name));
            planned.set(f.name, v);
        }
    }
    if diags.has_errors() {
        return out;
    }

    if prior.is_null() {
        for f in &schema.fields {
            if f.mode == Mode::Computed {
                planned.set(f.name, Value::Unknown);
            }
        }
        // Known at plan time when the ID is made of configured values (a project's name).
        if let Some(id) = schema.render_id(&planned) {
            planned.set("id", Value::str(id));
        }
    } else {
        let changed = schema
            .fields
            .iter()
            .filter(|f| f.is_configurable() && !f.write_only)
            .any(|f| planned.get(f.name) != prior.get(f.name))
            || planned.get(TIMEOUTS) != prior.get(TIMEOUTS);
        for f in &schema.fields {
            let (before, after) = (prior.get(f.name), planned.get(f.name));
            if f.is_configurable() && !semantically_equal(f, after, before) {
                let forced = f.replace_on_change || f.replace_if.is_some_and(|r| (r.when)(before, after));
                if forced {
                    out.requires_replace.push(AttrPath::attr(f.name));
                } else if let Clear::Impossible(why) = f.clear {
                    if after.is_empty_like() && !before.is_empty_like() && after.is_fully_known() {
                        diags.add_error(
                            format!("Cannot clear {}", f.name),
                            format!("{why} Keep at least one value, or leave {} out of the configuration to stop managing it.", f.name),
                            Some(AttrPath::attr(f.name)),
                        );
                    }
                }
            }
            if changed && f.mode == Mode::Computed && !f.stable {
                planned.set(f.name, Value::Unknown);
            }
        }
    }
    extra_checks(prior, &planned, diags);
    if !diags.has_errors() {
        out.planned = planned;
    }
    out
}
