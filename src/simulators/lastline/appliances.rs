//! Appliance registrations (§7.4). Registration happens on the box (`lastline_register`),
//! so appliances enter only through `POST /_sim/objects/appliance`. Listing needs
//! `can_view_appliances`, state changes `can_manage_appliances` on the customer (the
//! page's permission descriptions). An unknown UUID is NO_SUCH_ENTITY (ASSUMPTION: the
//! page lists no error; UNKNOWN_ON_PREMISE names installations, not appliances).

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::store::Scope;
use super::Call;

/// #25 `appliance/list_registered` (GET): the caller's customer's appliances.
pub fn list_registered(call: &mut Call<'_>) -> ApiResult<Value> {
    let customer = call.caller.customer.clone();
    if !call.store.holds(&call.caller.username, "can_view_appliances", Scope::Customer(&customer)) {
        return Err(ApiError::permission_denied("can_view_appliances required"));
    }
    let list: Vec<Value> = call.store.appliances.iter().filter(|a| a.customer == customer).map(|a| a.view()).collect();
    Ok(Value::Array(list))
}

/// The index of the appliance `appliance_uuid` of the `customer` parameter's customer,
/// which the caller must be allowed to manage.
fn target(call: &Call<'_>) -> ApiResult<usize> {
    let customer = call.customer_param("customer")?;
    let uuid = call.params.required("appliance_uuid")?;
    if !call.store.holds(&call.caller.username, "can_manage_appliances", Scope::Customer(&customer)) {
        return Err(ApiError::permission_denied("can_manage_appliances required"));
    }
    call.store
        .appliances
        .iter()
        .position(|a| a.appliance_uuid.eq_ignore_ascii_case(uuid) && a.customer == customer)
        .ok_or_else(|| ApiError::no_such_entity(format!("appliance {uuid}")))
}

fn set_state(call: &mut Call<'_>, state: &str) -> ApiResult<Value> {
    let index = target(call)?;
    if let Some(appliance) = call.store.appliances.get_mut(index) {
        appliance.registration_state = state.to_string();
    }
    Ok(json!("OK"))
}

/// #23 `appliance/disable` (POST): the licence stays bound.
pub fn disable(call: &mut Call<'_>) -> ApiResult<Value> {
    set_state(call, "DISABLED")
}

/// #24 `appliance/enable` (POST).
pub fn enable(call: &mut Call<'_>) -> ApiResult<Value> {
    set_state(call, "REGISTERED")
}

/// #22 `appliance/deregister` (POST): the appliance leaves the list and its licence is
/// free; only the box's CLI can register it again.
pub fn deregister(call: &mut Call<'_>) -> ApiResult<Value> {
    let index = target(call)?;
    let appliance = call.store.appliances.remove(index);
    for sensor in call.store.sensors.iter_mut() {
        if sensor.appliance_uuid.as_deref() == Some(appliance.appliance_uuid.as_str()) {
            sensor.appliance_uuid = None;
        }
    }
    Ok(json!("OK"))
}
