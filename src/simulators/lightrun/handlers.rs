//! The API routes, grouped by the permission level they need, and what every list shares:
//! query parameters, pages and sorting.

use std::cmp::Ordering;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::middleware;
use axum::Router;
use serde_json::{json, Value};

use super::{Sim, SimError};

/// Page size when the request names none: "The default is 20" (OpenAPI, every list). The
/// overview says 10 for its `offset`/`limit` form; the OpenAPI wins (interface).
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// "a maximum limit of 1000 records" (overview). Larger sizes are cut to it, as Spring's
/// pageable resolver does (the documents do not say whether a server refuses them).
pub const MAX_PAGE_SIZE: usize = 1000;

/// Every `/api/v1` route, each group behind the level its operations name.
pub fn api_routes() -> Router<Arc<Sim>> {
    let company = Router::new()
        .merge(super::access::company_routes())
        .merge(super::configuration::routes())
        .route_layer(middleware::from_fn(super::require_company));
    let dev = Router::new()
        .merge(super::agents::routes())
        .merge(super::access::dev_routes())
        .route_layer(middleware::from_fn(super::require_dev));
    let security = super::packages::routes().route_layer(middleware::from_fn(super::require_security));
    company.merge(dev).merge(security)
}

// ---------------------------------------------------------------------------------------
// Query parameters

pub(super) type QueryParams = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// A request's query parameters, repeated ones kept (`sort`, array filters).
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    pub fn from(query: QueryParams) -> Result<Params, SimError> {
        query.map(|Query(pairs)| Params(pairs)).map_err(|e| SimError::bad_request(e.body_text()))
    }

    /// The first value of `key`; an empty value counts as absent (`?role=` is how a
    /// client leaves a filter out).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// Every value of an array parameter: repeated (`a=x&a=y`, as the interface sends
    /// them) or comma-separated (`a=x,y`, which Spring also splits).
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| {
                v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect::<Vec<_>>()
            })
            .collect()
    }

    /// A boolean parameter: `true` or `false`, anything else is a 400.
    pub fn flag(&self, key: &str) -> Result<Option<bool>, SimError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => {
                Err(SimError::bad_request(format!("Invalid value '{v}' for parameter '{key}': expected a boolean")))
            }
        }
    }

    /// A `YYYY-MM-DD` date parameter, checked.
    pub fn date(&self, key: &str) -> Result<Option<String>, SimError> {
        let Some(text) = self.get(key) else { return Ok(None) };
        if !valid_date(text) {
            return Err(SimError::bad_request(format!(
                "Invalid value '{text}' for parameter '{key}': expected YYYY-MM-DD"
            )));
        }
        Ok(Some(text.to_string()))
    }

    /// A value that must be one of `allowed`.
    pub fn one_of(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, SimError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_string())),
            Some(v) => Err(SimError::bad_request(format!(
                "Invalid value '{v}' for parameter '{key}': one of {}",
                allowed.join(", ")
            ))),
        }
    }

    fn number(&self, key: &str, minimum: usize) -> Result<Option<usize>, SimError> {
        let Some(text) = self.get(key) else { return Ok(None) };
        match text.parse::<usize>() {
            Ok(n) if n >= minimum => Ok(Some(n)),
            _ => Err(SimError::bad_request(format!(
                "Invalid value '{text}' for parameter '{key}': an integer >= {minimum}"
            ))),
        }
    }
}

pub(super) fn valid_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts.as_slice() else { return false };
    let (Ok(year), Ok(month), Ok(day)) = (year.parse::<i32>(), month.parse::<u8>(), day.parse::<u8>()) else {
        return false;
    };
    text.len() == 10 && time::Month::try_from(month).is_ok_and(|m| time::Date::from_calendar_date(year, m, day).is_ok())
}

