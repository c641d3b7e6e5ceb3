//! Identity providers, users and groups (a seeded directory), local group membership and
//! role bindings (models §3.6-§3.8, §4.7, §4.8).
//!
//! The seeded directory (see [`seed`]), with fixed ids so that tests, examples and demos
//! can name them:
//!
//! | identity provider | id | type | users | groups |
//! |---|---|---|---|---|
//! | `local` | `local` | `local` | alice@acme.example.com, bob@acme.example.com, carol@acme.example.com | `Developers` (alice), `Operators` |
//! | `Okta` | [`OKTA_IDP_ID`] | `okta` | dave@acme.example.com | `Engineering` (dave) |
//! | `Partners` | [`SAML_IDP_ID`] | `generic-saml` | erin@partner.example.com | – |
//!
//! and one API client, `terraform` ([`API_CLIENT_ID`], in the local IdP), the identity a
//! role binding of entity type `ApiClient` names. Groups can be created and deleted only
//! in the local and the generic-SAML IdPs ("only for local or generic-SAML IdPs", models
//! §3.6); membership can be changed only in the local IdP (the routes name `local`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::JsonBody;
use super::handlers::{collection_not_found, contains_ignoring_case, params, site_not_found, spring_page, QueryParams};
use super::store::{Kind, Store, ROOT_COLLECTION_ID};
use super::{Sim, SimError};

pub const LOCAL_IDP_ID: &str = "local";
pub const OKTA_IDP_ID: &str = "0b7c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4";
pub const SAML_IDP_ID: &str = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f70819";
pub const ALICE_ID: &str = "a11ce000-0000-4000-8000-000000000001";
pub const BOB_ID: &str = "b0b00000-0000-4000-8000-000000000002";
pub const CAROL_ID: &str = "ca201000-0000-4000-8000-000000000003";
pub const DAVE_ID: &str = "da7e0000-0000-4000-8000-000000000004";
pub const ERIN_ID: &str = "e2140000-0000-4000-8000-000000000005";
pub const DEVELOPERS_GROUP_ID: &str = "9d000000-0000-4000-8000-0000000000d1";
pub const OPERATORS_GROUP_ID: &str = "9d000000-0000-4000-8000-0000000000d2";
pub const ENGINEERING_GROUP_ID: &str = "9d000000-0000-4000-8000-0000000000d3";
pub const API_CLIENT_ID: &str = "ac000000-0000-4000-8000-0000000000c1";

/// When the seeded objects were made: server-set dates are RFC 3339 strings (models §2).
const SEEDED_AT: &str = "2024-01-15T09:00:00Z";

/// Identity provider types (enum IdentityProviderType, models §4.1).
const IDP_TYPES: &[&str] = &["local", "ad", "okta", "adfs", "gapps", "onelogin", "generic-saml"];
/// IdP types whose groups the API creates and deletes (models §3.6).
const GROUP_WRITABLE_IDP_TYPES: &[&str] = &["local", "generic-saml"];
/// Directory entity types (enum EntityType, models §4.1).
const ENTITY_TYPES: &[&str] = &["User", "Group", "ApiClient"];

/// Identity-provider pages: "default 50, max 100" like the Spring ones (models §2).
const DEFAULT_PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 100;

/// Role types by scope (TenantRoleType, CollectionRoleType, SiteRoleType, models §4.1),
/// with the display names of the roles (guesses: the documents give only the types).
const TENANT_ROLES: &[&str] = &["TenantAdmin", "TenantViewer"];
const COLLECTION_ROLES: &[&str] = &["ApplicationOwner", "PolicyOwner"];
const SITE_ROLES: &[&str] = &["SiteEditor", "SiteConnectorDeployer"];

fn role_json(role_type: &str) -> Value {
    let (id, name) = match role_type {
        "TenantAdmin" => ("7a000000-0000-4000-8000-000000000001", "Tenant Admin"),
        "TenantViewer" => ("7a000000-0000-4000-8000-000000000002", "Tenant Viewer"),
        "ApplicationOwner" => ("7a000000-0000-4000-8000-000000000003", "Application Owner"),
        "PolicyOwner" => ("7a000000-0000-4000-8000-000000000004", "Policy Owner"),
        "SiteEditor" => ("7a000000-0000-4000-8000-000000000005", "Site Editor"),
        _ => ("7a000000-0000-4000-8000-000000000006", "Site Connector Deployer"),
    };
    json!({"id": id, "name": name, "RoleType": role_type})
}

pub fn routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/v2/identities/settings/identity-providers", get(list_identity_providers))
        .route("/v2/identities/{idp}/groups", get(search_groups).post(create_group))
        .route("/v2/identities/{idp}/groups/{group_id}", get(get_group).delete(delete_group))
        .route("/v2/identities/{idp}/groups/{group_id}/users", get(group_users))
        .route("/v2/identities/{idp}/groups/{group_id}/users/{user_id}", put(assign_user).delete(remove_user))
        .route("/v2/identities/{idp}/users", get(search_users))
        .route("/v2/identities/{idp}/users/{user_id}", get(get_user))
        .route("/v2/collection/tenant-role-bindings", post(create_tenant_role_bindings))
        .route("/v2/collection/collection-role-bindings", post(create_collection_role_bindings))
        .route("/v2/collection/site-role-bindings", post(create_site_role_bindings))
        .route("/v2/collection/role-bindings", get(list_role_bindings))
        .route("/v2/collection/role-bindings/delete", post(delete_role_bindings))
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| SEEDED_AT.to_string())
}

