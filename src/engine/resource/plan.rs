//! Validation and planning of a declared resource.

use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::normalize::parse_duration;
use crate::engine::schema::{semantically_equal, DefaultValue, Mode};
use crate::engine::value::Value;

use super::{ResourceDef, TIMEOUTS};

impl ResourceDef {
    // ------------------------------------------------------------------ validate

    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::default();
        for f in &self.fields {
            f.check(config.get(f.name), &AttrPath::attr(f.name), &mut diags);
        }
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

    // ------------------------------------------------------------------ plan

    /// Computes the planned state. Returns (planned, attributes forcing replacement).
    pub fn plan(
        &self,
        provider_config: &Value,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> Result<(Value, Vec<AttrPath>), Diagnostics> {
        if proposed.is_null() {
            return Ok((Value::Null, vec![])); // destroy
        }
        let mut planned = proposed.clone();
        let mut diags = Diagnostics::default();
        for f in &self.fields {
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
        }
        if diags.has_errors() {
            return Err(diags);
        }

        let mut replace = Vec::new();
        if prior.is_null() {
            for f in &self.fields {
                if f.mode == Mode::Computed {
                    planned.set(f.name, Value::Unknown);
                }
            }
            // Known at plan time when the ID is made of configured values (a project's name).
            if let Some(id) = self.render_id(&planned) {
                planned.set("id", Value::str(id));
            }
        } else {
            let changed = self
                .fields
                .iter()
                .filter(|f| f.is_configurable() && !f.write_only)
                .any(|f| planned.get(f.name) != prior.get(f.name))
                || planned.get(TIMEOUTS) != prior.get(TIMEOUTS);
            for f in &self.fields {
                if f.replace_on_change
                    && f.is_configurable()
                    && !semantically_equal(f, planned.get(f.name), prior.get(f.name))
                {
                    replace.push(AttrPath::attr(f.name));
                }
                if changed && f.mode == Mode::Computed && !f.stable {
                    planned.set(f.name, Value::Unknown);
                }
            }
        }
        self.hooks.check_plan(prior, &planned, &mut diags);
        if diags.has_errors() {
            return Err(diags);
        }
        Ok((planned, replace))
    }
}
