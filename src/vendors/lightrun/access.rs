//! Lightrun access: group memberships (bulk add/remove endpoints, one member per
//! resource), watched packages (bulk too, declared with array bodies), just-in-time
//! access grants (listed only while active: the expiry rule of the interface) and the
//! data sources reading pools, users, groups and grants.

use async_trait::async_trait;
use serde_json::{json, Value as J};

use super::entities::{created_by, created_date, pages, string_set, USER_ROLES};
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{object_lists, DataSourceDef, LookupOne, PagedList};
use crate::engine::diag::Diagnostics;
use crate::engine::mapping::state_from_api;
use crate::engine::resource::{
    api_error_diag, ApplyRequest, ApplyResponse, BodyShape, Ctx, DeleteRequest, DeleteResponse, ImportState, Op,
    Operations, PlanRequest, PlanResponse, Private, ReadOp, ReadRequest, ReadResponse, Resource, ResourceDef,
    ResourceHooks, ResourceSchema, UpdateOp, UpgradeState,
};
use crate::engine::schema::{parse_rfc3339, Codec, Field, Semantic, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::{Type, Value};

fn string_list(name: &'static str) -> Field {
    Field::new(name, Type::list(Type::String))
}

const POOL_ROLES: &[&str] = &["STANDARD", "PRIVILEGED"];

// ---------------------------------------------------------------- group member

/// `lightrun_group_member`: the API adds and removes members in bulk and answers a
/// BulkOperationResponse (200, or 207 with `failures` items), which no declaration can
/// read as one object's outcome: hand-written on the engine's trait.
pub struct GroupMember {
    schema: ResourceSchema,
}

pub fn group_member() -> GroupMember {
    let mut schema = ResourceSchema::new("lightrun_group_member", "group member", "{group_id}/{email}");
    schema.description =
        "One user's membership in one RBAC group. Several configurations may add members to the same group.".into();
    schema.fields.extend([
        Field::string("group_id").required().replace().desc("Group UUID. Changing it replaces the membership."),
        Field::string("email")
            .required()
            .replace()
            .semantic(Semantic::CaseInsensitive)
            .api_create("email", Codec::Plain)
            .desc("Member's email, compared ignoring case (the user must exist). Changing it replaces the membership."),
        Field::bool("group_admin")
            .default(Value::Bool(false))
            .api_mutable("groupAdmin", Codec::Plain)
            .desc("Whether the member administers the group (default `false`). Updated in place."),
        string_set("elevated_roles")
            .default(Value::Set(vec![]))
            .validate(Validator::EachOneOf(POOL_ROLES))
            .api_mutable("elevatedRoles", Codec::Plain)
            .desc(
                "Extra roles for this member in this group: `STANDARD`, `PRIVILEGED` (default none). Updated in place.",
            ),
        string_set("effective_roles")
            .computed_volatile()
            .api("effectiveRoles", Codec::Plain)
            .desc("Roles in effect (the group's roles plus the elevated roles), as the API reports them."),
    ]);
    GroupMember { schema }
}

fn text(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

fn no_state(diags: Diagnostics) -> ApplyResponse {
    ApplyResponse { state: None, private: Private::default(), diags }
}

/// The first failure item of a BulkOperationResponse, as (status, message).
fn bulk_failure(body: &J) -> Option<(u16, String)> {
    let item = body.get("failures")?.as_array()?.first()?;
    let status = item.get("status").and_then(J::as_u64).and_then(|s| u16::try_from(s).ok()).unwrap_or(0);
    let message = item.get("message").and_then(J::as_str).unwrap_or("no message").to_string();
    Some((status, message))
}

impl GroupMember {
    fn what(&self, v: &Value) -> String {
        format!("member {} of group {}", text(v, "email"), text(v, "group_id"))
    }

    fn group_path(v: &Value) -> String {
        format!("/groups/{}", percent_encode(&text(v, "group_id")))
    }

    /// The member as the group lists it; `None` when the group or the member is gone.
    async fn find(&self, ctx: &Ctx, key: &Value) -> Result<Option<J>, Diagnostics> {
        let req = ApiRequest::get(Self::group_path(key)).query("includeMembers", "true");
        let group = match ctx.api.call(req, &ctx.cancel).await {
            Ok(r) => r.body,
            Err(ApiError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(api_error_diag("read", &self.what(key), e)),
        };
        let email = text(key, "email");
        Ok(group
            .get("members")
            .and_then(J::as_array)
            .and_then(|members| {
                members
                    .iter()
                    .find(|m| m.get("email").and_then(J::as_str).is_some_and(|e| e.eq_ignore_ascii_case(&email)))
            })
            .cloned())
    }

    /// State over `base` (keeps group_id and the configured email spelling).
    fn state(&self, base: &Value, member: &J) -> Result<Value, Diagnostics> {
        let mut out = state_from_api(&self.schema.fields, base, member)?;
        out.set("group_id", base.get("group_id").clone());
        let id = self.schema.render_id(&out).map(Value::str).unwrap_or(Value::Null);
        out.set("id", id);
        Ok(out)
    }

    fn body(v: &Value) -> J {
        json!({
            "groupAdmin": v.get("group_admin").as_bool().unwrap_or(false),
            "elevatedRoles": v.get("elevated_roles").string_items(),
        })
    }

    /// Whether the member found matches the plan (a lost create answer is adopted then).
    fn matches_plan(member: &J, planned: &Value) -> bool {
        let mut have: Vec<String> = member
            .get("elevatedRoles")
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        let mut want = planned.get("elevated_roles").string_items();
        have.sort();
        want.sort();
        member.get("groupAdmin").and_then(J::as_bool).unwrap_or(false)
            == planned.get("group_admin").as_bool().unwrap_or(false)
            && have == want
    }
}

#[async_trait]
impl Resource for GroupMember {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let planned = req.planned;
        let what = self.what(planned);
        let mut item = Self::body(planned);
        item["email"] = json!(text(planned, "email"));
        let add = ApiRequest::new(Method::Post, format!("{}/members", Self::group_path(planned))).body(json!([item]));
        match ctx.api.call(add, &ctx.cancel).await {
            Ok(r) => {
                if let Some((status, message)) = bulk_failure(&r.body) {
                    return no_state(Diagnostics::error(
                        format!("Cannot add the {what}"),
                        format!("The API refused the member (HTTP {status}): {message}."),
                    ));
                }
            }
            // The answer was lost: the member may have been added. Adopt it when it is
            // there as planned, so that exactly one membership exists.
            Err(e) if e.outcome_unknown() => match self.find(ctx, planned).await {
                Ok(Some(m)) if Self::matches_plan(&m, planned) => {}
                Ok(_) => return no_state(api_error_diag("create", &what, e)),
                Err(d) => return no_state(d),
            },
            Err(ApiError::NotFound(m)) => {
                return no_state(Diagnostics::attr_error(
                    crate::engine::diag::AttrPath::attr("group_id"),
                    format!("No group {}", text(planned, "group_id")),
                    format!("Cannot add the {what}: {m}."),
                ))
            }
            Err(e) => return no_state(api_error_diag("create", &what, e)),
        }
        match self.find(ctx, planned).await {
            Ok(Some(m)) => match self.state(planned, &m) {
                Ok(s) => ApplyResponse { state: Some(s), private: Private::default(), diags: Diagnostics::default() },
                Err(d) => no_state(d),
            },
            Ok(None) => no_state(Diagnostics::error(
                format!("Cannot add the {what}"),
                "The API accepted the member but the group does not list it.",
            )),
            Err(d) => no_state(d),
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        match self.find(ctx, req.current).await {
            Ok(Some(m)) => match self.state(req.current, &m) {
                Ok(s) => ReadResponse { state: Some(s), private: req.private, diags: Diagnostics::default() },
                Err(d) => ReadResponse { state: Some(req.current.clone()), private: req.private, diags: d },
            },
            Ok(None) => ReadResponse { state: None, private: req.private, diags: Diagnostics::default() },
            Err(d) => ReadResponse { state: Some(req.current.clone()), private: req.private, diags: d },
        }
    }

    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let planned = req.planned;
        let path = format!("{}/members/{}", Self::group_path(req.prior), percent_encode(&text(req.prior, "email")));
        let put = ApiRequest::new(Method::Put, path).body(Self::body(planned)).idempotent(true);
        let unchanged = |diags| ApplyResponse { state: Some(req.prior.clone()), private: Private::default(), diags };
        match ctx.api.call(put, &ctx.cancel).await {
            Ok(r) => match self.state(planned, &r.body) {
                Ok(s) => ApplyResponse { state: Some(s), private: Private::default(), diags: Diagnostics::default() },
                Err(d) => unchanged(d),
            },
            Err(e) => unchanged(api_error_diag("update", &self.what(planned), e)),
        }
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let prior = req.prior;
        let remove = ApiRequest::new(Method::Delete, format!("{}/members", Self::group_path(prior)))
            .body(json!([text(prior, "email")]))
            .idempotent(true);
        let diags = match ctx.api.call(remove, &ctx.cancel).await {
            // A 404 failure item: not a member any more, which is what destroy wants.
            Ok(r) => match bulk_failure(&r.body) {
                Some((status, message)) if status != 404 => Diagnostics::error(
                    format!("Cannot remove the {}", self.what(prior)),
                    format!("The API refused (HTTP {status}): {message}."),
                ),
                _ => Diagnostics::default(),
            },
            Err(ApiError::NotFound(_)) => Diagnostics::default(),
            Err(e) => api_error_diag("delete", &self.what(prior), e),
        };
        DeleteResponse { diags }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for GroupMember {
    /// `<group_id>/<email>`.
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        match id.split_once('/') {
            Some((group, email)) if !group.is_empty() && email.contains('@') && !email.contains('/') => {
                let mut key = Value::Object(Default::default());
                key.set("group_id", Value::str(group));
                key.set("email", Value::str(email));
                Ok(key)
            }
            _ => Err(Diagnostics::error(
                "Invalid import ID for lightrun_group_member",
                format!("Expected `<group_id>/<email>`, such as `0e2f7a84-6a47-4a71-9f0e-8d3cb1e2d9f0/alice@example.com`; got {id:?}."),
            )),
        }
    }
}

// ---------------------------------------------------------------- watched package

pub fn watched_package() -> ResourceDef {
    let list = pages(Op::get("/watched-packages"));
    ResourceDef::new(
        "lightrun_watched_package",
        "watched package",
        "{id}",
        Operations::crud(
            // The API adds packages in bulk: one package in a one-element array; the answer
            // is the array of created packages.
            Op::post("/watched-packages").body(BodyShape::FieldsInArray).answer_at("0").ok(&[201]),
            Op::get("/watched-packages"),
            // All of packageName, version and classes are required on every update.
            Some(UpdateOp::replace(Op::put("/watched-packages/{id}"))),
            Op::delete("/watched-packages").body(BodyShape::OneItemList("{id}")),
        )
        // No GET by ID: the list is paged through for the ID.
        .read(ReadOp::FromList { list, key: &["id"] })
        .lookup(&["package_name", "version"], Some(list)),
    )
    .id_from_api("id")
    .hooks(WatchedHooks)
    .desc("A package on the Runtime Reachability watch list.")
    .fields(vec![
        Field::string("package_name")
            .required()
            .api_mutable("packageName", Codec::Plain)
            .desc("Package, `groupId:artifactId` (e.g. `org.slf4j:slf4j-api`). Updated in place."),
        Field::string("version").required().api_mutable("version", Codec::Plain).desc("Package version. Updated in place."),
        string_set("classes")
            .default(Value::Set(vec![]))
            .api_mutable("classes", Codec::Plain)
            .desc("Classes to watch; unset means none. Updated in place."),
        Field::string("notification_webhook_id")
            .optional()
            .replace()
            .api_create("notificationWebhookId", Codec::Plain)
            .desc("Webhook notified when the package loads. Sent on create only (the API never returns it): changing it replaces the package; null after import."),
        created_by(),
        created_date(),
    ])
}

struct WatchedHooks;

#[async_trait]
impl ResourceHooks for WatchedHooks {
    /// `classes` defaults to the empty set: an import (whose key state has no classes)
    /// reading `[]` keeps an empty set, not null, so that `classes = []` plans nothing.
    async fn complete_read(&self, _ctx: &Ctx, state: &mut Value) -> Result<(), Diagnostics> {
        if state.get("classes").is_null() {
            state.set("classes", Value::Set(vec![]));
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- JIT access grant

fn rfc3339(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if parse_rfc3339(s).is_none() => {
            Err(format!("{s:?} is not an RFC 3339 date-time with an offset (like 2026-12-31T23:59:59+01:00)"))
        }
        _ => Ok(()),
    }
}

struct GrantHooks;

#[async_trait]
impl ResourceHooks for GrantHooks {
    /// The API refuses a date in the past: say so at plan time, naming the attribute.
    fn check_plan(&self, _prior: &Value, planned: &Value, diags: &mut Diagnostics) {
        // Only a grant about to be created (its ID not known yet).
        if !planned.get("id").is_unknown() {
            return;
        }
        if let Some(at) = planned.get("expiration_date").as_str().and_then(parse_rfc3339) {
            if at <= time::OffsetDateTime::now_utc() {
                diags.add_error(
                    "expiration_date is in the past",
                    format!("A grant must end in the future; {at} has passed."),
                    Some(crate::engine::diag::AttrPath::attr("expiration_date")),
                );
            }
        }
    }
    /// Listed means active.
    fn adjust_answer(&self, _base: &Value, obj: &mut J) {
        if let Some(o) = obj.as_object_mut() {
            o.insert("expired".into(), J::Bool(false));
        }
    }
}

/// `lightrun_jit_access_grant`: a declaration, and the expiry rule over its read.
pub struct JitAccessGrant {
    def: ResourceDef,
}

pub fn jit_access_grant() -> JitAccessGrant {
    let list = pages(Op::get("/temp-access"));
    let def = ResourceDef::new(
        "lightrun_jit_access_grant",
        "just-in-time access grant",
        "{id}",
        Operations::crud(
            Op::post("/temp-access").ok(&[201]),
            Op::get("/temp-access"),
            None,
            Op::delete("/temp-access/{id}").ok(&[204]),
        )
        // No GET by ID: the list (active grants only) is paged through for the ID.
        .read(ReadOp::FromList { list, key: &["id"] })
        .lookup(&["name"], Some(list)),
    )
    .id_from_api("id")
    .hooks(GrantHooks)
    .desc("A Just-In-Time (temporary) access grant: roles for some users on some agent pools until an expiration date. Destroy revokes it; once expired it stays in state with `expired = true`.")
    .fields(vec![
        Field::string("name")
            .optional_computed()
            .replace()
            .api_create("name", Codec::Plain)
            .desc("Unique name. Unset: the server names it `Temp-Access-DDMMYYYY-HHmmss-SSS`. Changing it replaces the grant."),
        string_set("user_emails")
            .required()
            .replace()
            .validate(Validator::MinItems(1))
            .api_create("userEmails", Codec::Plain)
            .desc("Users receiving temporary access. Changing them replaces the grant."),
        string_set("agent_pool_ids")
            .required()
            .replace()
            .validate(Validator::MinItems(1))
            .api_create("agentPoolIds", Codec::Plain)
            .desc("Agent pools the access applies to. Changing them replaces the grant."),
        string_set("roles")
            .required()
            .replace()
            .validate(Validator::MinItems(1))
            .api_create("roles", Codec::Plain)
            .desc("Roles granted for the period (`STANDARD`, `PRIVILEGED`), sent as configured. Changing them replaces the grant."),
        Field::string("expiration_date")
            .required()
            .replace()
            .semantic(Semantic::Instant)
            .validate(Validator::Custom { check: rfc3339, describe: "An RFC 3339 date-time with an offset." })
            .api_create("expirationDate", Codec::Plain)
            .desc("End of the access, RFC 3339 with an offset (e.g. `2026-12-31T23:59:59+01:00`); must be in the future at create time. Compared as an instant: the API's UTC answer for the same instant is no change. Changing it replaces the grant."),
        Field::string("incident_id")
            .optional()
            .replace()
            .api_create("incidentId", Codec::Plain)
            .desc("Free incident reference, e.g. `00001358`. Changing it replaces the grant."),
        Field::bool("expired")
            .computed_volatile()
            .api("expired", Codec::Plain)
            .desc("True once `expiration_date` has passed and the API no longer lists the grant (it is then kept in state, not re-created)."),
    ]);
    JitAccessGrant { def }
}

fn server_style_name(now: time::OffsetDateTime) -> String {
    format!(
        "Temp-Access-{:02}{:02}{:04}-{:02}{:02}{:02}-{:03}",
        now.day(),
        u8::from(now.month()),
        now.year(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

#[async_trait]
impl Resource for JitAccessGrant {
    fn schema(&self) -> &ResourceSchema {
        self.def.schema()
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        self.def.validate(config)
    }
    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        self.def.plan(req)
    }
    /// Unnamed grants are named here, in the server's own template
    /// (`Temp-Access-DDMMYYYY-HHmmss-SSS`, UTC), so that a lost create answer can be found
    /// by name and adopted instead of creating a second grant.
    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        if !req.planned.get("name").is_unknown() {
            return self.def.create(ctx, req).await;
        }
        let mut planned = req.planned.clone();
        planned.set("name", Value::str(server_style_name(time::OffsetDateTime::now_utc())));
        self.def.create(ctx, ApplyRequest { planned: &planned, ..req }).await
    }
    /// The list shows active grants only. Absent after its expiration date: expired, kept
    /// with `expired = true` (re-creating it would be refused); absent before: revoked out
    /// of band, gone.
    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let current = req.current.clone();
        let out = self.def.read(ctx, req).await;
        if out.state.is_some() || out.diags.has_errors() {
            return out;
        }
        let passed = current
            .get("expiration_date")
            .as_str()
            .and_then(parse_rfc3339)
            .is_some_and(|at| at <= time::OffsetDateTime::now_utc());
        if !passed || current.get("id").is_null() {
            return out;
        }
        let mut kept = current;
        kept.set("expired", Value::Bool(true));
        ReadResponse { state: Some(kept), ..out }
    }
    /// Every argument forces replacement, so an in-place plan only respells a value the
    /// API holds already (an imported `expiration_date` in UTC configured with an offset,
    /// the same instant): nothing to send, the state takes the configured spelling.
    async fn update(&self, _ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        let schema = self.def.schema();
        let respelled = schema
            .fields
            .iter()
            .filter(|f| f.is_configurable())
            .all(|f| crate::engine::schema::semantically_equal(f, req.prior.get(f.name), req.planned.get(f.name)));
        if !respelled {
            return ApplyResponse {
                state: Some(req.prior.clone()),
                private: req.private,
                diags: Diagnostics::error(
                    "Cannot update a just-in-time access grant",
                    "The API has no update for grants; every change must replace it. This is a provider bug.",
                ),
            };
        }
        let mut state = req.planned.clone();
        state.set("expired", req.prior.get("expired").clone());
        ApplyResponse { state: Some(state), private: req.private, diags: Diagnostics::default() }
    }
    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        self.def.delete(ctx, req).await
    }
    fn importer(&self) -> Option<&dyn ImportState> {
        self.def.importer()
    }
    fn upgrader(&self) -> Option<&dyn UpgradeState> {
        self.def.upgrader()
    }
}

// ---------------------------------------------------------------- data sources

fn out(name: &'static str, json: &'static str) -> Field {
    Field::string(name).computed().api(json, Codec::Plain)
}

fn created(fields: &mut Vec<Field>) {
    fields.push(out("created_by", "createdBy").desc("Creator (user email or API key)."));
    fields.push(out("created_date", "createdDate").desc("Creation time, an RFC 3339 timestamp as the API returns it."));
}

pub fn agent_pool_data() -> DataSourceDef {
    let mut fields = vec![
        Field::string("id").optional_computed().api("id", Codec::Plain).desc("Pool ID (this or `name`)."),
        Field::string("name").optional_computed().api("name", Codec::Plain).desc("Exact pool name (this or `id`)."),
        out("description", "description").desc("Description."),
        Field::bool("agents_enabled").computed().api("agentsEnabled", Codec::Plain).desc("Whether agents may connect."),
        Field::number("live_agents_count")
            .computed()
            .api("liveAgentsCount", Codec::Plain)
            .desc("Live agents in the pool."),
    ];
    created(&mut fields);
    DataSourceDef::new(
        "lightrun_agent_pool",
        "Looks up one agent pool by `id` or by exact `name` (exactly one of them).",
        fields,
        LookupOne {
            by_key: Some(Op::get("/agent-pools/{id}")),
            // The name filter may match partly: the lookup keeps the exact match.
            by_list: Some((pages(Op::get("/agent-pools").query(&[("name", "{name}")])), &["name"])),
            id_template: "{id}",
            noun: "agent pool",
        },
    )
    .exactly_one_of(&["id", "name"])
}

fn user_fields() -> Vec<Field> {
    vec![
        out("user_id", "id").desc("User UUID."),
        out("first_name", "firstName").desc("First name."),
        out("last_name", "lastName").desc("Last name."),
        Field::bool("enabled").computed().api("enabled", Codec::Plain).desc("Whether the user may log in."),
        out("user_management_type", "userManagementType").desc("Who manages the user: SYSTEM, SCIM, SAML_JIT or LDAP."),
    ]
}

pub fn user_data() -> DataSourceDef {
    let mut fields = vec![
        Field::string("email")
            .required()
            .semantic(Semantic::CaseInsensitive)
            .api("email", Codec::Plain)
            .desc("Email of the user, compared ignoring case."),
        Field::string("id").computed().desc("The email."),
    ];
    fields.extend(user_fields());
    fields.extend([
        string_set("roles").computed().api("roles", Codec::Plain).desc("Roles."),
        out("register_method", "registerMethod").desc("How the user registered: USER_PASS, SSO_GOOGLE, SCIM or LDAP."),
        out("last_login_date", "lastLoginDate").desc("Last login time (null if never)."),
        Field::list_of(
            "group_memberships",
            vec![
                Field::bool("group_admin")
                    .computed()
                    .api("groupAdmin", Codec::Plain)
                    .desc("Whether the user administers the group."),
                out("group_id", "groupId").desc("Group UUID."),
            ],
        )
        .computed()
        .api("groupMemberships", Codec::Plain)
        .desc("Groups the user belongs to (RBAC; empty with RBAC off)."),
        Field::list_of(
            "agent_pool_permissions",
            vec![
                out("agent_pool_id", "agentPoolId").desc("Agent pool."),
                string_list("permissions").computed().api("permissions", Codec::Plain).desc("STANDARD, IGNORE_QUOTA."),
            ],
        )
        .computed()
        .api("agentPoolPermissions", Codec::Plain)
        .desc("Permissions per agent pool (RBAC): STANDARD, IGNORE_QUOTA."),
    ]);
    created(&mut fields);
    object_lists(DataSourceDef::new(
        "lightrun_user",
        "Looks up one user by email, with group memberships and agent-pool permissions.",
        fields,
        LookupOne {
            by_key: Some(Op::get("/users/{email}").query(&[("includeAccessAndPermissions", "true")])),
            by_list: None,
            id_template: "{email}",
            noun: "user",
        },
    ))
}

/// A paged list whose `id` names its filters (`role=DEVELOPER,search=ali`; `all` without).
struct Filtered {
    list: PagedList,
    filters: &'static [&'static str],
}

#[async_trait]
impl crate::engine::datasource::DataSourceRead for Filtered {
    async fn read(
        &self,
        ctx: &Ctx,
        def: &DataSourceDef,
        config: &Value,
    ) -> Result<crate::engine::datasource::DataSourceResponse, Diagnostics> {
        let mut found = self.list.read(ctx, def, config).await?;
        let parts: Vec<String> =
            self.filters.iter().filter_map(|f| config.get(f).as_str().map(|v| format!("{f}={v}"))).collect();
        let id = if parts.is_empty() { "all".to_string() } else { parts.join(",") };
        found.state.set("id", Value::str(id));
        Ok(found)
    }
}

pub fn users_data() -> DataSourceDef {
    let mut item = vec![out("email", "email").desc("Email.")];
    item.extend(user_fields());
    item.push(string_list("roles").computed().api("roles", Codec::Plain).desc("Roles."));
    let list = PagedList {
        list: pages(Op::get("/users").query(&[("role", "{role}"), ("search", "{search}")])),
        output: "users",
        item_fields: item.clone(),
        id_template: "",
    };
    object_lists(DataSourceDef::new(
        "lightrun_users",
        "Lists users, optionally filtered by role or by a search string (name or email). Reads every page.",
        vec![
            Field::string("role").optional().validate(Validator::OneOf(USER_ROLES)).desc("Only users with this role."),
            Field::string("search").optional().desc("Only users whose name or email contains this text."),
            Field::string("id").computed().desc("Identifier of the result, from the filters (`all` without any)."),
            Field::list_of("users", item).computed().desc("Matching users, in API order."),
        ],
        Filtered { list, filters: &["role", "search"] },
    ))
}

pub fn group_data() -> DataSourceDef {
    let mut fields = vec![
        Field::string("id").optional_computed().api("id", Codec::Plain).desc("Group UUID (this or `name`)."),
        Field::string("name").optional_computed().api("name", Codec::Plain).desc("Exact group name (this or `id`)."),
        string_set("roles").computed().api("roles", Codec::Plain).desc("Roles the group grants on its pools."),
        string_set("agent_pool_ids").computed().api("agentPoolIds", Codec::Plain).desc("Agent pools of the group."),
        Field::bool("is_default")
            .computed()
            .api("default", Codec::Plain)
            .desc("Whether this is the built-in default group."),
        Field::number("member_count").computed().api("memberCount", Codec::Plain).desc("Number of members."),
        Field::list_of(
            "members",
            vec![
                string_list("effective_roles")
                    .computed()
                    .api("effectiveRoles", Codec::Plain)
                    .desc("Roles in effect (group roles plus elevated roles)."),
                string_list("elevated_roles")
                    .computed()
                    .api("elevatedRoles", Codec::Plain)
                    .desc("Extra roles of the member."),
                out("email", "email").desc("Member's email."),
                Field::bool("group_admin")
                    .computed()
                    .api("groupAdmin", Codec::Plain)
                    .desc("Whether the member administers the group."),
            ],
        )
        .computed()
        .api("members", Codec::Plain)
        .desc("Members."),
    ];
    created(&mut fields);
    object_lists(
        DataSourceDef::new(
            "lightrun_group",
            "Looks up one group by `id` or exact `name` (exactly one of them), with its members.",
            fields,
            LookupOne {
                by_key: Some(Op::get("/groups/{id}").query(&[("includeMembers", "true")])),
                by_list: Some((pages(Op::get("/groups").query(&[("includeMembers", "true")])), &["name"])),
                id_template: "{id}",
                noun: "group",
            },
        )
        .exactly_one_of(&["id", "name"]),
    )
}

pub fn jit_access_grants_data() -> DataSourceDef {
    let item = vec![
        string_list("agent_pool_ids").computed().api("agentPoolIds", Codec::Plain).desc("Agent pools."),
        out("expiration_date", "expirationDate").desc("End of the access (UTC)."),
        out("id", "id").desc("Grant ID."),
        out("incident_id", "incidentId").desc("Incident reference."),
        out("name", "name").desc("Grant name."),
        string_list("roles").computed().api("roles", Codec::Plain).desc("Roles granted."),
        string_list("user_emails").computed().api("userEmails", Codec::Plain).desc("Users with the access."),
    ];
    let list = PagedList {
        list: pages(Op::get("/temp-access")),
        output: "grants",
        item_fields: item.clone(),
        id_template: "jit_access_grants",
    };
    object_lists(DataSourceDef::new(
        "lightrun_jit_access_grants",
        "Lists active Just-In-Time access grants (expired or revoked ones are not listed). Reads every page.",
        vec![
            Field::string("id").computed().desc("Identifier of the result (`jit_access_grants`)."),
            Field::list_of("grants", item).computed().desc("Active grants, in API order."),
        ],
        list,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [watched_package(), jit_access_grant().def] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new(), "{}", r.schema.type_name);
        }
    }

    #[test]
    fn unnamed_grants_get_the_server_template() {
        let at = time::macros::datetime!(2026-03-04 05:06:07.089 UTC);
        assert_eq!(server_style_name(at), "Temp-Access-04032026-050607-089");
    }

    #[test]
    fn member_import_ids_are_group_slash_email() {
        let m = group_member();
        let key = m.import_key("0e2f7a84-6a47-4a71-9f0e-8d3cb1e2d9f0/alice@example.com").expect("valid");
        assert_eq!(key.get("email").as_str(), Some("alice@example.com"));
        assert_eq!(key.get("group_id").as_str(), Some("0e2f7a84-6a47-4a71-9f0e-8d3cb1e2d9f0"));
        for bad in ["alice@example.com", "/alice@example.com", "g/alice", "g/a@b/c"] {
            assert!(m.import_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_bulk_answer_names_its_first_failure() {
        let body =
            json!({"failures": [{"status": 404, "message": "User x not found", "payload": {}}], "successes": []});
        assert_eq!(bulk_failure(&body), Some((404, "User x not found".to_string())));
        assert_eq!(bulk_failure(&json!({"failures": [], "successes": ["a"]})), None);
    }

    #[test]
    fn every_field_is_described() {
        let mut all: Vec<Field> = group_member().schema.fields.clone();
        all.extend(watched_package().schema.fields);
        all.extend(jit_access_grant().def.schema.fields);
        for ds in [agent_pool_data(), user_data(), users_data(), group_data(), jit_access_grants_data()] {
            all.extend(ds.fields);
        }
        for f in all {
            assert!(!f.description.is_empty(), "{}", f.name);
        }
    }
}
