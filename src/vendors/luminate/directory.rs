//! Directory entities: `luminate_resources_group`, `luminate_group_user`, the role bindings
//! (`luminate_tenant_role`, `luminate_collection_role`, `luminate_site_role`) and the
//! `luminate_group`, `luminate_user`, `luminate_identity_provider` data sources.
//!
//! Groups and memberships are declarations. Role bindings are written by hand: a create
//! names its entity in an array with facts found elsewhere (the IdP's type, a display
//! name), the API has no request that reads one binding, and a delete sends an array of
//! ids.

use async_trait::async_trait;
use serde_json::{json, Value as J};

use super::entities::spring;
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::{DataSourceDef, DataSourceRead, DataSourceResponse, LookupOne};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::list::for_each_page;
use crate::engine::resource::{
    api_error_diag, ApplyRequest, ApplyResponse, Ctx, DeleteRequest, DeleteResponse, ImportState, ListSpec, Op,
    Operations, Paging, PlanRequest, PlanResponse, Private, ReadOp, ReadRequest, ReadResponse, Resource, ResourceDef,
    ResourceSchema, UpgradeState,
};
use crate::engine::schema::{Codec, Field, Validator};
use crate::engine::template::percent_encode;
use crate::engine::value::Value;

/// The root of the collection tree: the subject of tenant-wide role bindings (models
/// §3.8, §4.1).
const ROOT_COLLECTION_ID: &str = "6b21619f-f505-41ec-af1b-09350be40000";

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![
        Box::new(ResourcesGroup(resources_group_def())),
        Box::new(group_user()),
        Box::new(RoleBinding::new(Scope::Tenant)),
        Box::new(RoleBinding::new(Scope::Collection)),
        Box::new(RoleBinding::new(Scope::Site)),
    ]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![identity_provider_data_source(), group_data_source(), user_data_source()]
}

/// Identity-provider pages (UsersPage, GroupsPage): the answer's `nextPage` is passed
/// back as `pageOffset`, absent on the last page (models §2).
const fn idp_pages(op: Op) -> ListSpec {
    ListSpec::new(op, "content").paging(Paging::Token { param: "pageOffset", next_at: "nextPage" })
}

const IDENTITY_PROVIDERS: &str = "/identities/settings/identity-providers";

fn identity_providers() -> ListSpec {
    ListSpec::new(Op::get(IDENTITY_PROVIDERS).query(&[("includeLocal", "true")]), "")
}

fn text<'a>(v: &'a J, path: &str) -> &'a str {
    crate::engine::resource::ops::at(v, path).and_then(J::as_str).unwrap_or_default()
}

// ---------------------------------------------------------------- luminate_resources_group

fn resources_group_def() -> ResourceDef {
    let item = "/identities/{identity_provider_id}/groups/{id}";
    ResourceDef::new(
        "luminate_resources_group",
        "group",
        "{id}",
        Operations::crud(
            Op::post("/identities/{identity_provider_id}/groups").ok(&[201]),
            Op::get(item),
            None,
            Op::delete(item),
        )
        .lookup(
            &["name"],
            Some(idp_pages(Op::get("/identities/{identity_provider_id}/groups").query(&[("filter", "{name}")]))),
        ),
    )
    .id_from_api("id")
    .sdkv2_state()
    .desc("A group of an identity provider that holds its groups in Luminate (the local one, or a generic SAML one). Every argument replaces the group. Import it by its ID; the identity provider is found from the API.")
    .fields(vec![
        Field::string("name")
            .required()
            .replace()
            .api_create("name", Codec::Plain)
            .desc("Group name, unique within its identity provider. Changing it replaces the group."),
        Field::string("identity_provider_id")
            .required()
            .replace()
            .api("identity_provider_id", Codec::Plain)
            .desc("The identity provider holding the group: `local` for Luminate's own, or the ID of a generic SAML identity provider (see the `luminate_identity_provider` data source). Changing it replaces the group."),
    ])
}

/// `luminate_resources_group` with an import that needs only the group's ID: a read that
/// does not know the identity provider (after `terraform import`) asks each one.
struct ResourcesGroup(ResourceDef);