/// `*` matches any run of characters; the rest must match, case-insensitively, the whole
/// text ("supports the * wildcard to match multiple values with a common pattern"; how a
/// pattern without `*` matches is not said: exactly, here).
pub(super) fn wildcard(pattern: &str, text: &str) -> bool {
    let pattern = pattern.to_lowercase();
    let text = text.to_lowercase();
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

// ---------------------------------------------------------------------------------------
// Pages

/// A page of `items` as every list answers it (`PublicApiPage*`): `{items, offset, limit,
/// total, hasMore}`.
///
/// - `page` (0-based) and `size` (default 20, at most 1000) as the OpenAPI says; the
///   overview's `offset` and `limit` are taken too when `page`/`size` are absent (the
///   interface allows a server both). Below the OpenAPI's minimum (page 0, size 1) or not
///   an integer: 400.
/// - `sort=field[,asc|desc]`, repeatable: primary, secondary ... keys. `sortable` lists the
///   fields an operation names ("Sortable fields: ..."); `None` takes any field of the
///   items. Another field or direction is a 400, as Spring Data refuses an unknown
///   property. Without `sort`, creation order.
pub(super) fn page(mut items: Vec<Value>, params: &Params, sortable: Option<&[&str]>) -> Result<Value, SimError> {
    let mut keys: Vec<(String, bool)> = Vec::new();
    for sort in params.all_sorts() {
        let mut parts = sort.split(',').map(str::trim);
        let field = parts.next().unwrap_or_default().to_string();
        let descending = match parts.next().map(str::to_ascii_lowercase).as_deref() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(SimError::bad_request(format!("Invalid sort direction '{other}'"))),
        };
        if let Some(fields) = sortable {
            if !fields.contains(&field.as_str()) {
                return Err(SimError::bad_request(format!(
                    "No property '{field}' to sort by; sortable fields: {}",
                    fields.join(", ")
                )));
            }
        }
        keys.push((field, descending));
    }
    if !keys.is_empty() {
        items.sort_by(|a, b| {
            for (field, descending) in &keys {
                let order = compare(&sort_value(a, field), &sort_value(b, field));
                let order = if *descending { order.reverse() } else { order };
                if order != Ordering::Equal {
                    return order;
                }
            }
            Ordering::Equal
        });
    }
    let (offset, limit) = match (params.number("page", 0)?, params.number("size", 1)?) {
        (None, None) if params.get("offset").is_some() || params.get("limit").is_some() => {
            let limit = params.number("limit", 1)?.unwrap_or(DEFAULT_PAGE_SIZE).min(MAX_PAGE_SIZE);
            (params.number("offset", 0)?.unwrap_or(0), limit)
        }
        (page, size) => {
            let size = size.unwrap_or(DEFAULT_PAGE_SIZE).min(MAX_PAGE_SIZE);
            (page.unwrap_or(0).saturating_mul(size), size)
        }
    };
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let has_more = offset.saturating_add(page.len()) < total;
    Ok(json!({"items": page, "offset": offset, "limit": limit, "total": total, "hasMore": has_more}))
}

impl Params {
    fn all_sorts(&self) -> Vec<String> {
        self.0.iter().filter(|(k, v)| k == "sort" && !v.is_empty()).map(|(_, v)| v.clone()).collect()
    }
}

/// The value sorted on; a user's `name` is first and last name (listUsers sorts by
/// "name", which UserPublicDTO does not have).
fn sort_value(item: &Value, field: &str) -> Value {
    match item.get(field) {
        Some(value) => value.clone(),
        None if field == "name" && item.get("firstName").is_some() => {
            let text = |key: &str| item.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
            json!(format!("{} {}", text("firstName"), text("lastName")))
        }
        None => Value::Null,
    }
}

/// Nulls first, then booleans, numbers, strings (case-insensitively), anything else as text.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or_default().partial_cmp(&y.as_f64().unwrap_or_default()).unwrap_or(Ordering::Equal)
        }
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()).then_with(|| x.cmp(y)),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// The one pool an operation's `agentPoolId` names: "Mandatory when RBAC is enabled.
/// Ignored when RBAC is disabled." A missing one with RBAC on, or an unknown one, is a 400
/// (most of these operations document no 404; "invalid input" fits).
pub(super) fn pool_param(sim: &Sim, pool: Option<&str>) -> Result<Option<String>, SimError> {
    if !sim.cfg().rbac {
        return Ok(None);
    }
    let Some(pool) = pool.filter(|p| !p.is_empty()) else {
        return Err(SimError::bad_request("agentPoolId is mandatory when RBAC is enabled"));
    };
    if sim.store().get(super::Kind::AgentPool, pool).is_none() {
        return Err(SimError::bad_request(format!("Agent pool {pool} not found")));
    }
    Ok(Some(pool.to_string()))
}

/// Roles of a group, a member's elevated roles (`STANDARD`, `PRIVILEGED`).
pub(super) const POOL_ROLES: &[&str] = &["STANDARD", "PRIVILEGED"];

/// Checks every value is in `allowed`.
pub(super) fn check_enum(field: &str, values: &[String], allowed: &[&str]) -> Result<(), SimError> {
    match values.iter().find(|v| !allowed.contains(&v.as_str())) {
        Some(bad) => Err(SimError::bad_request(format!("{field}: '{bad}' is not one of {}", allowed.join(", ")))),
        None => Ok(()),
    }
}

/// A list without repeats, first occurrence kept (the DTOs' `uniqueItems` sets).
pub(super) fn unique(values: Vec<String>) -> Vec<String> {
    let mut seen = Vec::with_capacity(values.len());
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

/// A required, non-blank string field.
pub(super) fn required<'a>(field: &str, value: Option<&'a str>) -> Result<&'a str, SimError> {
    match value {
        Some(v) if !v.trim().is_empty() => Ok(v),
        _ => Err(SimError::bad_request(format!("{field}: must not be blank"))),
    }
}
