//! Licences, their sensors and appliance registrations.
//!
//! These three resources are written by hand over a small RPC helper ([`rpc`]) rather
//! than declared: every diagnostic must name the Accounting method that failed (the
//! declared algorithms only know "create" or "update"), and each has a step the
//! declarations cannot say: a licence waits for propagation and reconciles a lost
//! generate answer by comparing the customer's licence lists, a sensor's `active` is never
//! returned, and an appliance is deregistered on destroy only when asked to.

#[path = "appliances.rs"]
mod appliances;
#[path = "licenses_data.rs"]
mod data;
#[path = "licenses_license.rs"]
mod license;
#[path = "licenses_sensor.rs"]
mod sensor;

use serde_json::{Map, Value as J};

use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::engine::datasource::DataSourceDef;
use crate::engine::diag::Diagnostics;
use crate::engine::resource::{api_error_diag, Ctx, Resource};
use crate::engine::value::Value;

pub fn resources() -> Vec<Box<dyn Resource>> {
    vec![Box::new(license::License::new()), Box::new(sensor::Sensor::new()), Box::new(appliances::Appliance::new())]
}

pub fn data_sources() -> Vec<DataSourceDef> {
    vec![data::licenses_data(), data::sensors_data(), appliances::appliances_data()]
}

/// Calls `accounting/<method>.json`: reads as GET with query parameters, writes as POST
/// with form fields (the client turns a JSON object body into fields). Answers the
/// envelope's `data`.
pub(crate) async fn rpc(ctx: &Ctx, verb: Method, method: &str, params: &[(&str, String)]) -> Result<J, ApiError> {
    let path = format!("/accounting/{method}.json");
    let req = match verb {
        Method::Get => params.iter().fold(ApiRequest::get(path), |r, (k, v)| r.query(k, v.clone())),
        _ => {
            let fields: Map<String, J> = params.iter().map(|(k, v)| (k.to_string(), J::String(v.clone()))).collect();
            ApiRequest::new(verb, path).body(J::Object(fields))
        }
    };
    Ok(ctx.api.call(req, &ctx.cancel).await?.body)
}

/// A failed RPC. The dialect words every answer Lastline refused, naming the method and
/// quoting an envelope's `error` and `error_code` with its symbolic name
/// (`accounting/license/add_sensor failed: Unknown license key: X (error_code 6004 ...)`);
/// a failure without such an answer (unreachable, lost, timed out) is named here.
pub(crate) fn failed(method: &str, what: &str, e: ApiError) -> Diagnostics {
    match e {
        // An envelope's `success: 0`, or an object Lastline does not know.
        ApiError::Status { status: 200, message } | ApiError::NotFound(message) => {
            Diagnostics::error(format!("Lastline refused the call for the {what}"), format!("{message}."))
        }
        e => api_error_diag(&format!("call accounting/{method} for"), what, e),
    }
}

pub(crate) fn text(v: &Value, name: &str) -> String {
    v.get(name).as_str().unwrap_or_default().to_string()
}

/// A JSON member as a Terraform string (null when absent or empty).
pub(crate) fn jstr(obj: &J, name: &str) -> Value {
    match obj.get(name) {
        Some(J::String(s)) if !s.is_empty() => Value::str(s.clone()),
        Some(J::Number(n)) => Value::str(n.to_string()),
        _ => Value::Null,
    }
}

/// A JSON member as a Terraform bool: true/false, 1/0, "True"/"False" and "1"/"0".
pub(crate) fn jbool(obj: &J, name: &str) -> Value {
    match obj.get(name) {
        Some(J::Bool(b)) => Value::Bool(*b),
        Some(J::Number(n)) => Value::Bool(n.as_i64() != Some(0)),
        Some(J::String(s)) => match s.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Value::Bool(true),
            "0" | "false" | "no" => Value::Bool(false),
            _ => Value::Null,
        },
        _ => Value::Null,
    }
}

pub(crate) fn jint(obj: &J, name: &str) -> Value {
    match obj.get(name) {
        Some(J::Number(n)) => n.as_i64().map(Value::int).unwrap_or(Value::Null),
        Some(J::String(s)) => s.trim().parse::<i64>().map(Value::int).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// A date argument: `YYYY-MM-DD`.
pub(crate) fn check_date(v: &Value) -> Result<(), String> {
    let Some(s) = v.as_str() else { return Ok(()) };
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0));
    if ok {
        Ok(())
    } else {
        Err(format!("must be a date YYYY-MM-DD, got {s:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_failure_names_the_method() {
        // As the dialect words an envelope's refusal.
        let e = ApiError::Status {
            status: 200,
            message:
                "accounting/license/generate_license failed: Permission denied: x (error_code 3001 PERMISSION_DENIED)"
                    .into(),
        };
        let s = format!("{:?}", failed("license/generate_license", "license", e));
        assert!(s.contains("accounting/license/generate_license failed"), "{s}");
        assert!(s.contains("Permission denied: x") && s.contains("3001 PERMISSION_DENIED"), "{s}");
        // No answer at all: the method comes from the caller.
        let s = format!("{:?}", failed("license/get_licenses", "license", ApiError::Unreachable("refused".into())));
        assert!(s.contains("accounting/license/get_licenses"), "{s}");
    }

    #[test]
    fn dates_are_checked() {
        assert!(check_date(&Value::str("2026-01-31")).is_ok());
        assert!(check_date(&Value::str("2026-1-31")).is_err());
        assert!(check_date(&Value::str("2026-13-01")).is_err());
    }

    #[test]
    fn the_license_offers_only_a_create_timeout() {
        let r = resources().into_iter().find(|r| r.schema().type_name == "lastline_license").expect("license");
        let ops: Vec<&str> =
            r.schema().timeouts.map(|t| t.ops().into_iter().map(|(op, _)| op).collect()).unwrap_or_default();
        assert_eq!(ops, ["create"]);
    }

    #[test]
    fn every_attribute_is_described() {
        for r in resources() {
            for f in &r.schema().fields {
                assert!(!f.description.is_empty(), "{}.{}", r.schema().type_name, f.name);
            }
        }
    }
}