impl ResourcesGroup {
    /// The identity provider holding group `id`; `None` when none has it.
    async fn find_identity_provider(&self, ctx: &Ctx, id: &str) -> Result<Option<String>, Diagnostics> {
        let what = format!("group {id}");
        let mut idps: Vec<String> = Vec::new();
        for_each_page(ctx, &identity_providers(), &Value::Null, |items| {
            idps.extend(items.iter().map(|i| text(i, "id").to_string()).filter(|i| !i.is_empty()));
            false
        })
        .await
        .map_err(|e| api_error_diag("find the identity provider of", &what, e))?;
        for idp in idps {
            let path = format!("/identities/{}/groups/{}", percent_encode(&idp), percent_encode(id));
            match ctx.api.call(ApiRequest::get(path), &ctx.cancel).await {
                Ok(_) => return Ok(Some(idp)),
                Err(ApiError::NotFound(_)) => continue,
                Err(e) => return Err(api_error_diag("find the identity provider of", &what, e)),
            }
        }
        Ok(None)
    }
}

#[async_trait]
impl Resource for ResourcesGroup {
    fn schema(&self) -> &ResourceSchema {
        self.0.schema()
    }
    fn validate(&self, config: &Value) -> Diagnostics {
        self.0.validate(config)
    }
    fn plan(&self, req: PlanRequest<'_>) -> PlanResponse {
        self.0.plan(req)
    }
    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        self.0.create(ctx, req).await
    }
    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        let (Some(id), None) = (req.current.get("id").as_str(), req.current.get("identity_provider_id").as_str())
        else {
            return self.0.read(ctx, req).await;
        };
        match self.find_identity_provider(ctx, id).await {
            Ok(Some(idp)) => {
                let mut current = req.current.clone();
                current.set("identity_provider_id", Value::str(idp));
                self.0.read(ctx, ReadRequest { current: &current, private: req.private }).await
            }
            Ok(None) => ReadResponse { state: None, private: req.private, diags: Diagnostics::default() },
            Err(diags) => ReadResponse { state: Some(req.current.clone()), private: req.private, diags },
        }
    }
    async fn update(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        self.0.update(ctx, req).await
    }
    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        self.0.delete(ctx, req).await
    }
    fn importer(&self) -> Option<&dyn ImportState> {
        self.0.importer()
    }
    fn upgrader(&self) -> Option<&dyn UpgradeState> {
        self.0.upgrader()
    }
}

// ---------------------------------------------------------------- luminate_group_user

fn group_user() -> ResourceDef {
    let item = "/identities/local/groups/{group_id}/users/{user_id}";
    // The group's members, 100 a page as the Go provider asks.
    let members = idp_pages(Op::get("/identities/local/groups/{group_id}/users").query(&[("perPage", "100")]));
    ResourceDef::new(
        "luminate_group_user",
        "group membership",
        "{group_id}_{user_id}",
        // The PUT answers nothing to map: the engine finds the new member in the list.
        Operations::crud(Op::new(Method::Put, item), Op::get(item), None, Op::delete(item))
            .read(ReadOp::FromList { list: members, key: &["user_id"] })
            .lookup(&["user_id"], Some(members)),
    )
    .sdkv2_state()
    .desc("A user's membership of a group of the local identity provider. Both arguments replace the membership; a membership removed outside Terraform is planned to be added again.")
    .fields(vec![
        Field::string("group_id")
            .required()
            .replace()
            .validate(Validator::Uuid)
            .desc("The group (of the local identity provider), e.g. from `luminate_resources_group` or the `luminate_group` data source."),
        Field::string("user_id")
            .required()
            .replace()
            .validate(Validator::Uuid)
            .api("id", Codec::Plain)
            .desc("The user, e.g. from the `luminate_user` data source."),
    ])
}

// ---------------------------------------------------------------- role bindings

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scope {
    Tenant,
    Collection,
    Site,
}

const ENTITY_TYPES: &[&str] = &["User", "Group", "ApiClient"];

