//! Licences and sensors (§7.3) and the licence bundles (§7.7).
//!
//! Permission rules (chosen; the page says only "additional"/"special permissions"):
//! generating a licence and changing its dates or type need additional permissions;
//! `get_licenses`, `update_license`, `reset_api_token` and sensor changes need
//! `can_manage_users` on the licence's customer; `get_keys` lists the keys on which the
//! caller holds `required_permission` (licence or subkey context count), `get_sensors`
//! those on which it holds `can_access_alerts` or administers the customer;
//! `get_license_stats` needs `can_access_alerts` on the licence.
//!
//! A generated licence is invisible to every method until `propagation_delay` has passed
//! (the page: "it can take up to 15 minutes for the new license to be propagated").

use std::time::Instant;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::store::{new_access_key, new_api_token, License, Scope, Sensor, Store, LICENSE_TYPES, PRODUCTS};
use super::wire::{self, format_date, plus_one_year, today, Format, Params};
use super::{Call, Sim, Verbs};

fn ok() -> ApiResult<Value> {
    Ok(json!("OK"))
}

fn license_type_param(call: &Call<'_>) -> ApiResult<Option<String>> {
    match call.params.get("license_type") {
        Some(kind) if !LICENSE_TYPES.contains(&kind) => {
            Err(ApiError::invalid(format!("license_type must be one of {}", LICENSE_TYPES.join(", "))))
        }
        kind => Ok(kind.map(str::to_string)),
    }
}

/// #11 `license/generate_license` (POST): `customer`, `product` (a hosted product
/// bundle), `license_type` [commercial], `start_date` [today], `end_date` [start + 1
/// year], `num_licenses` [1; 1-1000; > 1 refused for multi-licence products].
pub fn generate_license(call: &mut Call<'_>) -> ApiResult<Value> {
    call.require_extra("generating licenses")?;
    let customer = call.customer_param("customer")?;
    let product = call.params.required("product")?.to_string();
    let Some((_, hosted, multi)) = PRODUCTS.iter().find(|(name, ..)| *name == product) else {
        return Err(ApiError::invalid(format!("unknown product {product}")));
    };
    if !hosted {
        return Err(ApiError::invalid(format!("{product} is not a hosted product")));
    }
    let license_type = license_type_param(call)?.unwrap_or_else(|| "commercial".into());
    let start = call.params.date("start_date")?.unwrap_or_else(today);
    let end = call.params.date("end_date")?.unwrap_or_else(|| plus_one_year(start));
    if end < start {
        return Err(ApiError::invalid("end_date is before start_date"));
    }
    let count = call.params.number("num_licenses")?.unwrap_or(1);
    if !(1..=1000).contains(&count) {
        return Err(ApiError::invalid("num_licenses must be between 1 and 1000"));
    }
    if count > 1 && *multi {
        return Err(ApiError::invalid(format!("{product} requires more than one license: num_licenses must be 1")));
    }
    let visible_at =
        Some(Instant::now() + call.config.propagation_delay).filter(|_| !call.config.propagation_delay.is_zero());
    let mut generated = Vec::new();
    for _ in 0..count {
        let id = call.store.next_id();
        let license = License {
            access_key: new_access_key(),
            access_key_id: id,
            customer: customer.clone(),
            product: product.clone(),
            license_type: license_type.clone(),
            start_date: format_date(start),
            end_date: format_date(end),
            deployment: "hosted".into(),
            api_token: new_api_token(),
            visible_at,
            ..License::default()
        };
        // The answer says `type`, where every read says `license_type` (sic).
        generated.push(json!({"access_key": license.access_key, "api_token": license.api_token, "product": product,
            "type": license_type, "start_date": license.start_date, "end_date": license.end_date}));
        call.store.licenses.push(license);
    }
    Ok(json!({"customer": customer, "licenses": generated}))
}

