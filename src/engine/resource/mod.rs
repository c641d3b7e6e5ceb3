//! Managed resources. A resource is anything implementing [`Resource`] (a small trait in
//! the style of terraform-plugin-framework, with capabilities such as import as separate
//! traits). Most are declarations: a [`ResourceDef`] holds fields, [`Operations`] and an ID
//! template, and implements the trait with the engine's algorithms (`apply.rs`), so an
//! entity needs code only where its API is truly odd ([`ResourceHooks`], or a
//! hand-written `Resource` that reuses the same algorithms).

mod apply;
pub mod ops;
pub mod plan;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod tests_merge_parent;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as J};
use tokio_util::sync::CancellationToken;

use crate::engine::api::{Api, ApiError};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::schema::{object_type, Field};
use crate::engine::value::{Type, Value};

pub(crate) use apply::build_request;
pub use apply::upgrade_sdkv2_state;
pub use ops::{
    AsyncStates, BodyShape, CreateOp, DeleteOp, LastPage, ListSpec, Lookup, Member, Op, Operations, Paging,
    ParentLookup, ReadOp, Step, Toggle, UpdateOp, UpdateStyle,
};
pub use plan::{plan_change, validate_config};

/// What every lifecycle step gets: the configured API client, the provider's own
/// configuration (for defaults such as a default project) and the stop signal.
#[derive(Clone)]
pub struct Ctx {
    pub api: Arc<dyn Api>,
    pub provider_config: Value,
    pub cancel: CancellationToken,
}

/// Default time limits of a resource's operations; `update` is `None` for resources the
/// API cannot update (they get no `update` timeout to set).
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Option<Duration>,
    /// `Duration::ZERO`: destroy does not wait for anything, so no `delete` timeout.
    pub delete: Duration,
}

impl Timeouts {
    /// The operations a user can set, with their defaults.
    pub fn ops(&self) -> Vec<(&'static str, Duration)> {
        let mut ops = vec![("create", self.create)];
        ops.extend(self.update.map(|u| ("update", u)));
        // A zero delete limit: destroy makes no waiting call (a forget), so none is offered.
        if !self.delete.is_zero() {
            ops.push(("delete", self.delete));
        }
        ops
    }
}

/// A rule over several arguments of one configuration.
#[derive(Clone, Debug)]
pub enum Constraint {
    /// Exactly one of these must be set.
    ExactlyOneOf(&'static [&'static str]),
    /// At most one of these may be set.
    ConflictsWith(&'static [&'static str]),
}

/// What Terraform sees of a resource: its attributes, blocks and documentation.
#[derive(Clone, Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    pub description: String,
    /// Display name in messages ("volume").
    pub noun: &'static str,
    pub fields: Vec<Field>,
    /// Template of the `id` attribute; also the import ID unless the resource says otherwise.
    pub id_template: &'static str,
    pub timeouts: Option<Timeouts>,
    pub constraints: Vec<Constraint>,
    /// Schema version, for UpgradeResourceState.
    pub version: i64,
}

pub const TIMEOUTS: &str = "timeouts";

impl ResourceSchema {
    pub fn new(type_name: &'static str, noun: &'static str, id_template: &'static str) -> ResourceSchema {
        let id = Field::string("id").computed().desc(format!(
            "Identifier of the {noun} in Terraform, `{id_template}`; also the ID to give `terraform import`."
        ));
        ResourceSchema {
            type_name,
            description: String::new(),
            noun,
            fields: vec![id],
            id_template,
            timeouts: None,
            constraints: vec![],
            version: 0,
        }
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

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The time limit of operation `which` (`create`, `update`, `delete`): the `timeouts`
    /// value in `state`, else the resource's default (20 minutes without one).
    pub fn timeout(&self, state: &Value, which: &str) -> Duration {
        let default = self
            .timeouts
            .and_then(|t| t.ops().into_iter().find(|(op, _)| *op == which).map(|(_, d)| d))
            .unwrap_or(Duration::from_secs(1200));
        let configured = state.get(TIMEOUTS).get(which).as_str();
        configured.and_then(|s| crate::engine::normalize::parse_duration(s).ok()).unwrap_or(default)
    }

    pub fn render_id(&self, v: &Value) -> Option<String> {
        crate::engine::template::render(self.id_template, v, &Value::Null, false)
    }
}

/// Provider-private data kept by Terraform beside the state: never shown to users.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Private {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// Steps of a multi-step create already done, so a retried apply finishes the job.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub progress: Map<String, J>,
}

impl Private {
    pub fn decode(bytes: &[u8]) -> Private {
        serde_json::from_slice(bytes).unwrap_or_default()
    }
    pub fn encode(&self) -> Vec<u8> {
        if *self == Private::default() {
            return Vec::new();
        }
        serde_json::to_vec(self).unwrap_or_default()
    }
    pub fn with_etag(etag: Option<String>) -> Private {
        Private { etag, ..Default::default() }
    }
}