impl Scope {
    fn type_name(self) -> &'static str {
        match self {
            Scope::Tenant => "luminate_tenant_role",
            Scope::Collection => "luminate_collection_role",
            Scope::Site => "luminate_site_role",
        }
    }
    fn roles(self) -> &'static [&'static str] {
        match self {
            Scope::Tenant => &["TenantAdmin", "TenantViewer"],
            Scope::Collection => &["ApplicationOwner", "PolicyOwner"],
            Scope::Site => &["SiteEditor", "SiteConnectorDeployer"],
        }
    }
    fn create_path(self) -> &'static str {
        match self {
            Scope::Tenant => "/collection/tenant-role-bindings",
            Scope::Collection => "/collection/collection-role-bindings",
            Scope::Site => "/collection/site-role-bindings",
        }
    }
    /// The attribute naming the subject, and its JSON name in create bodies.
    fn subject_attr(self) -> Option<(&'static str, &'static str)> {
        match self {
            Scope::Tenant => None,
            Scope::Collection => Some(("collection_id", "collectionId")),
            Scope::Site => Some(("site_id", "siteId")),
        }
    }
    /// The list of this scope's bindings. `by_id`: narrowed by the subject only, as far
    /// as the key knows it (an import knows only the ID), so that a binding is found by
    /// its ID whatever else the API says of it; otherwise narrowed by role and entity too.
    fn list(self, by_id: bool) -> ListSpec {
        const TENANT: &[(&str, &str)] = &[
            ("subjectType", "Collection"),
            ("subjectId", ROOT_COLLECTION_ID),
            ("entityIdInIdp", "{entity_id}"),
            ("roleType", "{role_type}"),
        ];
        const COLLECTION: &[(&str, &str)] = &[
            ("subjectType", "Collection"),
            ("subjectId", "{collection_id}"),
            ("entityIdInIdp", "{entity_id}"),
            ("roleType", "{role_type}"),
        ];
        const SITE: &[(&str, &str)] = &[
            ("subjectType", "Site"),
            ("subjectId", "{site_id}"),
            ("entityIdInIdp", "{entity_id}"),
            ("roleType", "{role_type}"),
        ];
        let query = match self {
            Scope::Tenant => TENANT,
            Scope::Collection => COLLECTION,
            Scope::Site => SITE,
        };
        let query = if by_id { &query[..2] } else { query };
        spring(Op::get("/collection/role-bindings").query(query))
    }
}

/// A role granted to a user, group or API client on the tenant, a collection or a site.
pub struct RoleBinding {
    schema: ResourceSchema,
    scope: Scope,
}

impl RoleBinding {
    fn new(scope: Scope) -> RoleBinding {
        let mut schema = ResourceSchema::new(scope.type_name(), "role binding", "{id}");
        let (what, on) = match scope {
            Scope::Tenant => ("A tenant role", "the whole tenant"),
            Scope::Collection => ("A collection role", "one collection"),
            Scope::Site => ("A site role", "one site"),
        };
        schema.description = format!("{what}: a role on {on} granted to a user, group or API client (a role binding). The API cannot change a binding, so every argument replaces it. Import it by the role binding's ID; everything else is read from the API.");
        let roles = scope.roles().iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(" or ");
        schema.fields.extend([
            Field::string("role_type")
                .required()
                .replace()
                .validate(Validator::OneOf(scope.roles()))
                .desc(format!("The role: {roles}.")),
            Field::string("identity_provider_id")
                .required()
                .replace()
                .validate(NOT_EMPTY)
                .desc("The identity provider of the entity: `local`, or an ID from the `luminate_identity_provider` data source."),
            Field::string("entity_id")
                .required()
                .replace()
                .validate(NOT_EMPTY)
                .desc("The user, group or API client, by its identifier in its identity provider (e.g. from the `luminate_user` or `luminate_group` data source)."),
            Field::string("entity_type")
                .required()
                .replace()
                .validate(Validator::OneOf(ENTITY_TYPES))
                .desc("What `entity_id` names: `User`, `Group` or `ApiClient`."),
        ]);
        match scope {
            Scope::Tenant => {}
            Scope::Collection => schema.fields.push(
                Field::string("collection_id")
                    .required()
                    .replace()
                    .validate(Validator::Uuid)
                    .desc("The collection the role is granted on."),
            ),
            Scope::Site => schema.fields.push(
                Field::string("site_id")
                    .required()
                    .replace()
                    .validate(Validator::Uuid)
                    .desc("The site the role is granted on."),
            ),
        }
        RoleBinding { schema, scope }
    }

