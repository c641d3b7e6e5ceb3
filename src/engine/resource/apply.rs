//! The API steps of a declared resource: create exactly once (reconciling unknown
//! outcomes by natural key), update guarded by If-Match, delete (or forget with a
//! warning), read and import. `ResourceDef` implements [`Resource`] with them.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Map, Value as J};

use crate::engine::api::{ApiError, ApiRequest, ApiResponse};
use crate::engine::codec::from_api;
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::list::{for_each_page, op_request};
use crate::engine::mapping::{create_body, encode_attr, has_update, redacted, state_from_api, update_body};
use crate::engine::poll::{wait_until, Poll};
use crate::engine::schema::{semantically_equal, Field, Mode};
use crate::engine::template;
use crate::engine::value::{Type, Value};

use super::ops::{at, BodyShape, CreateOp, DeleteOp, ListSpec, Member, Op, ParentLookup, ReadOp, Step, UpdateStyle};
use super::{
    api_error_diag, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState, PlanRequest,
    PlanResponse, Private, ReadRequest, ReadResponse, Resource, ResourceDef, ResourceSchema, UpgradeState, TIMEOUTS,
};

/// An object as the API answered it, with its ETag.
type Fetched = (J, Option<String>);

/// Progress key of a multi-step create: the first request's object exists.
const CREATED: &str = "created";

#[async_trait]
impl Resource for ResourceDef {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        let destroy = req.proposed.is_null();
        let prior = req.prior.clone();
        let (provider_config, config) = (req.provider_config, req.config);
        let mut out =
            super::plan_change(&self.schema, req, |prior, planned, diags| self.hooks.check_plan(prior, planned, diags));
        if !out.planned.is_null() {
            self.hooks.adjust_plan(provider_config, &prior, config, &mut out.planned);
        }
        // Say at plan time what a destroy will leave behind.
        if let (true, DeleteOp::StateOnly { warning, .. }) = (destroy && !prior.is_null(), &self.ops.delete) {
            out.diags.extend(super::forget_warning(self.schema.noun, self.left_behind(warning, &prior)));
        }
        out
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        if let Err(d) = self.hooks.check_apply(ctx, &Value::Null, req.planned).await {
            return ApplyResponse::nothing(d);
        }
        match &self.ops.create {
            CreateOp::Send(op) => self.create_by_request(ctx, op, &[], req).await,
            CreateOp::Steps { first, then } => self.create_by_request(ctx, first, then, req).await,
            CreateOp::Adopt => self.adopt(ctx, req).await,
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let mut with_parent = None;
        if let Some(p) = self.parent.as_ref().filter(|p| req.current.get(p.attr).is_null()) {
            match self.find_parent(ctx, p, req.current).await {
                Ok(Some(parent)) => {
                    let mut v = req.current.clone();
                    v.set(p.attr, Value::str(parent));
                    with_parent = Some(v);
                }
                Ok(None) => {
                    return ReadResponse { state: None, private: Private::default(), diags: Diagnostics::default() }
                }
                Err(d) => return ReadResponse { state: Some(req.current.clone()), private: req.private, diags: d },
            }
        }
        let current = with_parent.as_ref().unwrap_or(req.current);
        match self.fetch(ctx, current).await {
            Ok(None) => ReadResponse { state: None, private: Private::default(), diags: Diagnostics::default() },
            // Someone started deleting it: it is as good as gone, and planning a re-create
            // is more useful than planning updates the API would refuse.
            Ok(Some((obj, _))) if self.is_deleting(&obj) => {
                ReadResponse { state: None, private: Private::default(), diags: Diagnostics::default() }
            }
            Ok(Some((obj, etag))) => {
                let completed = match self.state_of(current, &obj) {
                    Ok(mut s) => self.hooks.complete_read(ctx, &mut s).await.map(|()| s),
                    Err(d) => Err(d),
                };
                match completed {
                    Ok(s) => ReadResponse {
                        state: Some(s),
                        private: Private { etag, ..req.private },
                        diags: Diagnostics::default(),
                    },
                    Err(d) => ReadResponse { state: Some(current.clone()), private: req.private, diags: d },
                }
            }
            Err(d) => ReadResponse { state: Some(current.clone()), private: req.private, diags: d },
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        if let Err(d) = self.hooks.check_apply(ctx, req.prior, req.planned).await {
            return ApplyResponse::kept(req.prior.clone(), req.private, d);
        }
        let mut private = req.private;
        // A multi-step create that stopped half-way (and was untainted): finish it first.
        if let (CreateOp::Steps { then, .. }, true) = (&self.ops.create, private.progress.contains_key(CREATED)) {
            let desired = self.desired(req.prior, req.planned);
            if let Err(d) = self.run_steps(ctx, then, &desired, req.config, &mut private).await {
                return ApplyResponse { state: Some(req.prior.clone()), private, diags: d };
            }
        }
        let mut out = self.update_object(ctx, req.prior, req.planned, req.config, private.clone()).await;
        out.private.progress = private.progress;
        out
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        DeleteResponse { diags: self.delete_object(ctx, req.prior, req.private.etag).await }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }

    fn upgrader(&self) -> Option<&dyn UpgradeState> {
        self.sdkv2_state.then_some(self as &dyn UpgradeState)
    }
}

impl UpgradeState for ResourceDef {
    /// State of terraform-plugin-sdk v2 providers differs from ours in one way that shows in
    /// plans: an unset optional attribute is stored as its empty value (`""`, `[]`, `{}`),
    /// also inside blocks, where Terraform's own semantics (and ours) store null.
    /// Everything else (attribute names, types, `id`, a `timeouts` object) reads as is;
    /// attributes we do not have are dropped by the schema.
    fn upgrade(&self, _version: i64, raw: J) -> Result<J, Diagnostics> {
        Ok(upgrade_sdkv2_state(&self.schema.fields, raw))
    }
}

/// The generic part of taking over SDKv2 state (see [`ResourceDef`]'s upgrader): the
/// empty values of unset optional attributes become null. For hand-written resources too.
pub fn upgrade_sdkv2_state(fields: &[crate::engine::schema::Field], mut raw: J) -> J {
    if let J::Object(attrs) = &mut raw {
        sdkv2_empty_to_null(fields, attrs);
    }
    raw
}

/// Nulls the empty values SDKv2 stores for unset optional attributes, recursing into the
/// objects of nested attributes and blocks (blocks themselves stay lists).
fn sdkv2_empty_to_null(fields: &[crate::engine::schema::Field], attrs: &mut Map<String, J>) {
    for f in fields {
        if let Some(n) = &f.nested {
            match attrs.get_mut(f.name) {
                Some(J::Array(items)) => {
                    for item in items.iter_mut().filter_map(J::as_object_mut) {
                        sdkv2_empty_to_null(&n.fields, item);
                    }
                }
                Some(J::Object(item)) => sdkv2_empty_to_null(&n.fields, item),
                _ => {}
            }
            continue;
        }
        if f.mode != Mode::Optional {
            continue;
        }
        let empty = match (attrs.get(f.name), &f.ty) {
            (Some(J::String(s)), Type::String) => s.is_empty(),
            (Some(J::Array(a)), Type::List(_) | Type::Set(_)) => a.is_empty(),
            (Some(J::Object(m)), Type::Map(_)) => m.is_empty(),
            _ => false,
        };
        if empty {
            attrs.insert(f.name.to_string(), J::Null);
        }
    }
}

impl ImportState for ResourceDef {
    /// Turns an import ID into a key state (read fills the rest), checking each part
    /// locally so a malformed ID never reaches the API; arguments the API does not hold
    /// get their static defaults.
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        super::import_by_template(&self.schema, id)
    }
}