// ---------------------------------------------------------------------------------------
// The seed

fn idp_json(id: &str, name: &str, provider: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "provider": provider,
        "is_authenticator": true,
        "is_user_store": true,
        "created_at": SEEDED_AT,
        "updated_at": SEEDED_AT,
    })
}

fn user_json(id: &str, idp: &str, idp_type: &str, email: &str, first: &str, last: &str) -> Value {
    json!({
        "id": id,
        "identity_provider_id": idp,
        "username": email,
        "notification_email": email,
        "upn": email,
        "first_name": first,
        "last_name": last,
        "email": email,
        "created_at": SEEDED_AT,
        "updated_at": SEEDED_AT,
        "last_login": SEEDED_AT,
        "logins_count": 3,
        "repository_type": idp_type,
        "is_admin": false,
        "is_deleted": false,
        "blocked": false,
        "hasMfaSecret": false,
    })
}

fn group_json(id: &str, idp: &str, idp_type: &str, name: &str, at: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "repository_type": idp_type,
        "identity_provider_id": idp,
        "created_at": at,
        "updated_at": at,
    })
}

/// Fills a fresh tenant's directory (the table in this module's documentation).
pub fn seed(store: &mut Store) {
    store.insert(Kind::IdentityProvider, idp_json(LOCAL_IDP_ID, "local", "local"));
    store.insert(Kind::IdentityProvider, idp_json(OKTA_IDP_ID, "Okta", "okta"));
    store.insert(Kind::IdentityProvider, idp_json(SAML_IDP_ID, "Partners", "generic-saml"));
    let users = [
        (ALICE_ID, LOCAL_IDP_ID, "local", "alice@acme.example.com", "Alice", "Archer"),
        (BOB_ID, LOCAL_IDP_ID, "local", "bob@acme.example.com", "Bob", "Baker"),
        (CAROL_ID, LOCAL_IDP_ID, "local", "carol@acme.example.com", "Carol", "Cole"),
        (DAVE_ID, OKTA_IDP_ID, "okta", "dave@acme.example.com", "Dave", "Dunn"),
        (ERIN_ID, SAML_IDP_ID, "generic-saml", "erin@partner.example.com", "Erin", "Ellis"),
    ];
    for (id, idp, idp_type, email, first, last) in users {
        store.insert(Kind::User, user_json(id, idp, idp_type, email, first, last));
    }
    store.insert(Kind::Group, group_json(DEVELOPERS_GROUP_ID, LOCAL_IDP_ID, "local", "Developers", SEEDED_AT));
    store.insert(Kind::Group, group_json(OPERATORS_GROUP_ID, LOCAL_IDP_ID, "local", "Operators", SEEDED_AT));
    store.insert(Kind::Group, group_json(ENGINEERING_GROUP_ID, OKTA_IDP_ID, "okta", "Engineering", SEEDED_AT));
    store.memberships.insert((DEVELOPERS_GROUP_ID.to_string(), ALICE_ID.to_string()));
    store.memberships.insert((ENGINEERING_GROUP_ID.to_string(), DAVE_ID.to_string()));
}

/// The API clients of the tenant (id, name): not listed by any documented route, only
/// named by role bindings.
const API_CLIENTS: &[(&str, &str)] = &[(API_CLIENT_ID, "terraform")];

// ---------------------------------------------------------------------------------------
// Lookups shared by the handlers

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The string at a dotted path (`entity.type`), `""` when absent.
fn dotted<'a>(v: &'a Value, path: &str) -> &'a str {
    path.split('.').try_fold(v, |cur, key| cur.get(key)).and_then(Value::as_str).unwrap_or_default()
}

fn idp_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Identity provider {id} not found"))
}

fn group_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Group {id} not found"))
}

fn user_not_found(id: &str) -> SimError {
    SimError::not_found(format!("User {id} not found"))
}

/// The IdP and its type (`provider`).
fn idp_type(store: &Store, idp: &str) -> Result<String, SimError> {
    let found = store.get(Kind::IdentityProvider, idp).ok_or_else(|| idp_not_found(idp))?;
    Ok(text(&found.body, "provider").to_string())
}

/// The answer of a GET of one group or user: a 404 in the identity provider's wording
/// when the provider is unknown, in the kind's wording when the object is.
fn one_in_idp(
    sim: &Sim,
    kind: Kind,
    idp: &str,
    id: &str,
    not_found: fn(&str) -> SimError,
) -> Result<Json<Value>, SimError> {
    let store = sim.store();
    idp_type(&store, idp)?;
    in_idp(&store, kind, idp, id).cloned().map(Json).ok_or_else(|| not_found(id))
}

/// An object of `kind` that belongs to `idp`.
fn in_idp<'a>(store: &'a Store, kind: Kind, idp: &str, id: &str) -> Option<&'a Value> {
    store.get(kind, id).map(|o| &o.body).filter(|b| text(b, "identity_provider_id") == idp)
}