    fn what(&self, v: &Value) -> String {
        match v.get("id").as_str() {
            Some(id) => format!("role binding {id}"),
            None => format!(
                "{} role binding of {} {}",
                v.get("role_type").as_str().unwrap_or_default(),
                v.get("entity_type").as_str().unwrap_or_default(),
                v.get("entity_id").as_str().unwrap_or_default()
            ),
        }
    }

    /// The state of a binding as the API lists it (RoleBinding, models §4.7).
    fn state(&self, binding: &J) -> Value {
        self.state_over(&Value::Null, binding)
    }

    /// `base` with what the binding says: members the answer lacks keep `base`'s values.
    fn state_over(&self, base: &Value, binding: &J) -> Value {
        let mut out = Value::Object(Default::default());
        let set = |out: &mut Value, attr: &str, path: &str| {
            let v = text(binding, path);
            out.set(attr, if v.is_empty() { base.get(attr).clone() } else { Value::str(v) });
        };
        set(&mut out, "id", "id");
        set(&mut out, "role_type", "role.RoleType");
        set(&mut out, "identity_provider_id", "entity.identityProviderId");
        set(&mut out, "entity_id", "entity.identifierInProvider");
        set(&mut out, "entity_type", "entity.type");
        if let Some((attr, _)) = self.scope.subject_attr() {
            set(&mut out, attr, "resource.id");
        }
        out
    }

    /// Finds a binding of this scope: by `id` when `key` has one, otherwise the one with
    /// the key's role, entity and subject.
    async fn find(&self, ctx: &Ctx, key: &Value) -> Result<Option<J>, ApiError> {
        let id = key.get("id").as_str().map(str::to_string);
        let mut found = None;
        for_each_page(ctx, &self.scope.list(id.is_some()), key, |items| {
            found = items
                .iter()
                .find(|b| match &id {
                    Some(id) => text(b, "id") == id,
                    None => {
                        let s = self.state(b);
                        ["role_type", "identity_provider_id", "entity_id", "entity_type"]
                            .iter()
                            .chain(self.scope.subject_attr().iter().map(|(attr, _)| attr))
                            .all(|attr| s.get(attr) == key.get(attr))
                    }
                })
                .cloned();
            found.is_some()
        })
        .await?;
        Ok(found)
    }

    /// The directory entity of a create request: the IdP's type and the entity's display
    /// name come from the directory. The Go provider reads a *user* whatever the entity
    /// type; here a group's name is read for a group, and an API client goes without.
    async fn entity(&self, ctx: &Ctx, planned: &Value) -> Result<J, Diagnostics> {
        let idp = planned.get("identity_provider_id").as_str().unwrap_or_default();
        let entity_id = planned.get("entity_id").as_str().unwrap_or_default();
        let entity_type = planned.get("entity_type").as_str().unwrap_or_default();
        let what = self.what(planned);
        let mut idp_type = None;
        for_each_page(ctx, &identity_providers(), &Value::Null, |items| {
            idp_type = items.iter().find(|i| text(i, "id") == idp).map(|i| text(i, "provider").to_string());
            idp_type.is_some()
        })
        .await
        .map_err(|e| api_error_diag("create", &what, e))?;
        let Some(idp_type) = idp_type else {
            return Err(Diagnostics::attr_error(
                AttrPath::attr("identity_provider_id"),
                format!("No identity provider {idp:?}"),
                "The tenant has no identity provider with this ID. The `luminate_identity_provider` data source finds one by name.",
            ));
        };
        let (noun, path) = match entity_type {
            "User" => ("user", "users"),
            "Group" => ("group", "groups"),
            _ => ("", ""),
        };
        let mut entity = json!({
            "identifierInProvider": entity_id,
            "identityProviderId": idp,
            "identityProviderType": idp_type,
            "type": entity_type,
        });
        if !path.is_empty() {
            let req =
                ApiRequest::get(format!("/identities/{}/{path}/{}", percent_encode(idp), percent_encode(entity_id)));
            match ctx.api.call(req, &ctx.cancel).await {
                Ok(r) => {
                    let name = match entity_type {
                        "User" => format!("{} {}", text(&r.body, "first_name"), text(&r.body, "last_name")),
                        _ => text(&r.body, "name").to_string(),
                    };
                    if !name.trim().is_empty() {
                        entity["displayName"] = J::String(name.trim().to_string());
                    }
                }
                Err(ApiError::NotFound(_)) => {
                    return Err(Diagnostics::attr_error(
                        AttrPath::attr("entity_id"),
                        format!("No {noun} {entity_id:?} in identity provider {idp:?}"),
                        format!("The identity provider has no {noun} with this ID; check entity_id and entity_type."),
                    ))
                }
                Err(e) => return Err(api_error_diag("create", &what, e)),
            }
        }
        Ok(entity)
    }