/// #12 `license/get_licenses` (GET/POST).
pub fn get_licenses(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.customer_filter("customer")?;
    if let Some(customer) = &customer {
        call.require_manager(customer)?;
    }
    let fqdn = call.params.get("on_premise_fqdn");
    let hosted = match (call.params.flag("hosted")?, call.params.flag("hosted_keys")?) {
        (Some(hosted), _) => Some(hosted),
        (None, Some(true)) => Some(true),
        _ => None,
    };
    if fqdn.is_some() && hosted.is_some() {
        return Err(ApiError::invalid("on_premise_fqdn conflicts with hosted"));
    }
    let invalid = call.params.flag("invalid_keys")?.unwrap_or(true);
    let children = call.params.flag("include_child_licenses")?.unwrap_or(false);
    let key = call.params.get("access_key").map(split_key);
    let product = call.params.get("product");
    let license_type = call.params.get("license_type");
    let store = &*call.store;
    let list: Vec<Value> = store
        .licenses
        .iter()
        .filter(|l| l.visible())
        .filter(|l| customer.as_deref().is_none_or(|c| l.customer == c))
        .filter(|l| {
            key.as_ref()
                .is_none_or(|(k, sub)| l.access_key == *k && sub.as_ref().is_none_or(|s| store.sensor(k, s).is_some()))
        })
        .filter(|l| fqdn.is_none_or(|f| l.on_premise_fqdn.as_deref() == Some(f)))
        .filter(|l| hosted.is_none_or(|h| l.hosted() == h))
        .filter(|l| product.is_none_or(|p| l.product == p))
        .filter(|l| license_type.is_none_or(|t| l.license_type == t))
        .filter(|l| invalid || l.valid(store.customer_blocked(&l.customer)))
        .filter(|l| children || l.parent_access_key.is_none())
        .map(|l| store.license_view(l))
        .collect();
    Ok(Value::Array(list))
}

/// `<key>` or `<key>:<subkey>`.
fn split_key(text: &str) -> (String, Option<String>) {
    match text.split_once(':') {
        Some((key, subkey)) => (key.to_string(), Some(subkey.to_string())),
        None => (text.to_string(), None),
    }
}

/// The licence and sensor selected by `key`, or by `key_id` (+ `subkey_id`).
struct KeySelector {
    access_key: Option<String>,
    access_key_id: Option<u64>,
    subkey: Option<String>,
    subkey_id: Option<u64>,
}

impl KeySelector {
    fn from(params: &Params) -> ApiResult<KeySelector> {
        let (access_key, subkey) = match params.get("key") {
            Some(key) => {
                let (key, subkey) = split_key(key);
                (Some(key), subkey)
            }
            None => (None, None),
        };
        let access_key_id = params.number("key_id")?;
        let subkey_id = params.number("subkey_id")?;
        if subkey_id.is_some() && access_key_id.is_none() {
            return Err(ApiError::invalid("subkey_id needs key_id"));
        }
        Ok(KeySelector { access_key, access_key_id, subkey, subkey_id })
    }

    fn license(&self, license: &License) -> bool {
        self.access_key.as_ref().is_none_or(|k| license.access_key == *k)
            && self.access_key_id.is_none_or(|id| license.access_key_id == id)
    }

    /// Whether the licence's own entry (no sensor) is selected.
    fn bare_license(&self) -> bool {
        self.subkey.is_none() && self.subkey_id.is_none()
    }

    fn sensor(&self, sensor: &Sensor) -> bool {
        self.subkey.as_ref().is_none_or(|s| sensor.subkey == *s)
            && self.subkey_id.is_none_or(|id| sensor.subkey_id == id)
    }
}

/// Filters shared by `get_keys` and `get_sensors`.
struct KeyFilters {
    customer: Option<String>,
    selector: KeySelector,
    license_type: Option<String>,
    invalid: bool,
    hosted: Option<bool>,
    products: Option<Vec<String>>,
    children: bool,
}

impl KeyFilters {
    fn from(call: &Call<'_>) -> ApiResult<KeyFilters> {
        Ok(KeyFilters {
            customer: call.customer_filter("customer")?,
            selector: KeySelector::from(&call.params)?,
            license_type: call.params.get("license_type").map(str::to_string),
            invalid: call.params.flag("invalid_keys")?.unwrap_or(false),
            hosted: call.params.flag("hosted")?,
            products: call.params.get("products").map(|p| p.split(',').map(|s| s.trim().to_string()).collect()),
            children: call.params.flag("include_child_licenses")?.unwrap_or(false),
        })
    }