/// Identity-provider pages (UsersPage, GroupsPage, models §2): `pageOffset` is where the
/// page starts (for these IdPs a count of items; the documents say its type depends on
/// the IdP), `perPage` the page size; `nextPage` is the offset to pass back, absent on the
/// last page. `totalElements` is, as documented, the "number of elements included in the
/// response" (the Go provider's membership read stops on 0, models §3.7).
fn idp_page(items: Vec<Value>, params: &HashMap<String, String>) -> Result<Value, SimError> {
    let offset = match params.get("pageOffset") {
        None => 0,
        Some(text) => text
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0)
            .map(|n| n as usize)
            .ok_or_else(|| SimError::invalid(format!("pageOffset: {text:?} is not a valid offset")))?,
    };
    let per_page = params
        .get("perPage")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(DEFAULT_PER_PAGE)
        .min(MAX_PER_PAGE);
    let total = items.len();
    let content: Vec<Value> = items.into_iter().skip(offset).take(per_page).collect();
    let last = offset.saturating_add(content.len()) >= total;
    let mut page = json!({
        "perPage": content.len(),
        "first": offset == 0,
        "last": last,
        "size": per_page,
        "totalElements": content.len(),
        "content": content,
    });
    if !last {
        page["nextPage"] = json!(offset + per_page);
    }
    Ok(page)
}

// ---------------------------------------------------------------------------------------
// Identity providers (models §3.6, §4.8)

/// ListIdentityProviders: a plain array. `includeLocal=true` adds the local IdP; without
/// it the local one is left out (what the parameter's name says; the documents do not
/// state the default).
async fn list_identity_providers(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let include_local = match params.get("includeLocal").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return Err(SimError::invalid(format!("includeLocal: {other:?} is not a boolean"))),
    };
    let idps: Vec<Value> = sim
        .store()
        .of_kind(Kind::IdentityProvider)
        .filter(|o| include_local || text(&o.body, "provider") != "local")
        .map(|o| o.body.clone())
        .collect();
    Ok(Json(Value::Array(idps)))
}

// ---------------------------------------------------------------------------------------
// Groups (models §3.6, §4.8)

/// SearchGroupsByTheIdP: `filter` matches names by substring, ignoring case (as the
/// Spring lists' filter does, seed 001); ordered by name.
async fn search_groups(
    State(sim): State<Arc<Sim>>,
    Path(idp): Path<String>,
    query: QueryParams,
) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let store = sim.store();
    idp_type(&store, &idp)?;
    let filter = params.get("filter").cloned().unwrap_or_default();
    let mut groups: Vec<Value> = store
        .of_kind(Kind::Group)
        .filter(|g| text(&g.body, "identity_provider_id") == idp && contains_ignoring_case(g.name(), &filter))
        .map(|g| g.body.clone())
        .collect();
    groups.sort_by(|a, b| text(a, "name").cmp(text(b, "name")));
    Ok(Json(idp_page(groups, &params)?))
}

async fn get_group(
    State(sim): State<Arc<Sim>>,
    Path((idp, group)): Path<(String, String)>,
) -> Result<Json<Value>, SimError> {
    one_in_idp(&sim, Kind::Group, &idp, &group, group_not_found)
}

#[derive(Deserialize)]
struct GroupBody {
    name: Option<String>,
}

/// CreateAGroup: 201 with the group. Refused with 400 for IdPs whose groups live
/// elsewhere (models §3.6: local and generic-SAML only) and for a blank name. A name the
/// IdP already has is refused with 400 as well: 409 is not among the documented errors
/// of this operation (400, 401, 403, 404, 500), and two groups of one name could not be
/// told apart by the lookups that search by name.
async fn create_group(
    State(sim): State<Arc<Sim>>,
    Path(idp): Path<String>,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let mut store = sim.store();
    let kind = idp_type(&store, &idp)?;
    if !GROUP_WRITABLE_IDP_TYPES.contains(&kind.as_str()) {
        return Err(SimError::bad_request(format!(
            "Groups of identity provider {idp} ({kind}) are managed in the identity provider, not here"
        )));
    }
    let name = match body.name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => return Err(SimError::invalid("name: must not be blank")),
    };
    let taken = store.of_kind(Kind::Group).any(|g| text(&g.body, "identity_provider_id") == idp && g.name() == name);
    if taken {
        return Err(SimError::invalid(format!("name: a group named {name:?} already exists")));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let group = store.insert(Kind::Group, group_json(&id, &idp, &kind, &name, &now()));
    Ok((StatusCode::CREATED, Json(group)))
}

/// DeleteAGroup: 204 (no success status is documented; as the other deletes). The
/// group's memberships and role bindings go with it (see `Store::remove`).
async fn delete_group(
    State(sim): State<Arc<Sim>>,
    Path((idp, group)): Path<(String, String)>,
) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let kind = idp_type(&store, &idp)?;
    in_idp(&store, Kind::Group, &idp, &group).ok_or_else(|| group_not_found(&group))?;
    if !GROUP_WRITABLE_IDP_TYPES.contains(&kind.as_str()) {
        return Err(SimError::bad_request(format!(
            "Groups of identity provider {idp} ({kind}) are managed in the identity provider, not here"
        )));
    }
    store.remove(&group);
    Ok(StatusCode::NO_CONTENT)
}

/// ListAGroupsAssignedUsers: the group's users in identity-provider pages, by e-mail.
async fn group_users(
    State(sim): State<Arc<Sim>>,
    Path((idp, group)): Path<(String, String)>,
    query: QueryParams,
) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let store = sim.store();
    idp_type(&store, &idp)?;
    in_idp(&store, Kind::Group, &idp, &group).ok_or_else(|| group_not_found(&group))?;
    let mut users: Vec<Value> = store
        .members_of(&group)
        .iter()
        .filter_map(|user| store.get(Kind::User, user).map(|u| u.body.clone()))
        .collect();
    users.sort_by(|a, b| text(a, "email").cmp(text(b, "email")));
    Ok(Json(idp_page(users, &params)?))
}