    async fn create_binding(&self, ctx: &Ctx, planned: &Value) -> Result<J, Diagnostics> {
        let what = self.what(planned);
        let mut body = json!({
            "entities": [self.entity(ctx, planned).await?],
            "roleType": planned.get("role_type").as_str().unwrap_or_default(),
        });
        if let Some((attr, json)) = self.scope.subject_attr() {
            body[json] = J::String(planned.get(attr).as_str().unwrap_or_default().to_string());
        }
        let req = ApiRequest::new(Method::Post, self.scope.create_path()).body(body);
        let mut retried = false;
        loop {
            let failure = match ctx.api.call(req.clone(), &ctx.cancel).await {
                Ok(r) => match crate::engine::resource::ops::at(&r.body, "roleBindings.0") {
                    Some(b) if !text(b, "id").is_empty() => return Ok(b.clone()),
                    _ => None,
                },
                Err(e) if e.outcome_unknown() => Some(e),
                Err(e) => return Err(api_error_diag("create", &what, e)),
            };
            // No usable answer: the binding may exist. Adopt it if so; send again once
            // only when it provably does not.
            match self.find(ctx, planned).await {
                Ok(Some(b)) => return Ok(b),
                Ok(None) if !retried => retried = true,
                Ok(None) => {
                    let e = failure.unwrap_or_else(|| ApiError::Decode("the answer named no role binding".into()));
                    return Err(api_error_diag("create", &what, e));
                }
                Err(e) => return Err(api_error_diag("look up", &what, e)),
            }
        }
    }
}

#[async_trait]
impl Resource for RoleBinding {
    fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    async fn create(&self, ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        match self.create_binding(ctx, req.planned).await {
            Ok(binding) => ApplyResponse {
                state: Some(self.state_over(req.planned, &binding)),
                private: Private::default(),
                diags: Diagnostics::default(),
            },
            Err(diags) => ApplyResponse { state: None, private: Private::default(), diags },
        }
    }

    async fn read(&self, ctx: &Ctx, req: ReadRequest<'_>) -> ReadResponse {
        match self.find(ctx, req.current).await {
            Ok(Some(binding)) => {
                let role = text(&binding, "role.RoleType");
                if !self.scope.roles().contains(&role) {
                    let detail = format!(
                        "Role binding {} grants {role}, which is not a role of {}. Import it as the resource type of that role.",
                        text(&binding, "id"),
                        self.scope.type_name()
                    );
                    return ReadResponse {
                        state: Some(req.current.clone()),
                        private: req.private,
                        diags: Diagnostics::error("The role binding has another scope", detail),
                    };
                }
                let state = self.state_over(req.current, &binding);
                ReadResponse { state: Some(state), private: req.private, diags: Diagnostics::default() }
            }
            // Unlike the Go provider, a binding that is no longer listed is gone (removed
            // outside Terraform): the next plan creates it again.
            Ok(None) => ReadResponse { state: None, private: req.private, diags: Diagnostics::default() },
            Err(e) => ReadResponse {
                state: Some(req.current.clone()),
                private: req.private,
                diags: api_error_diag("read", &self.what(req.current), e),
            },
        }
    }

    /// Every argument replaces the binding: Terraform never plans an update.
    async fn update(&self, _ctx: &Ctx, req: ApplyRequest<'_>) -> ApplyResponse {
        ApplyResponse { state: Some(req.planned.clone()), private: req.private, diags: Diagnostics::default() }
    }

    async fn delete(&self, ctx: &Ctx, req: DeleteRequest<'_>) -> DeleteResponse {
        let Some(id) = req.prior.get("id").as_str() else { return DeleteResponse { diags: Diagnostics::default() } };
        let body = json!({"roleBindingIds": [id]});
        let request = ApiRequest::new(Method::Post, "/collection/role-bindings/delete").body(body).idempotent(true);
        let diags = match ctx.api.call(request, &ctx.cancel).await {
            Ok(_) | Err(ApiError::NotFound(_)) => Diagnostics::default(),
            Err(e) => api_error_diag("delete", &self.what(req.prior), e),
        };
        DeleteResponse { diags }
    }