impl ResourceDef {
    // ------------------------------------------------------------------ requests

    /// Builds the request of an operation: path and query from `v`, the body from
    /// `fields` (the step's field members) shaped as the operation says.
    fn request(
        &self,
        ctx: &Ctx,
        op: &Op,
        v: &Value,
        fields: Map<String, J>,
        config: &Value,
    ) -> Result<ApiRequest, Diagnostics> {
        build_request(&self.schema.fields, self.schema.noun, &ctx.provider_config, op, v, fields, config)
    }

    /// Sends a request and checks the operation's success statuses.
    async fn send(&self, ctx: &Ctx, op: &Op, req: ApiRequest) -> Result<ApiResponse, ApiError> {
        let resp = ctx.api.call(req, &ctx.cancel).await?;
        if !op.ok.is_empty() && !op.ok.contains(&resp.status) {
            return Err(ApiError::Status {
                status: resp.status,
                message: format!("expected HTTP {:?} from {} {}", op.ok, op.method.as_str(), op.path),
            });
        }
        Ok(resp)
    }

    fn etag_of(&self, resp: &ApiResponse, obj: &J) -> Option<String> {
        let member = self.ops.etag?;
        resp.etag.clone().or_else(|| obj.get(member).and_then(J::as_str).map(str::to_string))
    }

    // ------------------------------------------------------------------ reads and lookups

    /// The object as the API holds it now; `None` when the API says it does not exist.
    async fn fetch(&self, ctx: &Ctx, key: &Value) -> Result<Option<Fetched>, Diagnostics> {
        self.fetch_raw(ctx, key).await.map_err(|e| self.api_diag("read", key, e))
    }