pub struct PlanRequest<'a> {
    pub provider_config: &'a Value,
    pub prior: &'a Value,
    /// Null when Terraform plans to destroy the object.
    pub proposed: &'a Value,
    pub config: &'a Value,
    pub private: Private,
}

pub struct PlanResponse {
    pub planned: Value,
    pub requires_replace: Vec<AttrPath>,
    pub private: Private,
    /// May carry warnings on success (a destroy that only forgets the object).
    pub diags: Diagnostics,
}

pub struct ApplyRequest<'a> {
    pub prior: &'a Value,
    pub planned: &'a Value,
    /// The configuration: the only place write-only values are found.
    pub config: &'a Value,
    pub private: Private,
}

/// The result of create or update. With errors, `state` is what exists now: `Some` when
/// an object came to exist (Terraform keeps it, tainted), the prior state when an update
/// changed nothing.
pub struct ApplyResponse {
    pub state: Option<Value>,
    pub private: Private,
    pub diags: Diagnostics,
}

impl ApplyResponse {
    /// Success: the object as it now is.
    pub fn done(state: Value, private: Private) -> ApplyResponse {
        ApplyResponse { state: Some(state), private, diags: Diagnostics::default() }
    }
    /// Nothing came to exist (a create that failed before the API made anything).
    pub fn nothing(diags: Diagnostics) -> ApplyResponse {
        ApplyResponse { state: None, private: Private::default(), diags }
    }
    /// An update that failed: `state` is what exists now (the prior state when nothing
    /// was applied).
    pub fn kept(state: Value, private: Private, diags: Diagnostics) -> ApplyResponse {
        ApplyResponse { state: Some(state), private, diags }
    }
}

pub struct ReadRequest<'a> {
    pub current: &'a Value,
    pub private: Private,
}

/// `state: None` means the object is gone.
pub struct ReadResponse {
    pub state: Option<Value>,
    pub private: Private,
    pub diags: Diagnostics,
}

impl ReadResponse {
    pub fn found(state: Value, private: Private) -> ReadResponse {
        ReadResponse { state: Some(state), private, diags: Diagnostics::default() }
    }
    pub fn gone() -> ReadResponse {
        ReadResponse { state: None, private: Private::default(), diags: Diagnostics::default() }
    }
    /// The read failed: the state stays as it was.
    pub fn failed(current: &Value, private: Private, diags: Diagnostics) -> ReadResponse {
        ReadResponse { state: Some(current.clone()), private, diags }
    }
}

pub struct DeleteRequest<'a> {
    pub prior: &'a Value,
    pub private: Private,
}

