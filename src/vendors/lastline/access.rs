//! Grants: a permission of an account (permission/grant, permission/list,
//! permission/revoke), a permission of a custom role (role/permission/grant, role/info,
//! role/permission/revoke) and a role of an account (role/grant, role/list, role/revoke).
//!
//! A grant has no identifier of its own and no update: it is the tuple of its arguments.
//! Written by hand because each read looks for the tuple in a nested answer, a create
//! whose answer is lost is resolved by reading the tuple back, and a revoke that fails
//! is checked by re-reading (an absent grant counts as revoked).

use async_trait::async_trait;
use serde_json::{json, Map, Value as J};

use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{
    plan_change, validate_config, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState,
    PlanRequest, PlanResponse, Private, ReadRequest, ReadResponse, Resource, ResourceSchema,
};
use crate::engine::schema::{Field, Validator};
use crate::engine::value::Value;
use crate::vendors::lastline::import_key_state;

/// The permissions and the contexts each applies in (the accounting page's list).
pub const PERMISSIONS: [(&str, &[&str]); 8] = [
    ("can_view_appliances", &["customer"]),
    ("can_manage_appliances", &["customer"]),
    ("can_manage_users", &["customer"]),
    ("can_access_alerts", &["customer", "license", "subkey"]),
    ("can_access_pcaps", &["customer", "license", "subkey"]),
    ("can_manage_labels", &["customer", "license", "subkey"]),
    ("can_access_analyzed_files", &["customer"]),
    ("can_access_sensitive_analyzed_files", &["customer"]),
];

/// The names of [`PERMISSIONS`], for the `permission` validators.
const PERMISSION_NAMES: &[&str] = &{
    let mut names = [""; PERMISSIONS.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = PERMISSIONS[i].0;
        i += 1;
    }
    names
};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    AccountPermission,
    RolePermission,
    AccountRole,
}

pub struct Grant {
    schema: ResourceSchema,
    kind: Kind,
}