    async fn fetch_raw(&self, ctx: &Ctx, key: &Value) -> Result<Option<Fetched>, ApiError> {
        match &self.ops.read {
            ReadOp::Get(op) => {
                let req = op_request(op, key, &ctx.provider_config)
                    .ok_or_else(|| ApiError::Decode(format!("the route {} needs attributes not known yet", op.path)))?;
                match self.send(ctx, op, req).await {
                    Ok(resp) => match at(&resp.body, op.answer_at) {
                        None | Some(J::Null) => Ok(None),
                        Some(obj) => {
                            let etag = self.etag_of(&resp, obj);
                            Ok(Some((obj.clone(), etag)))
                        }
                    },
                    Err(ApiError::NotFound(_)) => Ok(None),
                    Err(e) if e.status().is_some_and(|s| op.gone.contains(&s)) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            // A list whose owner is gone (a group's members after the group was deleted)
            // holds nothing: the object is gone too.
            ReadOp::FromList { list, key: attrs } => match self.find_in_list(ctx, list, attrs, key).await {
                Ok(found) => Ok(found.map(|o| (o, None))),
                Err(ApiError::NotFound(_)) => Ok(None),
                Err(e) if e.status().is_some_and(|s| list.op.gone.contains(&s)) => Ok(None),
                Err(e) => Err(e),
            },
        }
    }

    /// The ID of the listed parent whose members hold the object's ID.
    async fn find_parent(&self, ctx: &Ctx, p: &ParentLookup, key: &Value) -> Result<Option<String>, Diagnostics> {
        let id = key.get("id").as_str().unwrap_or_default().to_string();
        let holds = |parent: &J| {
            at(parent, p.members).and_then(J::as_array).is_some_and(|members| {
                members.iter().any(|m| m.as_str().or_else(|| m.get("id").and_then(J::as_str)) == Some(id.as_str()))
            })
        };
        let mut found = None;
        for_each_page(ctx, &p.list, key, |items| {
            found = items
                .iter()
                .find(|parent| holds(parent))
                .and_then(|parent| parent.get("id"))
                .and_then(J::as_str)
                .map(str::to_string);
            found.is_some()
        })
        .await
        .map_err(|e| self.api_diag(&format!("find the {} of", p.attr), key, e))?;
        Ok(found)
    }

    /// The first listed object whose `attrs` mean the same as in `want`.
    async fn find_in_list(
        &self,
        ctx: &Ctx,
        list: &ListSpec,
        attrs: &[&str],
        want: &Value,
    ) -> Result<Option<J>, ApiError> {
        let mut found = None;
        for_each_page(ctx, list, want, |items| {
            found = items.iter().find(|obj| self.matches(obj, attrs, want)).cloned();
            found.is_some()
        })
        .await?;
        Ok(found)
    }

    fn matches(&self, obj: &J, attrs: &[&str], want: &Value) -> bool {
        attrs.iter().all(|name| {
            let Some(f) = self.schema.field(name) else { return false };
            let Some(api) = &f.api else { return false };
            let Some(j) = at(obj, api.read_json()) else { return false };
            from_api(f, api.codec, j).is_ok_and(|v| semantically_equal(f, want.get(name), &v))
        })
    }

    /// Finds an object by its natural key. `Ok(None)` when there is none; an error when
    /// the entity declares no way to look (the caller then cannot reconcile).
    async fn find_by_key(&self, ctx: &Ctx, planned: &Value) -> Result<Option<J>, Diagnostics> {
        let Some(lookup) = &self.ops.lookup else {
            return Err(Diagnostics::error(
                format!("The outcome of creating the {} is unknown", self.schema.noun),
                format!(
                    "The API did not confirm the creation, and a {} has no natural key to look it up by. Check the API for a new {} before applying again.",
                    self.schema.noun, self.schema.noun
                ),
            ));
        };
        match &lookup.list {
            None => Ok(self.fetch(ctx, planned).await?.map(|(o, _)| o)),
            Some(list) => self
                .find_in_list(ctx, list, lookup.key, planned)
                .await
                .map_err(|e| self.api_diag("look up", planned, e)),
        }
    }

    fn is_deleting(&self, obj: &J) -> bool {
        self.ops.async_states.as_ref().is_some_and(|st| st.deleting.contains(&state_name(st.json, obj).as_str()))
    }

    /// Maps an API object onto `base`, then sets `id` and leaves `timeouts` as configured.
    fn state_of(&self, base: &Value, obj: &J) -> Result<Value, Diagnostics> {
        let mut obj = obj.clone();
        self.hooks.adjust_answer(base, &mut obj);
        let mut out = state_from_api(&self.schema.fields, base, &obj)?;
        let id = self.schema.render_id(&out).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        if self.schema.timeouts.is_some() && out.get(TIMEOUTS).is_unknown() {
            out.set(TIMEOUTS, Value::Null);
        }
        Ok(out)
    }

    /// A state that at least addresses the object, for when its answer cannot be mapped
    /// whole: Terraform keeps it (tainted) instead of losing track of the object.
    fn key_state(&self, planned: &Value, obj: &J) -> Value {
        let mut out = planned.clone();
        for f in &self.schema.fields {
            if !out.get(f.name).is_unknown() {
                continue;
            }
            let mapped = f
                .api
                .as_ref()
                .and_then(|a| at(obj, a.read_json()))
                .and_then(|j| from_api(f, f.api.as_ref()?.codec, j).ok());
            out.set(f.name, mapped.unwrap_or(Value::Null));
        }
        let id = self.schema.render_id(&out).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        if out.get(TIMEOUTS).is_unknown() {
            out.set(TIMEOUTS, Value::Null);
        }
        out
    }

    /// True when an API answer identifies the object well enough to address it.
    fn addressable(&self, planned: &Value, obj: &J) -> bool {
        obj.is_object() && self.schema.render_id(&self.key_state(planned, obj)).is_some()
    }

    /// The configured time limit of an operation, else its declared default (20 minutes
    /// where a resource declares none).
    fn timeout(&self, state: &Value, which: &str) -> Duration {
        self.schema.timeout(state, which)
    }

    /// Waits until the object reaches a ready state (or, without asynchronous states,
    /// reads it once); on a failed state or timeout the error carries the last object seen.
    async fn wait_ready(
        &self,
        ctx: &Ctx,
        key: &Value,
        timeout: Duration,
        op: &str,
    ) -> Result<Fetched, (Diagnostics, Option<J>)> {
        let Some(st) = &self.ops.async_states else {
            return match self.fetch(ctx, key).await {
                Ok(Some(found)) => Ok(found),
                Ok(None) => Err((self.vanished(key), None)),
                Err(d) => Err((d, None)),
            };
        };
        let last = std::sync::Mutex::new(None);
        let what = format!("{op} of the {}", self.schema.noun);
        let res = wait_until(&what, timeout, &ctx.cancel, || async {
            let Some((obj, etag)) = self.fetch_raw(ctx, key).await? else {
                return Err(ApiError::NotFound(format!("the {} disappeared", self.schema.noun)));
            };
            let state = state_name(st.json, &obj);
            if let Ok(mut l) = last.lock() {
                *l = Some(obj.clone());
            }
            if st.ready.contains(&state.as_str()) {
                Ok(Poll::Done((obj, etag)))
            } else if st.failed.contains(&state.as_str()) {
                Err(ApiError::FailedState(format!("the {} entered state {state:?}", self.schema.noun)))
            } else {
                Ok(Poll::Pending(format!("{} = {state:?}", st.json)))
            }
        })
        .await;
        let last = last.into_inner().ok().flatten();
        res.map_err(|e| (self.api_diag(op, key, e), last))
    }

    /// Waits until reads say the object is gone.
    async fn wait_gone(&self, ctx: &Ctx, key: &Value, timeout: Duration) -> Result<(), Diagnostics> {
        let st_json = self.ops.async_states.as_ref().map(|s| s.json).unwrap_or("state");
        let what = format!("deletion of the {}", self.schema.noun);
        wait_until(&what, timeout, &ctx.cancel, || async {
            match self.fetch_raw(ctx, key).await? {
                None => Ok(Poll::Done(())),
                Some((obj, _)) => Ok(Poll::Pending(format!("{st_json} = {:?}", state_name(st_json, &obj)))),
            }
        })
        .await
        .map_err(|e| self.api_diag("delete", key, e))
    }

    // ------------------------------------------------------------------ create

    /// Makes the object exist exactly once. An answer that does not identify the object,
    /// a lost answer or a server error (the server may have committed) is reconciled by
    /// looking the object up by its natural key, adopted when it matches the plan; the
    /// request is repeated at most once, only when the first one provably did not land.
    async fn create_object(&self, ctx: &Ctx, op: &Op, planned: &Value, config: &Value) -> Result<Fetched, Diagnostics> {
        let mut fields = create_body(&self.schema.fields, planned, config)?;
        self.hooks.adjust_create_body(planned, &mut fields);
        let req = self.request(ctx, op, planned, fields, config)?;
        let mut retried = false;
        loop {
            match self.send(ctx, op, req.clone()).await {
                Ok(resp) => {
                    let obj = at(&resp.body, op.answer_at).cloned().unwrap_or(J::Null);
                    if self.addressable(planned, &obj) {
                        let etag = self.etag_of(&resp, &obj);
                        return Ok((obj, etag));
                    }
                }
                Err(ApiError::AlreadyExists(msg)) if !self.ops.adopt_existing => {
                    if retried || !self.after_namesake_deleted(ctx, planned).await? {
                        return Err(self.exists_diag(planned, &msg));
                    }
                    retried = true;
                    continue;
                }
                Err(ApiError::AlreadyExists(msg)) => {
                    // Adopted below when it matches the plan; never created twice.
                    tracing::info!(
                        resource = self.schema.type_name,
                        "already exists ({msg}); adopting it if it matches"
                    );
                    retried = true;
                }
                Err(e) if e.outcome_unknown() => {
                    tracing::warn!(
                        resource = self.schema.type_name,
                        "create outcome unknown ({e}); looking the object up"
                    );
                }
                Err(e) => return Err(self.api_diag("create", planned, e)),
            }
            match self.find_by_key(ctx, planned).await? {
                Some(obj) if !self.is_deleting(&obj) => {
                    return match self.mismatch(planned, &obj) {
                        None => Ok((obj, None)),
                        Some(diff) => Err(Diagnostics::error(
                            format!("A {} with this {} already exists and differs", self.schema.noun, self.key_names()),
                            format!(
                                "After a create request whose outcome was unknown, the API holds a {} with {} whose {diff}. It was not adopted; import it or choose another {}.",
                                self.schema.noun,
                                self.key_values(planned),
                                self.key_names()
                            ),
                        )),
                    };
                }
                _ if !retried => retried = true,
                _ => {
                    return Err(Diagnostics::error(
                        format!("Cannot find the new {}", self.schema.noun),
                        format!(
                            "The API accepted the create request but no {} with {} can be found.",
                            self.schema.noun,
                            self.key_values(planned)
                        ),
                    ))
                }
            }
        }
    }

    /// The object as it should become: `current` (with its API-assigned IDs) carrying
    /// every configurable value the plan knows.
    fn desired(&self, current: &Value, planned: &Value) -> Value {
        let mut out = current.clone();
        for f in self.schema.fields.iter().filter(|f| f.is_configurable()) {
            let value = planned.get(f.name);
            if value.is_fully_known() && !value.is_null() {
                out.set(f.name, value.clone());
            }
        }
        out
    }

    /// Runs the steps of a multi-step create not yet recorded as done, recording each.
    async fn run_steps(
        &self,
        ctx: &Ctx,
        steps: &[Step],
        state: &Value,
        config: &Value,
        private: &mut Private,
    ) -> Result<(), Diagnostics> {
        for step in steps {
            if private.progress.get(step.name) == Some(&J::Bool(true)) {
                continue;
            }
            let req = self.request(ctx, &step.op, state, Map::new(), config)?;
            let mut sent = self.send(ctx, &step.op, req.clone()).await;
            if let Err(e) = &sent {
                if self.hooks.repair_step(ctx, step.name, state, e).await? {
                    sent = self.send(ctx, &step.op, req).await;
                }
            }
            if let Err(e) = sent {
                let mut d = self.api_diag(&format!("complete ({})", step.name), state, e);
                d.add_error(
                    format!("The {} was created, but not completed", self.schema.noun),
                    format!(
                        "Step {:?} failed. The {} {} is kept in state (tainted), so nothing is orphaned: the next apply replaces it, or run `terraform untaint` on it and apply again to finish the remaining steps.",
                        step.name,
                        self.schema.noun,
                        self.display_id(state)
                    ),
                    None,
                );
                return Err(d);
            }
            private.progress.insert(step.name.to_string(), J::Bool(true));
        }
        Ok(())
    }

    async fn create_by_request(&self, ctx: &Ctx, op: &Op, steps: &[Step], req: ApplyRequest<'_>) -> ApplyResponse {
        let planned = req.planned;
        let fail = |d| ApplyResponse { state: None, private: Private::default(), diags: d };
        let (obj, etag) = match self.create_object(ctx, op, planned, req.config).await {
            Ok(found) => found,
            Err(d) => return fail(d),
        };
        // Values only the create answer holds (a secret shown once) stay in this base.
        let created = match self.state_of(planned, &obj) {
            Ok(s) => s,
            Err(d) => {
                return ApplyResponse {
                    state: Some(self.key_state(planned, &obj)),
                    private: Private::default(),
                    diags: d,
                }
            }
        };
        let mut private = Private::with_etag(etag.clone());
        if !steps.is_empty() {
            private.progress.insert(CREATED.to_string(), J::Bool(true));
            // Steps set what the first request could not: they send the planned values.
            let desired = self.desired(&created, planned);
            if let Err(d) = self.run_steps(ctx, steps, &desired, req.config, &mut private).await {
                return ApplyResponse { state: Some(created), private, diags: d };
            }
        }
        // Booleans the create request cannot carry (block, disable) go through their
        // toggles; a failure keeps the new object in state (tainted), never orphaned.
        // A toggled attribute the API neither takes on create nor reports is not set yet,
        // whatever the plan says: its toggle sets it.
        let mut before = created.clone();
        for t in self.ops.update.as_ref().map(|u| u.toggles.as_slice()).unwrap_or_default() {
            if self.schema.field(t.attr).is_some_and(|f| f.api.is_none()) {
                before.set(t.attr, Value::Null);
            }
        }
        if let Err(d) = self.send_toggles(ctx, &before, planned, req.config, &mut false).await {
            return ApplyResponse { state: Some(created), private, diags: d };
        }
        let mut out = self.finish_create(ctx, planned, created, etag).await;
        out.private.progress = private.progress;
        out
    }

    /// Waits for the new object to be ready (or reads it once) and maps it.
    async fn finish_create(&self, ctx: &Ctx, planned: &Value, created: Value, etag: Option<String>) -> ApplyResponse {
        let timeout = self.timeout(planned, "create");
        match self.wait_ready(ctx, &created, timeout, "create").await {
            Ok((o, fresh)) => match self.state_of(&created, &o) {
                Ok(s) => ApplyResponse {
                    state: Some(s),
                    private: Private::with_etag(fresh.or(etag)),
                    diags: Diagnostics::default(),
                },
                Err(d) => ApplyResponse { state: Some(created), private: Private::default(), diags: d },
            },
            Err((d, last)) => {
                let s = last.and_then(|o| self.state_of(&created, &o).ok()).unwrap_or(created);
                ApplyResponse { state: Some(s), private: Private::default(), diags: d }
            }
        }
    }

    /// A singleton exists already: read it and apply the configuration as an update.
    async fn adopt(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let (obj, etag) = match self.fetch(ctx, req.planned).await {
            Ok(Some(found)) => found,
            Ok(None) => {
                return ApplyResponse {
                    state: None,
                    private: Private::default(),
                    diags: Diagnostics::error(
                        format!("The {} does not exist", self.schema.noun),
                        format!(
                            "The {} cannot be created, only configured, and the API does not have it.",
                            self.schema.noun
                        ),
                    ),
                }
            }
            Err(d) => return ApplyResponse { state: None, private: Private::default(), diags: d },
        };
        let current = match self.state_of(req.planned, &obj) {
            Ok(s) => s,
            Err(d) => return ApplyResponse { state: None, private: Private::default(), diags: d },
        };
        self.update_object(ctx, &current, req.planned, req.config, Private::with_etag(etag)).await
    }

    /// When the natural key is taken by an object being deleted (a replacement right
    /// after its predecessor's delete, or an out-of-band delete), waits until it is gone.
    /// Returns whether the key is free now.
    async fn after_namesake_deleted(&self, ctx: &Ctx, planned: &Value) -> Result<bool, Diagnostics> {
        if self.ops.async_states.is_none() || self.ops.lookup.is_none() {
            return Ok(false);
        }
        let Some(existing) = self.find_by_key(ctx, planned).await? else { return Ok(true) };
        if !self.is_deleting(&existing) {
            return Ok(false);
        }
        let key = self.state_of(planned, &existing)?;
        self.wait_gone(ctx, &key, self.timeout(planned, "create")).await?;
        Ok(true)
    }

    // ------------------------------------------------------------------ update

    /// Applies an in-place update: the main request (guarded by If-Match where the entity
    /// has ETags), then per-field requests and toggles. When a later request fails after
    /// earlier ones were applied, the state returned is re-read, so it tells the truth.
    async fn update_object(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
        private: Private,
    ) -> ApplyResponse {
        let mut etag = private.etag.clone();
        let mut applied = false;
        let result = self.send_updates(ctx, prior, planned, config, &mut etag, &mut applied).await;
        let keep = |etag: Option<String>, d| ApplyResponse {
            state: Some(prior.clone()),
            private: Private::with_etag(etag),
            diags: d,
        };
        if let Err(d) = result {
            if !applied {
                return keep(etag, d);
            }
            return match self.fetch(ctx, prior).await {
                Ok(Some((obj, fresh))) => match self.state_of(prior, &obj) {
                    Ok(s) => ApplyResponse { state: Some(s), private: Private::with_etag(fresh), diags: d },
                    Err(_) => keep(etag, d),
                },
                _ => keep(etag, d),
            };
        }
        if !applied {
            // Only provider-side arguments or spellings changed (timeouts, a consent flag,
            // "10 GiB" for "10GiB"): no API call, and the computed values stay as they were.
            let mut state = planned.clone();
            for f in &self.schema.fields {
                if state.get(f.name).is_unknown() {
                    state.set(f.name, prior.get(f.name).clone());
                }
            }
            return ApplyResponse {
                state: Some(state),
                private: Private::with_etag(etag),
                diags: Diagnostics::default(),
            };
        }
        let timeout = self.timeout(planned, "update");
        match self.wait_ready(ctx, planned, timeout, "update").await {
            Ok((o, fresh)) => match self.state_of(planned, &o) {
                Ok(s) => ApplyResponse {
                    state: Some(s),
                    private: Private::with_etag(fresh.or(etag)),
                    diags: Diagnostics::default(),
                },
                Err(d) => keep(etag, d),
            },
            Err((d, last)) => {
                let s = last.and_then(|o| self.state_of(prior, &o).ok()).unwrap_or_else(|| prior.clone());
                ApplyResponse { state: Some(s), private: Private::with_etag(etag), diags: d }
            }
        }
    }

    async fn send_updates(
        &self,
        ctx: &Ctx,
        prior: &Value,
        planned: &Value,
        config: &Value,
        etag: &mut Option<String>,
        applied: &mut bool,
    ) -> Result<(), Diagnostics> {
        let Some(update) = &self.ops.update else { return Ok(()) };
        let fields = &self.schema.fields;
        if let Some(op) = &update.op {
            if has_update(fields, prior, planned) {
                let mut body = update_body(fields, prior, planned, config, update.style != UpdateStyle::Patch)?;
                if update.style == UpdateStyle::Merge {
                    let Some((J::Object(mut current), _)) = self.fetch(ctx, prior).await? else {
                        return Err(self.vanished(prior));
                    };
                    current.extend(body);
                    body = current;
                }
                self.hooks.adjust_update_body(prior, planned, &mut body);
                let mut req = self.request(ctx, op, planned, body, config)?;
                // The object's address is the one it has now.
                let addr = op_request(op, prior, &ctx.provider_config).map(|r| (r.path, r.query));
                if let Some((path, query)) = addr {
                    req.path = path;
                    req.query = query;
                }
                self.guarded(ctx, op, req, prior, etag, "update").await?;
                *applied = true;
            }
        }
        for (attr, op) in &update.per_field {
            let Some(f) = self.schema.field(attr) else { continue };
            let due = match f.write_only_trigger {
                Some(trigger) => prior.get(trigger) != planned.get(trigger),
                None => !semantically_equal(f, planned.get(attr), prior.get(attr)),
            };
            if due {
                let req = self.request(ctx, op, planned, Map::new(), config)?;
                let mut sent = self.send(ctx, op, req.clone()).await;
                if let Err(e) = &sent {
                    if self.hooks.repair_step(ctx, attr, planned, e).await? {
                        sent = self.send(ctx, op, req).await;
                    }
                }
                sent.map_err(|e| self.api_diag("update", prior, e))?;
                *applied = true;
            }
        }
        self.send_toggles(ctx, prior, planned, config, applied).await
    }

    /// Calls the on/off endpoint of every toggle whose planned value differs from `current`.
    async fn send_toggles(
        &self,
        ctx: &Ctx,
        current: &Value,
        planned: &Value,
        config: &Value,
        applied: &mut bool,
    ) -> Result<(), Diagnostics> {
        let toggles = self.ops.update.as_ref().map(|u| u.toggles.as_slice()).unwrap_or_default();
        for t in toggles {
            let (before, after) = (current.get(t.attr).as_bool(), planned.get(t.attr).as_bool());
            if let Some(on) = after.filter(|a| Some(*a) != before) {
                let op = if on { &t.on } else { &t.off };
                let req = self.request(ctx, op, current, Map::new(), config)?;
                self.send(ctx, op, req).await.map_err(|e| self.api_diag("update", current, e))?;
                *applied = true;
            }
        }
        Ok(())
    }

    /// Sends a write with If-Match (for entities with ETags). On 412: re-read; a change
    /// to what Terraform manages stops with the names of what changed, and an ETag that
    /// only moved (an internal transition) gets one more try.
    /// A delete that finds the object gone has done its job.
    async fn guarded(
        &self,
        ctx: &Ctx,
        op: &Op,
        req: ApiRequest,
        prior: &Value,
        etag: &mut Option<String>,
        verb: &str,
    ) -> Result<(), Diagnostics> {
        let gone_ok = |r: Result<ApiResponse, ApiError>| match r {
            Ok(_) => Ok(()),
            Err(ApiError::NotFound(_)) if verb == "delete" => Ok(()),
            Err(e) => Err(e),
        };
        let with_tag = |tag: &Option<String>| {
            let mut r = req.clone();
            if self.ops.etag.is_some() {
                r.if_match = tag.clone();
            }
            r
        };
        match gone_ok(self.send(ctx, op, with_tag(etag)).await) {
            Ok(()) => Ok(()),
            Err(ApiError::PreconditionFailed(_)) if self.ops.etag.is_some() => {
                *etag = self.conflict_check(ctx, prior).await?;
                gone_ok(self.send(ctx, op, with_tag(etag)).await).map_err(|e| self.api_diag(verb, prior, e))
            }
            Err(e) => Err(self.api_diag(verb, prior, e)),
        }
    }

    /// After a 412: re-read and decide whether someone else changed what we manage.
    /// Returns the fresh ETag when only the ETag moved.
    async fn conflict_check(&self, ctx: &Ctx, prior: &Value) -> Result<Option<String>, Diagnostics> {
        let Some((obj, etag)) = self.fetch(ctx, prior).await? else {
            return Err(self.vanished(prior));
        };
        if let Some(st) = &self.ops.async_states {
            let state = state_name(st.json, &obj);
            if st.failed.contains(&state.as_str()) || st.deleting.contains(&state.as_str()) {
                return Err(Diagnostics::error(
                    format!("The {} is in state {state:?}", self.schema.noun),
                    format!(
                        "The {} {} cannot be changed while it is {state}; this is a state problem, not a concurrent edit.",
                        self.schema.noun,
                        self.display_id(prior)
                    ),
                ));
            }
        }
        let fresh = self.state_of(prior, &obj)?;
        let changed: Vec<String> = self
            .schema
            .fields
            .iter()
            .filter(|f| f.is_configurable() && f.api.is_some() && !f.write_only)
            .filter_map(|f| {
                drift(f, prior, &fresh).map(|(was, now)| format!("{} (planned from {was}, now {now})", f.name))
            })
            .collect();
        if changed.is_empty() {
            return Ok(etag);
        }
        Err(Diagnostics::error(
            format!("The {} was changed outside Terraform", self.schema.noun),
            format!(
                "The {} {} changed after this plan was made: {}. Nothing was changed by Terraform; run `terraform plan` again to review the remote change.",
                self.schema.noun,
                self.display_id(prior),
                changed.join(", ")
            ),
        ))
    }

    // ------------------------------------------------------------------ delete

    async fn delete_object(&self, ctx: &Ctx, prior: &Value, etag: Option<String>) -> Diagnostics {
        let run = async {
            match &self.ops.delete {
                DeleteOp::Http(op) => {
                    let req = self.request(ctx, op, prior, Map::new(), &Value::Null)?;
                    let mut etag = etag;
                    self.guarded(ctx, op, req, prior, &mut etag, "delete").await?;
                    if self.ops.async_states.is_some() {
                        self.wait_gone(ctx, prior, self.timeout(prior, "delete")).await?;
                    }
                    Ok(Diagnostics::default())
                }
                DeleteOp::AsUpdate(op) => {
                    let req = self.request(ctx, op, prior, Map::new(), &Value::Null)?;
                    match self.send(ctx, op, req).await {
                        Ok(_) | Err(ApiError::NotFound(_)) => Ok(Diagnostics::default()),
                        Err(e) => Err(self.api_diag("delete", prior, e)),
                    }
                }
                DeleteOp::StateOnly { before, warning } => {
                    if let Some(op) = before {
                        let req = self.request(ctx, op, prior, Map::new(), &Value::Null)?;
                        match self.send(ctx, op, req).await {
                            Ok(_) | Err(ApiError::NotFound(_)) => {}
                            Err(e) => return Err(self.api_diag("delete", prior, e)),
                        }
                    }
                    Ok(super::forget_warning(self.schema.noun, self.left_behind(warning, prior)))
                }
            }
        };
        run.await.unwrap_or_else(|d| d)
    }

    // ------------------------------------------------------------------ messages

    fn left_behind(&self, warning: &str, prior: &Value) -> String {
        template::render(warning, prior, &Value::Null, false).unwrap_or_else(|| warning.to_string())
    }

    fn key_names(&self) -> String {
        match &self.ops.lookup {
            Some(l) => l.key.join(" and "),
            None => "identifier".into(),
        }
    }

    fn key_values(&self, v: &Value) -> String {
        let keys: &[&str] = self.ops.lookup.as_ref().map(|l| l.key).unwrap_or(&[]);
        keys.iter().map(|k| format!("{k} = {}", v.get(k))).collect::<Vec<_>>().join(", ")
    }

    /// Names the first created-with attribute whose API value differs from the plan.
    fn mismatch(&self, planned: &Value, obj: &J) -> Option<String> {
        let fresh = self.state_of(planned, obj).ok()?;
        self.schema
            .fields
            .iter()
            .filter(|f| {
                f.api.as_ref().is_some_and(|a| a.in_create) && !f.write_only && planned.get(f.name).is_fully_known()
            })
            .find_map(|f| drift(f, planned, &fresh).map(|(was, now)| format!("{} is {now} (planned {was})", f.name)))
    }

    fn exists_diag(&self, planned: &Value, msg: &str) -> Diagnostics {
        let s = &self.schema;
        let key = self.ops.lookup.as_ref().and_then(|l| l.key.first()).copied().unwrap_or("id");
        let msg = msg.trim_end_matches('.');
        Diagnostics::attr_error(
            AttrPath::attr(key),
            format!("A {} with {} already exists", s.noun, self.key_values(planned)),
            format!(
                "The API answered: {msg}. To manage the existing {} with Terraform, import it: terraform import {}.<name> <ID>, where the ID has the form {}.",
                s.noun, s.type_name, s.id_template
            ),
        )
    }

    fn vanished(&self, key: &Value) -> Diagnostics {
        Diagnostics::error(
            format!("The {} disappeared", self.schema.noun),
            format!(
                "The {} {} no longer exists in the API; run `terraform plan` to re-create it.",
                self.schema.noun,
                self.display_id(key)
            ),
        )
    }

    /// How messages name the object: its ID when known, else its natural key.
    fn display_id(&self, key: &Value) -> String {
        match key.get("id").as_str().filter(|s| !s.is_empty()) {
            Some(id) => id.to_string(),
            None => self.schema.render_id(key).unwrap_or_else(|| self.key_values(key)),
        }
    }

    pub fn api_diag(&self, op: &str, key: &Value, e: ApiError) -> Diagnostics {
        api_error_diag(op, &format!("{} {}", self.schema.noun, self.display_id(key)), e)
    }
}

/// The state an answer reports at `path`, as text: a string, or a flag or number
/// spelled out (switches report `true`/`false`); empty when the answer has none.
fn state_name(path: &str, obj: &J) -> String {
    match at(obj, path) {
        Some(J::String(text)) => text.clone(),
        Some(flag_or_number @ (J::Bool(_) | J::Number(_))) => flag_or_number.to_string(),
        _ => String::new(),
    }
}

fn literal(text: &str) -> Result<J, Diagnostics> {
    serde_json::from_str(text)
        .map_err(|e| Diagnostics::error("Internal error", format!("bad JSON literal {text}: {e}")))
}

/// The request of an operation over `v`: path and query rendered from it (and the provider
/// configuration), the body from `members` (the step's field members) shaped as the
/// operation says. Shared by declared resources and declared actions.
/// A field's expected and fresh values, as messages show them (secrets hidden), when the
/// API's answer differs from what was expected.
fn drift(f: &Field, expected: &Value, fresh: &Value) -> Option<(String, String)> {
    let (was, now) = (expected.get(f.name), fresh.get(f.name));
    (!semantically_equal(f, was, now)).then(|| (redacted(f, was), redacted(f, now)))
}

pub(crate) fn build_request(
    schema_fields: &[crate::engine::schema::Field],
    noun: &str,
    provider_config: &Value,
    op: &Op,
    v: &Value,
    members: Map<String, J>,
    config: &Value,
) -> Result<ApiRequest, Diagnostics> {
    let mut req = op_request(op, v, provider_config).ok_or_else(|| {
        Diagnostics::error(
            format!("Cannot address this {noun}"),
            format!("The route {} needs attributes that are not known yet.", op.path),
        )
    })?;
    let body = match op.body {
        BodyShape::None => None,
        BodyShape::Literal(text) => Some(literal(text)?),
        BodyShape::Attr(name) => Some(encode_attr(schema_fields, name, v, config)?),
        BodyShape::OneItemList(t) => match template::render(t, v, provider_config, false) {
            Some(s) => Some(J::Array(vec![J::String(s)])),
            None => {
                return Err(Diagnostics::error(
                    format!("Cannot address this {noun}"),
                    format!("The body of {} needs attributes that are not known yet.", op.path),
                ))
            }
        },
        BodyShape::Fields | BodyShape::FieldsInArray => {
            let mut obj = members;
            for (key, member) in op.extra {
                let j = match member {
                    Member::Template(t) => match template::render(t, v, provider_config, false) {
                        Some(s) => J::String(s),
                        None => continue,
                    },
                    Member::Attr(name) => encode_attr(schema_fields, name, v, config)?,
                    Member::Literal(text) => literal(text)?,
                    Member::OneItemList(t) => match template::render(t, v, provider_config, false) {
                        Some(s) => J::Array(vec![J::String(s)]),
                        None => continue,
                    },
                };
                obj.insert(key.to_string(), j);
            }
            let obj = match op.wrap {
                Some(key) => J::Object(Map::from_iter([(key.to_string(), J::Object(obj))])),
                None => J::Object(obj),
            };
            Some(if op.body == BodyShape::FieldsInArray { J::Array(vec![obj]) } else { obj })
        }
    };
    if let Some(b) = body {
        req = req.body(b);
    }
    Ok(req)
}