    fn license(&self, store: &Store, license: &License) -> bool {
        license.visible()
            && self.customer.as_deref().is_none_or(|c| license.customer == c)
            && self.selector.license(license)
            && self.license_type.as_deref().is_none_or(|t| license.license_type == t)
            && (self.invalid || license.valid(store.customer_blocked(&license.customer)))
            && self.hosted.is_none_or(|h| license.hosted() == h)
            && self.products.as_ref().is_none_or(|p| p.contains(&license.product))
            && (self.children || license.parent_access_key.is_none())
    }
}

/// The permission a `required_permission` value stands for.
fn required_permission(call: &Call<'_>) -> ApiResult<&'static str> {
    match call.params.get("required_permission").unwrap_or("access_alerts") {
        "access_alerts" => Ok("can_access_alerts"),
        "access_pcaps" => Ok("can_access_pcaps"),
        "manage_labels" => Ok("can_manage_labels"),
        "manage_licenses" => Ok("can_manage_users"),
        other => Err(ApiError::invalid(format!(
            "required_permission must be access_alerts, access_pcaps, manage_labels or manage_licenses, not {other}"
        ))),
    }
}

/// #13 `license/get_keys` (GET): licence keys and sensor keys the caller holds
/// `required_permission` on.
pub fn get_keys(call: &mut Call<'_>) -> ApiResult<Value> {
    let filters = KeyFilters::from(call)?;
    let permission = required_permission(call)?;
    let store = &*call.store;
    let user = &call.caller.username;
    let mut keys = Vec::new();
    for license in store.licenses.iter().filter(|l| filters.license(store, l)) {
        if filters.selector.bare_license() && store.holds(user, permission, Scope::License(license)) {
            keys.push(store.key_view(license, None));
        }
        for sensor in store.sensors.iter().filter(|s| s.access_key == license.access_key && filters.selector.sensor(s))
        {
            if store.holds(user, permission, Scope::Subkey(license, &sensor.subkey)) {
                keys.push(store.key_view(license, Some(sensor)));
            }
        }
    }
    Ok(Value::Array(keys))
}

/// #17 `license/get_sensors` (GET).
pub fn get_sensors(call: &mut Call<'_>) -> ApiResult<Value> {
    let filters = KeyFilters::from(call)?;
    let checkin = call.params.flag("include_checkin_data")?.unwrap_or(false);
    let store = &*call.store;
    let user = &call.caller.username;
    let mut sensors = Vec::new();
    for license in store.licenses.iter().filter(|l| filters.license(store, l)) {
        for sensor in store.sensors.iter().filter(|s| s.access_key == license.access_key && filters.selector.sensor(s))
        {
            let allowed = store.manages(user, &license.customer)
                || store.holds(user, "can_access_alerts", Scope::Subkey(license, &sensor.subkey));
            if allowed {
                sensors.push(store.sensor_view(license, sensor, checkin));
            }
        }
    }
    Ok(Value::Array(sensors))
}

/// #14 `license/get_keys_legacy` (GET, deprecated): the `restrict_to_*` flags narrow to
/// the customer, licence or sensor that `key` (or `key_id`/`subkey_id`) selects.
pub fn get_keys_legacy(call: &mut Call<'_>) -> ApiResult<Value> {
    let permission = required_permission(call)?;
    let selector = KeySelector::from(&call.params)?;
    let heartbeat = call.params.flag("include_heartbeat_data")?.unwrap_or(false);
    let by_user = call.params.flag("restrict_to_user_id")?.unwrap_or(false) || heartbeat;
    let by_license = call.params.flag("restrict_to_access_key_id")?.unwrap_or(false);
    let by_subkey = call.params.flag("restrict_to_subkey_id")?.unwrap_or(false);
    let invalid = call.params.flag("include_invalid_keys")?.unwrap_or(false);
    let hosted = call.params.flag("hosted")?;
    let products: Option<Vec<String>> =
        call.params.get("products").map(|p| p.split(',').map(|s| s.trim().to_string()).collect());
    let children = call.params.flag("include_child_licenses")?.unwrap_or(false);
    let store = &*call.store;
    let user = &call.caller.username;
    let anchor = store.licenses.iter().find(|l| {
        l.visible() && (selector.access_key.is_some() || selector.access_key_id.is_some()) && selector.license(l)
    });
    let owner = anchor.map(|l| l.customer.clone()).unwrap_or_else(|| call.caller.customer.clone());
    let mut keys = Vec::new();
    for license in store.licenses.iter().filter(|l| l.visible()) {
        let wanted = (!by_user || license.customer == owner)
            && (!(by_license || by_subkey) || selector.license(license))
            && (invalid || license.valid(store.customer_blocked(&license.customer)))
            && hosted.is_none_or(|h| license.hosted() == h)
            && products.as_ref().is_none_or(|p| p.contains(&license.product))
            && (children || license.parent_access_key.is_none());
        if !wanted {
            continue;
        }
        if !by_subkey && store.holds(user, permission, Scope::License(license)) {
            keys.push(legacy_view(store, license, None, false));
        }
        for sensor in store.sensors.iter().filter(|s| s.access_key == license.access_key) {
            if (!by_subkey || selector.sensor(sensor))
                && store.holds(user, permission, Scope::Subkey(license, &sensor.subkey))
            {
                keys.push(legacy_view(store, license, Some(sensor), heartbeat));
            }
        }
    }
    Ok(Value::Array(keys))
}

fn legacy_view(store: &Store, license: &License, sensor: Option<&Sensor>, heartbeat: bool) -> Value {
    let mut view = store.key_view(license, sensor);
    if let Some(object) = view.as_object_mut() {
        let customer = object.remove("customer").unwrap_or(Value::Null);
        let location = object.remove("location").unwrap_or(Value::Null);
        object.insert("license_user".into(), customer);
        object.insert("license_location".into(), location);
        object.insert("is_master".into(), json!(sensor.is_none()));
        if let (Some(sensor), true) = (sensor, heartbeat) {
            object.insert("last_heartbeat".into(), json!(sensor.last_checkin));
            object.insert("public_ip".into(), json!(sensor.public_ip));
            object.insert("internal_ip".into(), json!(sensor.internal_ip));
            object.insert("tool_version".into(), json!(sensor.appliance_version));
        }
    }
    view
}

/// A licence the caller administers, by `access_key`.
fn managed_license(call: &Call<'_>, key: &str) -> ApiResult<License> {
    let license = call.store.license(key).cloned().ok_or_else(|| ApiError::unknown_license(key))?;
    call.require_manager(&license.customer)?;
    Ok(license)
}

/// #15 `license/get_license_stats` (GET/POST): `analysis` is a list of
/// `{date, submissions}` (with `mime_type` when `by_mime_type=1`); the inner shape is
/// undocumented, and the numbers are made up from the key and the date.
pub fn get_license_stats(call: &mut Call<'_>) -> ApiResult<Value> {
    let key = call.params.required("access_key")?.to_string();
    let license = call.store.license(&key).cloned().ok_or_else(|| ApiError::unknown_license(&key))?;
    if !call.store.holds(&call.caller.username, "can_access_alerts", Scope::License(&license)) {
        return Err(ApiError::permission_denied(format!("can_access_alerts on {key} required")));
    }
    let end = call.params.date("end_date")?.unwrap_or_else(|| today().previous_day().unwrap_or(today()));
    let start = call.params.date("start_date")?.unwrap_or_else(|| end - time::Duration::days(7));
    if end < start {
        return Err(ApiError::invalid("end_date is before start_date"));
    }
    if (end - start).whole_days() > 366 {
        return Err(ApiError::invalid("the date range is longer than a year"));
    }
    let by_type = call.params.flag("by_mime_type")?.unwrap_or(false);
    let total = call.params.flag("total_submissions")?.unwrap_or(false);
    let mut rows = Vec::new();
    let mut day = start;
    while day <= end {
        let date = format_date(day);
        let seed = key.bytes().chain(date.bytes()).fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let fresh = seed % 40;
        let count = if total { fresh + seed % 7 } else { fresh };
        if by_type {
            for (i, mime) in ["application/x-dosexec", "application/pdf", "text/html"].iter().enumerate() {
                rows.push(json!({"date": date, "mime_type": mime, "submissions": count / (i as u64 + 2)}));
            }
        } else {
            rows.push(json!({"date": date, "submissions": count}));
        }
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    Ok(json!({"analysis": rows}))
}

/// #16 `license/update_license` (POST): `access_key`; `start_date`, `end_date`,
/// `license_type` each need additional permissions. `licenses` lists every key changed:
/// the licence, its sensor keys and its child licences (a list of key strings: the
/// page does not give the items' shape).
pub fn update_license(call: &mut Call<'_>) -> ApiResult<Value> {
    let key = call.params.required("access_key")?.to_string();
    let license = managed_license(call, &key)?;
    let start = call.params.date("start_date")?;
    let end = call.params.date("end_date")?;
    let license_type = license_type_param(call)?;
    if start.is_some() || end.is_some() || license_type.is_some() {
        call.require_extra("changing a license's dates or type")?;
    }
    let new_start = start.map(format_date).unwrap_or(license.start_date.clone());
    let new_end = end.map(format_date).unwrap_or(license.end_date.clone());
    if wire::parse_date(&new_end) < wire::parse_date(&new_start) {
        return Err(ApiError::invalid("end_date is before start_date"));
    }
    let mut changed = vec![key.clone()];
    changed.extend(call.store.sensors.iter().filter(|s| s.access_key == key).map(Sensor::key));
    changed.extend(
        call.store
            .licenses
            .iter()
            .filter(|l| l.parent_access_key.as_deref() == Some(&key))
            .map(|l| l.access_key.clone()),
    );
    if let Some(record) = call.store.license_mut(&key) {
        record.start_date = new_start;
        record.end_date = new_end;
        if let Some(kind) = license_type {
            record.license_type = kind;
        }
    }
    Ok(json!({"licenses": changed}))
}

/// #21 `license/reset_api_token` (POST): `access_key`. The simulator stands for the hosted
/// backend, where any licence's token can be reset.
pub fn reset_api_token(call: &mut Call<'_>) -> ApiResult<Value> {
    let key = call.params.required("access_key")?.to_string();
    managed_license(call, &key)?;
    let token = new_api_token();
    if let Some(record) = call.store.license_mut(&key) {
        record.api_token = token.clone();
    }
    Ok(json!({"api_token": token}))
}

/// `active`: "True"/"False" as documented (1/0 and other cases accepted).
fn active_param(call: &Call<'_>) -> ApiResult<Option<bool>> {
    call.params.flag("active")
}

fn check_subkey(subkey: &str) -> ApiResult<()> {
    if subkey.contains(':') || subkey.trim().is_empty() {
        return Err(ApiError::invalid(format!("invalid subkey '{subkey}'")));
    }
    Ok(())
}

/// #18 `license/add_sensor` (POST): `key` or `key_id`, `new_subkey`, `name`, `active`
/// ["True"]. An existing subkey is INVALID_PARAMETER (sensors cannot be deleted).
pub fn add_sensor(call: &mut Call<'_>) -> ApiResult<Value> {
    let license = match (call.params.get("key"), call.params.number("key_id")?) {
        (Some(key), _) => call.store.license(key).cloned().ok_or_else(|| ApiError::unknown_license(key))?,
        (None, Some(id)) => {
            call.store.license_by_id(id).cloned().ok_or_else(|| ApiError::unknown_license(&id.to_string()))?
        }
        (None, None) => return Err(ApiError::missing("key")),
    };
    call.require_manager(&license.customer)?;
    let subkey = call.params.required("new_subkey")?.to_string();
    check_subkey(&subkey)?;
    let active = active_param(call)?.unwrap_or(true);
    if call.store.sensor(&license.access_key, &subkey).is_some() {
        return Err(ApiError::invalid(format!("sensor {}:{subkey} already exists", license.access_key)));
    }
    let id = call.store.next_id();
    let name = call.params.get("name").unwrap_or("").to_string();
    call.store.sensors.push(Sensor {
        access_key: license.access_key,
        subkey,
        subkey_id: id,
        name,
        active,
        ..Sensor::default()
    });
    ok()
}

/// The sensor `key` (`<ACCESS_KEY>:<SUBKEY>`) or `key_id` + `subkey_id` names.
fn sensor_param(call: &Call<'_>) -> ApiResult<(String, String)> {
    if let Some(key) = call.params.get("key") {
        let (access_key, subkey) =
            key.split_once(':').ok_or_else(|| ApiError::invalid("key must be <ACCESS_KEY>:<SUBKEY>"))?;
        call.store.sensor(access_key, subkey).ok_or_else(|| ApiError::unknown_license(key))?;
        call.store.license(access_key).ok_or_else(|| ApiError::unknown_license(key))?;
        return Ok((access_key.to_string(), subkey.to_string()));
    }
    let (Some(key_id), Some(subkey_id)) = (call.params.number("key_id")?, call.params.number("subkey_id")?) else {
        return Err(ApiError::missing("key"));
    };
    let license = call.store.license_by_id(key_id).ok_or_else(|| ApiError::unknown_license(&key_id.to_string()))?;
    let sensor = call
        .store
        .sensors
        .iter()
        .find(|s| s.access_key == license.access_key && s.subkey_id == subkey_id)
        .ok_or_else(|| ApiError::unknown_license(&format!("{key_id}:{subkey_id}")))?;
    Ok((sensor.access_key.clone(), sensor.subkey.clone()))
}

/// #19 `license/update_sensor` (POST): `key` or `key_id`+`subkey_id`; `name`, `active`.
pub fn update_sensor(call: &mut Call<'_>) -> ApiResult<Value> {
    let (access_key, subkey) = sensor_param(call)?;
    let owner = call.store.license(&access_key).map(|l| l.customer.clone()).unwrap_or_default();
    call.require_manager(&owner)?;
    let active = active_param(call)?;
    let name = call.params.raw("name").map(str::to_string);
    if let Some(sensor) = call.store.sensor_mut(&access_key, &subkey) {
        if let Some(name) = name {
            sensor.name = name;
        }
        if let Some(active) = active {
            sensor.active = active;
        }
    }
    ok()
}

/// #20 `license/update_sensor_legacy` (POST, deprecated): `sensor_key`
/// (`<ACCESS_KEY>:<SUBKEY>`) updated when it exists, else created; `new_subkey` renames
/// (or names the new sensor); `sensor_name`/`name`; `license_end_date`/`expiration_date`
/// decide active (future) or inactive (past) at call time.
pub fn update_sensor_legacy(call: &mut Call<'_>) -> ApiResult<Value> {
    let sensor_key = call.params.required("sensor_key")?.to_string();
    let (access_key, subkey) = split_key(&sensor_key);
    let license = call.store.license(&access_key).cloned().ok_or_else(|| ApiError::unknown_license(&access_key))?;
    call.require_manager(&license.customer)?;
    let new_subkey = call.params.get("new_subkey").map(str::to_string);
    let name = call.params.get("sensor_name").or_else(|| call.params.get("name")).map(str::to_string);
    let expiry = match call.params.get("license_end_date") {
        Some(_) => call.params.date("license_end_date")?,
        None => call.params.date("expiration_date")?,
    };
    let active = expiry.map(|date| date > today());
    let existing = subkey.as_deref().and_then(|s| call.store.sensor(&access_key, s)).is_some();
    if let Some(new) = &new_subkey {
        check_subkey(new)?;
        if Some(new) != subkey.as_ref() && call.store.sensor(&access_key, new).is_some() {
            return Err(ApiError::invalid(format!("sensor {access_key}:{new} already exists")));
        }
    }
    if existing {
        let current = subkey.unwrap_or_default();
        if let Some(sensor) = call.store.sensor_mut(&access_key, &current) {
            if let Some(new) = new_subkey {
                sensor.subkey = new;
            }
            if let Some(name) = name {
                sensor.name = name;
            }
            if let Some(active) = active {
                sensor.active = active;
            }
        }
        return ok();
    }
    let subkey = new_subkey.or(subkey).ok_or_else(|| ApiError::missing("new_subkey"))?;
    check_subkey(&subkey)?;
    let id = call.store.next_id();
    call.store.sensors.push(Sensor {
        access_key,
        subkey,
        subkey_id: id,
        name: name.unwrap_or_default(),
        active: active.unwrap_or(true),
        ..Sensor::default()
    });
    ok()
}

// ---- licence bundles: no suffix, zip on success, HTTP statuses on failure

/// The HTTP methods of a licence-bundle path, `None` for other paths.
pub fn bundle_verbs(path: &str) -> Option<Verbs> {
    match path {
        "license_bundle/get" => Some(Verbs::Get),
        "license_bundle/airgap_installation" => Some(Verbs::Post),
        _ => None,
    }
}

fn refused(status: StatusCode, message: impl Into<String>) -> Response {
    wire::answer(Format::Json, status, &Err(ApiError { message: message.into(), code: None }))
}

/// #38 `license_bundle/get` (GET) and #39 `license_bundle/airgap_installation` (POST):
/// `access_key` (an on-premise installation's main licence), `bundle_format_version` [1]
/// (2 adds child licences). 403 unauthenticated or without `can_manage_users`, 422 bad or
/// missing parameters, 501 an unknown format version. The air-gap bundle sets a new API
/// token and can be fetched once per installation (then 403: "Lastline support must be
/// contacted").
pub fn bundle(sim: &Sim, path: &str, headers: &HeaderMap, params: Params) -> Response {
    let airgap = path.ends_with("airgap_installation");
    let (caller, new_session) = match super::auth::bundle_caller(sim, headers, &params) {
        Ok(found) => found,
        Err(error) => return refused(StatusCode::FORBIDDEN, error.message),
    };
    let Some(key) = params.get("access_key").map(str::to_string) else {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, "Missing parameter: access_key");
    };
    let version = match params.number("bundle_format_version") {
        Ok(version) => version.unwrap_or(1),
        Err(error) => return refused(StatusCode::UNPROCESSABLE_ENTITY, error.message),
    };
    if !(1..=2).contains(&version) {
        return refused(StatusCode::NOT_IMPLEMENTED, format!("bundle_format_version {version} is not supported"));
    }
    let mut store = sim.store();
    *store.counters.calls.entry(path.to_string()).or_default() += 1;
    let Some(license) = store.license(&key).cloned().filter(License::is_installation) else {
        return refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{key} is not the main license of an on-premise installation"),
        );
    };
    if !store.manages(&caller.username, &license.customer) {
        return refused(StatusCode::FORBIDDEN, "Permission denied");
    }
    let mut token = None;
    if airgap {
        if license.airgap_installed {
            return refused(StatusCode::FORBIDDEN, "The installation was already set up: contact Lastline support");
        }
        let fresh = new_api_token();
        if let Some(record) = store.license_mut(&key) {
            record.api_token = fresh.clone();
            record.airgap_installed = true;
        }
        token = Some(fresh);
    }
    let mut content = json!({"bundle_format_version": version, "license": store.license_view(&license)});
    let sensors: Vec<Value> = store
        .sensors
        .iter()
        .filter(|s| s.access_key == key)
        .map(|s| json!({"subkey": s.subkey, "name": s.name}))
        .collect();
    content["sensors"] = json!(sensors);
    if version >= 2 {
        let children: Vec<Value> = store
            .licenses
            .iter()
            .filter(|l| l.parent_access_key.as_deref() == Some(&key))
            .map(|l| store.license_view(l))
            .collect();
        content["child_licenses"] = json!(children);
    }
    if let Some(token) = token {
        content["api_token"] = json!(token);
    }
    drop(store);
    let bytes = wire::zip(&[("license_bundle.json", content.to_string().into_bytes())]);
    let mut response = wire::zip_answer(&format!("license_bundle_{key}.zip"), bytes);
    if let Some(session) = new_session {
        super::auth::set_cookie(&mut response, &session);
    }
    response
}
