//! Customers (§7.1) and accounts (§7.2).
//!
//! Permission rules (the page says only "requires additional permissions" for other
//! customers and `*`; the rest is chosen here): reading one's own customer and account
//! needs nothing; listing, creating, changing, blocking and deleting accounts and changing
//! contact details need `can_manage_users` on the customer; `block_customer` needs
//! additional permissions.

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::store::{Account, CUSTOMER_FIELDS, DEFAULT_LOCALE, DEFAULT_TIMEZONE};
use super::wire::now_text;
use super::Call;

/// "success" literal of the methods documented so.
fn success() -> ApiResult<Value> {
    Ok(json!("success"))
}

/// #1 `customer/get_customer` (GET/POST): `customer` optional.
pub fn get_customer(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.customer_param("customer")?;
    Ok(call.store.customers.get(&customer).map(|c| c.view()).unwrap_or(Value::Null))
}

/// Writes the contact fields present in the parameters (an empty value clears one).
fn write_contact(call: &mut Call<'_>, customer: &str) {
    let values: Vec<(&str, String)> =
        CUSTOMER_FIELDS.iter().filter_map(|f| call.params.raw(f).map(|v| (*f, v.to_string()))).collect();
    if let Some(record) = call.store.customers.get_mut(customer) {
        for (field, value) in values {
            record.set(field, &value);
        }
    }
}

/// #2 `customer/update_customer` (POST): `customer` (required), contact fields,
/// `block_customer` 1/0 (additional permissions).
pub fn update_customer(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.params.required("customer")?.to_string();
    if !call.store.customers.contains_key(&customer) {
        return Err(ApiError::unknown_customer(&customer));
    }
    call.require_manager(&customer)?;
    let block = call.params.flag("block_customer")?;
    if block.is_some() {
        call.require_extra("block_customer")?;
    }
    write_contact(call, &customer);
    if let (Some(block), Some(record)) = (block, call.store.customers.get_mut(&customer)) {
        record.blocked = block;
    }
    success()
}

/// #3 `customer/update_customer_info` (POST): the caller's customer, no `customer`.
pub fn update_customer_info(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.caller.customer.clone();
    call.require_manager(&customer)?;
    write_contact(call, &customer);
    Ok(json!("OK"))
}

/// #4 `account/get_account` (GET/POST): the authenticated account.
pub fn get_account(call: &mut Call<'_>) -> ApiResult<Value> {
    let account =
        call.store.account(&call.caller.username).ok_or_else(|| ApiError::unknown_account(&call.caller.username))?;
    Ok(call.store.account_view(account))
}

/// #5 `account/get_accounts` (GET/POST): `customer` (`*` = all), `account_username`,
/// `username_substring`.
pub fn get_accounts(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.customer_filter("customer")?;
    if let Some(customer) = &customer {
        call.require_manager(customer)?;
    }
    let exact = call.params.get("account_username");
    let substring = call.params.get("username_substring");
    let accounts: Vec<Value> = call
        .store
        .accounts
        .values()
        .filter(|a| customer.as_deref().is_none_or(|c| a.customer == c))
        .filter(|a| exact.is_none_or(|u| a.username == u))
        .filter(|a| substring.is_none_or(|s| a.username.contains(s)))
        .map(|a| call.store.account_view(a))
        .collect();
    Ok(Value::Array(accounts))
}

/// The account named by `account_username`, which the caller must manage.
fn managed_account(call: &Call<'_>, username: &str) -> ApiResult<String> {
    let account = call.store.account(username).ok_or_else(|| ApiError::unknown_account(username))?;
    let customer = account.customer.clone();
    call.require_manager(&customer)?;
    Ok(customer)
}

/// #6 `account/create` (POST): `account_username`, `email` (required), `first_name`,
/// `last_name`, `password`, `customer`, `default_locale`, `default_timezone`. The page
/// leaves the last two unmarked; they are optional here (server defaults), as they are on
/// update.
pub fn create_account(call: &mut Call<'_>) -> ApiResult<Value> {
    let username = call.params.required("account_username")?.to_string();
    let email = call.params.required("email")?.to_string();
    let customer = call.customer_param("customer")?;
    call.require_manager(&customer)?;
    if call.store.accounts.contains_key(&username) {
        return Err(ApiError::invalid(format!("account {username} already exists")));
    }
    let text = |key: &str| call.params.get(key).map(str::to_string);
    let now = now_text();
    let account = Account {
        username: username.clone(),
        email,
        first_name: text("first_name").unwrap_or_default(),
        last_name: text("last_name").unwrap_or_default(),
        customer,
        created_by: call.caller.username.clone(),
        create_time: now.clone(),
        last_modified_by: call.caller.username.clone(),
        last_modified_time: now,
        default_locale: text("default_locale").unwrap_or_else(|| DEFAULT_LOCALE.into()),
        default_timezone: text("default_timezone").unwrap_or_else(|| DEFAULT_TIMEZONE.into()),
        // When the caller authenticates inline, `password` is also its own password: the
        // API overloads the name; the simulator reads it as the new account's.
        password: text("password"),
        ..Account::default()
    };
    call.store.accounts.insert(username, account);
    success()
}