/// Membership routes exist for the local IdP only (`/identities/local/groups/...`,
/// models §3.7); another IdP's path is no route at all.
fn local_only(idp: &str) -> Result<(), SimError> {
    if idp == LOCAL_IDP_ID {
        return Ok(());
    }
    Err(SimError::not_found("No handler found"))
}

/// AssignAUserToAGroup: 204 (no success status is documented). The group must be a local
/// one; the user may come from any IdP (the documents do not restrict it). Assigning a
/// member again changes nothing and succeeds: it is a PUT.
async fn assign_user(
    State(sim): State<Arc<Sim>>,
    Path((idp, group, user)): Path<(String, String, String)>,
) -> Result<StatusCode, SimError> {
    local_only(&idp)?;
    let mut store = sim.store();
    in_idp(&store, Kind::Group, &idp, &group).ok_or_else(|| group_not_found(&group))?;
    store.get(Kind::User, &user).ok_or_else(|| user_not_found(&user))?;
    store.memberships.insert((group, user));
    Ok(StatusCode::NO_CONTENT)
}

/// RemoveAUserFromAGroup: 204; 404 when the user is not a member.
async fn remove_user(
    State(sim): State<Arc<Sim>>,
    Path((idp, group, user)): Path<(String, String, String)>,
) -> Result<StatusCode, SimError> {
    local_only(&idp)?;
    let mut store = sim.store();
    in_idp(&store, Kind::Group, &idp, &group).ok_or_else(|| group_not_found(&group))?;
    if !store.memberships.remove(&(group.clone(), user.clone())) {
        return Err(SimError::not_found(format!("User {user} is not a member of group {group}")));
    }
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------
// Users (models §3.6, §4.8)

/// SearchUsersByIdP: `email` matches by substring and `filter` matches the user name,
/// e-mail and first and last names by substring, both ignoring case; ordered by e-mail.
async fn search_users(
    State(sim): State<Arc<Sim>>,
    Path(idp): Path<String>,
    query: QueryParams,
) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let store = sim.store();
    idp_type(&store, &idp)?;
    let email = params.get("email").cloned().unwrap_or_default();
    let filter = params.get("filter").cloned().unwrap_or_default();
    let mut users: Vec<Value> = store
        .of_kind(Kind::User)
        .map(|u| &u.body)
        .filter(|u| text(u, "identity_provider_id") == idp && contains_ignoring_case(text(u, "email"), &email))
        .filter(|u| {
            ["username", "email", "first_name", "last_name"].iter().any(|k| contains_ignoring_case(text(u, k), &filter))
        })
        .cloned()
        .collect();
    users.sort_by(|a, b| text(a, "email").cmp(text(b, "email")));
    Ok(Json(idp_page(users, &params)?))
}

async fn get_user(
    State(sim): State<Arc<Sim>>,
    Path((idp, user)): Path<(String, String)>,
) -> Result<Json<Value>, SimError> {
    one_in_idp(&sim, Kind::User, &idp, &user, user_not_found)
}

// ---------------------------------------------------------------------------------------
// Role bindings (models §3.8, §4.7)

/// A directory entity of a create request (DirectoryEntity, models §4.7).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntityBody {
    identifier_in_provider: Option<String>,
    identity_provider_id: Option<String>,
    identity_provider_type: Option<String>,
    #[serde(rename = "type")]
    entity_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleBindingsBody {
    entities: Option<Vec<EntityBody>>,
    role_type: Option<String>,
    collection_id: Option<String>,
    site_id: Option<String>,
}

#[derive(Clone, Copy)]
enum Scope {
    Tenant,
    Collection,
    Site,
}

/// The subject a binding is granted on, as `resource` and `Collection` show it.
struct Subject {
    resource: Value,
    collection: Value,
}

fn subject(store: &Store, scope: Scope, body: &RoleBindingsBody) -> Result<Subject, SimError> {
    let collection = |id: &str| -> Result<Value, SimError> {
        store.get(Kind::Collection, id).map(|c| c.body.clone()).ok_or_else(|| collection_not_found(id))
    };
    let required = |value: &Option<String>, key: &str| match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v.to_string()),
        _ => Err(SimError::invalid(format!("{key}: must not be empty"))),
    };
    match scope {
        Scope::Tenant => {
            let root = collection(ROOT_COLLECTION_ID)?;
            Ok(Subject { resource: resource_json(&root, "Collection", ROOT_COLLECTION_ID), collection: root })
        }
        Scope::Collection => {
            let found = collection(&required(&body.collection_id, "collectionId")?)?;
            Ok(Subject { resource: resource_json(&found, "Collection", text(&found, "id")), collection: found })
        }
        Scope::Site => {
            let id = required(&body.site_id, "siteId")?;
            let site = store.get(Kind::Site, &id).map(|s| s.body.clone()).ok_or_else(|| site_not_found(&id))?;
            // A site may be linked to several collections; its roles hold wherever it is
            // linked, so the binding's collection is the root (a guess: the documents do
            // not say which collection a site binding names).
            let root = collection(ROOT_COLLECTION_ID)?;
            Ok(Subject { resource: resource_json(&site, "Site", ROOT_COLLECTION_ID), collection: root })
        }
    }
}

/// A binding's `resource` (Resource, models §4.7).
fn resource_json(object: &Value, subject_type: &str, collection: &str) -> Value {
    json!({
        "id": text(object, "id"),
        "collectionID": collection,
        "name": text(object, "name"),
        "subjectType": subject_type,
    })
}

