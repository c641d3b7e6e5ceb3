//! Roles (§7.6): built-in roles (seeded, immutable) and custom roles of a customer, their
//! permissions, and role grants to accounts in a customer context. Custom roles cannot be
//! deleted through the API. Changing roles or granting them needs `can_manage_users` on
//! the customer concerned.

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::store::{is_permission, Role, RoleGrant};
use super::Call;

const NAME_LIMIT: usize = 64;
const DESCRIPTION_LIMIT: usize = 128;

/// #30 `role/info` (GET): `role_name`, `builtin`, `customer` filters.
pub fn info(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.customer_param("customer")?;
    let name = call.params.get("role_name");
    let builtin = call.params.flag("builtin")?;
    let list: Vec<Value> = call
        .store
        .roles_of(&customer)
        .filter(|r| name.is_none_or(|n| r.name == n))
        .filter(|r| builtin.is_none_or(|b| r.builtin == b))
        .map(Role::view)
        .collect();
    Ok(Value::Array(list))
}

/// The role grant named by `account_username`, `role`, `builtin`, `role_context` and the
/// customer in `target_param` (default: the account's customer).
fn role_grant(call: &Call<'_>, target_param: &str) -> ApiResult<RoleGrant> {
    let username = call.params.required("account_username")?.to_string();
    let name = call.params.required("role")?.to_string();
    let builtin = call.params.flag("builtin")?.ok_or_else(|| ApiError::missing("builtin"))?;
    let context = call.params.required("role_context")?;
    if context != "customer" {
        return Err(ApiError::invalid("role_context must be customer"));
    }
    let account =
        call.store.account(&username).ok_or_else(|| ApiError::no_such_entity(format!("account {username}")))?;
    let customer = call.params.get(target_param).unwrap_or(&account.customer).to_string();
    if !call.store.customers.contains_key(&customer) {
        return Err(ApiError::unknown_customer(&customer));
    }
    call.require_manager(&customer)?;
    let role = call.store.find_role(&name, builtin, &customer).ok_or_else(|| {
        ApiError::no_such_entity(format!("{} role {name}", if builtin { "built-in" } else { "custom" }))
    })?;
    Ok(RoleGrant { account_username: username, role_id: role.id, customer, is_ephemeral: false })
}

/// #31 `role/grant` (POST). Granting a held role again is accepted (ASSUMPTION).
pub fn grant(call: &mut Call<'_>) -> ApiResult<Value> {
    let grant = role_grant(call, "grant")?;
    let held = call.store.role_grants.iter().any(|g| {
        g.account_username == grant.account_username && g.role_id == grant.role_id && g.customer == grant.customer
    });
    if !held {
        call.store.role_grants.push(grant);
    }
    Ok(json!("OK"))
}

/// #32 `role/revoke` (POST): NO_SUCH_ENTITY when the role is not held.
pub fn revoke(call: &mut Call<'_>) -> ApiResult<Value> {
    let revocation = role_grant(call, "revocation")?;
    let before = call.store.role_grants.len();
    call.store.role_grants.retain(|g| {
        !(g.account_username == revocation.account_username
            && g.role_id == revocation.role_id
            && g.customer == revocation.customer)
    });
    if call.store.role_grants.len() == before {
        return Err(ApiError::no_such_entity("the account does not hold this role"));
    }
    Ok(json!("OK"))
}

/// #33 `role/list` (GET): `account_username` (default: caller; another account needs
/// `can_manage_users` on its customer).
pub fn list(call: &mut Call<'_>) -> ApiResult<Value> {
    let username = call.listed_account()?;
    let roles: Vec<Value> = call
        .store
        .role_grants
        .iter()
        .filter(|g| g.account_username == username)
        .filter_map(|g| {
            let role = call.store.role(g.role_id)?;
            Some(json!({"role": role.name, "builtin": role.builtin, "customer": g.customer, "is_ephemeral": g.is_ephemeral}))
        })
        .collect();
    Ok(json!({"customer_roles": roles}))
}

fn check_name(name: &str) -> ApiResult<()> {
    let length = name.chars().count();
    if length == 0 || length > NAME_LIMIT {
        return Err(ApiError::invalid(format!("a role name has 1 to {NAME_LIMIT} characters")));
    }
    Ok(())
}

