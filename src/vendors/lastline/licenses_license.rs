//! `lastline_license`: a hosted licence. license/generate_license mints it (and answers its
//! API token, once); get_licenses shows it only after a propagation delay (up to 15
//! minutes), so create waits, bounded by `timeouts.create`. update_license changes dates
//! and type; reset_api_token rotates the token when `api_token_version` changes. Licences
//! cannot be deleted: destroy forgets them with a warning.
//!
//! Licences have no natural key: when generate_license's answer is lost, the provider
//! compares the customer's licences of the product before and after, and adopts exactly
//! one new one (its token is then unknown: warning, rotate with api_token_version).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::Value as J;

use super::{check_date, failed, jbool, jstr, rpc, text};
use crate::engine::api::{ApiError, Method};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::poll::{wait_until, Poll};
use crate::engine::resource::{
    forget_warning, plan_forgetting, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState,
    PlanRequest, PlanResponse, Private, ReadRequest, ReadResponse, Resource, ResourceSchema, Timeouts, TIMEOUTS,
};
use crate::engine::schema::{Field, Validator};
use crate::engine::value::Value;
use crate::vendors::lastline::import_key_state;

const LICENSE_TYPES: &[&str] = &["commercial", "non-commercial-institutional", "non-commercial-personal", "trial"];
const GET: &str = "license/get_licenses";
const GENERATE: &str = "license/generate_license";

pub struct License {
    schema: ResourceSchema,
}

/// What generate_license gave (or what reconciling a lost answer found).
struct Generated {
    access_key: String,
    /// `None` when the answer was lost and the licence adopted.
    api_token: Option<String>,
    customer: Option<String>,
}

impl License {
    pub fn new() -> License {
        let mut schema = ResourceSchema::new("lastline_license", "license", "{access_key}");
        schema.description = "A hosted Lastline licence generated through the API (license/generate_license). Licences cannot be deleted: destroy only removes the licence from Terraform state, with a warning naming its access key, product and end date; it stays valid until its end date. A new licence becomes visible to the API only after a propagation delay (up to 15 minutes), which create waits for (`timeouts.create`).".into();
        schema.fields.extend([
            Field::string("access_key").computed().desc("The licence key."),
            Field::string("product")
                .required()
                .replace()
                .desc("Hosted product bundle to license (installation type HOSTED). Changing it generates another licence and leaves this one behind."),
            Field::string("customer")
                .optional_computed()
                .replace()
                .desc("Customer owning the licence; default the provider account's customer. Changing it generates another licence."),
            Field::string("license_type")
                .default(Value::str("commercial"))
                .validate(Validator::OneOf(LICENSE_TYPES))
                .desc("Licence type; updated in place (license/update_license, which needs Lastline's additional permissions). Default `commercial`."),
            Field::string("start_date")
                .optional_computed()
                .validate(Validator::Custom { check: check_date, describe: "A date `YYYY-MM-DD`." })
                .desc("First day of validity, `YYYY-MM-DD`; the API's default is today. Updated in place."),
            Field::string("end_date")
                .optional_computed()
                .validate(Validator::Custom { check: check_date, describe: "A date `YYYY-MM-DD`." })
                .desc("Last day of validity, `YYYY-MM-DD`; the API's default is one year after the start. Updated in place."),
            Field::string("api_token")
                .computed()
                .sensitive()
                .desc("The licence's API token. The API hands it out only in the answers of generate_license and reset_api_token, and tools using the licence need it, so it is kept in state (sensitive). Null after an import, and after a generate answer that was lost, until it is rotated with `api_token_version`."),
            Field::number("api_token_version")
                .optional()
                .desc("Change this number to rotate the API token (license/reset_api_token); `api_token` then holds the new token."),
            Field::string("deployment").computed().desc("`hosted`, `on-premise` or `on-premise (not initialized)`."),
            Field::bool("key_valid").computed_volatile().desc("Whether the licence is valid now."),
            Field::bool("auto_extension").computed().desc("Whether the licence extends itself."),
        ]);
        schema.timeouts = Some(Timeouts { create: Duration::from_secs(20 * 60), update: None, delete: Duration::ZERO });
        License { schema }
    }

