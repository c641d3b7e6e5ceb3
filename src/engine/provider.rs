//! A provider: its own configuration schema, its resources, data sources and actions, and the
//! configured state (API client, stop signal) every lifecycle step runs with.

use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use crate::engine::action::ActionDef;
use crate::engine::api::Api;
use crate::engine::datasource::DataSourceDef;
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::plan::check_fields;
use crate::engine::resource::{Ctx, Resource};
use crate::engine::schema::{object_type, DefaultValue, Field};
use crate::engine::value::{Type, Value};

pub type Configure = Box<dyn Fn(&Value) -> Result<Arc<dyn Api>, Diagnostics> + Send + Sync>;

pub struct ProviderDef {
    /// Provider name, the prefix of every type name (`lightbits`).
    pub name: &'static str,
    pub description: String,
    pub fields: Vec<Field>,
    pub resources: Vec<Box<dyn Resource>>,
    pub data_sources: Vec<DataSourceDef>,
    /// Ephemeral resources: declared like data sources (arguments in, values out), but
    /// opened on every run and never stored (see `engine::ephemeral`).
    pub ephemeral_resources: Vec<DataSourceDef>,
    /// Actions (Terraform 1.14+ `action` blocks): configuration in, an invocation that
    /// reports progress, no state (see `engine::action`). Older Terraform ignores them.
    pub actions: Vec<ActionDef>,
    /// Builds the API client from the resolved configuration.
    pub configure: Configure,
}

impl ProviderDef {
    pub fn value_type(&self) -> Type {
        object_type(&self.fields, &[])
    }
    pub fn resource(&self, type_name: &str) -> Option<&dyn Resource> {
        self.resources.iter().find(|r| r.schema().type_name == type_name).map(|r| r.as_ref())
    }
    pub fn data_source(&self, type_name: &str) -> Option<&DataSourceDef> {
        self.data_sources.iter().find(|d| d.type_name == type_name)
    }
    pub fn ephemeral_resource(&self, type_name: &str) -> Option<&DataSourceDef> {
        self.ephemeral_resources.iter().find(|d| d.type_name == type_name)
    }
    pub fn action(&self, type_name: &str) -> Option<&ActionDef> {
        self.actions.iter().find(|a| a.type_name == type_name)
    }

    /// Fills unset arguments from their environment variables and static defaults.
    pub fn resolve_config(&self, config: &Value) -> Result<Value, Diagnostics> {
        let mut out = if config.is_null() { Value::Object(Default::default()) } else { config.clone() };
        let mut diags = Diagnostics::default();
        for f in &self.fields {
            if !out.get(f.name).is_null() {
                continue;
            }
            if let Some(raw) = f.env.and_then(|var| std::env::var(var).ok()).filter(|s| !s.is_empty()) {
                match env_value(&f.ty, &raw) {
                    Ok(v) => out.set(f.name, v),
                    Err(e) => diags.add_error(
                        format!("Invalid environment variable {}", f.env.unwrap_or_default()),
                        e,
                        Some(AttrPath::attr(f.name)),
                    ),
                }
            } else if let Some(DefaultValue::Static(v)) = &f.default {
                out.set(f.name, v.clone());
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(out)
    }

    pub fn validate(&self, config: &Value) -> Diagnostics {
        check_fields(&self.fields, config)
    }
}

fn env_value(ty: &Type, raw: &str) -> Result<Value, String> {
    Ok(match ty {
        Type::String => Value::str(raw),
        Type::Bool => Value::Bool(
            crate::engine::normalize::parse_bool(raw)
                .ok_or_else(|| format!("{raw:?} is not a boolean (use true or false)"))?,
        ),
        Type::Number => Value::int(raw.trim().parse::<i64>().map_err(|_| format!("{raw:?} is not a whole number"))?),
        Type::List(_) | Type::Set(_) => {
            Value::List(raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Value::str).collect())
        }
        _ => return Err("this argument cannot be set from the environment".into()),
    })
}

/// A running provider: the definition plus what ConfigureProvider produced.
pub struct Provider {
    pub def: ProviderDef,
    configured: RwLock<Option<Ctx>>,
    /// The resolved configuration, which may still hold unknown values (endpoints taken
    /// from a resource not yet created): enough to plan, not to call the API.
    plan_config: RwLock<Option<Value>>,
    pub stop: CancellationToken,
}

impl Provider {
    pub fn new(def: ProviderDef) -> Provider {
        Provider { def, configured: RwLock::new(None), plan_config: RwLock::new(None), stop: CancellationToken::new() }
    }

    pub fn configure(&self, config: &Value) -> Diagnostics {
        let resolved = match self.def.resolve_config(config) {
            Ok(v) => v,
            Err(d) => return d,
        };
        if let Ok(mut slot) = self.plan_config.write() {
            *slot = Some(resolved.clone());
        }
        if !resolved.is_fully_known() {
            // Terraform configures us again with known values before applying.
            return self.def.validate(&resolved);
        }
        for f in self.def.fields.iter().filter(|f| f.sensitive) {
            if let Some(s) = resolved.get(f.name).as_str() {
                crate::logging::register_secret(s);
            }
        }
        let mut diags = self.def.validate(&resolved);
        if diags.has_errors() {
            return diags;
        }
        match (self.def.configure)(&resolved) {
            Ok(api) => {
                let ctx = Ctx { api, provider_config: resolved, cancel: self.stop.clone() };
                if let Ok(mut slot) = self.configured.write() {
                    *slot = Some(ctx);
                }
            }
            Err(d) => diags.extend(d),
        }
        diags
    }

    /// The provider configuration plans are made with, known or not.
    pub fn plan_config(&self) -> Result<Value, Diagnostics> {
        self.plan_config.read().ok().and_then(|c| c.clone()).ok_or_else(|| {
            Diagnostics::error("Provider not configured", "Terraform has not sent the provider configuration yet.")
        })
    }

    /// The configured context, or a diagnostic saying the provider is not configured.
    pub fn ctx(&self) -> Result<Ctx, Diagnostics> {
        self.configured.read().ok().and_then(|c| c.clone()).ok_or_else(|| {
            Diagnostics::error(
                "Provider not configured",
                "The provider's configuration is not known yet (it may depend on values known only after apply).",
            )
        })
    }
}