    fn importer(&self) -> Option<&dyn ImportState> {
        Some(self)
    }
}

impl ImportState for RoleBinding {
    /// The import ID is the role binding's ID; the read finds everything else.
    fn import_key(&self, id: &str) -> Result<Value, Diagnostics> {
        if id.trim().is_empty() || id.contains('/') {
            return Err(Diagnostics::error(
                format!("Invalid import ID for {}", self.scope.type_name()),
                format!("Expected the role binding's ID, got {id:?}."),
            ));
        }
        let mut key = Value::Object(Default::default());
        for f in &self.schema.fields {
            key.set(f.name, Value::Null);
        }
        key.set("id", Value::str(id));
        Ok(key)
    }
}

// ---------------------------------------------------------------- data sources

fn identity_provider_data_source() -> DataSourceDef {
    let fields = vec![
        Field::string("id").computed().desc("The identity provider's name, as the Go provider sets it."),
        Field::string("identity_provider_name")
            .required()
            .api("name", Codec::Plain)
            .desc("The identity provider's name, exactly (`local` for Luminate's own)."),
        Field::string("identity_provider_id")
            .computed()
            .api("id", Codec::Plain)
            .desc("The identity provider's ID (`local` for Luminate's own)."),
    ];
    DataSourceDef::new(
        "luminate_identity_provider",
        "Looks up an identity provider (the local one included) by its exact name.",
        fields,
        LookupOne {
            by_key: None,
            by_list: Some((identity_providers(), &["identity_provider_name"])),
            id_template: "{identity_provider_name}",
            noun: "identity provider",
        },
    )
}

/// Finds the ID of each named directory entity of one identity provider, in order.
struct IdsByName {
    /// The identity provider's search; `{lookup}` is the name searched for.
    search: ListSpec,
    /// The answer's member that must equal the name.
    matched: &'static str,
    input: &'static str,
    output: &'static str,
    noun: &'static str,
    case_insensitive: bool,
}

#[async_trait]
impl DataSourceRead for IdsByName {
    async fn read(&self, ctx: &Ctx, _def: &DataSourceDef, config: &Value) -> Result<DataSourceResponse, Diagnostics> {
        let idp = config.get("identity_provider_id").as_str().unwrap_or_default().to_string();
        let mut ids = Vec::new();
        for (index, name) in config.get(self.input).string_items().into_iter().enumerate() {
            let mut scope = Value::Object(Default::default());
            scope.set("identity_provider_id", Value::str(idp.clone()));
            scope.set("lookup", Value::str(name.clone()));
            let what = format!("{} {name:?} of identity provider {idp:?}", self.noun);
            let same = |v: &str| if self.case_insensitive { v.eq_ignore_ascii_case(&name) } else { v == name };
            let mut found = None;
            // The Go provider looks at the first page only; every page is searched here.
            let searched = for_each_page(ctx, &self.search, &scope, |items| {
                found = items.iter().find(|o| same(text(o, self.matched))).map(|o| text(o, "id").to_string());
                found.is_some()
            })
            .await;
            match searched {
                Ok(()) => {}
                Err(ApiError::NotFound(_)) => {
                    return Err(Diagnostics::attr_error(
                        AttrPath::attr("identity_provider_id"),
                        format!("No identity provider {idp:?}"),
                        "The tenant has no identity provider with this ID. The `luminate_identity_provider` data source finds one by name.",
                    ))
                }
                Err(e) => return Err(api_error_diag("look up", &what, e)),
            }
            match found.filter(|id| !id.is_empty()) {
                Some(id) => ids.push(id),
                None => {
                    return Err(Diagnostics::attr_error(
                        AttrPath::attr(self.input).then_index(index as i64),
                        format!("No {what}"),
                        format!("The identity provider has no {} {name:?}.", self.noun),
                    ))
                }
            }
        }
        let mut out = config.clone();
        out.set(self.output, Value::string_list(ids));
        out.set("id", Value::str(idp));
        Ok(out.into())
    }
}