    fn warning(v: &Value) -> String {
        format!(
            "Lastline cannot delete licences: {} (product {}) stays valid until {}. Import it with ID {} to manage it again.",
            text(v, "access_key"),
            text(v, "product"),
            v.get("end_date").as_str().unwrap_or("its end date"),
            text(v, "access_key")
        )
    }

    /// license/get_licenses with `filters` (expired licences included).
    async fn list(&self, ctx: &Ctx, filters: &[(&str, String)], what: &str) -> Result<Vec<J>, ApiError> {
        let mut query: Vec<(&str, String)> = filters.to_vec();
        query.push(("invalid_keys", "1".into()));
        match rpc(ctx, Method::Get, GET, &query).await? {
            J::Array(items) => Ok(items),
            other => Err(ApiError::Decode(format!("{what}: expected a list of licences, got {other}"))),
        }
    }

    /// The licence by access key (and customer, when known); `None` when gone.
    async fn find(&self, ctx: &Ctx, access_key: &str, customer: Option<&str>) -> Result<Option<J>, ApiError> {
        let mut filters = vec![("access_key", access_key.to_string())];
        if let Some(c) = customer {
            filters.push(("customer", c.to_string()));
        }
        match self.list(ctx, &filters, access_key).await {
            Ok(items) => Ok(items.into_iter().find(|l| l.get("access_key").and_then(J::as_str) == Some(access_key))),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Access keys of the customer's licences of `product` matching the plan.
    async fn keys(&self, ctx: &Ctx, planned: &Value) -> Result<BTreeSet<String>, ApiError> {
        let mut filters = vec![("product", text(planned, "product"))];
        if let Some(c) = planned.get("customer").as_str() {
            filters.push(("customer", c.to_string()));
        }
        let items = self.list(ctx, &filters, "licences of the product").await?;
        Ok(items
            .iter()
            .filter(|l| {
                ["license_type", "start_date", "end_date"]
                    .iter()
                    .all(|a| planned.get(a).as_str().is_none_or(|want| l.get(a).and_then(J::as_str) == Some(want)))
            })
            .filter_map(|l| l.get("access_key").and_then(J::as_str).map(str::to_string))
            .collect())
    }

    fn state(&self, base: &Value, obj: &J) -> Value {
        let mut out = base.clone();
        for name in ["access_key", "customer", "product", "license_type", "start_date", "end_date", "deployment"] {
            let v = jstr(obj, name);
            if !v.is_null() {
                out.set(name, v);
            } else if out.get(name).is_unknown() {
                out.set(name, Value::Null);
            }
        }
        out.set("key_valid", jbool(obj, "key_valid"));
        out.set("auto_extension", jbool(obj, "auto_extension"));
        out.set("id", Value::str(text(&out, "access_key")));
        for name in ["api_token", TIMEOUTS] {
            if out.get(name).is_unknown() {
                out.set(name, Value::Null);
            }
        }
        out
    }

    /// Sends generate_license once; a lost answer is reconciled by comparing licence lists.
    async fn generate(&self, ctx: &Ctx, planned: &Value, deadline: Instant) -> Result<Generated, Diagnostics> {
        let what = format!("license of product {}", text(planned, "product"));
        let before = self.keys(ctx, planned).await.map_err(|e| failed(GET, &what, e))?;
        let mut params = vec![("product", text(planned, "product")), ("num_licenses", "1".to_string())];
        for name in ["customer", "license_type", "start_date", "end_date"] {
            if let Some(v) = planned.get(name).as_str() {
                params.push((name, v.to_string()));
            }
        }
        let answer = match rpc(ctx, Method::Post, GENERATE, &params).await {
            Ok(a) => Some(a),
            Err(e) if e.outcome_unknown() => {
                tracing::warn!(product = %text(planned, "product"), "generate_license outcome unknown ({e}); comparing licence lists");
                None
            }
            Err(e) => return Err(failed(GENERATE, &what, e)),
        };
        let first = answer.as_ref().and_then(|a| a.get("licenses")).and_then(|l| l.get(0));
        if let Some(key) = first.and_then(|l| l.get("access_key")).and_then(J::as_str) {
            let api_token = first.and_then(|l| l.get("api_token")).and_then(J::as_str).map(str::to_string);
            if let Some(t) = &api_token {
                crate::logging::register_secret(t);
            }
            let customer = answer.as_ref().and_then(|a| a.get("customer")).and_then(J::as_str).map(str::to_string);
            return Ok(Generated { access_key: key.to_string(), api_token, customer });
        }
        // Lost (or unreadable) answer: exactly one new licence of the product may be ours.
        let timeout = deadline.saturating_duration_since(Instant::now());
        let found = wait_until("propagation of the generated license", timeout, &ctx.cancel, || async {
            let now = self.keys(ctx, planned).await?;
            let new: Vec<String> = now.difference(&before).cloned().collect();
            Ok(match new.len() {
                0 => Poll::Pending("no new licence of the product yet".into()),
                _ => Poll::Done(new),
            })
        })
        .await
        .map_err(|e| {
            Diagnostics::error(
                format!("The outcome of accounting/{GENERATE} is unknown"),
                format!("The answer to generate_license was lost, and no new licence of product {} appeared in get_licenses ({e}). Check the customer's licences before applying again: if one was generated, import it.", text(planned, "product")),
            )
        })?;
        match found.as_slice() {
            [key] => Ok(Generated { access_key: key.clone(), api_token: None, customer: None }),
            many => Err(Diagnostics::error(
                format!("The outcome of accounting/{GENERATE} is ambiguous"),
                format!("The answer to generate_license was lost and several new licences of product {} appeared: {}. None was adopted; import the one this resource generated.", text(planned, "product"), many.join(", ")),
            )),
        }
    }

    /// Waits until get_licenses shows the new licence.
    async fn propagated(&self, ctx: &Ctx, g: &Generated, deadline: Instant) -> Result<J, ApiError> {
        let timeout = deadline.saturating_duration_since(Instant::now());
        let customer = g.customer.as_deref();
        wait_until("propagation of the generated license", timeout, &ctx.cancel, || async {
            Ok(match self.find(ctx, &g.access_key, customer).await? {
                Some(obj) => Poll::Done(obj),
                None => Poll::Pending(format!("{} not listed by get_licenses yet", g.access_key)),
            })
        })
        .await
    }
}

#[async_trait]
impl Resource for License {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        let prior = req.prior.clone();
        let mut out = plan_forgetting(&self.schema, req, Self::warning);
        if !out.planned.is_null() && !prior.is_null() {
            let version = out.planned.get("api_token_version").clone();
            if !version.is_null() && version != *prior.get("api_token_version") {
                out.planned.set("api_token", Value::Unknown);
            }
        }
        out
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let planned = req.planned;
        let deadline = Instant::now() + self.schema.timeout(planned, "create");
        let g = match self.generate(ctx, planned, deadline).await {
            Ok(g) => g,
            Err(d) => return ApplyResponse::nothing(d),
        };
        let mut base = planned.clone();
        base.set("access_key", Value::str(&g.access_key));
        base.set("api_token", g.api_token.clone().map(Value::str).unwrap_or(Value::Null));
        if let Some(c) = &g.customer {
            base.set("customer", Value::str(c));
        }
        let mut diags = Diagnostics::default();
        if g.api_token.is_none() {
            diags.add_warning(
                "The new licence's API token is unknown",
                format!("The answer to generate_license was lost; licence {} was found by comparing the customer's licences and adopted, but the API shows its token only once. Set or change api_token_version to rotate the token (license/reset_api_token) and get a known one.", g.access_key),
                Some(AttrPath::attr("api_token")),
            );
        }
        match self.propagated(ctx, &g, deadline).await {
            Ok(obj) => ApplyResponse { state: Some(self.state(&base, &obj)), private: Private::default(), diags },
            Err(e) => {
                // It exists: keep it in state rather than lose it (and its token).
                let mut state = base.clone();
                for f in &self.schema.fields {
                    if state.get(f.name).is_unknown() {
                        state.set(f.name, Value::Null);
                    }
                }
                state.set("id", Value::str(&g.access_key));
                if state.get(TIMEOUTS).is_unknown() {
                    state.set(TIMEOUTS, Value::Null);
                }
                diags.add_error(
                    format!("Licence {} was generated but has not propagated", g.access_key),
                    format!("accounting/{GET} does not list it yet ({e}). It is kept in state (tainted); run `terraform untaint` on this resource and apply again once it is listed, or raise timeouts.create. Lastline documents up to 15 minutes."),
                    None,
                );
                ApplyResponse { state: Some(state), private: Private::default(), diags }
            }
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let current = req.current;
        // A token from state (another provider process got it) stays out of logs too.
        if let Some(t) = current.get("api_token").as_str() {
            crate::logging::register_secret(t);
        }
        let key = text(current, "access_key");
        match self.find(ctx, &key, current.get("customer").as_str()).await {
            Ok(Some(obj)) => ReadResponse::found(self.state(current, &obj), req.private),
            Ok(None) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(current, req.private, failed(GET, &format!("license {key}"), e)),
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let (prior, planned) = (req.prior, req.planned);
        let key = text(prior, "access_key");
        let what = format!("license {key}");
        let mut params = vec![("access_key", key.clone())];
        for name in ["license_type", "start_date", "end_date"] {
            if let (Some(v), true) = (planned.get(name).as_str(), planned.get(name) != prior.get(name)) {
                params.push((name, v.to_string()));
            }
        }
        let dates_changed = params.len() > 1;
        if dates_changed {
            if let Err(e) = rpc(ctx, Method::Post, "license/update_license", &params).await {
                return ApplyResponse::kept(prior.clone(), req.private, failed("license/update_license", &what, e));
            }
        }
        let mut token = prior.get("api_token").clone();
        let mut diags = Diagnostics::default();
        let mut version = planned.get("api_token_version").clone();
        if planned.get("api_token").is_unknown() {
            match rpc(ctx, Method::Post, "license/reset_api_token", &[("access_key", key.clone())]).await {
                Ok(a) => match a.get("api_token").and_then(J::as_str) {
                    Some(t) => {
                        crate::logging::register_secret(t);
                        token = Value::str(t);
                    }
                    None => {
                        diags.add_error(
                            "accounting/license/reset_api_token answered without a token",
                            format!("The token of {key} was probably rotated, but the answer holds no api_token. Change api_token_version again to rotate once more."),
                            Some(AttrPath::attr("api_token")),
                        );
                        token = Value::Null;
                    }
                },
                Err(e) => {
                    diags.extend(failed("license/reset_api_token", &what, e));
                    // Not rotated: the version stays, so the next plan tries again.
                    version = prior.get("api_token_version").clone();
                    if !dates_changed {
                        return ApplyResponse::kept(prior.clone(), req.private, diags);
                    }
                }
            }
        }
        let mut base = planned.clone();
        base.set("api_token", token);
        base.set("api_token_version", version);
        match self.find(ctx, &key, prior.get("customer").as_str()).await {
            Ok(Some(obj)) => ApplyResponse { state: Some(self.state(&base, &obj)), private: req.private, diags },
            Ok(None) => {
                diags.add_error(format!("Licence {key} disappeared"), "get_licenses no longer lists it.", None);
                ApplyResponse::kept(prior.clone(), req.private, diags)
            }
            Err(e) => {
                diags.extend(failed(GET, &what, e));
                let mut s = base.clone();
                for f in &self.schema.fields {
                    if s.get(f.name).is_unknown() {
                        s.set(f.name, prior.get(f.name).clone());
                    }
                }
                ApplyResponse::kept(s, req.private, diags)
            }
        }
    }

    async fn delete(&self, _ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        DeleteResponse { diags: forget_warning(self.schema.noun, Self::warning(req.prior)) }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for License {
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        if id.trim().is_empty() || id.contains(['/', ':']) {
            return Err(Diagnostics::error(
                "Invalid import ID for lastline_license",
                format!("Expected a licence access key, got {id:?}."),
            ));
        }
        let mut v = import_key_state(&self.schema, id);
        v.set(TIMEOUTS, Value::Null);
        v.set("access_key", Value::str(id));
        Ok(v)
    }
}
