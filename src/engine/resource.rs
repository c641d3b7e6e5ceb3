//! Managed resources described as data: fields, REST routes, async states and an ID
//! format. This module turns such a description into Terraform's lifecycle:
//! validate, plan, apply (create/update/delete), read and import.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value as J};
use tokio_util::sync::CancellationToken;

use crate::engine::api::{Api, ApiError, ApiRequest, Method};
use crate::engine::codec::{from_api, to_api};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::normalize::parse_duration;
use crate::engine::poll::{wait_until, Poll};
use crate::engine::schema::{object_type, semantically_equal, DefaultValue, Field, Mode};
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

#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub create: Duration,
    pub update: Duration,
    pub delete: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            create: Duration::from_secs(1200),
            update: Duration::from_secs(1200),
            delete: Duration::from_secs(1200),
        }
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

    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn timeouts_type() -> Type {
        Type::object(&[("create", Type::String), ("update", Type::String), ("delete", Type::String)])
    }

    pub fn value_type(&self) -> Type {
        if self.timeouts.is_some() {
            object_type(&self.fields, &[(TIMEOUTS, Self::timeouts_type())])
        } else {
            object_type(&self.fields, &[])
        }
    }

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
        ctx: &Ctx,
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
                        let v = ctx.provider_config.get(attr).clone();
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

    // ------------------------------------------------------------------ paths and bodies

    /// Fills a path template from attribute values, percent-encoding each value.
    fn path(&self, template: &str, v: &Value) -> Result<String, Diagnostics> {
        render(template, v, true).ok_or_else(|| {
            Diagnostics::error(
                format!("Cannot address this {}", self.noun),
                format!("The route {template} needs attributes that are not known yet."),
            )
        })
    }

    pub fn render_id(&self, v: &Value) -> Option<String> {
        render(self.id_template, v, false)
    }

    fn create_body(&self, planned: &Value) -> Result<J, Diagnostics> {
        let mut body = Map::new();
        for f in &self.fields {
            let Some(api) = &f.api else { continue };
            let v = planned.get(f.name);
            if !api.in_create || v.is_null() || v.is_unknown() {
                continue;
            }
            let j = to_api(api.codec, v).map_err(|e| {
                Diagnostics::attr_error(AttrPath::attr(f.name), format!("Invalid value for {}", f.name), e)
            })?;
            body.insert(api.json.to_string(), j);
        }
        Ok(J::Object(body))
    }

    /// Members for the fields whose value changed; empty when nothing needs sending.
    fn update_body(&self, prior: &Value, planned: &Value) -> Result<Map<String, J>, Diagnostics> {
        let mut body = Map::new();
        for f in &self.fields {
            let Some(api) = &f.api else { continue };
            let v = planned.get(f.name);
            if !api.in_update || v.is_unknown() || semantically_equal(f, v, prior.get(f.name)) {
                continue;
            }
            let j = if v.is_null() {
                // Clearing an optional argument: send its empty form.
                match f.ty {
                    Type::List(_) | Type::Set(_) | Type::Map(_) => {
                        to_api(api.codec, &Value::List(vec![])).unwrap_or(J::Null)
                    }
                    _ => J::String(String::new()),
                }
            } else {
                to_api(api.codec, v).map_err(|e| {
                    Diagnostics::attr_error(AttrPath::attr(f.name), format!("Invalid value for {}", f.name), e)
                })?
            };
            body.insert(api.update_json.unwrap_or(api.json).to_string(), j);
        }
        Ok(body)
    }

    /// Builds state from an API object: API values where they differ in meaning from
    /// `base`, `base`'s spelling where they mean the same (so "10GiB" stays "10GiB").
    fn state_from_api(&self, base: &Value, obj: &J) -> Result<Value, Diagnostics> {
        let mut out = base.clone();
        if out.is_null() {
            out = Value::Object(Default::default());
        }
        for f in &self.fields {
            let b = base.get(f.name);
            let new = match &f.api {
                _ if f.write_only => Value::Null,
                Some(api) => match obj.get(api.json) {
                    // Not echoed by the API: keep what we had.
                    None => {
                        if b.is_unknown() {
                            Value::Null
                        } else {
                            b.clone()
                        }
                    }
                    Some(j) => {
                        let v = from_api(f, api.codec, j).map_err(|e| {
                            Diagnostics::error(
                                format!("Unexpected {} from the API", api.json),
                                format!("The API returned {j} for {}: {e}", f.name),
                            )
                        })?;
                        if !b.is_unknown() && semantically_equal(f, b, &v) {
                            b.clone()
                        } else {
                            v
                        }
                    }
                },
                None if b.is_unknown() => Value::Null,
                None => b.clone(),
            };
            out.set(f.name, new);
        }
        let id = self.render_id(&out).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        if self.timeouts.is_some() && out.get(TIMEOUTS).is_unknown() {
            out.set(TIMEOUTS, Value::Null);
        }
        Ok(out)
    }

    fn timeout(&self, state: &Value, which: &str) -> Duration {
        let defaults = self.timeouts.unwrap_or_default();
        let d = match which {
            "create" => defaults.create,
            "update" => defaults.update,
            _ => defaults.delete,
        };
        state.get(TIMEOUTS).get(which).as_str().and_then(|s| parse_duration(s).ok()).unwrap_or(d)
    }

    // ------------------------------------------------------------------ API steps

    /// GET the object; `None` when the API says it does not exist.
    async fn fetch(&self, ctx: &Ctx, key: &Value) -> Result<Option<(J, Option<String>)>, Diagnostics> {
        let path = self.path(self.rest.item, key)?;
        match ctx.api.call(ApiRequest::get(path), &ctx.cancel).await {
            Ok(r) => {
                let etag = r.etag.clone().or_else(|| self.body_etag(&r.body));
                Ok(Some((r.body, etag)))
            }
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(self.api_diag("read", key, e)),
        }
    }

    fn body_etag(&self, obj: &J) -> Option<String> {
        self.rest.etag_json.and_then(|k| obj.get(k)).and_then(J::as_str).map(str::to_string)
    }

    /// Finds an object by its unique name (after a create whose answer was lost).
    async fn find_by_name(&self, ctx: &Ctx, planned: &Value) -> Result<Option<J>, Diagnostics> {
        match self.rest.name_query {
            None => Ok(self.fetch(ctx, planned).await?.map(|(o, _)| o)),
            Some(q) => {
                let name = planned.get("name").as_str().unwrap_or_default().to_string();
                let path = self.path(self.rest.collection, planned)?;
                let req = ApiRequest::get(path).query(q, name.clone());
                let r = ctx.api.call(req, &ctx.cancel).await.map_err(|e| self.api_diag("look up", planned, e))?;
                let found = r.body.get(self.rest.list_key).and_then(J::as_array).and_then(|items| {
                    items.iter().find(|o| o.get("name").and_then(J::as_str) == Some(name.as_str())).cloned()
                });
                Ok(found)
            }
        }
    }

    /// Waits until the object reaches a ready state; on a failed state or timeout the
    /// error carries the last object seen, so the caller can keep it in state.
    async fn wait_ready(
        &self,
        ctx: &Ctx,
        key: &Value,
        timeout: Duration,
        what: &str,
    ) -> Result<(J, Option<String>), (Diagnostics, Option<J>)> {
        let Some(st) = &self.rest.async_states else {
            return match self.fetch(ctx, key).await {
                Ok(Some(x)) => Ok(x),
                Ok(None) => Err((self.vanished(key), None)),
                Err(d) => Err((d, None)),
            };
        };
        let path = self.path(self.rest.item, key).map_err(|d| (d, None))?;
        let last = std::sync::Mutex::new(None::<J>);
        let res = wait_until(what, timeout, &ctx.cancel, || async {
            let r = ctx.api.call(ApiRequest::get(path.clone()), &ctx.cancel).await?;
            let state = st.of(&r.body).to_string();
            if let Ok(mut l) = last.lock() {
                *l = Some(r.body.clone());
            }
            if st.ready.contains(&state.as_str()) {
                let etag = r.etag.clone().or_else(|| self.body_etag(&r.body));
                Ok(Poll::Done((r.body, etag)))
            } else if st.failed.contains(&state.as_str()) {
                Err(ApiError::FailedState(format!("the {} entered state {state:?}", self.noun)))
            } else {
                Ok(Poll::Pending(format!("{} = {state:?}", st.json)))
            }
        })
        .await;
        let last = last.into_inner().ok().flatten();
        res.map_err(|e| (self.api_diag(what, key, e), last))
    }

    /// Waits until GET answers 404 after a delete.
    async fn wait_gone(&self, ctx: &Ctx, key: &Value, timeout: Duration) -> Result<(), Diagnostics> {
        let st = self.rest.async_states.as_ref().map(|s| s.json).unwrap_or("state");
        let path = self.path(self.rest.item, key)?;
        wait_until(&format!("deletion of the {}", self.noun), timeout, &ctx.cancel, || async {
            match ctx.api.call(ApiRequest::get(path.clone()), &ctx.cancel).await {
                Err(ApiError::NotFound(_)) => Ok(Poll::Done(())),
                Ok(r) => Ok(Poll::Pending(format!("{st} = {:?}", r.body.get(st).and_then(J::as_str).unwrap_or("?")))),
                Err(e) => Err(e),
            }
        })
        .await
        .map_err(|e| self.api_diag("delete", key, e))
    }

    // ------------------------------------------------------------------ lifecycle

    /// Sends the create request. `Some(object)` when the answer identifies the object;
    /// `None` when it must be looked up by name (an answer without it, or a lost answer).
    async fn send_create(&self, ctx: &Ctx, planned: &Value, req: &ApiRequest) -> Result<Option<J>, ApiError> {
        match ctx.api.call(req.clone(), &ctx.cancel).await {
            Ok(r) if self.addressable(planned, &r.body) => Ok(Some(r.body)),
            Ok(_) => Ok(None),
            Err(ApiError::Ambiguous(msg)) => {
                tracing::warn!(resource = self.type_name, "create answer lost ({msg}); looking the object up by name");
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Makes the object exist exactly once: a lost answer is reconciled by looking the
    /// object up by its unique name (adopted when it matches the plan), and the request
    /// is repeated at most once, only when the first one provably did not land.
    async fn create_object(&self, ctx: &Ctx, planned: &Value) -> Result<J, Diagnostics> {
        let req =
            ApiRequest::new(Method::Post, self.path(self.rest.collection, planned)?).body(self.create_body(planned)?);
        let mut retried = false;
        loop {
            let sent = match self.send_create(ctx, planned, &req).await {
                Ok(sent) => sent,
                Err(ApiError::AlreadyExists(msg)) => {
                    if retried || !self.after_namesake_deleted(ctx, planned).await? {
                        return Err(self.exists_diag(planned, &msg));
                    }
                    retried = true;
                    continue;
                }
                Err(e) => return Err(self.api_diag("create", planned, e)),
            };
            if let Some(obj) = sent {
                return Ok(obj);
            }
            match self.find_by_name(ctx, planned).await? {
                Some(obj) => {
                    return match self.mismatch(planned, &obj) {
                        None => Ok(obj),
                        Some(diff) => Err(Diagnostics::error(
                            format!("A {} with this name already exists and differs", self.noun),
                            format!(
                                "After a create request whose answer was lost, the API holds a {} named {} whose {diff}. It was not adopted; import it or choose another name.",
                                self.noun,
                                planned.get("name")
                            ),
                        )),
                    };
                }
                None if !retried => retried = true,
                None => {
                    return Err(Diagnostics::error(
                        format!("Cannot find the new {}", self.noun),
                        "The API accepted the create request but the object cannot be found by name.",
                    ))
                }
            }
        }
    }

    /// Creates the object. On failure after the object came to exist, the returned
    /// state is `Some` so Terraform keeps (and taints) it rather than orphaning it.
    pub async fn create(&self, ctx: &Ctx, planned: &Value) -> (Option<Value>, Option<String>, Diagnostics) {
        let obj = match self.create_object(ctx, planned).await {
            Ok(o) => o,
            Err(d) => return (None, None, d),
        };
        let state = match self.state_from_api(planned, &obj) {
            Ok(s) => s,
            Err(d) => return (None, None, d),
        };
        let timeout = self.timeout(planned, "create");
        match self.wait_ready(ctx, &state, timeout, &format!("creation of the {}", self.noun)).await {
            Ok((o, etag)) => match self.state_from_api(planned, &o) {
                Ok(s) => (Some(s), etag, Diagnostics::default()),
                Err(d) => (Some(state), None, d),
            },
            Err((d, last)) => {
                let s = last.and_then(|o| self.state_from_api(planned, &o).ok()).unwrap_or(state);
                (Some(s), None, d)
            }
        }
    }

    /// When the name is taken by an object that is being deleted (a replacement right
    /// after its predecessor's delete, or an out-of-band delete), waits until it is gone.
    /// Returns whether the name is free now.
    async fn after_namesake_deleted(&self, ctx: &Ctx, planned: &Value) -> Result<bool, Diagnostics> {
        let Some(existing) = self.find_by_name_any_state(ctx, planned).await? else { return Ok(true) };
        if !self.is_deleting(&existing) {
            return Ok(false);
        }
        let key = self.state_from_api(planned, &existing)?;
        self.wait_gone(ctx, &key, self.timeout(planned, "create")).await?;
        Ok(true)
    }

    async fn find_by_name_any_state(&self, ctx: &Ctx, planned: &Value) -> Result<Option<J>, Diagnostics> {
        if self.rest.name_query.is_none() {
            return self.find_by_name(ctx, planned).await;
        }
        let name = planned.get("name").as_str().unwrap_or_default().to_string();
        let path = self.path(self.rest.collection, planned)?;
        let req =
            ApiRequest::get(path).query(self.rest.name_query.unwrap_or("name"), name.clone()).query("showAll", "true");
        let r = ctx.api.call(req, &ctx.cancel).await.map_err(|e| self.api_diag("look up", planned, e))?;
        Ok(r.body
            .get(self.rest.list_key)
            .and_then(J::as_array)
            .and_then(|items| items.iter().find(|o| o.get("name").and_then(J::as_str) == Some(name.as_str())).cloned()))
    }

    /// Applies an in-place update, guarding against concurrent changes with If-Match.
    pub async fn update(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        etag: Option<String>,
    ) -> (Value, Option<String>, Diagnostics) {
        let mut body = match self.update_body(prior, planned) {
            Ok(b) => b,
            Err(d) => return (prior.clone(), etag, d),
        };
        if !body.is_empty() {
            self.hooks.adjust_update_body(prior, planned, &mut body);
            for (k, tmpl) in self.rest.update_selectors {
                if let Some(v) = render(tmpl, prior, false) {
                    body.insert(k.to_string(), J::String(v));
                }
            }
            let path = match self.path(self.rest.item, prior) {
                Ok(p) => p,
                Err(d) => return (prior.clone(), etag, d),
            };
            let method = self.rest.update_method.unwrap_or(Method::Put);
            let send = |etag: Option<String>| {
                ApiRequest::new(method, path.clone()).body(J::Object(body.clone())).if_match(etag)
            };
            match ctx.api.call(send(etag.clone()), &ctx.cancel).await {
                Ok(_) => {}
                Err(ApiError::PreconditionFailed(_)) => {
                    let fresh = match self.conflict_check(ctx, prior).await {
                        Ok(t) => t,
                        Err(d) => return (prior.clone(), etag, d),
                    };
                    if let Err(e) = ctx.api.call(send(fresh.clone()), &ctx.cancel).await {
                        return (prior.clone(), fresh, self.api_diag("update", prior, e));
                    }
                }
                Err(e) => return (prior.clone(), etag, self.api_diag("update", prior, e)),
            }
        }
        let timeout = self.timeout(planned, "update");
        match self.wait_ready(ctx, planned, timeout, &format!("update of the {}", self.noun)).await {
            Ok((o, etag)) => match self.state_from_api(planned, &o) {
                Ok(s) => (s, etag, Diagnostics::default()),
                Err(d) => (prior.clone(), etag, d),
            },
            Err((d, _)) => (prior.clone(), etag, d),
        }
    }

    /// After a 412: re-read and decide whether someone else changed what we manage.
    /// Returns the fresh ETag when only the ETag moved (an internal transition).
    async fn conflict_check(&self, ctx: &Ctx, prior: &Value) -> Result<Option<String>, Diagnostics> {
        let Some((obj, etag)) = self.fetch(ctx, prior).await? else {
            return Err(self.vanished(prior));
        };
        if let Some(st) = &self.rest.async_states {
            let state = st.of(&obj);
            if st.failed.contains(&state) || st.deleting.contains(&state) {
                return Err(Diagnostics::error(
                    format!("The {} is in state {state:?}", self.noun),
                    format!(
                        "{} {} cannot be changed while it is {state}; this is a state problem, not a concurrent edit.",
                        self.noun,
                        prior.get("id")
                    ),
                ));
            }
        }
        let fresh = self.state_from_api(prior, &obj)?;
        let changed: Vec<String> = self
            .fields
            .iter()
            .filter(|f| f.is_configurable() && f.api.is_some() && !f.write_only)
            .filter(|f| !semantically_equal(f, prior.get(f.name), fresh.get(f.name)))
            .map(|f| format!("{} (planned from {}, now {})", f.name, prior.get(f.name), fresh.get(f.name)))
            .collect();
        if changed.is_empty() {
            return Ok(etag);
        }
        Err(Diagnostics::error(
            format!("The {} was changed outside Terraform", self.noun),
            format!(
                "{} {} changed after this plan was made: {}. Nothing was changed by Terraform; run `terraform plan` again to review the remote change.",
                self.noun,
                prior.get("id"),
                changed.join(", ")
            ),
        ))
    }

    pub async fn delete(&self, ctx: &Ctx, prior: &Value, etag: Option<String>) -> Diagnostics {
        let path = match self.path(self.rest.item, prior) {
            Ok(p) => p,
            Err(d) => return d,
        };
        let send = |etag: Option<String>| ApiRequest::new(Method::Delete, path.clone()).if_match(etag);
        let first = ctx.api.call(send(etag), &ctx.cancel).await;
        let result = match first {
            Err(ApiError::PreconditionFailed(_)) => match self.conflict_check(ctx, prior).await {
                Ok(fresh) => ctx.api.call(send(fresh), &ctx.cancel).await,
                Err(d) => return d,
            },
            other => other,
        };
        match result {
            Ok(_) | Err(ApiError::NotFound(_)) => {}
            Err(e) => return self.api_diag("delete", prior, e),
        }
        match self.wait_gone(ctx, prior, self.timeout(prior, "delete")).await {
            Ok(()) => Diagnostics::default(),
            Err(d) => d,
        }
    }

    /// Refreshes state; `None` when the object is gone (404 only).
    pub async fn read(&self, ctx: &Ctx, prior: &Value) -> Result<Option<(Value, Option<String>)>, Diagnostics> {
        match self.fetch(ctx, prior).await? {
            None => Ok(None),
            // Someone started deleting it: it is as good as gone, and planning a
            // re-create is more useful than planning updates the API would refuse.
            Some((obj, _)) if self.is_deleting(&obj) => Ok(None),
            Some((obj, etag)) => Ok(Some((self.state_from_api(prior, &obj)?, etag))),
        }
    }

    fn is_deleting(&self, obj: &J) -> bool {
        self.rest.async_states.as_ref().is_some_and(|st| st.deleting.contains(&st.of(obj)))
    }

    /// Turns an import ID into a key state (then read fills the rest), with the static
    /// defaults of arguments the API does not hold.
    pub fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        let parts = parse_template(self.id_template, id).ok_or_else(|| {
            Diagnostics::error(
                format!("Invalid import ID for {}", self.type_name),
                format!("Expected an ID of the form \"{}\", got {id:?}.", self.id_template),
            )
        })?;
        let mut v = Value::Object(Default::default());
        for f in &self.fields {
            v.set(f.name, Value::Null);
            if let (None, Some(DefaultValue::Static(d))) = (&f.api, &f.default) {
                v.set(f.name, d.clone());
            }
        }
        for (k, val) in parts {
            v.set(&k, Value::str(val));
        }
        Ok(v)
    }

    // ------------------------------------------------------------------ messages

    /// True when an API answer identifies the object well enough to address it.
    fn addressable(&self, planned: &Value, obj: &J) -> bool {
        self.state_from_api(planned, obj).ok().and_then(|s| render(self.rest.item, &s, true)).is_some()
    }

    /// Names the first created-with attribute whose API value differs from the plan.
    fn mismatch(&self, planned: &Value, obj: &J) -> Option<String> {
        let fresh = self.state_from_api(planned, obj).ok()?;
        self.fields
            .iter()
            .filter(|f| f.api.as_ref().is_some_and(|a| a.in_create) && planned.get(f.name).is_fully_known())
            .find(|f| !semantically_equal(f, planned.get(f.name), fresh.get(f.name)))
            .map(|f| format!("{} is {} (planned {})", f.name, fresh.get(f.name), planned.get(f.name)))
    }

    fn exists_diag(&self, planned: &Value, msg: &str) -> Diagnostics {
        Diagnostics::attr_error(
            AttrPath::attr("name"),
            format!("A {} named {} already exists", self.noun, planned.get("name")),
            format!("The API answered: {msg}. To manage the existing {} with Terraform, import it: terraform import {}.<name> {}", self.noun, self.type_name, self.id_template),
        )
    }

    fn vanished(&self, key: &Value) -> Diagnostics {
        Diagnostics::error(
            format!("The {} disappeared", self.noun),
            format!(
                "{} {} no longer exists in the API; run `terraform plan` to re-create it.",
                self.noun,
                key.get("id")
            ),
        )
    }

    pub fn api_diag(&self, op: &str, key: &Value, e: ApiError) -> Diagnostics {
        let what = match key.get("id").as_str() {
            Some(id) if !id.is_empty() => format!("{} {id}", self.noun),
            _ => format!("{} {}", self.noun, key.get("name")),
        };
        api_error_diag(op, &what, e)
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::engine::api::ApiResponse;
    use crate::engine::schema::{Codec, Semantic};
    use std::sync::Mutex;

    type Answer = Box<dyn Fn(&ApiRequest) -> Result<J, ApiError> + Send + Sync>;

    /// An API double answering from a closure and recording every request.
    pub(crate) struct FakeApi {
        pub log: Mutex<Vec<ApiRequest>>,
        pub answer: Answer,
    }

    #[async_trait::async_trait]
    impl Api for FakeApi {
        async fn call(
            &self,
            req: ApiRequest,
            _: &CancellationToken,
        ) -> Result<crate::engine::api::ApiResponse, ApiError> {
            let r = (self.answer)(&req);
            if let Ok(mut l) = self.log.lock() {
                l.push(req);
            }
            r.map(|body| ApiResponse { status: 200, body, etag: None })
        }
    }

    pub(crate) fn ctx_with(
        answer: impl Fn(&ApiRequest) -> Result<J, ApiError> + Send + Sync + 'static,
        provider_config: Value,
    ) -> (Ctx, Arc<FakeApi>) {
        let api = Arc::new(FakeApi { log: Mutex::new(vec![]), answer: Box::new(answer) });
        (Ctx { api: api.clone(), provider_config, cancel: CancellationToken::new() }, api)
    }

    fn widget() -> ResourceDef {
        ResourceDef::new(
            "test_widget",
            "widget",
            "{scope}/{uuid}",
            RestSpec {
                collection: "/scopes/{scope}/widgets",
                item: "/scopes/{scope}/widgets/{uuid}",
                list_key: "widgets",
                name_query: Some("name"),
                update_method: Some(Method::Put),
                update_selectors: &[],
                async_states: None,
                etag_json: None,
            },
        )
        .fields(vec![
            Field::string("scope").default_from_provider("default_scope").replace().api_create("scope", Codec::Plain),
            Field::string("name").required().api_create("name", Codec::Plain),
            Field::string("size").required().semantic(Semantic::ByteSize).api_mutable("size", Codec::SizeBytes),
            Field::string("keep_for")
                .optional()
                .replace()
                .semantic(Semantic::Duration)
                .api_create("keepFor", Codec::DurationSeconds),
            Field::bool("flag").default(Value::Bool(false)).api_mutable("flag", Codec::BoolString),
            Field::string("uuid").computed().api("UUID", Codec::Plain),
            Field::string("status").computed_volatile().api("status", Codec::Plain),
        ])
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::Object(Default::default());
        for (k, x) in pairs {
            v.set(k, x.clone());
        }
        v
    }

    fn provider_cfg() -> Value {
        obj(&[("default_scope", Value::str("s1"))])
    }

    #[test]
    fn create_plan_fills_defaults_and_marks_computed_unknown() {
        let (ctx, _) = ctx_with(|_| Ok(J::Null), provider_cfg());
        let config = obj(&[("name", Value::str("w")), ("size", Value::str("1GiB"))]);
        let (planned, replace) = widget().plan(&ctx, &Value::Null, &config, &config).unwrap();
        assert!(replace.is_empty());
        assert_eq!(planned.get("scope"), &Value::str("s1"));
        assert_eq!(planned.get("flag"), &Value::Bool(false));
        assert!(
            planned.get("uuid").is_unknown() && planned.get("status").is_unknown() && planned.get("id").is_unknown()
        );
        assert_eq!(planned.get("size"), &Value::str("1GiB"), "the configured spelling is kept");
    }

    #[test]
    fn missing_provider_default_points_at_the_attribute() {
        let (ctx, _) = ctx_with(|_| Ok(J::Null), Value::Null);
        let config = obj(&[("name", Value::str("w")), ("size", Value::str("1GiB"))]);
        let d = widget().plan(&ctx, &Value::Null, &config, &config).unwrap_err();
        assert_eq!(d.0[0].path, Some(AttrPath::attr("scope")));
    }

    fn prior() -> Value {
        obj(&[
            ("id", Value::str("s1/u1")),
            ("scope", Value::str("s1")),
            ("name", Value::str("w")),
            ("size", Value::str("1GiB")),
            ("keep_for", Value::str("24h")),
            ("flag", Value::Bool(false)),
            ("uuid", Value::str("u1")),
            ("status", Value::str("ok")),
        ])
    }

    #[test]
    fn update_plans_keep_stable_values_and_flag_replacements() {
        let (ctx, _) = ctx_with(|_| Ok(J::Null), provider_cfg());
        let w = widget();
        let p = prior();
        let mut config = p.clone();
        for k in ["id", "uuid", "status"] {
            config.set(k, Value::Null);
        }
        // Nothing changed: the plan is the prior state.
        let (planned, replace) = w.plan(&ctx, &p, &p, &config).unwrap();
        assert_eq!(planned, p);
        assert!(replace.is_empty());

        // An in-place change: volatile computed values become unknown, stable ones stay.
        let mut proposed = p.clone();
        proposed.set("size", Value::str("2GiB"));
        let (planned, replace) = w.plan(&ctx, &p, &proposed, &config).unwrap();
        assert!(replace.is_empty());
        assert!(planned.get("status").is_unknown());
        assert_eq!(planned.get("uuid"), &Value::str("u1"));
        assert_eq!(planned.get("id"), &Value::str("s1/u1"));

        // Same duration, other spelling: no replacement. Different duration: replacement.
        let mut same = p.clone();
        same.set("keep_for", Value::str("86400s"));
        assert!(w.plan(&ctx, &p, &same, &config).unwrap().1.is_empty());
        let mut other = p.clone();
        other.set("keep_for", Value::str("48h"));
        assert_eq!(w.plan(&ctx, &p, &other, &config).unwrap().1, vec![AttrPath::attr("keep_for")]);
    }

    #[test]
    fn api_answers_keep_the_users_spelling_when_equal() {
        let w = widget();
        let api = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "1073741824", "keepFor": "86400s", "flag": "false", "status": "ok"});
        let s = w.state_from_api(&prior(), &api).unwrap();
        assert_eq!(s.get("size"), &Value::str("1GiB"));
        assert_eq!(s.get("keep_for"), &Value::str("24h"));
        assert_eq!(s.get("id"), &Value::str("s1/u1"));
        // Drift is reported in the API's terms.
        let drift = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "2147483648", "flag": "true"});
        let s = w.state_from_api(&prior(), &drift).unwrap();
        assert_eq!(s.get("size"), &Value::str("2GiB"));
        assert_eq!(s.get("flag"), &Value::Bool(true));
    }

    #[tokio::test]
    async fn update_sends_only_what_changed_with_if_match() {
        let (ctx, api) = ctx_with(
            |req| {
                Ok(match req.method {
                    Method::Get => {
                        serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "2147483648", "keepFor": "86400s", "flag": "false", "status": "ok"})
                    }
                    _ => serde_json::json!({}),
                })
            },
            provider_cfg(),
        );
        let mut planned = prior();
        planned.set("size", Value::str("2GiB"));
        planned.set("status", Value::Unknown);
        let (state, _, d) = widget().update(&ctx, &prior(), &planned, Some("7".into())).await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(state.get("size"), &Value::str("2GiB"));
        assert_eq!(state.get("status"), &Value::str("ok"));
        let log = api.log.lock().unwrap();
        let put = log.iter().find(|r| r.method == Method::Put).expect("a PUT");
        assert_eq!(put.path, "/scopes/s1/widgets/u1");
        assert_eq!(put.if_match.as_deref(), Some("7"));
        assert_eq!(put.body, Some(serde_json::json!({"size": "2147483648"})));
    }

    fn post_count(api: &FakeApi) -> usize {
        api.log.lock().unwrap().iter().filter(|r| r.method == Method::Post).count()
    }

    fn widget_planned() -> Value {
        obj(&[
            ("scope", Value::str("s1")),
            ("name", Value::str("w")),
            ("size", Value::str("1GiB")),
            ("flag", Value::Bool(false)),
            ("uuid", Value::Unknown),
            ("status", Value::Unknown),
            ("id", Value::Unknown),
        ])
    }

    #[tokio::test]
    async fn lost_create_answer_is_reconciled_by_name() {
        let stored = serde_json::json!({"UUID": "u1", "scope": "s1", "name": "w", "size": "1073741824", "flag": "false", "status": "ok"});
        // The POST lands but its answer is lost; the lookup finds the object: adopted.
        let found = stored.clone();
        let (ctx, api) = ctx_with(
            move |req| match req.method {
                Method::Post => Err(ApiError::Ambiguous("connection reset".into())),
                _ if req.path.ends_with("/widgets") => Ok(serde_json::json!({"widgets": [found.clone()]})),
                _ => Ok(found.clone()),
            },
            provider_cfg(),
        );
        let (state, _, d) = widget().create(&ctx, &widget_planned()).await;
        assert!(d.is_empty(), "{d}");
        assert_eq!(state.unwrap().get("id"), &Value::str("s1/u1"));
        assert_eq!(post_count(&api), 1, "never sent twice once it landed");

        // Found but different from the plan: not adopted.
        let mut other = stored.clone();
        other["size"] = serde_json::json!("2147483648");
        let (ctx, _) = ctx_with(
            move |req| match req.method {
                Method::Post => Err(ApiError::Ambiguous("timeout".into())),
                _ => Ok(serde_json::json!({"widgets": [other.clone()]})),
            },
            provider_cfg(),
        );
        let (state, _, d) = widget().create(&ctx, &widget_planned()).await;
        assert!(state.is_none());
        assert!(d.0[0].summary.contains("already exists and differs"), "{d}");

        // Not found: the first request never landed, one more is safe.
        let posts = Arc::new(Mutex::new(0));
        let p2 = posts.clone();
        let (ctx, api) = ctx_with(
            move |req| match req.method {
                Method::Post => {
                    let mut n = p2.lock().unwrap();
                    *n += 1;
                    if *n == 1 {
                        Err(ApiError::Ambiguous("reset".into()))
                    } else {
                        Ok(stored.clone())
                    }
                }
                _ if req.path.ends_with("/widgets") => Ok(serde_json::json!({"widgets": []})),
                _ => Ok(stored.clone()),
            },
            provider_cfg(),
        );
        let (state, _, d) = widget().create(&ctx, &widget_planned()).await;
        assert!(d.is_empty(), "{d}");
        assert!(state.is_some());
        assert_eq!(post_count(&api), 2);
    }

    #[test]
    fn id_templates_render_and_parse() {
        let mut v = Value::Null;
        v.set("project_name", Value::str("p 1"));
        v.set("uuid", Value::str("u1"));
        assert_eq!(render("/projects/{project_name}/volumes/{uuid}", &v, true).unwrap(), "/projects/p%201/volumes/u1");
        assert_eq!(render("{project_name}/{uuid}", &v, false).unwrap(), "p 1/u1");
        assert!(render("{missing}", &v, false).is_none());
        assert_eq!(
            parse_template("{project_name}/{uuid}", "default/abc").unwrap(),
            vec![("project_name".into(), "default".into()), ("uuid".into(), "abc".into())]
        );
        assert!(parse_template("{project_name}/{uuid}", "abc").is_none());
        assert!(parse_template("{project_name}/{uuid}", "/abc").is_none());
        assert!(parse_template("{name}", "a/b").is_none());
    }
}