fn check_description(description: &str) -> ApiResult<()> {
    if description.chars().count() > DESCRIPTION_LIMIT {
        return Err(ApiError::invalid(format!("a role description has at most {DESCRIPTION_LIMIT} characters")));
    }
    Ok(())
}

/// #34 `role/create` (POST): `name`, `description`; a custom role of the caller's
/// customer. A name the customer already uses for a custom role is INVALID_PARAMETER.
pub fn create(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.caller.customer.clone();
    call.require_manager(&customer)?;
    let name = call.params.required("name")?.to_string();
    check_name(&name)?;
    let description = call.params.raw("description").unwrap_or("").to_string();
    check_description(&description)?;
    if call.store.find_role(&name, false, &customer).is_some() {
        return Err(ApiError::invalid(format!("role {name} already exists")));
    }
    let id = call.store.next_id();
    call.store.roles.push(Role {
        id,
        name,
        builtin: false,
        customer: Some(customer),
        description,
        contexts: vec!["customer".into()],
        permissions: Vec::new(),
    });
    Ok(json!("success"))
}

/// The index of the caller's customer's custom role `name`.
fn custom_role(call: &Call<'_>, name: &str) -> ApiResult<usize> {
    let customer = call.caller.customer.as_str();
    call.store
        .roles
        .iter()
        .position(|r| !r.builtin && r.name == name && r.customer.as_deref() == Some(customer))
        .ok_or_else(|| ApiError::no_such_entity(format!("custom role {name}")))
}

/// #35 `role/update` (POST): `name`; `new_name`, `description`, `context` (comma-separated,
/// only `customer` exists). A rename keeps the role's grants.
pub fn update(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.caller.customer.clone();
    call.require_manager(&customer)?;
    let name = call.params.required("name")?.to_string();
    let index = custom_role(call, &name)?;
    let new_name = call.params.get("new_name").map(str::to_string);
    if let Some(new_name) = &new_name {
        check_name(new_name)?;
        if *new_name != name && call.store.find_role(new_name, false, &customer).is_some() {
            return Err(ApiError::invalid(format!("role {new_name} already exists")));
        }
    }
    let description = call.params.raw("description").map(str::to_string);
    if let Some(description) = &description {
        check_description(description)?;
    }
    let contexts = match call.params.get("context") {
        Some(text) => {
            let contexts: Vec<String> =
                text.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect();
            if contexts.is_empty() || contexts.iter().any(|c| c != "customer") {
                return Err(ApiError::invalid("context: the only role context is customer"));
            }
            Some(contexts)
        }
        None => None,
    };
    let role = &mut call.store.roles[index];
    if let Some(new_name) = new_name {
        role.name = new_name;
    }
    if let Some(description) = description {
        role.description = description;
    }
    if let Some(contexts) = contexts {
        role.contexts = contexts;
    }
    Ok(json!("success"))
}

/// The custom role and permission of a role-permission call, checked in the page's error
/// order: PERMISSION_DENIED, NO_SUCH_ENTITY (role), INVALID_PARAMETER (permission).
fn role_permission(call: &Call<'_>) -> ApiResult<(usize, String)> {
    let role = call.params.required("role")?.to_string();
    let permission = call.params.required("permission")?.to_string();
    call.require_manager(&call.caller.customer)?;
    let index = custom_role(call, &role)?;
    if !is_permission(&permission) {
        return Err(ApiError::invalid(format!("unknown permission {permission}")));
    }
    Ok((index, permission))
}

/// #36 `role/permission/grant` (POST): `role`, `permission`. Idempotent (ASSUMPTION).
pub fn grant_permission(call: &mut Call<'_>) -> ApiResult<Value> {
    let (index, permission) = role_permission(call)?;
    let role = &mut call.store.roles[index];
    if !role.permissions.contains(&permission) {
        role.permissions.push(permission);
    }
    Ok(json!("OK"))
}

/// #37 `role/permission/revoke` (POST): a permission the role lacks is
/// INVALID_PARAMETER ("the specified permission to be revoked does not exist").
pub fn revoke_permission(call: &mut Call<'_>) -> ApiResult<Value> {
    let (index, permission) = role_permission(call)?;
    let role = &mut call.store.roles[index];
    let before = role.permissions.len();
    role.permissions.retain(|p| *p != permission);
    if role.permissions.len() == before {
        return Err(ApiError::invalid(format!("role {} does not hold {permission}", role.name)));
    }
    Ok(json!("OK"))
}
