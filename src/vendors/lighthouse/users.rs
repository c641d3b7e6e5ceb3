//! Users and their beacon permissions. Lighthouse hides every user whose AuthLevel is not
//! strictly below the caller's (GET /users/{Email} then answers 404, exactly as for a
//! missing user), so the provider refuses levels that would make its own users vanish.

use async_trait::async_trait;
use serde_json::{json, Value as J};

use super::API;
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{DataSourceDef, DataSourceRead, DataSourceResponse};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::{
    api_error_diag, import_by_template, ApplyRequest, ApplyResponse, BodyShape, CreateOp, Ctx, DeleteOp, DeleteRequest,
    DeleteResponse, ImportState, Lookup, Member, Op, Operations, Private, ReadOp, ReadRequest, ReadResponse, Resource,
    ResourceDef, ResourceHooks, ResourceSchema, Step, UpdateOp,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::{Type, Value};

const USER: &str = "/api/v0.2/users/{email}";

fn user_path(email: &str) -> String {
    format!("{API}/users/{}", percent_encode(email))
}

fn text(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

/// `lighthouse_user`: a declaration, with the visibility rule checked before any write.
pub fn user() -> ResourceDef {
    let ops = Operations {
        // New users get AuthLevel 0; the level is a second request.
        create: CreateOp::Steps {
            first: Op::post("/api/v0.2/users/create"),
            then: vec![Step {
                name: "auth_level",
                op: Op::new(Method::Put, USER).body(BodyShape::Fields).extra(&[("AuthLevel", Member::Attr("auth_level"))]),
            }],
        },
        read: ReadOp::Get(Op::get(USER)),
        update: Some(UpdateOp::patch(Op::put(USER))),
        delete: DeleteOp::StateOnly {
            before: None,
            warning: "Lighthouse cannot delete users: {email} keeps existing and can still log in with its password. Lower its auth_level or rotate its password first if it must not be used any more.",
        },
        lookup: Some(Lookup { key: &["email"], list: None }),
        async_states: None,
        etag: None,
        adopt_existing: false,
    };
    ResourceDef::new("lighthouse_user", "user", "{email}", ops)
        .desc("A Lighthouse user. Users cannot be deleted through the API: destroy only forgets the user (warning).")
        .fields(vec![
            Field::string("email")
                .required()
                .replace()
                .api_create("Email", Codec::Plain)
                .desc("Login name and key of the user (Lighthouse does not validate the format). Changing it creates another user and leaves this one behind."),
            Field::string("password_wo")
                .required()
                .sensitive()
                .sent_when_changed("password_wo_version")
                .api_mutable("Password", Codec::Plain)
                .desc("Password, sent on create and whenever `password_wo_version` changes; never stored in state (write-only, Terraform 1.11 and later)."),
            Field::number("password_wo_version")
                .optional()
                .desc("Change this number to send `password_wo` again (password rotation). Null after import: setting it then shows one update that re-sends the password."),
            Field::number("auth_level")
                .default(Value::int(0))
                .validate(Validator::IntRange(0, i64::MAX))
                .api("AuthLevel", Codec::Plain)
                .update_as("AuthLevel")
                .desc("User AuthLevel (>= 0, default 0). Must be lower than the provider account's own AuthLevel, or Lighthouse hides the user from it (it would look deleted): the provider refuses such a value at apply with a diagnostic naming both levels."),
        ])
        .hooks(UserHooks)
}

struct UserHooks;

#[async_trait]
impl ResourceHooks for UserHooks {
    /// Refuses an AuthLevel that would hide the user from the provider's own account.
    /// Level 0 is below every account that may create users (level >= 1), and an
    /// unchanged level was checked when it was set.
    async fn check_apply(&self, ctx: &Ctx, prior: &Value, planned: &Value) -> Result<(), Diagnostics> {
        let Some(wanted) = planned.get("auth_level").as_i64() else { return Ok(()) };
        if wanted == 0 || prior.get("auth_level") == planned.get("auth_level") {
            return Ok(());
        }
        let own_email = text(&ctx.provider_config, "email");
        let own = ctx
            .api
            .call(ApiRequest::get(user_path(&own_email)), &ctx.cancel)
            .await
            .map_err(|e| api_error_diag("read", &format!("provider account {own_email}"), e))?;
        let Some(own_level) = own.body.get("AuthLevel").and_then(J::as_i64) else {
            return Err(Diagnostics::error(
                "Cannot read the provider account's AuthLevel",
                format!("GET /users/{own_email} answered without an AuthLevel."),
            ));
        };
        if wanted >= own_level {
            return Err(Diagnostics::attr_error(
                AttrPath::attr("auth_level"),
                "auth_level must be lower than the provider account's",
                format!(
                    "auth_level = {wanted} for {} is not lower than the AuthLevel {own_level} of the provider account {own_email}. Lighthouse would accept it, but then hide the user from this account (its reads answer 404), which would look like a deletion. Use a level below {own_level}, or manage this user with a higher-level account.",
                    text(planned, "email")
                ),
            ));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- beacon permission

/// `lighthouse_beacon_permission`: one entry of a user's `Permissions.Beacons` map, set
/// and removed (level -1) through PUT /users/{Email}.
pub struct BeaconPermission {
    schema: ResourceSchema,
}

impl BeaconPermission {
    pub fn new() -> BeaconPermission {
        let mut schema =
            ResourceSchema::new("lighthouse_beacon_permission", "beacon permission", "{email}/{beacon_address...}");
        schema.description =
            "One user's permission level on one beacon (0 access, 1 modify, 2 owner). Destroy revokes it (level -1)."
                .into();
        schema.fields.extend([
            Field::string("email").required().replace().desc("User receiving the level."),
            Field::string("beacon_address")
                .required()
                .replace()
                .desc("Beacon address, as in `lighthouse_beacon.address`."),
            Field::number("level")
                .required()
                .validate(Validator::IntRange(0, 2))
                .desc("0 = access (use the token), 1 = modify (token, grants), 2 = owner. Updated in place. The provider account needs level >= 1 on the beacon and at least the level it grants."),
        ]);
        BeaconPermission { schema }
    }

    fn what(v: &Value) -> String {
        format!("beacon permission of {} on {}", text(v, "email"), text(v, "beacon_address"))
    }

    /// Sets (level >= 0) or removes (-1) the entry. PUT is idempotent: safe to repeat.
    async fn put_level(&self, ctx: &Ctx, v: &Value, level: i64) -> Result<(), ApiError> {
        let body = json!({"Beacons": {text(v, "beacon_address"): level}});
        let put = ApiRequest::new(Method::Put, user_path(&text(v, "email"))).body(body).idempotent(true);
        ctx.api.call(put, &ctx.cancel).await.map(|_| ())
    }

    /// The level the user has on the beacon; `None` when the user is gone (or hidden) or
    /// has no entry.
    async fn level(&self, ctx: &Ctx, v: &Value) -> Result<Option<i64>, Diagnostics> {
        match ctx.api.call(ApiRequest::get(user_path(&text(v, "email"))), &ctx.cancel).await {
            Ok(r) => Ok(r
                .body
                .get("Permissions")
                .and_then(|p| p.get("Beacons"))
                .and_then(|b| b.get(text(v, "beacon_address")))
                .and_then(J::as_i64)),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(e) => Err(api_error_diag("read", &Self::what(v), e)),
        }
    }

    fn state(&self, base: &Value, level: i64) -> Value {
        let mut out = base.clone();
        out.set("level", Value::int(level));
        let id = self.schema.render_id(&out).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        out
    }

    fn refused(&self, op: &str, v: &Value, e: ApiError) -> Diagnostics {
        let mut d = api_error_diag(op, &Self::what(v), e.clone());
        if e.status() == Some(403) {
            d.add_error(
                "The provider account may not grant this level",
                format!(
                    "Lighthouse lets an account change a user's beacon levels only when it has level >= 1 on {} and at least the level it grants, and only for users below its own AuthLevel.",
                    text(v, "beacon_address")
                ),
                Some(AttrPath::attr("level")),
            );
        }
        d
    }

    async fn write_then_read(&self, ctx: &Ctx, planned: &Value, op: &str) -> Result<Value, Diagnostics> {
        let level = planned.get("level").as_i64().unwrap_or(0);
        self.put_level(ctx, planned, level).await.map_err(|e| self.refused(op, planned, e))?;
        match self.level(ctx, planned).await? {
            Some(now) => Ok(self.state(planned, now)),
            None => Err(Diagnostics::error(
                format!("Cannot {op} the {}", Self::what(planned)),
                "Lighthouse accepted the level but the user does not show it (is the user visible to the provider account?).",
            )),
        }
    }
}

#[async_trait]
impl Resource for BeaconPermission {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.write_then_read(ctx, req.planned, "create").await {
            Ok(s) => ApplyResponse::done(s, Private::default()),
            Err(d) => ApplyResponse::nothing(d),
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        match self.level(ctx, req.current).await {
            Ok(Some(level)) => ReadResponse::found(self.state(req.current, level), req.private),
            Ok(None) => ReadResponse::gone(),
            Err(d) => ReadResponse::failed(req.current, req.private, d),
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.write_then_read(ctx, req.planned, "update").await {
            Ok(s) => ApplyResponse::done(s, req.private),
            Err(d) => ApplyResponse::kept(req.prior.clone(), req.private, d),
        }
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let diags = match self.put_level(ctx, req.prior, -1).await {
            // A user that is gone (or hidden) holds no level any more.
            Ok(()) | Err(ApiError::NotFound(_)) => Diagnostics::default(),
            Err(e) => self.refused("delete", req.prior, e),
        };
        DeleteResponse { diags }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for BeaconPermission {
    /// `<email>/<beacon_address>`: an email never contains `/`, an address may.
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        import_by_template(&self.schema, id)
    }
}

// ---------------------------------------------------------------- data sources

/// `lighthouse_users`: GET /users/list answers a bare array of emails.
struct UserEmails;

#[async_trait]
impl DataSourceRead for UserEmails {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let answer = ctx
            .api
            .call(ApiRequest::get(format!("{API}/users/list")), &ctx.cancel)
            .await
            .map_err(|e| api_error_diag("list", "users", e))?;
        let emails = answer.body.as_array().map(|a| a.iter().filter_map(J::as_str).collect::<Vec<_>>());
        let mut out = config.clone();
        out.set("emails", Value::string_list(emails.unwrap_or_default()));
        out.set("id", Value::str("users"));
        Ok(out.into())
    }
}

pub fn users_data() -> DataSourceDef {
    DataSourceDef::new(
        "lighthouse_users",
        "Emails of the users the provider account can see: itself and every user with a lower AuthLevel. API: GET /users/list.",
        vec![
            Field::string("id").computed().desc("Constant `users`."),
            Field::string_list("emails").computed().desc("Visible user emails."),
        ],
        UserEmails,
    )
}

/// `lighthouse_user`: one visible user with its levels.
struct OneUser;

fn levels(answer: &J, kind: &str) -> Value {
    let map = answer.get("Permissions").and_then(|p| p.get(kind)).and_then(J::as_object);
    Value::Map(map.into_iter().flatten().filter_map(|(k, v)| Some((k.clone(), Value::int(v.as_i64()?)))).collect())
}

#[async_trait]
impl DataSourceRead for OneUser {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let email = text(config, "email");
        let answer = match ctx.api.call(ApiRequest::get(user_path(&email)), &ctx.cancel).await {
            Ok(a) => a.body,
            Err(ApiError::NotFound(_)) => {
                return Err(Diagnostics::attr_error(
                    AttrPath::attr("email"),
                    format!("User {email} not found or not visible"),
                    "Lighthouse answers 404 both for a missing user and for one whose AuthLevel is not lower than the provider account's.",
                ))
            }
            Err(e) => return Err(api_error_diag("read", &format!("user {email}"), e)),
        };
        let mut out = config.clone();
        out.set("id", Value::str(&email));
        out.set("auth_level", answer.get("AuthLevel").and_then(J::as_i64).map(Value::int).unwrap_or(Value::Null));
        out.set("beacon_permissions", levels(&answer, "Beacons"));
        out.set("application_permissions", levels(&answer, "Applications"));
        Ok(out.into())
    }
}

pub fn user_data() -> DataSourceDef {
    DataSourceDef::new(
        "lighthouse_user",
        "One visible user with its levels. API: GET /users/{Email} (404: error `not found or not visible`).",
        vec![
            Field::string("id").computed().desc("The email."),
            Field::string("email").required().desc("User to read."),
            Field::number("auth_level").computed().desc("User AuthLevel."),
            Field::new("beacon_permissions", Type::map(Type::Number))
                .computed()
                .desc("Beacon address -> level (0..2)."),
            Field::new("application_permissions", Type::map(Type::Number))
                .computed()
                .desc("Application name -> level (0..2)."),
        ],
        OneUser,
    )
}