fn text(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

fn s(j: &J, key: &str) -> String {
    match j.get(key) {
        Some(J::String(x)) => x.clone(),
        Some(J::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A boolean as answers spell it (`true`, `1`, `"True"`).
fn truthy(j: Option<&J>) -> bool {
    match j {
        Some(J::Bool(b)) => *b,
        Some(J::Number(n)) => n.as_i64() == Some(1),
        Some(J::String(x)) => matches!(x.to_ascii_lowercase().as_str(), "true" | "1"),
        _ => false,
    }
}

fn word(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

pub fn account_permission() -> Grant {
    let mut schema = ResourceSchema::new(
        "lastline_account_permission",
        "account permission",
        "{account_username}/{permission}/{context}/{target}",
    );
    schema.description = "One permission granted to an account at customer, license or subkey level (permission/grant). Every argument forces a new grant; destroy revokes it (permission/revoke).".into();
    schema.fields.extend([
        Field::string("account_username").required().replace().desc("Account receiving the permission."),
        Field::string("permission")
            .required()
            .replace()
            .validate(Validator::OneOf(PERMISSION_NAMES))
            .desc("Permission to grant: can_view_appliances, can_manage_appliances, can_manage_users, can_access_alerts, can_access_pcaps, can_manage_labels, can_access_analyzed_files or can_access_sensitive_analyzed_files."),
        Field::string("context")
            .required()
            .replace()
            .validate(Validator::OneOf(&["customer", "license", "subkey"]))
            .desc("Level of the grant (the API's `permission_context`): `customer`, `license` or `subkey`. Checked at plan against the contexts the permission applies in (only can_access_alerts, can_access_pcaps and can_manage_labels go below customer)."),
        Field::string("target")
            .required()
            .replace()
            .desc("What the grant applies to (the API's `grant` and `revocation`): the customer's username for `customer`, a license access key for `license`, `<access_key>:<subkey>` for `subkey`."),
    ]);
    Grant { schema, kind: Kind::AccountPermission }
}

pub fn role_permission() -> Grant {
    let mut schema = ResourceSchema::new("lastline_role_permission", "role permission", "{role}/{permission}");
    schema.description = "One permission of a custom role (role/permission/grant). Every argument forces a new grant; destroy revokes it (role/permission/revoke).".into();
    schema.fields.extend([
        Field::string("role").required().replace().desc("Name of the custom role (see lastline_role)."),
        Field::string("permission")
            .required()
            .replace()
            .validate(Validator::OneOf(PERMISSION_NAMES))
            .desc("Permission the role gives (the names of lastline_account_permission)."),
    ]);
    Grant { schema, kind: Kind::RolePermission }
}

pub fn account_role() -> Grant {
    let mut schema = ResourceSchema::new("lastline_account_role", "account role", "{account_username}/{kind}/{role}");
    schema.description = "A built-in or custom role granted to an account in a customer's context (role/grant). Every argument forces a new grant; destroy revokes it (role/revoke).".into();
    // The ID's middle part (`builtin` or `custom`) is rendered by `id_of`, not by the engine.
    if let Some(id) = schema.fields.iter_mut().find(|f| f.name == "id") {
        id.description = "Identifier of the account role, `<account_username>/<builtin|custom>/<role>`; also the ID to give `terraform import`.".into();
    }
    schema.fields.extend([
        Field::string("account_username").required().replace().desc("Account receiving the role."),
        Field::string("role").required().replace().desc("Name of the role."),
        Field::bool("builtin")
            .default(Value::Bool(false))
            .replace()
            .desc("True for a built-in role (Administrator, Analyst, Read-only, ...), false (default) for a custom role."),
        Field::string("customer")
            .optional_computed()
            .replace()
            .desc("Customer context of the grant (the API's `grant`, a customer's username); when unset, the account's own customer."),
    ]);
    Grant { schema, kind: Kind::AccountRole }
}

impl Grant {
    fn what(&self, v: &Value) -> String {
        match self.kind {
            Kind::AccountPermission => format!(
                "permission {} of {} on {} {}",
                text(v, "permission"),
                text(v, "account_username"),
                text(v, "context"),
                text(v, "target")
            ),
            Kind::RolePermission => format!("permission {} of role {}", text(v, "permission"), text(v, "role")),
            Kind::AccountRole => format!(
                "{} role {} of {}",
                if v.get("builtin").as_bool() == Some(true) { "built-in" } else { "custom" },
                text(v, "role"),
                text(v, "account_username")
            ),
        }
    }

    fn id_of(&self, v: &Value) -> String {
        match self.kind {
            Kind::AccountPermission => format!(
                "{}/{}/{}/{}",
                text(v, "account_username"),
                text(v, "permission"),
                text(v, "context"),
                text(v, "target")
            ),
            Kind::RolePermission => format!("{}/{}", text(v, "role"), text(v, "permission")),
            Kind::AccountRole => format!(
                "{}/{}/{}",
                text(v, "account_username"),
                if v.get("builtin").as_bool() == Some(true) { "builtin" } else { "custom" },
                text(v, "role")
            ),
        }
    }

    fn with_id(&self, v: &Value) -> Value {
        let mut out = v.clone();
        out.set("id", Value::str(self.id_of(v)));
        out
    }

    /// The grant or revoke request: method path and form fields.
    fn write(&self, v: &Value, grant: bool) -> (&'static str, Map<String, J>) {
        let mut f = Map::new();
        let path = match (self.kind, grant) {
            (Kind::AccountPermission, g) => {
                f.insert("account_username".into(), json!(text(v, "account_username")));
                f.insert("permission".into(), json!(text(v, "permission")));
                f.insert("permission_context".into(), json!(text(v, "context")));
                f.insert(if g { "grant" } else { "revocation" }.into(), json!(text(v, "target")));
                if g {
                    "/accounting/permission/grant.json"
                } else {
                    "/accounting/permission/revoke.json"
                }
            }
            (Kind::RolePermission, g) => {
                f.insert("role".into(), json!(text(v, "role")));
                f.insert("permission".into(), json!(text(v, "permission")));
                if g {
                    "/accounting/role/permission/grant.json"
                } else {
                    "/accounting/role/permission/revoke.json"
                }
            }
            (Kind::AccountRole, g) => {
                f.insert("account_username".into(), json!(text(v, "account_username")));
                f.insert("role".into(), json!(text(v, "role")));
                f.insert("builtin".into(), json!(word(v.get("builtin").as_bool() == Some(true))));
                f.insert("role_context".into(), json!("customer"));
                if let Some(c) = v.get("customer").as_str().filter(|c| !c.is_empty()) {
                    f.insert(if g { "grant" } else { "revocation" }.into(), json!(c));
                }
                if g {
                    "/accounting/role/grant.json"
                } else {
                    "/accounting/role/revoke.json"
                }
            }
        };
        (path, f)
    }

    /// The grant as the API lists it now: `Some(state)` when it is held, `None` when not
    /// (or when its account or role is gone).
    async fn find(&self, ctx: &Ctx, v: &Value) -> Result<Option<Value>, ApiError> {
        let req = match self.kind {
            Kind::AccountPermission => ApiRequest::get("/accounting/permission/list.json")
                .query("account_username", text(v, "account_username"))
                .query("consider_roles", "0"),
            Kind::RolePermission => ApiRequest::get("/accounting/role/info.json")
                .query("role_name", text(v, "role"))
                .query("builtin", "False"),
            Kind::AccountRole => {
                ApiRequest::get("/accounting/role/list.json").query("account_username", text(v, "account_username"))
            }
        };
        let body = match ctx.api.call(req, &ctx.cancel).await {
            Ok(r) => r.body,
            Err(ApiError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let items = |key: &str| body.get(key).and_then(J::as_array).cloned().unwrap_or_default();
        let found = match self.kind {
            Kind::AccountPermission => {
                let (list, member) = match text(v, "context").as_str() {
                    "customer" => ("customer_permissions", "customer"),
                    "license" => ("license_permissions", "access_key"),
                    _ => ("subkey_permissions", "key"),
                };
                items(list)
                    .iter()
                    .any(|p| s(p, "permission") == text(v, "permission") && s(p, member) == text(v, "target"))
                    .then(|| v.clone())
            }
            Kind::RolePermission => {
                let roles = body.as_array().cloned().unwrap_or_default();
                roles
                    .iter()
                    .filter(|r| s(r, "role_name") == text(v, "role"))
                    .any(|r| {
                        r.get("permissions")
                            .and_then(J::as_array)
                            .is_some_and(|ps| ps.iter().any(|p| p.as_str() == Some(&text(v, "permission"))))
                    })
                    .then(|| v.clone())
            }
            Kind::AccountRole => {
                let builtin = v.get("builtin").as_bool() == Some(true);
                let want_customer = v.get("customer").as_str().filter(|c| !c.is_empty()).map(str::to_string);
                items("customer_roles")
                    .iter()
                    .filter(|r| !truthy(r.get("is_ephemeral")))
                    .find(|r| {
                        s(r, "role") == text(v, "role")
                            && truthy(r.get("builtin")) == builtin
                            && want_customer.as_ref().is_none_or(|c| *c == s(r, "customer"))
                    })
                    .map(|r| {
                        let mut out = v.clone();
                        out.set("customer", Value::str(s(r, "customer")));
                        out
                    })
            }
        };
        Ok(found.map(|f| self.with_id(&f)))
    }

    fn failed(&self, verb: &str, v: &Value, e: ApiError) -> Diagnostics {
        Diagnostics::error(format!("Cannot {verb} the {}", self.what(v)), format!("{e}."))
    }

    /// Checks a permission's context against the contexts it applies in.
    fn check_context(&self, config: &Value, diags: &mut Diagnostics) {
        if self.kind != Kind::AccountPermission {
            return;
        }
        let (Some(p), Some(c)) = (config.get("permission").as_str(), config.get("context").as_str()) else { return };
        if let Some((_, allowed)) = PERMISSIONS.iter().find(|(name, _)| *name == p) {
            if !allowed.contains(&c) {
                diags.add_error(
                    format!("{p} cannot be granted at {c} level"),
                    format!("{p} applies only in the context(s): {}. Use context = \"customer\".", allowed.join(", ")),
                    Some(AttrPath::attr("context")),
                );
            }
        }
    }
}

#[async_trait]
impl Resource for Grant {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = validate_config(&self.schema, config);
        self.check_context(config, &mut diags);
        diags
    }

    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        let mut out = plan_change(&self.schema, req, |_, _, _| {});
        // The ID is known at plan time, except an account role's customer default.
        let planned = &mut out.planned;
        if !planned.is_null() && planned.get("id").is_unknown() {
            let known = self.schema.fields.iter().all(|f| f.name == "id" || !planned.get(f.name).is_unknown());
            if known {
                let id = self.id_of(planned);
                planned.set("id", Value::str(id));
            }
        }
        out
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let planned = req.planned;
        let (path, fields) = self.write(planned, true);
        let call = ApiRequest::new(Method::Post, path).body(J::Object(fields));
        let sent = ctx.api.call(call, &ctx.cancel).await;
        // Whatever the answer, the grant is read back: a lost answer, or a refusal of a
        // grant that is already held (a role renamed with its grants), ends with the grant
        // adopted; only a grant that is not held after a refusal is an error.
        match (sent, self.find(ctx, planned).await) {
            (_, Ok(Some(state))) => ApplyResponse::done(state, Private::default()),
            (Err(e), _) => ApplyResponse::nothing(self.failed("grant", planned, e)),
            (Ok(_), Ok(None)) => ApplyResponse::nothing(Diagnostics::error(
                format!("Cannot grant the {}", self.what(planned)),
                "The API accepted the grant, but does not list it afterwards.",
            )),
            (Ok(_), Err(e)) => ApplyResponse::nothing(self.failed("read back", planned, e)),
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        match self.find(ctx, req.current).await {
            Ok(Some(state)) => ReadResponse::found(state, req.private),
            Ok(None) => ReadResponse::gone(),
            Err(e) => ReadResponse::failed(req.current, req.private, self.failed("read", req.current, e)),
        }
    }

    async fn update(&self, _ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        ApplyResponse::kept(
            req.prior.clone(),
            req.private,
            Diagnostics::error(
                format!("A {} cannot be updated", self.schema.noun),
                "Every argument of a grant forces a new one; this is a provider bug.",
            ),
        )
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let prior = req.prior;
        let (path, fields) = self.write(prior, false);
        let call = ApiRequest::new(Method::Post, path).body(J::Object(fields));
        let diags = match ctx.api.call(call, &ctx.cancel).await {
            Ok(_) | Err(ApiError::NotFound(_)) => Diagnostics::default(),
            // Revokes are checked by re-reading: a grant that is not held is revoked.
            Err(e) => match self.find(ctx, prior).await {
                Ok(None) => Diagnostics::default(),
                _ => self.failed("revoke", prior, e),
            },
        };
        DeleteResponse { diags }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for Grant {
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        let bad = |form: &str| {
            Diagnostics::error(
                format!("Invalid import ID for {}", self.schema.type_name),
                format!("Expected an ID of the form \"{form}\", got {id:?}."),
            )
        };
        let mut v = import_key_state(&self.schema, id);
        match self.kind {
            Kind::AccountPermission => {
                let form = "<account_username>/<permission>/<context>/<target>";
                let parts: Vec<&str> = id.splitn(4, '/').collect();
                let [a, p, c, t] = parts[..] else { return Err(bad(form)) };
                if [a, p, c, t].iter().any(|x| x.is_empty()) {
                    return Err(bad(form));
                }
                for (k, x) in [("account_username", a), ("permission", p), ("context", c), ("target", t)] {
                    v.set(k, Value::str(x));
                }
            }
            Kind::RolePermission => {
                let form = "<role>/<permission>";
                let Some((r, p)) = id.rsplit_once('/').filter(|(r, p)| !r.is_empty() && !p.is_empty()) else {
                    return Err(bad(form));
                };
                v.set("role", Value::str(r));
                v.set("permission", Value::str(p));
            }
            Kind::AccountRole => {
                let form = "<account_username>/<builtin|custom>/<role>";
                let parts: Vec<&str> = id.splitn(3, '/').collect();
                let [a, k, r] = parts[..] else { return Err(bad(form)) };
                let builtin = match k {
                    "builtin" => true,
                    "custom" => false,
                    _ => return Err(bad(form)),
                };
                if a.is_empty() || r.is_empty() {
                    return Err(bad(form));
                }
                v.set("account_username", Value::str(a));
                v.set("builtin", Value::Bool(builtin));
                v.set("role", Value::str(r));
            }
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_split_as_documented() {
        let v = account_permission().import_key("a@x/can_access_pcaps/subkey/K:s1").unwrap();
        assert_eq!(v.get("target").as_str(), Some("K:s1"));
        let v = role_permission().import_key("ops/team/can_manage_users").unwrap();
        assert_eq!(v.get("role").as_str(), Some("ops/team"));
        let v = account_role().import_key("a@x/builtin/Read-only").unwrap();
        assert_eq!(v.get("builtin").as_bool(), Some(true));
        assert!(account_role().import_key("a@x/other/Read-only").is_err());
        assert!(account_permission().import_key("a@x/can_access_pcaps").is_err());
    }

    #[test]
    fn a_context_the_permission_does_not_apply_in_is_refused() {
        let mut cfg = Value::Object(Default::default());
        for (k, x) in
            [("account_username", "a@x"), ("permission", "can_manage_users"), ("context", "license"), ("target", "K")]
        {
            cfg.set(k, Value::str(x));
        }
        let d = account_permission().validate(&cfg);
        assert!(d.has_errors() && format!("{d:?}").contains("customer"), "{d:?}");
        cfg.set("permission", Value::str("can_access_alerts"));
        assert!(!account_permission().validate(&cfg).has_errors());
    }
}
