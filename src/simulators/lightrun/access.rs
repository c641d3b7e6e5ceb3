//! Who may do what: users, user groups and their members, system API keys (all
//! `COMPANY`), and Just-In-Time temporary access (`DEV`).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Extension, Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::error::JsonBody;
use super::handlers::{check_enum, page, required, unique, Params, QueryParams, POOL_ROLES};
use super::store::{strings, Kind, Object, Store};
use super::{now, Caller, Sim, SimError, CONFIGURED_KEY_NAME, SCOPES};

/// User roles (CreateUserPublicDTO.roles enum).
const USER_ROLES: &[&str] =
    &["SYSTEM_ADMIN", "COMPANY_VIEWER", "GROUP_ADMIN", "SECURITY", "APP_SEC", "INCIDENT_RESPONDER", "DEVELOPER"];
/// "When RBAC is off, only `DEVELOPER` and `SYSTEM_ADMIN` are allowed."
const NON_RBAC_ROLES: &[&str] = &["DEVELOPER", "SYSTEM_ADMIN"];

pub fn company_routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/{email}", get(get_user).put(update_user).delete(delete_user))
        .route("/api/v1/users/{email}/enable", put(enable_user))
        .route("/api/v1/users/{email}/disable", put(disable_user))
        .route("/api/v1/groups", get(list_groups).post(create_group))
        .route("/api/v1/groups/{id}", get(get_group).put(update_group).delete(delete_group))
        .route("/api/v1/groups/{id}/members", post(add_members).delete(remove_members))
        .route("/api/v1/groups/{id}/members/{email}", put(update_member))
        .route("/api/v1/access/company/{company}/system-api-key", get(list_api_keys).post(create_api_key))
        .route("/api/v1/access/company/{company}/system-api-key/{id}", put(update_api_key).delete(delete_api_key))
}

pub fn dev_routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/api/v1/temp-access", get(list_temp_access).post(create_temp_access))
        .route("/api/v1/temp-access/{id}", delete(revoke_temp_access))
}

/// The caller a bearer key stands for: the configured key, or a system API key created
/// through the API and not yet expired (with its own scopes).
pub fn caller_for_key(sim: &Sim, key: &str) -> Option<Caller> {
    let config = sim.cfg();
    if key == config.api_key {
        return Some(Caller { name: CONFIGURED_KEY_NAME.into(), scopes: config.scopes });
    }
    let store = sim.store();
    let found = store.of_kind(Kind::ApiKey).into_iter().find(|k| k.hidden_text("secret") == key)?;
    let expires = crate::timestamp::parse_rfc3339(found.text("expirationDate"))?;
    if expires <= time::OffsetDateTime::now_utc() {
        return None;
    }
    Some(Caller { name: found.text("label").to_string(), scopes: strings(found.body.get("scopes")) })
}

// ---------------------------------------------------------------------------------------
// Users (UserPublicDTO; keyed by email in every path)

