//! The API steps of a declared resource: create (exactly once), update (guarded by
//! If-Match), delete (until gone), read and import.

use std::time::Duration;

use serde_json::{Map, Value as J};

use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::codec::{from_api, to_api};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::normalize::parse_duration;
use crate::engine::poll::{wait_until, Poll};
use crate::engine::schema::{semantically_equal, DefaultValue};
use crate::engine::value::{Type, Value};

use super::{api_error_diag, parse_template, pick_by_name, render, Ctx, ResourceDef, TIMEOUTS};

impl ResourceDef {
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
    pub(super) fn state_from_api(&self, base: &Value, obj: &J) -> Result<Value, Diagnostics> {
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
                        } else if b.is_unknown() && v.as_str() == Some("") {
                            // An unset string the API renders as "" (no QoS policy, ...).
                            Value::Null
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

    /// The configured time limit of an operation, else its declared default (20 minutes
    /// where a resource declares none).
    fn timeout(&self, state: &Value, which: &str) -> Duration {
        let default = self
            .timeouts
            .and_then(|t| t.ops().into_iter().find(|(op, _)| *op == which).map(|(_, d)| d))
            .unwrap_or(Duration::from_secs(1200));
        state.get(TIMEOUTS).get(which).as_str().and_then(|s| parse_duration(s).ok()).unwrap_or(default)
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

    /// Finds an object by its unique name (after a create whose answer was lost, or when
    /// a create meets a name already taken). With `include_deleting`, objects on their way
    /// out are listed too (the API hides them by default).
    async fn find_by_name(&self, ctx: &Ctx, planned: &Value, include_deleting: bool) -> Result<Option<J>, Diagnostics> {
        let Some(q) = self.rest.name_query else {
            return Ok(self.fetch(ctx, planned).await?.map(|(o, _)| o));
        };
        let name = planned.get("name").as_str().unwrap_or_default().to_string();
        let mut req = ApiRequest::get(self.path(self.rest.collection, planned)?).query(q, name.clone());
        if include_deleting {
            for (k, v) in self.rest.list_all {
                req = req.query(k, *v);
            }
        }
        let r = ctx.api.call(req, &ctx.cancel).await.map_err(|e| self.api_diag("look up", planned, e))?;
        Ok(pick_by_name(&r.body, self.rest.list_key, &name))
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
            match self.find_by_name(ctx, planned, false).await? {
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
        let Some(existing) = self.find_by_name(ctx, planned, true).await? else { return Ok(true) };
        if !self.is_deleting(&existing) {
            return Ok(false);
        }
        let key = self.state_from_api(planned, &existing)?;
        self.wait_gone(ctx, &key, self.timeout(planned, "create")).await?;
        Ok(true)
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