/// #7 `account/delete` (POST): `account_username`. A customer's primary contact cannot
/// be deleted (ASSUMPTION: the page is silent; the customer is identified by it).
pub fn delete_account(call: &mut Call<'_>) -> ApiResult<Value> {
    let username = call.params.required("account_username")?.to_string();
    managed_account(call, &username)?;
    if call.store.customers.contains_key(&username) {
        return Err(ApiError::invalid(format!("{username} is a customer's primary contact and cannot be deleted")));
    }
    call.store.remove_account(&username);
    success()
}

/// #8 `account/update` (POST). `email`, `new_password` and `reset_password=1` need
/// `password_verify` = the caller's own password; another account needs
/// `can_manage_users` on its customer; `customer`, when given, must be the account's.
pub fn update_account(call: &mut Call<'_>) -> ApiResult<Value> {
    let username = call.params.get("account_username").unwrap_or(&call.caller.username).to_string();
    let owner = call
        .store
        .account(&username)
        .map(|a| a.customer.clone())
        .ok_or_else(|| ApiError::unknown_account(&username))?;
    if let Some(customer) = call.params.get("customer") {
        if customer != owner {
            return Err(ApiError::unknown_account(&username));
        }
    }
    if username != call.caller.username {
        call.require_manager(&owner)?;
    }
    let reset = call.params.flag("reset_password")?.unwrap_or(false);
    let new_password = call.params.get("new_password").map(str::to_string);
    let email = call.params.get("email").map(str::to_string);
    if email.is_some() || new_password.is_some() || reset {
        verify_password(call)?;
    }
    let password = new_password.or_else(|| reset.then(|| uuid::Uuid::new_v4().simple().to_string()));
    let raw = |key: &str| call.params.raw(key).map(str::to_string);
    let (first, last) = (raw("first_name"), raw("last_name"));
    let (locale, timezone) = (
        call.params.get("default_locale").map(str::to_string),
        call.params.get("default_timezone").map(str::to_string),
    );
    let expiry = call.params.get("password_expiration_timestamp").map(str::to_string);
    let modifier = call.caller.username.clone();
    let Some(account) = call.store.accounts.get_mut(&username) else {
        return Err(ApiError::unknown_account(&username));
    };
    let assignments = [
        (email, &mut account.email),
        (first, &mut account.first_name),
        (last, &mut account.last_name),
        (locale, &mut account.default_locale),
        (timezone, &mut account.default_timezone),
    ];
    for (value, slot) in assignments {
        if let Some(value) = value {
            *slot = value;
        }
    }
    if password.is_some() {
        account.password = password;
    }
    if expiry.is_some() {
        account.password_expiration_timestamp = expiry;
    }
    account.last_modified_by = modifier;
    account.last_modified_time = now_text();
    success()
}

/// `password_verify` (or its pre-7.3 name `old_password`) must be the caller's password.
/// ASSUMPTION: a mismatch is INVALID_PARAMETER (not 3004, which would make Lastline's
/// client log in again and repeat the call).
fn verify_password(call: &Call<'_>) -> ApiResult<()> {
    let given = call.params.get("password_verify").or_else(|| call.params.get("old_password"));
    let Some(given) = given else {
        return Err(ApiError::missing("password_verify"));
    };
    let actual = call.store.account(&call.caller.username).and_then(|a| a.password.as_deref());
    if actual != Some(given) {
        return Err(ApiError::invalid("password_verify does not match the authenticated account's password"));
    }
    Ok(())
}

fn set_blocked(call: &mut Call<'_>, blocked: bool) -> ApiResult<Value> {
    let username = call.params.required("account_username")?.to_string();
    managed_account(call, &username)?;
    let modifier = call.caller.username.clone();
    if let Some(account) = call.store.accounts.get_mut(&username) {
        if account.is_blocked != blocked {
            account.is_blocked = blocked;
            let now = now_text();
            if blocked {
                account.block_time = Some(now.clone());
            }
            account.last_modified_by = modifier;
            account.last_modified_time = now;
        }
    }
    success()
}

/// #9 `account/block` (POST): `account_username`. The account's sessions stop working.
pub fn block_account(call: &mut Call<'_>) -> ApiResult<Value> {
    set_blocked(call, true)
}

/// #10 `account/unblock` (POST): `account_username`.
pub fn unblock_account(call: &mut Call<'_>) -> ApiResult<Value> {
    set_blocked(call, false)
}