/// Checks one entity of a create request and answers it as the API shows it, with its
/// display name and IdP type filled in. Unknown IdPs and entities are 404 (documented
/// for the create operations); malformed entities 400.
fn entity(store: &Store, e: &EntityBody) -> Result<Value, SimError> {
    let entity_type = e.entity_type.as_deref().unwrap_or_default();
    if !ENTITY_TYPES.contains(&entity_type) {
        return Err(SimError::invalid(format!(
            "entities.type: {entity_type:?} must be one of {}",
            ENTITY_TYPES.join(", ")
        )));
    }
    let (Some(idp), Some(id)) = (
        e.identity_provider_id.as_deref().filter(|s| !s.is_empty()),
        e.identifier_in_provider.as_deref().filter(|s| !s.is_empty()),
    ) else {
        return Err(SimError::invalid("entities: identityProviderId and identifierInProvider must not be empty"));
    };
    let kind = idp_type(store, idp)?;
    if let Some(given) = e.identity_provider_type.as_deref() {
        if !IDP_TYPES.contains(&given) || given != kind {
            return Err(SimError::invalid(format!(
                "entities.identityProviderType: {given:?} is not the type of identity provider {idp} ({kind})"
            )));
        }
    }
    let display_name = match entity_type {
        "User" => {
            let user = in_idp(store, Kind::User, idp, id).ok_or_else(|| user_not_found(id))?;
            format!("{} {}", text(user, "first_name"), text(user, "last_name")).trim().to_string()
        }
        "Group" => text(in_idp(store, Kind::Group, idp, id).ok_or_else(|| group_not_found(id))?, "name").to_string(),
        _ => match API_CLIENTS.iter().find(|(client, _)| *client == id && idp == LOCAL_IDP_ID) {
            Some((_, name)) => name.to_string(),
            None => return Err(SimError::not_found(format!("API client {id} not found"))),
        },
    };
    Ok(json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "identifierInProvider": id,
        "identityProviderId": idp,
        "identityProviderType": kind,
        "type": entity_type,
        "displayName": display_name,
    }))
}

/// The part of a binding that makes it unique: role, subject and entity.
fn binding_key(binding: &Value) -> (String, String, String, String) {
    let s = |path: &str| dotted(binding, path).to_string();
    (s("role.RoleType"), s("resource.id"), s("entity.identityProviderId"), s("entity.identifierInProvider"))
}

/// The three create operations: 201 `{"roleBindings": [...]}`, one binding per entity.
/// All or nothing: every entity is checked before any binding is stored. A binding that
/// exists already (same role, subject and entity) is refused with 400, since 409 is not
/// among the documented errors (400, 401, 403, 404).
fn create_role_bindings(
    sim: &Sim,
    scope: Scope,
    body: RoleBindingsBody,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let allowed = match scope {
        Scope::Tenant => TENANT_ROLES,
        Scope::Collection => COLLECTION_ROLES,
        Scope::Site => SITE_ROLES,
    };
    let role_type = body.role_type.as_deref().unwrap_or_default();
    if !allowed.contains(&role_type) {
        return Err(SimError::invalid(format!("roleType: {role_type:?} must be one of {}", allowed.join(", "))));
    }
    let entities = body.entities.as_deref().unwrap_or_default();
    if entities.is_empty() {
        return Err(SimError::invalid("entities: must not be empty"));
    }
    let mut store = sim.store();
    let subject = subject(&store, scope, &body)?;
    let created_at = now();
    let mut bindings = Vec::with_capacity(entities.len());
    for e in entities {
        let binding = json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "createdAt": created_at,
            "role": role_json(role_type),
            "Collection": subject.collection,
            "entity": entity(&store, e)?,
            "resource": subject.resource,
        });
        let key = binding_key(&binding);
        let exists = store.of_kind(Kind::RoleBinding).any(|b| binding_key(&b.body) == key)
            || bindings.iter().any(|b| binding_key(b) == key);
        if exists {
            return Err(SimError::invalid(format!(
                "entities: {} {} already has the role {role_type} on {}",
                text(&binding["entity"], "type"),
                key.3,
                key.1
            )));
        }
        bindings.push(binding);
    }
    for binding in &bindings {
        store.insert(Kind::RoleBinding, binding.clone());
    }
    Ok((StatusCode::CREATED, Json(json!({"roleBindings": bindings}))))
}

async fn create_tenant_role_bindings(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<RoleBindingsBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    create_role_bindings(&sim, Scope::Tenant, body)
}

async fn create_collection_role_bindings(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<RoleBindingsBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    create_role_bindings(&sim, Scope::Collection, body)
}

async fn create_site_role_bindings(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<RoleBindingsBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    create_role_bindings(&sim, Scope::Site, body)
}

