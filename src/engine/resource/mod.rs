//! Managed resources described as data: fields, REST routes, async states and an ID
//! format. This module holds the description; `plan.rs` turns it into validation and
//! plans, `rest.rs` into the API steps of apply, read and import.

mod plan;
mod rest;
#[cfg(test)]
pub(crate) mod tests;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value as J};
use tokio_util::sync::CancellationToken;

use crate::engine::api::{Api, ApiError, Method};
use crate::engine::diag::Diagnostics;
use crate::engine::schema::{object_type, Field};
use crate::engine::value::{Type, Value};

/// What every lifecycle step gets: the configured API client, the provider's own
/// configuration (for defaults such as a default project) and the stop signal.
#[derive(Clone)]
pub struct Ctx {
    pub api: Arc<dyn Api>,
    pub provider_config: Value,
    pub cancel: CancellationToken,
}

/// States an asynchronous object moves through, by their API names.
#[derive(Clone, Debug)]
pub struct AsyncStates {
    pub json: &'static str,
    pub ready: &'static [&'static str],
    pub failed: &'static [&'static str],
    /// On the way out: treated as already gone by reads.
    pub deleting: &'static [&'static str],
}

impl AsyncStates {
    fn of<'a>(&self, obj: &'a J) -> &'a str {
        obj.get(self.json).and_then(J::as_str).unwrap_or_default()
    }
}

/// The REST routes of one entity. Paths are templates over Terraform attribute names,
/// e.g. `/api/v2/projects/{project_name}/volumes/{uuid}`.
#[derive(Clone, Debug)]
pub struct RestSpec {
    pub collection: &'static str,
    pub item: &'static str,
    /// Name of the array in list responses (`{"volumes": [...]}`).
    pub list_key: &'static str,
    /// Query parameter that filters the collection by name; `None` when the item path
    /// is itself addressed by name.
    pub name_query: Option<&'static str>,
    /// Extra query of collection listings that also shows objects being deleted.
    pub list_all: &'static [(&'static str, &'static str)],
    pub update_method: Option<Method>,
    /// Extra members of every update body (selectors the API wants), as templates.
    pub update_selectors: &'static [(&'static str, &'static str)],
    pub async_states: Option<AsyncStates>,
    pub etag_json: Option<&'static str>,
}

/// Per-entity code for the few things data cannot say.
pub trait ResourceHooks: Send + Sync {
    /// Extra plan-time checks, e.g. refusing a volume shrink.
    fn check_plan(&self, _prior: &Value, _planned: &Value, _diags: &mut Diagnostics) {}
    /// Adjusts an update body before it is sent (e.g. adding a force flag).
    fn adjust_update_body(&self, _prior: &Value, _planned: &Value, _body: &mut Map<String, J>) {}
}

pub struct NoHooks;
impl ResourceHooks for NoHooks {}

/// Default time limits of asynchronous operations; `update` is `None` for resources the
/// API cannot update (they get no `update` timeout to set).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Option<Duration>,
    pub delete: Duration,
}

impl Timeouts {
    /// The operations a user can set, with their defaults.
    pub fn ops(&self) -> Vec<(&'static str, Duration)> {
        let mut ops = vec![("create", self.create)];
        ops.extend(self.update.map(|u| ("update", u)));
        ops.push(("delete", self.delete));
        ops
    }
}

pub struct ResourceDef {
    pub type_name: &'static str,
    pub description: String,
    /// Display name in messages ("volume").
    pub noun: &'static str,
    pub fields: Vec<Field>,
    /// Template of the `id` attribute and of the import ID.
    pub id_template: &'static str,
    pub timeouts: Option<Timeouts>,
    pub rest: RestSpec,
    pub hooks: Box<dyn ResourceHooks>,
}

const TIMEOUTS: &str = "timeouts";

impl ResourceDef {
    /// Builds a definition, adding the `id` attribute every resource has.
    pub fn new(type_name: &'static str, noun: &'static str, id_template: &'static str, rest: RestSpec) -> ResourceDef {
        let id = Field::string("id").computed().desc(format!(
            "Identifier of the {noun} in Terraform, `{id_template}`; also the ID to give `terraform import`."
        ));
        ResourceDef {
            type_name,
            description: String::new(),
            noun,
            fields: vec![id],
            id_template,
            timeouts: None,
            rest,
            hooks: Box::new(NoHooks),
        }
    }
    pub fn desc(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
    pub fn fields(mut self, f: Vec<Field>) -> Self {
        self.fields.extend(f);
        self
    }
    pub fn timeouts(mut self, t: Timeouts) -> Self {
        self.timeouts = Some(t);
        self
    }
    pub fn hooks(mut self, h: impl ResourceHooks + 'static) -> Self {
        self.hooks = Box::new(h);
        self
    }

    pub fn value_type(&self) -> Type {
        match self.timeouts {
            Some(t) => {
                let ops: Vec<(&str, Type)> = t.ops().into_iter().map(|(op, _)| (op, Type::String)).collect();
                object_type(&self.fields, &[(TIMEOUTS, Type::object(&ops))])
            }
            None => object_type(&self.fields, &[]),
        }
    }
}

/// One wording of API failures for resources and data sources alike.
pub fn api_error_diag(op: &str, what: &str, e: ApiError) -> Diagnostics {
    let (summary, hint) = match e.status() {
        Some(401) => ("Authentication failed", " Check the provider's token (is it valid and unexpired?)."),
        Some(403) => ("Permission denied", " The token's role does not allow this operation in this project."),
        Some(409) => ("Conflict", ""),
        Some(412) => ("Concurrent modification", " Run `terraform plan` again."),
        Some(s) if s >= 500 => ("API error", " The API reported an internal problem; try again later."),
        _ => match e {
            ApiError::Timeout(_) => ("Timed out", " Raise the matching `timeouts` value if the cluster is slow."),
            ApiError::FailedState(_) => {
                ("Operation failed", " The object is kept in state (tainted) so that the next apply replaces it.")
            }
            ApiError::Cancelled => ("Cancelled", ""),
            ApiError::Unreachable(_) => ("API unreachable", " Check the provider's endpoints and TLS settings."),
            _ => ("API request failed", ""),
        },
    };
    Diagnostics::error(format!("{summary}: cannot {op} {what}"), format!("{e}.{hint}"))
}

/// The object called `name` in a list answer such as `{"volumes": [...]}`.
pub fn pick_by_name(list: &J, list_key: &str, name: &str) -> Option<J> {
    list.get(list_key)?.as_array()?.iter().find(|o| o.get("name").and_then(J::as_str) == Some(name)).cloned()
}

/// Renders `{attr}` placeholders from an object value; `None` if one is not known.
pub fn render(template: &str, v: &Value, encode: bool) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        let val = match v.get(name) {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        if encode {
            out.push_str(&percent_encode(&val));
        } else {
            out.push_str(&val);
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Matches an ID against a template like `{project_name}/{uuid}`; each placeholder
/// takes one non-empty `/`-free segment.
pub fn parse_template(template: &str, id: &str) -> Option<Vec<(String, String)>> {
    let t: Vec<&str> = template.split('/').collect();
    let parts: Vec<&str> = id.split('/').collect();
    if t.len() != parts.len() {
        return None;
    }
    let mut out = Vec::new();
    for (seg, val) in t.iter().zip(parts) {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if val.is_empty() {
                return None;
            }
            out.push((name.to_string(), val.to_string()));
        } else if *seg != val {
            return None;
        }
    }
    Some(out)
}