fn user_not_found(email: &str) -> SimError {
    SimError::not_found(format!("User {email} not found"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserBody {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    roles: Option<Vec<String>>,
}

fn check_roles(sim: &Sim, roles: &[String]) -> Result<(), SimError> {
    check_enum("roles", roles, USER_ROLES)?;
    if !sim.cfg().rbac {
        check_enum("roles", roles, NON_RBAC_ROLES)?;
    }
    Ok(())
}

/// "format: email, 5..254": something@something.
fn check_email(email: &str) -> Result<(), SimError> {
    let length = email.chars().count();
    let shaped = email.split_once('@').is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty());
    if !(5..=254).contains(&length) || !shaped || email.contains(char::is_whitespace) {
        return Err(SimError::bad_request("email: must be a well-formed email address of 5 to 254 characters"));
    }
    Ok(())
}

/// Seats in use: enabled users.
fn check_seats(sim: &Sim, store: &Store) -> Result<(), SimError> {
    let Some(limit) = sim.cfg().seat_limit else { return Ok(()) };
    let used = store.of_kind(Kind::User).iter().filter(|u| u.body["enabled"] == json!(true)).count();
    if used >= limit {
        return Err(SimError::request_failed(format!("The licence seat limit ({limit}) has been reached")));
    }
    Ok(())
}

/// A user as answered. `activationLink`: "Only available if an SMTP server is not set":
/// while SMTP is DISABLED (DEFAULT is Lightrun's own mail service) and the user never
/// logged in. `groupMemberships` and `agentPoolPermissions` with
/// `includeAccessAndPermissions=true` ("Requires RBAC": left out with RBAC off).
fn user_view(sim: &Sim, store: &Store, user: &Object, with_access: bool) -> Value {
    let mut body = user.body.clone();
    let no_smtp = store.smtp["type"] == "DISABLED";
    if no_smtp && body.get("lastLoginDate").is_none_or(Value::is_null) {
        body["activationLink"] =
            json!(format!("https://app.lightrun.sim/activate?token={}", user.hidden_text("activation")));
    }
    if with_access && sim.cfg().rbac {
        let email = user.text("email").to_lowercase();
        let mut memberships = Vec::new();
        let mut permissions: Vec<(String, Vec<String>)> = Vec::new();
        for ((group_id, member_email), member) in &store.members {
            if *member_email != email {
                continue;
            }
            memberships
                .push(json!({"email": user.text("email"), "groupAdmin": member.group_admin, "groupId": group_id}));
            let Some(group) = store.get(Kind::Group, group_id) else { continue };
            let roles = effective_roles(group, member);
            // The documents do not map group roles to pool permissions (STANDARD,
            // IGNORE_QUOTA): STANDARD gives STANDARD, PRIVILEGED adds IGNORE_QUOTA (a guess).
            let mut granted = vec!["STANDARD".to_string()];
            if roles.iter().any(|r| r == "PRIVILEGED") {
                granted.push("IGNORE_QUOTA".into());
            }
            for pool in strings(group.body.get("agentPoolIds")) {
                match permissions.iter_mut().find(|(p, _)| *p == pool) {
                    Some((_, have)) => {
                        for g in &granted {
                            if !have.contains(g) {
                                have.push(g.clone());
                            }
                        }
                    }
                    None => permissions.push((pool, granted.clone())),
                }
            }
        }
        body["groupMemberships"] = json!(memberships);
        body["agentPoolPermissions"] = json!(permissions
            .into_iter()
            .map(|(p, g)| json!({"agentPoolId": p, "permissions": g}))
            .collect::<Vec<_>>());
    }
    body
}

async fn create_user(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let email = required("email", body.email.as_deref())?.trim().to_string();
    check_email(&email)?;
    let first = required("firstName", body.first_name.as_deref())?.to_string();
    let last = required("lastName", body.last_name.as_deref())?.to_string();
    // The documents give no default role; the interface says the server's is DEVELOPER.
    let roles = unique(body.roles.unwrap_or_else(|| vec!["DEVELOPER".into()]));
    check_roles(&sim, &roles)?;
    let mut store = sim.store();
    // 409 for a taken email is not documented (createUser lists 201, 400, 401, 403):
    // assumed, as the interface does, since an email names a user.
    if store.user_id(&email).is_some() {
        return Err(SimError::conflict(format!("User {email} already exists")));
    }
    check_seats(&sim, &store)?;
    let at = now();
    let id = uuid::Uuid::new_v4().to_string();
    let user = json!({
        "id": id, "email": email, "firstName": first, "lastName": last, "roles": roles, "enabled": true,
        "registerMethod": "USER_PASS", "userManagementType": "SYSTEM", "createdBy": caller.name,
        "createdDate": at, "lastModifiedBy": caller.name, "lastModifiedDate": at, "lastLoginDate": null,
        "initialActionInserted": false,
    });
    let mut hidden = Map::new();
    hidden.insert("activation".into(), json!(uuid::Uuid::new_v4().simple().to_string()));
    store.insert(Kind::User, user, hidden);
    let view = user_view(&sim, &store, store.get(Kind::User, &id).expect("just stored"), false);
    Ok((StatusCode::CREATED, Json(view)))
}

async fn get_user(
    State(sim): State<Arc<Sim>>,
    Path(email): Path<String>,
    query: QueryParams,
) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let with_access = params.flag("includeAccessAndPermissions")?.unwrap_or(false);
    let store = sim.store();
    let id = store.user_id(&email).ok_or_else(|| user_not_found(&email))?;
    Ok(Json(user_view(&sim, &store, store.get(Kind::User, &id).expect("found"), with_access)))
}

/// UpdateUserPublicDTO: `firstName`, `lastName` and `roles` all required.
async fn update_user(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(email): Path<String>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    let id = store.user_id(&email).ok_or_else(|| user_not_found(&email))?;
    let first = required("firstName", body.first_name.as_deref())?.to_string();
    let last = required("lastName", body.last_name.as_deref())?.to_string();
    let roles = unique(body.roles.ok_or_else(|| SimError::bad_request("roles: must not be null"))?);
    check_roles(&sim, &roles)?;
    let user = store.get_mut(Kind::User, &id).expect("found");
    user.body["firstName"] = json!(first);
    user.body["lastName"] = json!(last);
    user.body["roles"] = json!(roles);
    user.body["lastModifiedBy"] = json!(caller.name);
    user.body["lastModifiedDate"] = json!(now());
    Ok(Json(user_view(&sim, &store, store.get(Kind::User, &id).expect("found"), false)))
}

async fn delete_user(State(sim): State<Arc<Sim>>, Path(email): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let id = store.user_id(&email).ok_or_else(|| user_not_found(&email))?;
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

async fn set_enabled(sim: &Sim, caller: &Caller, email: &str, enabled: bool) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let id = store.user_id(email).ok_or_else(|| user_not_found(email))?;
    let was = store.get(Kind::User, &id).is_some_and(|u| u.body["enabled"] == json!(true));
    if enabled && !was {
        check_seats(sim, &store)?;
    }
    let user = store.get_mut(Kind::User, &id).expect("found");
    user.body["enabled"] = json!(enabled);
    user.body["lastModifiedBy"] = json!(caller.name);
    user.body["lastModifiedDate"] = json!(now());
    Ok(StatusCode::NO_CONTENT)
}

async fn enable_user(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(email): Path<String>,
) -> Result<StatusCode, SimError> {
    set_enabled(&sim, &caller, &email, true).await
}

async fn disable_user(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(email): Path<String>,
) -> Result<StatusCode, SimError> {
    set_enabled(&sim, &caller, &email, false).await
}

const USER_SORTS: &[&str] =
    &["name", "email", "userManagementType", "createdBy", "lastModifiedBy", "lastModifiedDate", "lastLoginDate"];

async fn list_users(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let role = params.one_of("role", USER_ROLES)?;
    let search = params.get("search").map(str::to_lowercase);
    let with_access = params.flag("includeAccessAndPermissions")?.unwrap_or(false);
    let store = sim.store();
    let users: Vec<Value> = store
        .of_kind(Kind::User)
        .into_iter()
        .filter(|u| role.as_ref().is_none_or(|r| strings(u.body.get("roles")).contains(r)))
        .filter(|u| {
            search.as_ref().is_none_or(|s| {
                let name = format!("{} {}", u.text("firstName"), u.text("lastName")).to_lowercase();
                name.contains(s) || u.text("email").to_lowercase().contains(s)
            })
        })
        .map(|u| user_view(&sim, &store, u, with_access))
        .collect();
    Ok(Json(page(users, &params, Some(USER_SORTS))?))
}

// ---------------------------------------------------------------------------------------
// User groups (UserGroupPublicDTO) and members (UserGroupMemberPublicDTO)

fn group_not_found(id: &str) -> SimError {
    SimError::not_found(format!("Group {id} not found"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupBody {
    name: Option<String>,
    roles: Option<Vec<String>>,
    agent_pool_ids: Option<Vec<String>>,
}

/// Name, roles and pools of a create or update: a PUT replaces the whole group, omitted
/// optional fields taking their create defaults (the documents do not say; the interface
/// sends the full body). The default role is STANDARD (a guess: no default is documented).
/// An unknown pool is a 400 (createGroup documents no 404).
fn group_fields(
    store: &Store,
    id: Option<&str>,
    body: GroupBody,
) -> Result<(String, Vec<String>, Vec<String>), SimError> {
    let name = required("name", body.name.as_deref())?.to_string();
    let roles = unique(body.roles.unwrap_or_else(|| vec!["STANDARD".into()]));
    check_enum("roles", &roles, POOL_ROLES)?;
    let pools = unique(body.agent_pool_ids.unwrap_or_default());
    if let Some(unknown) = pools.iter().find(|p| store.get(Kind::AgentPool, p).is_none()) {
        return Err(SimError::bad_request(format!("agentPoolIds: agent pool {unknown} not found")));
    }
    // 409 for a taken name is not documented: assumed (interface), names identify groups.
    if store.taken(Kind::Group, "name", &name, id) {
        return Err(SimError::conflict(format!("A group named '{name}' already exists")));
    }
    Ok((name, roles, pools))
}

fn effective_roles(group: &Object, member: &super::store::Member) -> Vec<String> {
    unique(strings(group.body.get("roles")).into_iter().chain(member.elevated_roles.iter().cloned()).collect())
}

fn member_json(group: &Object, member: &super::store::Member) -> Value {
    json!({
        "effectiveRoles": effective_roles(group, member),
        "elevatedRoles": member.elevated_roles,
        "email": member.email,
        "groupAdmin": member.group_admin,
    })
}

/// A group as answered: `memberCount` always, `members` with `includeMembers=true`.
fn group_view(store: &Store, group: &Object, with_members: bool) -> Value {
    let members = store.members_of(&group.id());
    let mut body = group.body.clone();
    body["memberCount"] = json!(members.len());
    if with_members {
        body["members"] = json!(members.iter().map(|m| member_json(group, m)).collect::<Vec<_>>());
    }
    body
}

async fn create_group(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let mut store = sim.store();
    let (name, roles, pools) = group_fields(&store, None, body)?;
    let at = now();
    let id = uuid::Uuid::new_v4().to_string();
    let group = json!({
        "id": id, "name": name, "roles": roles, "agentPoolIds": pools, "default": false,
        "createdBy": caller.name, "createdDate": at, "lastModifiedBy": caller.name, "lastModifiedDate": at,
    });
    store.insert(Kind::Group, group, Map::new());
    Ok((StatusCode::CREATED, Json(group_view(&store, store.get(Kind::Group, &id).expect("stored"), false))))
}

async fn get_group(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    query: QueryParams,
) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let with_members = params.flag("includeMembers")?.unwrap_or(false);
    let store = sim.store();
    let group = store.get(Kind::Group, &id).ok_or_else(|| group_not_found(&id))?;
    Ok(Json(group_view(&store, group, with_members)))
}

async fn update_group(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<GroupBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    store.get(Kind::Group, &id).ok_or_else(|| group_not_found(&id))?;
    let (name, roles, pools) = group_fields(&store, Some(&id), body)?;
    let group = store.get_mut(Kind::Group, &id).expect("found");
    group.body["name"] = json!(name);
    group.body["roles"] = json!(roles);
    group.body["agentPoolIds"] = json!(pools);
    group.body["lastModifiedBy"] = json!(caller.name);
    group.body["lastModifiedDate"] = json!(now());
    Ok(Json(group_view(&store, store.get(Kind::Group, &id).expect("found"), false)))
}

/// The built-in default group cannot be deleted: 400 (deleteGroup documents 204, 400,
/// 401, 404; which one a server answers for it is not said).
async fn delete_group(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let group = store.get(Kind::Group, &id).ok_or_else(|| group_not_found(&id))?;
    if group.body["default"] == json!(true) {
        return Err(SimError::bad_request("The default group cannot be deleted"));
    }
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}

/// `agentPoolIds`: "Matches any of the agent pool IDs. Format: Comma-separated list".
async fn list_groups(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let pools = params.all("agentPoolIds");
    let with_members = params.flag("includeMembers")?.unwrap_or(false);
    let store = sim.store();
    let groups: Vec<Value> = store
        .of_kind(Kind::Group)
        .into_iter()
        .filter(|g| pools.is_empty() || strings(g.body.get("agentPoolIds")).iter().any(|p| pools.contains(p)))
        .map(|g| group_view(&store, g, with_members))
        .collect();
    Ok(Json(page(groups, &params, None)?))
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct MemberBody {
    email: Option<String>,
    group_admin: Option<bool>,
    elevated_roles: Option<Vec<String>>,
}

fn failure(status: StatusCode, message: String, payload: Value) -> Value {
    json!({"message": message, "payload": payload, "status": status.as_u16()})
}

/// addMembers: 200 when every member was added, 207 when some failed, each failure an
/// item `{status, message, payload}`: 404 for an unknown user, 409 for a member already
/// in the group, 400 for an item without email or with an unknown role (the statuses
/// are the interface's reading; the documents only give the 207). An unknown group or an
/// empty list: 404 and 400 for the whole request (not documented).
async fn add_members(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Vec<MemberBody>>,
) -> Result<Response, SimError> {
    let mut store = sim.store();
    store.get(Kind::Group, &id).ok_or_else(|| group_not_found(&id))?;
    if body.is_empty() {
        return Err(SimError::bad_request("The list of members must not be empty"));
    }
    let mut successes = Vec::new();
    let mut failures = Vec::new();
    for item in body {
        let payload =
            json!({"email": item.email, "groupAdmin": item.group_admin, "elevatedRoles": item.elevated_roles});
        let Some(email) = item.email.filter(|e| !e.trim().is_empty()) else {
            failures.push(failure(StatusCode::BAD_REQUEST, "email: must not be blank".into(), payload));
            continue;
        };
        let roles = unique(item.elevated_roles.unwrap_or_default());
        if let Err(e) = check_enum("elevatedRoles", &roles, POOL_ROLES) {
            failures.push(failure(StatusCode::BAD_REQUEST, e.message, payload));
            continue;
        }
        let Some(user_id) = store.user_id(&email) else {
            failures.push(failure(StatusCode::NOT_FOUND, format!("User {email} not found"), payload));
            continue;
        };
        let stored_email = store.get(Kind::User, &user_id).map(|u| u.text("email").to_string()).unwrap_or(email);
        let key = (id.clone(), stored_email.to_lowercase());
        if store.members.contains_key(&key) {
            failures.push(failure(
                StatusCode::CONFLICT,
                format!("User {stored_email} is already a member of the group"),
                payload,
            ));
            continue;
        }
        let member = super::store::Member {
            email: stored_email,
            group_admin: item.group_admin.unwrap_or(false),
            elevated_roles: roles,
        };
        store.members.insert(key, member.clone());
        successes.push(member_json(store.get(Kind::Group, &id).expect("found"), &member));
    }
    let status = if failures.is_empty() { StatusCode::OK } else { StatusCode::MULTI_STATUS };
    Ok((status, Json(json!({"failures": failures, "successes": successes}))).into_response())
}

/// removeMembers: 200 `{successes: [emails], failures: [...]}`; a user who is not a
/// member is a 404 failure item (only 200 is documented for the whole answer).
async fn remove_members(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    JsonBody(emails): JsonBody<Vec<String>>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    store.get(Kind::Group, &id).ok_or_else(|| group_not_found(&id))?;
    if emails.is_empty() {
        return Err(SimError::bad_request("The list of emails must not be empty"));
    }
    let mut successes = Vec::new();
    let mut failures = Vec::new();
    for email in unique(emails) {
        match store.members.remove(&(id.clone(), email.to_lowercase())) {
            Some(_) => successes.push(json!(email)),
            None => failures.push(failure(
                StatusCode::NOT_FOUND,
                format!("User {email} is not a member of the group"),
                json!(email),
            )),
        }
    }
    Ok(Json(json!({"failures": failures, "successes": successes})))
}

/// updateMember: 200 with the member. An unknown group or a user who is not a member is
/// a 404 (only 200 is documented). Omitted fields are reset (a PUT).
async fn update_member(
    State(sim): State<Arc<Sim>>,
    Path((id, email)): Path<(String, String)>,
    JsonBody(body): JsonBody<MemberBody>,
) -> Result<Json<Value>, SimError> {
    let mut store = sim.store();
    store.get(Kind::Group, &id).ok_or_else(|| group_not_found(&id))?;
    let roles = unique(body.elevated_roles.unwrap_or_default());
    check_enum("elevatedRoles", &roles, POOL_ROLES)?;
    let key = (id.clone(), email.to_lowercase());
    let member = store
        .members
        .get_mut(&key)
        .ok_or_else(|| SimError::not_found(format!("User {email} is not a member of the group")))?;
    member.group_admin = body.group_admin.unwrap_or(false);
    member.elevated_roles = roles;
    let member = member.clone();
    Ok(Json(member_json(store.get(Kind::Group, &id).expect("found"), &member)))
}

// ---------------------------------------------------------------------------------------
// System API keys (SystemApiKeyReadDTO; the secret only in the create answer)

/// The one company this server knows; another is a 404 (the documents do not say what a
/// server answers for a company that is not the key's).
fn check_company(sim: &Sim, company: &str) -> Result<(), SimError> {
    if company != sim.cfg().company_id {
        return Err(SimError::not_found(format!("Company {company} not found")));
    }
    Ok(())
}

fn api_key_not_found(id: &str) -> SimError {
    SimError::not_found(format!("System API key {id} not found"))
}

/// SystemApiKeyUpdateDTO.label: 3..50 characters, `^[A-Za-z\d][A-Za-z\d _-]*$`.
fn check_label(label: &str) -> Result<(), SimError> {
    let length = label.chars().count();
    let mut chars = label.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'));
    if !(3..=50).contains(&length) || !first_ok || !rest_ok {
        return Err(SimError::bad_request(
            "label: 3 to 50 characters, letters, digits, spaces, '_' and '-', starting with a letter or digit",
        ));
    }
    Ok(())
}

/// "no paging": `{items: [...]}` (the schema declares `items` one object, its example
/// an array: an array, as the interface decides).
async fn list_api_keys(State(sim): State<Arc<Sim>>, Path(company): Path<String>) -> Result<Json<Value>, SimError> {
    check_company(&sim, &company)?;
    let keys: Vec<Value> = sim.store().of_kind(Kind::ApiKey).into_iter().map(|k| k.body.clone()).collect();
    Ok(Json(json!({"items": keys})))
}

/// createSystemApiKey: everything in the query (`expirationDays` required, `label`,
/// repeated `scopes`), no body; 200 `{apiKey}`. Undocumented choices: `expirationDays`
/// below 1 is a 400; the create label follows the update DTO's rule; without a label
/// the server names the key `api-key-<8 hex>` (the interface expects one).
async fn create_api_key(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    Path(company): Path<String>,
    query: QueryParams,
) -> Result<Json<Value>, SimError> {
    check_company(&sim, &company)?;
    let params = Params::from(query)?;
    let days = params
        .get("expirationDays")
        .ok_or_else(|| SimError::bad_request("Required parameter 'expirationDays' is not present"))?;
    let days: i64 = days
        .parse::<i32>()
        .ok()
        .filter(|d| *d >= 1)
        .ok_or_else(|| SimError::bad_request(format!("expirationDays: '{days}' is not a positive integer")))?
        .into();
    let id = uuid::Uuid::new_v4().to_string();
    let label = match params.get("label") {
        Some(label) => {
            check_label(label)?;
            label.to_string()
        }
        None => format!("api-key-{}", &id[..8]),
    };
    let mut scopes = unique(params.all("scopes"));
    check_enum("scopes", &scopes, &SCOPES)?;
    if scopes.is_empty() {
        // "Defaults to all scopes if not provided."
        scopes = SCOPES.iter().map(|s| s.to_string()).collect();
    }
    let created = time::OffsetDateTime::now_utc();
    let expires = created
        .checked_add(time::Duration::days(days))
        .ok_or_else(|| SimError::bad_request(format!("expirationDays: {days} is too far in the future")))?;
    let secret = uuid::Uuid::new_v4().to_string();
    let key = json!({
        "id": id, "label": label, "createdBy": caller.name, "createdDate": super::format_time(created),
        "expirationDate": super::format_time(expires), "scopes": scopes,
    });
    let mut hidden = Map::new();
    hidden.insert("secret".into(), json!(secret));
    sim.store().insert(Kind::ApiKey, key, hidden);
    Ok(Json(json!({"apiKey": secret})))
}

#[derive(Deserialize)]
struct LabelBody {
    label: Option<String>,
}

async fn update_api_key(
    State(sim): State<Arc<Sim>>,
    Path((company, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<LabelBody>,
) -> Result<Json<Value>, SimError> {
    check_company(&sim, &company)?;
    let label = body.label.ok_or_else(|| SimError::bad_request("label: must not be null"))?;
    check_label(&label)?;
    let mut store = sim.store();
    let key = store.get_mut(Kind::ApiKey, &id).ok_or_else(|| api_key_not_found(&id))?;
    key.body["label"] = json!(label);
    Ok(Json(json!({"message": "System api key label successfully updated"})))
}

/// 200 `{message}`, the documented example's wording.
async fn delete_api_key(
    State(sim): State<Arc<Sim>>,
    Path((company, id)): Path<(String, String)>,
) -> Result<Json<Value>, SimError> {
    check_company(&sim, &company)?;
    let mut store = sim.store();
    store.get(Kind::ApiKey, &id).ok_or_else(|| api_key_not_found(&id))?;
    store.remove(&id);
    Ok(Json(json!({"message": "System api key successfully revoked"})))
}

// ---------------------------------------------------------------------------------------
// Just-In-Time temporary access (GetTempAccessPublicApiDTO)

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TempAccessBody {
    user_emails: Option<Vec<String>>,
    agent_pool_ids: Option<Vec<String>>,
    roles: Option<Vec<String>>,
    expiration_date: Option<String>,
    name: Option<String>,
    incident_id: Option<String>,
}

/// Whether a grant is still active ("Get a list of all active temporary accesses").
fn active(grant: &Object, now: time::OffsetDateTime) -> bool {
    crate::timestamp::parse_rfc3339(grant.text("expirationDate")).is_some_and(|at| at > now)
}

fn non_empty(field: &str, values: Option<Vec<String>>) -> Result<Vec<String>, SimError> {
    let values = unique(values.unwrap_or_default());
    if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
        return Err(SimError::bad_request(format!("{field}: must not be empty")));
    }
    Ok(values)
}

/// addTempAccess: 201. 400 for missing fields or a date not in the future; 404 for
/// unknown users or pools; 409 for a name an active grant has; 403 beyond the configured
/// number of active grants.
///
/// Roles have no enum in the OpenAPI (its example says `Standard`): STANDARD and
/// PRIVILEGED, the pool roles groups use, are taken in any case and echoed as sent (a
/// decision shared with the interface). `expirationDate` is answered in UTC ("Expiration
/// date of the temporary access in UTC").
async fn create_temp_access(
    State(sim): State<Arc<Sim>>,
    JsonBody(body): JsonBody<TempAccessBody>,
) -> Result<(StatusCode, Json<Value>), SimError> {
    let emails = non_empty("userEmails", body.user_emails)?;
    let pools = non_empty("agentPoolIds", body.agent_pool_ids)?;
    let roles = non_empty("roles", body.roles)?;
    if let Some(bad) = roles.iter().find(|r| !POOL_ROLES.iter().any(|known| known.eq_ignore_ascii_case(r))) {
        return Err(SimError::bad_request(format!("roles: '{bad}' is not one of {}", POOL_ROLES.join(", "))));
    }
    let expiration = required("expirationDate", body.expiration_date.as_deref())?;
    let expires = crate::timestamp::parse_rfc3339(expiration)
        .ok_or_else(|| SimError::bad_request(format!("expirationDate: '{expiration}' is not an ISO 8601 date-time")))?;
    let now = time::OffsetDateTime::now_utc();
    if expires <= now {
        return Err(SimError::bad_request("expirationDate: must be in the future"));
    }
    let mut store = sim.store();
    let missing_users: Vec<&String> = emails.iter().filter(|e| store.user_id(e).is_none()).collect();
    if !missing_users.is_empty() {
        return Err(SimError::not_found(format!("Cannot find users: {}", join(&missing_users))));
    }
    let missing_pools: Vec<&String> = pools.iter().filter(|p| store.get(Kind::AgentPool, p).is_none()).collect();
    if !missing_pools.is_empty() {
        return Err(SimError::not_found(format!("Cannot find agent pools: {}", join(&missing_pools))));
    }
    let name = match body.name.filter(|n| !n.trim().is_empty()) {
        Some(name) => name,
        // "If not provided, the following template will be used Temp-Access-DDMMYYYY-HHmmss-SSS"
        None => format!(
            "Temp-Access-{:02}{:02}{:04}-{:02}{:02}{:02}-{:03}",
            now.day(),
            u8::from(now.month()),
            now.year(),
            now.hour(),
            now.minute(),
            now.second(),
            now.millisecond()
        ),
    };
    let grants = store.of_kind(Kind::TempAccess);
    let live: Vec<&&Object> = grants.iter().filter(|g| active(g, now)).collect();
    if live.iter().any(|g| g.text("name") == name) {
        return Err(SimError::conflict("A temporary access session with this name already exists."));
    }
    if live.len() >= sim.cfg().temp_access_limit {
        return Err(SimError::forbidden(
            "Exceeded limit of temporary access instances. Remove a number of instances and try again.",
        ));
    }
    let expiration = time::format_description::well_known::Rfc3339;
    let grant = json!({
        "id": uuid::Uuid::new_v4().to_string(), "name": name, "userEmails": emails, "agentPoolIds": pools,
        "roles": roles, "expirationDate": expires.to_offset(time::UtcOffset::UTC).format(&expiration).unwrap_or_default(),
        "incidentId": body.incident_id,
    });
    Ok((StatusCode::CREATED, Json(store.insert(Kind::TempAccess, grant, Map::new()))))
}

fn join(values: &[&String]) -> String {
    values.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
}

/// Only active grants are listed; an expired one is gone.
async fn list_temp_access(State(sim): State<Arc<Sim>>, query: QueryParams) -> Result<Json<Value>, SimError> {
    let params = Params::from(query)?;
    let now = time::OffsetDateTime::now_utc();
    let grants: Vec<Value> =
        sim.store().of_kind(Kind::TempAccess).into_iter().filter(|g| active(g, now)).map(|g| g.body.clone()).collect();
    Ok(Json(page(grants, &params, None)?))
}

/// revokeTempAccess: 204; 404 for an unknown or expired grant.
async fn revoke_temp_access(State(sim): State<Arc<Sim>>, Path(id): Path<String>) -> Result<StatusCode, SimError> {
    let mut store = sim.store();
    let now = time::OffsetDateTime::now_utc();
    if !store.get(Kind::TempAccess, &id).is_some_and(|g| active(g, now)) {
        return Err(SimError::not_found(format!("Temporary access {id} not found")));
    }
    store.remove(&id);
    Ok(StatusCode::NO_CONTENT)
}
