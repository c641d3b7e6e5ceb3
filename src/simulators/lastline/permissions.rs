//! Account permissions (§7.5): grant, revoke, list, catalogue.
//!
//! Granting or revoking needs `can_manage_users` on the customer owning the target
//! (PERMISSION_DENIED otherwise, as documented).

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::store::{is_permission, permission_contexts, PermissionGrant, CONTEXTS, PERMISSIONS};
use super::Call;

/// The checked `(account, permission, context, target)` of a grant or revoke; `target`
/// is read from `target_param` (`grant` / `revocation`).
fn tuple(call: &Call<'_>, target_param: &str) -> ApiResult<PermissionGrant> {
    let account = call.params.required("account_username")?.to_string();
    let permission = call.params.required("permission")?.to_string();
    let context = call.params.required("permission_context")?.to_string();
    let target = call.params.required(target_param)?.to_string();
    if call.store.account(&account).is_none() {
        return Err(ApiError::unknown_account(&account));
    }
    if !is_permission(&permission) {
        return Err(ApiError::invalid(format!("unknown permission {permission}")));
    }
    if !CONTEXTS.contains(&context.as_str()) {
        return Err(ApiError::invalid(format!("permission_context must be one of {}", CONTEXTS.join(", "))));
    }
    if !permission_contexts(&permission).contains(&context.as_str()) {
        return Err(ApiError::invalid(format!("{permission} cannot be granted at {context} level")));
    }
    let owner = call.store.target_customer(&context, &target).ok_or_else(|| match context.as_str() {
        "customer" => ApiError::unknown_customer(&target),
        _ => ApiError::no_such_entity(format!("{context} {target}")),
    })?;
    call.require_manager(&owner)?;
    Ok(PermissionGrant { account_username: account, permission, context, target })
}

/// #26 `permission/grant` (POST). Granting a held permission again is accepted
/// (ASSUMPTION: the page lists no error for it).
pub fn grant(call: &mut Call<'_>) -> ApiResult<Value> {
    let grant = tuple(call, "grant")?;
    if !call.store.grants.contains(&grant) {
        call.store.grants.push(grant);
    }
    Ok(json!("OK"))
}

/// #27 `permission/revoke` (POST): NO_SUCH_ENTITY when not held (direct grants only),
/// INVALID_PARAMETER for `can_manage_users` of a customer's main account on itself.
pub fn revoke(call: &mut Call<'_>) -> ApiResult<Value> {
    let revocation = tuple(call, "revocation")?;
    let main_account_admin = revocation.permission == "can_manage_users"
        && revocation.context == "customer"
        && revocation.target == revocation.account_username;
    if main_account_admin {
        return Err(ApiError::invalid("cannot revoke the admin permission from a customer's main account"));
    }
    let before = call.store.grants.len();
    call.store.grants.retain(|g| *g != revocation);
    if call.store.grants.len() == before {
        return Err(ApiError::no_such_entity(format!("permission {}", revocation.id())));
    }
    Ok(json!("OK"))
}

/// #28 `permission/list` (GET): `account_username` (default: caller), `consider_roles`
/// (default true). Another account needs `can_manage_users` on its customer.
pub fn list(call: &mut Call<'_>) -> ApiResult<Value> {
    let username = call.listed_account()?;
    let consider_roles = call.params.flag("consider_roles")?.unwrap_or(true);
    let customer: Vec<Value> = call
        .store
        .customer_permissions(&username, consider_roles)
        .into_iter()
        .map(|(permission, customer)| json!({"permission": permission, "customer": customer}))
        .collect();
    let mine = call.store.grants.iter().filter(|g| g.account_username == username);
    let license: Vec<Value> = mine
        .clone()
        .filter(|g| g.context == "license")
        .map(|g| {
            let id = call.store.license(&g.target).map(|l| l.access_key_id);
            json!({"permission": g.permission, "access_key": g.target, "access_key_id": id})
        })
        .collect();
    let subkey: Vec<Value> = mine
        .filter(|g| g.context == "subkey")
        .map(|g| {
            let id = g.target.split_once(':').and_then(|(k, s)| call.store.sensor(k, s)).map(|s| s.subkey_id);
            json!({"permission": g.permission, "key": g.target, "subkey_id": id})
        })
        .collect();
    Ok(json!({"customer_permissions": customer, "license_permissions": license, "subkey_permissions": subkey}))
}

/// #29 `permission/info` (GET): the catalogue.
pub fn info(_call: &mut Call<'_>) -> ApiResult<Value> {
    let list: Vec<Value> = PERMISSIONS
        .iter()
        .map(|(permission, display, description, contexts)| {
            json!({"permission": permission, "display_name": display, "description": description, "contexts": contexts})
        })
        .collect();
    Ok(Value::Array(list))
}