/// The object is forgotten unless `diags` has errors; warnings say what was left behind.
pub struct DeleteResponse {
    pub diags: Diagnostics,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync {
    fn schema(&self) -> &ResourceSchema;

    fn validate(&self, config: &Value) -> Diagnostics {
        validate_config(self.schema(), config)
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        plan_change(self.schema(), req, |_, _, _| {})
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse;
    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse;
    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse;
    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse;

    /// Import capability: `None` when the resource cannot be imported.
    fn importer(&self) -> Option<&dyn ImportState> {
        None
    }
    /// State upgrade capability, for schema versions above 0 and foreign state formats.
    fn upgrader(&self) -> Option<&dyn UpgradeState> {
        None
    }
}

/// Turns an import ID into a key state; the engine then reads the object.
pub trait ImportState: Send + Sync {
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics>;
}

/// Rewrites stored state JSON written under an older schema version (or by another
/// provider) into the current schema's JSON.
pub trait UpgradeState: Send + Sync {
    fn upgrade(&self, version: i64, raw: J) -> Result<J, Diagnostics>;
}

/// Per-entity code for the few things data cannot say.
#[async_trait]
pub trait ResourceHooks: Send + Sync {
    /// Extra plan-time checks, e.g. refusing a volume shrink.
    fn check_plan(&self, _prior: &Value, _planned: &Value, _diags: &mut Diagnostics) {}
    /// Adjusts an update body before it is sent (e.g. adding a force flag).
    fn adjust_update_body(&self, _prior: &Value, _planned: &Value, _body: &mut Map<String, J>) {}
    /// Adjusts a create body before it is sent (members no field carries, wire shapes the
    /// fields cannot say).
    fn adjust_create_body(&self, _planned: &Value, _body: &mut Map<String, J>) {}
    /// Rewrites an API answer into the shape the fields declare before it is mapped onto
    /// `base` (the state it refreshes; null members on import): the inverse of the body
    /// adjustments, and where a value the API normalises can be given back in `base`'s
    /// spelling.
    fn adjust_answer(&self, _base: &Value, _obj: &mut J) {}
    /// Adjusts a plan (not a destroy): values the provider derives itself, from other
    /// arguments or its own configuration, and computed values a change will move.
    fn adjust_plan(&self, _provider_config: &Value, _prior: &Value, _config: &Value, _planned: &mut Value) {}
    /// Checks that need the API before a create (`prior` null) or an update sends
    /// anything, such as a limit that depends on the caller's own account: an error stops
    /// the apply with nothing changed.
    async fn check_apply(&self, _ctx: &Ctx, _prior: &Value, _planned: &Value) -> Result<(), Diagnostics> {
        Ok(())
    }
    /// Completes the state of a read (refresh and import) with what the object's own
    /// answer does not hold: a binding found in another list, values derived from the
    /// provider's configuration.
    async fn complete_read(&self, _ctx: &Ctx, _state: &mut Value) -> Result<(), Diagnostics> {
        Ok(())
    }
    /// A step of a multi-step create, or a per-field update request (the step is then the
    /// attribute's name), failed with `error`. Return true after repairing what the
    /// request needs (Luminate: link the site to a collection) to send it once more.
    async fn repair_step(
        &self,
        _ctx: &Ctx,
        _step: &str,
        _state: &Value,
        _error: &ApiError,
    ) -> Result<bool, Diagnostics> {
        Ok(false)
    }
}

pub struct NoHooks;
impl ResourceHooks for NoHooks {}

/// A resource described as data; the engine's algorithms do the rest.
pub struct ResourceDef {
    pub schema: ResourceSchema,
    pub ops: Operations,
    pub hooks: Box<dyn ResourceHooks>,
    /// Reads state written by a terraform-plugin-sdk (v2) provider of the same resource.
    pub sdkv2_state: bool,
    /// How a read finds the parent attribute that import leaves unset.
    pub parent: Option<ParentLookup>,
}

impl ResourceDef {
    /// Builds a definition, adding the `id` attribute every resource has.
    pub fn new(type_name: &'static str, noun: &'static str, id_template: &'static str, ops: Operations) -> ResourceDef {
        ResourceDef {
            schema: ResourceSchema::new(type_name, noun, id_template),
            ops,
            hooks: Box::new(NoHooks),
            sdkv2_state: false,
            parent: None,
        }
    }
    pub fn desc(mut self, d: impl Into<String>) -> Self {
        self.schema.description = d.into();
        self
    }
    pub fn fields(mut self, f: Vec<Field>) -> Self {
        self.schema.fields.extend(f);
        self
    }
    pub fn timeouts(mut self, t: Timeouts) -> Self {
        self.schema.timeouts = Some(t);
        self
    }
    pub fn constraint(mut self, c: Constraint) -> Self {
        self.schema.constraints.push(c);
        self
    }
    /// Takes over state written by an SDKv2 (Go) provider of the same resource type, after
    /// `terraform state replace-provider`: see [`UpgradeState`] for ResourceDef.
    pub fn sdkv2_state(mut self) -> Self {
        self.sdkv2_state = true;
        self
    }
    /// The `id` attribute is the API's own identifier, read from `json` (`{id}` templates).
    pub fn id_from_api(mut self, json: &'static str) -> Self {
        if let Some(id) = self.schema.fields.iter_mut().find(|f| f.name == "id") {
            *id = id.clone().api(json, crate::engine::schema::Codec::Plain);
        }
        self
    }
    /// Reads find `attr` (left unset by an import of the object's own ID) in a list of
    /// parents: see [`ParentLookup`].
    pub fn parent_from(mut self, attr: &'static str, list: ListSpec, members: &'static str) -> Self {
        self.parent = Some(ParentLookup { attr, list, members });
        self
    }
    pub fn hooks(mut self, h: impl ResourceHooks + 'static) -> Self {
        self.hooks = Box::new(h);
        self
    }

    /// Mistakes a declaration can make that would become plans apply cannot keep:
    /// checked by a unit test over every provider's resources.
    pub fn declaration_errors(&self) -> Vec<String> {
        let mut errs = Vec::new();
        let name = self.schema.type_name;
        for f in &self.schema.fields {
            // Updated by the main request, a request of its own, or a toggle.
            let updatable = f.api.as_ref().is_some_and(|a| a.in_update)
                || self.ops.update.as_ref().is_some_and(|u| {
                    u.per_field.iter().any(|(attr, _)| *attr == f.name) || u.toggles.iter().any(|t| t.attr == f.name)
                });
            let sent_on_create = f.api.as_ref().is_some_and(|a| a.in_create);
            let replaced = f.replace_on_change || f.replace_if.is_some();
            if self.ops.update.is_none() && f.is_configurable() && sent_on_create && !replaced {
                errs.push(format!("{name}.{}: the API has no update, so it must force replacement", f.name));
            }
            if f.is_configurable() && sent_on_create && !updatable && !replaced {
                errs.push(format!("{name}.{}: sent on create only, yet neither updated nor replaced", f.name));
            }
            if f.write_only && f.write_only_trigger.is_none() && updatable {
                errs.push(format!("{name}.{}: a write-only value needs a version attribute to be re-sent", f.name));
            }
        }
        for attr in crate::engine::template::attrs(self.schema.id_template) {
            if self.schema.field(attr).is_none() {
                errs.push(format!("{name}: id template names unknown attribute {attr}"));
            }
        }
        errs
    }
}

/// Turns an import ID into a key state by the schema's ID template (`{email}/{address...}`),
/// checking each part locally so a malformed ID never reaches the API; arguments the API
/// does not hold get their static defaults.
pub fn import_by_template(s: &ResourceSchema, id: &str) -> Result<Value, Diagnostics> {
    use crate::engine::schema::DefaultValue;
    let parts = crate::engine::template::parse(s.id_template, id).ok_or_else(|| {
        Diagnostics::error(
            format!("Invalid import ID for {}", s.type_name),
            format!("Expected an ID of the form \"{}\", got {id:?}.", s.id_template),
        )
    })?;
    let mut v = Value::Object(Default::default());
    for f in &s.fields {
        v.set(f.name, Value::Null);
        if let (None, Some(DefaultValue::Static(d))) = (&f.api, &f.default) {
            v.set(f.name, d.clone());
        }
    }
    let mut diags = Diagnostics::default();
    for (k, val) in parts {
        let value = match s.field(&k).map(|f| &f.ty) {
            Some(Type::Number) => match val.parse::<i64>() {
                Ok(n) => Value::int(n),
                Err(_) => {
                    diags.add_error(
                        format!("Invalid import ID for {}", s.type_name),
                        format!("The {k} part of {id:?} must be a whole number, got {val:?}."),
                        None,
                    );
                    continue;
                }
            },
            _ => Value::str(val.clone()),
        };
        if let Some(f) = s.field(&k) {
            let mut part = Diagnostics::default();
            f.check(&value, &AttrPath::attr(&k), &mut part);
            for d in part.0 {
                diags.add_error(
                    format!("Invalid import ID for {}", s.type_name),
                    format!("The {k} part of {id:?} is invalid: {}", d.detail),
                    None,
                );
            }
        }
        v.set(&k, value);
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(v)
}

/// Plans a hand-written resource whose destroy only forgets the object: the generic plan,
/// plus the warning naming what stays (`left_behind` of the prior state) on a destroy.
pub fn plan_forgetting(
    schema: &ResourceSchema,
    req: PlanRequest<'_>,
    left_behind: impl FnOnce(&Value) -> String,
) -> PlanResponse {
    let destroy = req.proposed.is_null() && !req.prior.is_null();
    let prior = req.prior.clone();
    let mut out = plan_change(schema, req, |_, _, _| {});
    if destroy {
        out.diags.extend(forget_warning(schema.noun, left_behind(&prior)));
    }
    out
}

/// The warning of a destroy that only forgets the object (the API cannot delete it), at
/// plan time and at destroy; `detail` names what stays on the server.
pub fn forget_warning(noun: &str, detail: String) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.add_warning(format!("Destroying the {noun} only removes it from Terraform state"), detail, None);
    d
}

/// One wording of API failures for resources and data sources alike.
pub fn api_error_diag(op: &str, what: &str, e: ApiError) -> Diagnostics {
    let (summary, hint) = match e.status() {
        Some(401) => ("Authentication failed", " Check the provider's credentials (are they valid and unexpired?)."),
        Some(403) => ("Permission denied", " The provider's credentials do not allow this operation."),
        Some(409) => ("Conflict", ""),
        Some(412) => ("Concurrent modification", " Run `terraform plan` again."),
        Some(501) => ("Not supported by the API", " The API does not implement this operation (for this object)."),
        Some(s) if s >= 500 => ("API error", " The API reported an internal problem; try again later."),
        _ => match e {
            ApiError::Timeout(_) => ("Timed out", " Raise the matching `timeouts` value if the API is slow."),
            ApiError::FailedState(_) => {
                ("Operation failed", " The object is kept in state (tainted) so that the next apply replaces it.")
            }
            ApiError::Cancelled => ("Cancelled", ""),
            ApiError::Unreachable(_) => ("API unreachable", " Check the provider's endpoint and TLS settings."),
            _ => ("API request failed", ""),
        },
    };
    let detail = format!("{e}");
    let detail = detail.trim_end_matches('.');
    Diagnostics::error(format!("{summary}: cannot {op} the {what}"), format!("{detail}.{hint}"))
}