/// ListRoleBindings: a Spring page, filtered by every parameter given (exact matches,
/// except the names, which match by substring ignoring case). Enumerated parameters
/// with values outside their enum are 400, as Spring answers an unconvertible enum.
async fn list_role_bindings(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = params(query)?;
    let enums: [(&str, &[&str]); 3] = [
        (
            "roleType",
            &["TenantAdmin", "TenantViewer", "SiteEditor", "SiteConnectorDeployer", "ApplicationOwner", "PolicyOwner"],
        ),
        ("entityType", ENTITY_TYPES),
        ("subjectType", &["Site", "App", "Policy", "Collection"]),
    ];
    for (key, allowed) in enums {
        if let Some(value) = params.get(key).filter(|v| !allowed.contains(&v.as_str())) {
            return Err(SimError::invalid(format!("{key}: {value:?} must be one of {}", allowed.join(", "))));
        }
    }
    let exact = [
        ("roleType", "role.RoleType"),
        ("entityType", "entity.type"),
        ("entityIdInIdp", "entity.identifierInProvider"),
        ("subjectType", "resource.subjectType"),
        ("subjectId", "resource.id"),
    ];
    let like = [("entityName", "entity.displayName"), ("subjectName", "resource.name")];
    let at = |b: &Value, path: &str| dotted(b, path).to_string();
    let bindings: Vec<Value> = sim
        .store()
        .of_kind(Kind::RoleBinding)
        .map(|b| &b.body)
        .filter(|b| exact.iter().all(|(key, path)| params.get(*key).is_none_or(|want| at(b, path) == *want)))
        .filter(|b| {
            like.iter()
                .all(|(key, path)| params.get(*key).is_none_or(|want| contains_ignoring_case(&at(b, path), want)))
        })
        .cloned()
        .collect();
    Ok(Json(spring_page(bindings, &params)))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeleteBindingsBody {
    role_binding_ids: Option<Vec<String>>,
}

/// DeleteARoleBinding: 204 (no success status is documented); 400 for an empty list, 404
/// (documented) when any id is unknown, and then nothing is deleted.
async fn delete_role_bindings(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<DeleteBindingsBody>,
) -> Result<StatusCode, SimError> {
    let ids = body.role_binding_ids.unwrap_or_default();
    if ids.is_empty() {
        return Err(SimError::invalid("roleBindingIds: must not be empty"));
    }
    let mut store = sim.store();
    if let Some(unknown) = ids.iter().find(|id| store.get(Kind::RoleBinding, id).is_none()) {
        return Err(SimError::not_found(format!("Role binding {unknown} not found")));
    }
    for id in &ids {
        store.remove(id);
    }
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Method, Request};
    use tower::ServiceExt as _;

    use super::super::{router, SimConfig, DEFAULT_COLLECTION_ID};
    use super::*;

    async fn send(app: &Router, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut request =
            Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let body = body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty);
        let response = app.clone().oneshot(request.body(body).expect("request")).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON") })
    }

    /// A simulator without rate limit and a valid token for it.
    fn tenant() -> (Arc<Sim>, Router, String) {
        let sim = Sim::new(SimConfig { rate_limit_per_sec: 0, ..SimConfig::default() });
        let token = "directory-test-token".to_string();
        sim.store().tokens.insert(token.clone(), std::time::Instant::now() + std::time::Duration::from_secs(600));
        (sim.clone(), router(sim), token)
    }

    fn ids(page: &Value) -> Vec<String> {
        page["content"].as_array().into_iter().flatten().map(|o| text(o, "id").to_string()).collect()
    }

    #[tokio::test]
    async fn identity_providers_list_the_local_one_only_when_asked() {
        let (_, app, t) = tenant();
        let (status, all) =
            send(&app, Method::GET, "/v2/identities/settings/identity-providers?includeLocal=true", &t, None).await;
        assert_eq!(status, StatusCode::OK);
        let local = all.as_array().and_then(|a| a.iter().find(|i| i["id"] == "local")).cloned().expect("local");
        assert_eq!((local["name"].as_str(), local["provider"].as_str()), (Some("local"), Some("local")));
        let (_, without) = send(&app, Method::GET, "/v2/identities/settings/identity-providers", &t, None).await;
        assert_eq!(without.as_array().map(Vec::len), Some(2));
        let (status, _) =
            send(&app, Method::GET, "/v2/identities/settings/identity-providers?includeLocal=yes", &t, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn groups_are_searched_created_and_deleted_where_the_idp_allows() {
        let (_, app, t) = tenant();
        let (_, found) = send(&app, Method::GET, "/v2/identities/local/groups?filter=velop", &t, None).await;
        assert_eq!(ids(&found), [DEVELOPERS_GROUP_ID]);
        assert_eq!(found["last"], true);
        let (status, created) =
            send(&app, Method::POST, "/v2/identities/local/groups", &t, Some(json!({"name": "Auditors"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(
            (created["identity_provider_id"].as_str(), created["repository_type"].as_str()),
            (Some("local"), Some("local"))
        );
        let id = text(&created, "id").to_string();
        let (status, got) = send(&app, Method::GET, &format!("/v2/identities/local/groups/{id}"), &t, None).await;
        assert_eq!((status, got["name"].as_str()), (StatusCode::OK, Some("Auditors")));
        // Same name again, a blank name, an IdP that owns its groups, an unknown IdP.
        for (path, body, want) in [
            ("/v2/identities/local/groups", json!({"name": "Auditors"}), StatusCode::BAD_REQUEST),
            ("/v2/identities/local/groups", json!({"name": " "}), StatusCode::BAD_REQUEST),
            (&format!("/v2/identities/{OKTA_IDP_ID}/groups"), json!({"name": "x"}), StatusCode::BAD_REQUEST),
            ("/v2/identities/nope/groups", json!({"name": "x"}), StatusCode::NOT_FOUND),
        ] {
            let (status, body) = send(&app, Method::POST, path, &t, Some(body)).await;
            assert_eq!(status, want, "{path}: {body}");
            assert!(body["message"].is_string(), "ModelApiResponse: {body}");
        }
        let (status, _) = send(
            &app,
            Method::POST,
            &format!("/v2/identities/{SAML_IDP_ID}/groups"),
            &t,
            Some(json!({"name": "Partners"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        // A group is addressed through its own IdP only.
        let (status, _) = send(&app, Method::GET, &format!("/v2/identities/{OKTA_IDP_ID}/groups/{id}"), &t, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = send(&app, Method::DELETE, &format!("/v2/identities/local/groups/{id}"), &t, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = send(&app, Method::GET, &format!("/v2/identities/local/groups/{id}"), &t, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = send(
            &app,
            Method::DELETE,
            &format!("/v2/identities/{OKTA_IDP_ID}/groups/{ENGINEERING_GROUP_ID}"),
            &t,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn users_are_found_by_email_within_their_idp() {
        let (_, app, t) = tenant();
        let (_, page) = send(&app, Method::GET, "/v2/identities/local/users?email=bob%40acme", &t, None).await;
        assert_eq!(ids(&page), [BOB_ID]);
        assert_eq!(page["content"][0]["email"], "bob@acme.example.com");
        let (_, none) = send(&app, Method::GET, "/v2/identities/local/users?email=dave%40", &t, None).await;
        assert_eq!((ids(&none).len(), none["totalElements"].as_u64()), (0, Some(0)));
        let (status, _) =
            send(&app, Method::GET, &format!("/v2/identities/{OKTA_IDP_ID}/users/{DAVE_ID}"), &t, None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = send(&app, Method::GET, &format!("/v2/identities/local/users/{DAVE_ID}"), &t, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn local_membership_is_put_listed_in_pages_and_removed() {
        let (sim, app, t) = tenant();
        let member = format!("/v2/identities/local/groups/{OPERATORS_GROUP_ID}/users/{BOB_ID}");
        for _ in 0..2 {
            let (status, _) = send(&app, Method::PUT, &member, &t, None).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "a PUT may be repeated");
        }
        let list = format!("/v2/identities/local/groups/{OPERATORS_GROUP_ID}/users");
        let (_, page) = send(&app, Method::GET, &list, &t, None).await;
        assert_eq!(ids(&page), [BOB_ID]);
        let (status, _) = send(&app, Method::DELETE, &member, &t, None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = send(&app, Method::DELETE, &member, &t, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let other_idp = format!("/v2/identities/{OKTA_IDP_ID}/groups/{ENGINEERING_GROUP_ID}/users/{BOB_ID}");
        assert_eq!(send(&app, Method::PUT, &other_idp, &t, None).await.0, StatusCode::NOT_FOUND);
        let no_user = format!("/v2/identities/local/groups/{OPERATORS_GROUP_ID}/users/{API_CLIENT_ID}");
        assert_eq!(send(&app, Method::PUT, &no_user, &t, None).await.0, StatusCode::NOT_FOUND);

        // 120 members: pages of 100 and 20, `nextPage` to pass back, then an empty page
        // with totalElements 0 past the end.
        {
            let mut store = sim.store();
            for i in 0..120 {
                let id = format!("00000000-0000-4000-8000-{i:012}");
                store.insert(Kind::User, user_json(&id, "local", "local", &format!("u{i:03}@x.example"), "U", "X"));
                store.memberships.insert((OPERATORS_GROUP_ID.to_string(), id));
            }
        }
        let (_, first) = send(&app, Method::GET, &format!("{list}?perPage=100"), &t, None).await;
        assert_eq!(
            (ids(&first).len(), first["last"].as_bool(), first["nextPage"].as_u64()),
            (100, Some(false), Some(100))
        );
        let (_, second) = send(&app, Method::GET, &format!("{list}?perPage=100&pageOffset=100"), &t, None).await;
        assert_eq!(
            (ids(&second).len(), second["last"].as_bool(), second["nextPage"].is_null()),
            (20, Some(true), true)
        );
        let (_, past) = send(&app, Method::GET, &format!("{list}?perPage=100&pageOffset=200"), &t, None).await;
        assert_eq!(past["totalElements"], 0);
        assert_eq!(
            send(&app, Method::GET, &format!("{list}?pageOffset=-1"), &t, None).await.0,
            StatusCode::BAD_REQUEST
        );
    }

    fn entity_of(id: &str, kind: &str) -> Value {
        json!({"identifierInProvider": id, "identityProviderId": "local", "identityProviderType": "local", "type": kind})
    }

    #[tokio::test]
    async fn role_bindings_are_checked_created_listed_and_deleted() {
        let (sim, app, t) = tenant();
        let tenant_body = json!({"entities": [entity_of(ALICE_ID, "User")], "roleType": "TenantAdmin"});
        let (status, created) =
            send(&app, Method::POST, "/v2/collection/tenant-role-bindings", &t, Some(tenant_body.clone())).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let binding = &created["roleBindings"][0];
        assert_eq!(binding["entity"]["displayName"], "Alice Archer");
        assert_eq!(binding["role"]["RoleType"], "TenantAdmin");
        assert_eq!(binding["Collection"]["id"], ROOT_COLLECTION_ID);
        assert_eq!(binding["resource"]["subjectType"], "Collection");
        let tenant_binding = text(binding, "id").to_string();

        // What the API refuses, with the documented statuses.
        let site = json!({"name": "hq"});
        let (_, site) = send(&app, Method::POST, "/v2/sites", &t, Some(site)).await;
        let site_id = text(&site, "id").to_string();
        let refused = [
            ("tenant-role-bindings", tenant_body.clone(), StatusCode::BAD_REQUEST), // duplicate
            (
                "tenant-role-bindings",
                json!({"entities": [entity_of(BOB_ID, "User")], "roleType": "SiteEditor"}),
                StatusCode::BAD_REQUEST,
            ),
            ("tenant-role-bindings", json!({"entities": [], "roleType": "TenantViewer"}), StatusCode::BAD_REQUEST),
            (
                "tenant-role-bindings",
                json!({"entities": [entity_of(BOB_ID, "Robot")], "roleType": "TenantViewer"}),
                StatusCode::BAD_REQUEST,
            ),
            (
                "tenant-role-bindings",
                json!({"entities": [entity_of(DAVE_ID, "User")], "roleType": "TenantViewer"}),
                StatusCode::NOT_FOUND,
            ),
            (
                "tenant-role-bindings",
                json!({"entities": [entity_of(BOB_ID, "Group")], "roleType": "TenantViewer"}),
                StatusCode::NOT_FOUND,
            ),
            (
                "tenant-role-bindings",
                json!({"entities": [{"identifierInProvider": BOB_ID, "identityProviderId": "local", "identityProviderType": "okta", "type": "User"}], "roleType": "TenantViewer"}),
                StatusCode::BAD_REQUEST,
            ),
            (
                "collection-role-bindings",
                json!({"entities": [entity_of(BOB_ID, "User")], "roleType": "PolicyOwner", "collectionId": "4f3e2d1c-0000-4000-8000-000000000000"}),
                StatusCode::NOT_FOUND,
            ),
            (
                "site-role-bindings",
                json!({"entities": [entity_of(BOB_ID, "User")], "roleType": "SiteEditor", "siteId": "4f3e2d1c-0000-4000-8000-000000000000"}),
                StatusCode::NOT_FOUND,
            ),
            (
                "site-role-bindings",
                json!({"entities": [entity_of(BOB_ID, "User")], "roleType": "SiteEditor"}),
                StatusCode::BAD_REQUEST,
            ),
        ];
        for (path, body, want) in refused {
            let (status, answer) =
                send(&app, Method::POST, &format!("/v2/collection/{path}"), &t, Some(body.clone())).await;
            assert_eq!(status, want, "{path} {body}: {answer}");
        }
        assert_eq!(sim.count(Kind::RoleBinding), 1, "nothing stored by refused requests");

        let collection_body = json!({"entities": [entity_of(DEVELOPERS_GROUP_ID, "Group")], "roleType": "PolicyOwner", "collectionId": DEFAULT_COLLECTION_ID});
        let (status, c) =
            send(&app, Method::POST, "/v2/collection/collection-role-bindings", &t, Some(collection_body)).await;
        assert_eq!(
            (status, c["roleBindings"][0]["entity"]["displayName"].as_str()),
            (StatusCode::CREATED, Some("Developers"))
        );
        let site_body = json!({"entities": [entity_of(API_CLIENT_ID, "ApiClient")], "roleType": "SiteConnectorDeployer", "siteId": site_id});
        let (status, s) = send(&app, Method::POST, "/v2/collection/site-role-bindings", &t, Some(site_body)).await;
        assert_eq!(
            (status, s["roleBindings"][0]["resource"]["id"].as_str()),
            (StatusCode::CREATED, Some(site_id.as_str()))
        );
        let site_binding = text(&s["roleBindings"][0], "id").to_string();

        // Lists filter by every parameter given.
        let (_, tenant_page) = send(&app, Method::GET, &format!("/v2/collection/role-bindings?subjectType=Collection&subjectId={ROOT_COLLECTION_ID}&entityIdInIdp={ALICE_ID}&roleType=TenantAdmin&size=100"), &t, None).await;
        assert_eq!(ids(&tenant_page), std::slice::from_ref(&tenant_binding));
        let (_, sites) = send(&app, Method::GET, "/v2/collection/role-bindings?subjectType=Site", &t, None).await;
        assert_eq!(ids(&sites), std::slice::from_ref(&site_binding));
        let (_, all) = send(&app, Method::GET, "/v2/collection/role-bindings", &t, None).await;
        assert_eq!(all["totalElements"], 3);
        assert_eq!(
            send(&app, Method::GET, "/v2/collection/role-bindings?roleType=Boss", &t, None).await.0,
            StatusCode::BAD_REQUEST
        );

        // Deletes: all or nothing.
        let unknown = json!({"roleBindingIds": [tenant_binding, "4f3e2d1c-0000-4000-8000-000000000000"]});
        assert_eq!(
            send(&app, Method::POST, "/v2/collection/role-bindings/delete", &t, Some(unknown)).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(sim.count(Kind::RoleBinding), 3);
        let empty = json!({"roleBindingIds": []});
        assert_eq!(
            send(&app, Method::POST, "/v2/collection/role-bindings/delete", &t, Some(empty)).await.0,
            StatusCode::BAD_REQUEST
        );
        let one = json!({"roleBindingIds": [tenant_binding]});
        assert_eq!(
            send(&app, Method::POST, "/v2/collection/role-bindings/delete", &t, Some(one)).await.0,
            StatusCode::NO_CONTENT
        );
        // A deleted site takes its bindings along.
        assert_eq!(
            send(&app, Method::DELETE, &format!("/v2/sites/{site_id}"), &t, None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(sim.count(Kind::RoleBinding), 1);
    }
}