fn directory_fields(input: &'static str, output: &'static str, noun: &str, each: Validator) -> Vec<Field> {
    vec![
        Field::string("id").computed().desc("The identity provider's ID, as the Go provider sets it."),
        Field::string("identity_provider_id").required().validate(NOT_EMPTY).desc(
            "The identity provider to search: `local`, or an ID from the `luminate_identity_provider` data source.",
        ),
        Field::string_list(input)
            .required()
            .validate(Validator::MinItems(1))
            .validate(each)
            .desc(format!("The {noun}s to find.")),
        Field::string_list(output).computed().desc(format!("The IDs of the {noun}s, in the order of `{input}`.")),
    ]
}

const NOT_EMPTY: Validator = Validator::Custom { check: not_empty, describe: "Not empty." };

fn not_empty(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if !s.is_empty() => Ok(()),
        _ => Err("must not be empty".into()),
    }
}

fn each_not_empty(v: &Value) -> Result<(), String> {
    match v.string_items().iter().position(String::is_empty) {
        Some(i) => Err(format!("element {i} must not be empty")),
        None => Ok(()),
    }
}

/// `local@domain.tld`, without spaces: what an IdP can hold as an e-mail address.
fn each_email(v: &Value) -> Result<(), String> {
    for (i, s) in v.string_items().iter().enumerate() {
        let valid = s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
                && !s.chars().any(char::is_whitespace)
        });
        if !valid {
            return Err(format!("element {i} ({s:?}) is not an e-mail address"));
        }
    }
    Ok(())
}

fn group_data_source() -> DataSourceDef {
    let search = idp_pages(Op::get("/identities/{identity_provider_id}/groups").query(&[("filter", "{lookup}")]));
    DataSourceDef::new(
        "luminate_group",
        "Looks up groups of an identity provider by their exact names.",
        directory_fields(
            "groups",
            "group_ids",
            "group name",
            Validator::Custom { check: each_not_empty, describe: "Each element not empty." },
        ),
        IdsByName {
            search,
            matched: "name",
            input: "groups",
            output: "group_ids",
            noun: "group",
            case_insensitive: false,
        },
    )
}

fn user_data_source() -> DataSourceDef {
    let search = idp_pages(Op::get("/identities/{identity_provider_id}/users").query(&[("email", "{lookup}")]));
    DataSourceDef::new(
        "luminate_user",
        "Looks up users of an identity provider by their e-mail addresses (compared ignoring case).",
        directory_fields(
            "users",
            "user_ids",
            "user e-mail address",
            Validator::Custom { check: each_email, describe: "Each element an e-mail address." },
        ),
        IdsByName {
            search,
            matched: "email",
            input: "users",
            output: "user_ids",
            noun: "user",
            case_insensitive: true,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_make_no_promise_apply_cannot_keep() {
        for r in [resources_group_def(), group_user()] {
            assert_eq!(r.declaration_errors(), Vec::<String>::new());
        }
    }

    #[test]
    fn role_bindings_read_their_state_from_the_api_answer() {
        let binding = json!({
            "id": "b1",
            "role": {"RoleType": "SiteEditor"},
            "entity": {"identifierInProvider": "u1", "identityProviderId": "local", "type": "User"},
            "resource": {"id": "s1", "subjectType": "Site"},
            "Collection": {"id": ROOT_COLLECTION_ID},
        });
        let s = RoleBinding::new(Scope::Site).state(&binding);
        assert_eq!(s.get("site_id").as_str(), Some("s1"));
        assert_eq!(s.get("role_type").as_str(), Some("SiteEditor"));
        assert_eq!(s.get("entity_type").as_str(), Some("User"));
        let t = RoleBinding::new(Scope::Tenant).state(&binding);
        assert!(t.get("site_id").is_null() && t.get("collection_id").is_null());
    }

    #[test]
    fn import_ids_are_checked_locally() {
        let r = RoleBinding::new(Scope::Collection);
        assert!(r.import_key("").is_err());
        let key = r.import_key("3fa85f64-5717-4562-b3fc-2c963f66afa6").expect("key");
        assert!(key.get("collection_id").is_null());
        let g = group_user();
        assert!(g.import_key("not-a-uuid_also-not").is_err());
    }
}
