//! Wire encodings of values: msgpack (with the unknown-value extension) for every RPC,
//! and JSON for stored state handed to UpgradeResourceState.
//!
//! Decoding is driven by the schema type, never by the shape of the input: anything that
//! does not fit the type is an error, not a panic.

use std::collections::BTreeMap;

use rmpv::Value as Mp;

use crate::engine::value::{from_json, Number, Type, Value};

/// msgpack extension type Terraform uses for "unknown" (value not known until apply).
const UNKNOWN_EXT: i8 = 0;
/// An unknown value with refinements (e.g. "a string starting with bench-", "not
/// null"), sent since Terraform 1.6. We treat it as plainly unknown.
const REFINED_UNKNOWN_EXT: i8 = 12;

/// A value that does not fit its type, and where in the value (the path is gathered while
/// the error unwinds, so decoding that succeeds never formats one).
#[derive(Debug)]
pub struct WireError {
    message: String,
    /// Steps from the innermost outwards (`.name`, `[0]`, `["key"]`).
    path: Vec<String>,
}

impl WireError {
    fn new(message: impl Into<String>) -> WireError {
        WireError { message: message.into(), path: Vec::new() }
    }
    fn expected(what: &str) -> WireError {
        WireError { message: format!("expected {what}"), path: vec![String::new()] }
    }
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        let at: String = self.path.iter().rev().map(String::as_str).collect();
        let at = if at.is_empty() { "." } else { at.trim_start_matches('.') };
        write!(f, "{} at {at}", self.message)
    }
}

impl std::error::Error for WireError {}

/// Adds one step to the path of an error coming out of a nested value.
fn within(step: impl FnOnce() -> String) -> impl FnOnce(WireError) -> WireError {
    move |mut e| {
        e.path.push(step());
        e
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, WireError> {
    Err(WireError::new(msg))
}

pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, WireError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    let mut rd = bytes;
    let mp = rmpv::decode::read_value(&mut rd).map_err(|e| WireError::new(format!("invalid msgpack: {e}")))?;
    from_mp(&mp, ty)
}

fn from_mp(mp: &Mp, ty: &Type) -> Result<Value, WireError> {
    match mp {
        Mp::Nil => return Ok(Value::Null),
        Mp::Ext(UNKNOWN_EXT | REFINED_UNKNOWN_EXT, _) => return Ok(Value::Unknown),
        _ => {}
    }
    let at = WireError::expected;
    Ok(match ty {
        Type::String => match mp {
            Mp::String(s) => Value::String(s.as_str().ok_or_else(|| at("UTF-8 string"))?.to_string()),
            _ => return Err(at("string")),
        },
        Type::Bool => Value::Bool(mp.as_bool().ok_or_else(|| at("bool"))?),
        Type::Number => Value::Number(match mp {
            Mp::Integer(i) => match i.as_i64() {
                Some(v) => Number::Int(v),
                None => Number::Float(i.as_f64().ok_or_else(|| at("number"))?),
            },
            Mp::F32(f) => Number::Float(*f as f64),
            Mp::F64(f) => Number::Float(*f),
            // Terraform sends numbers that do not fit a float64 as decimal strings.
            Mp::String(s) => s.as_str().and_then(Number::parse).ok_or_else(|| at("number"))?,
            _ => return Err(at("number")),
        }),
        Type::List(et) | Type::Set(et) => {
            let items = mp.as_array().ok_or_else(|| at("array"))?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(from_mp(item, et).map_err(within(|| format!("[{i}]")))?);
            }
            if matches!(ty, Type::Set(_)) {
                Value::Set(out)
            } else {
                Value::List(out)
            }
        }
        Type::Map(et) => {
            let entries = mp.as_map().ok_or_else(|| at("map"))?;
            let mut out = BTreeMap::new();
            for (k, v) in entries {
                let key = k.as_str().ok_or_else(|| at("string map key"))?;
                out.insert(key.to_string(), from_mp(v, et).map_err(within(|| format!("[{key:?}]")))?);
            }
            Value::Map(out)
        }
        Type::Object(attrs) => {
            let entries = mp.as_map().ok_or_else(|| at("object"))?;
            let mut given: BTreeMap<&str, &Mp> = BTreeMap::new();
            for (k, v) in entries {
                given.insert(k.as_str().ok_or_else(|| at("attribute name"))?, v);
            }
            let mut out = BTreeMap::new();
            for (name, aty) in attrs {
                let v = match given.get(name.as_str()) {
                    Some(v) => from_mp(v, aty).map_err(within(|| format!(".{name}")))?,
                    None => Value::Null,
                };
                out.insert(name.clone(), v);
            }
            Value::Object(out)
        }
    })
}

pub fn encode_msgpack(v: &Value, ty: &Type) -> Result<Vec<u8>, WireError> {
    let mp = to_mp(v, ty)?;
    let mut buf = Vec::with_capacity(256);
    rmpv::encode::write_value(&mut buf, &mp).map_err(|e| WireError::new(format!("msgpack encode: {e}")))?;
    Ok(buf)
}

fn to_mp(v: &Value, ty: &Type) -> Result<Mp, WireError> {
    Ok(match (v, ty) {
        (Value::Null, _) => Mp::Nil,
        (Value::Unknown, _) => Mp::Ext(UNKNOWN_EXT, vec![0]),
        (Value::String(s), Type::String) => Mp::from(s.as_str()),
        (Value::Bool(b), Type::Bool) => Mp::Boolean(*b),
        (Value::Number(n), Type::Number) => match n {
            Number::Int(i) => Mp::from(*i),
            Number::Float(f) => Mp::F64(*f),
        },
        // Be lenient with values produced from API strings: "512" fits a number type.
        (Value::String(s), Type::Number) => match s.parse::<i64>() {
            Ok(i) => Mp::from(i),
            Err(_) => Mp::F64(s.parse::<f64>().map_err(|_| WireError::new(format!("{s:?} is not a number")))?),
        },
        (Value::List(items) | Value::Set(items), Type::List(et) | Type::Set(et)) => {
            Mp::Array(items.iter().map(|i| to_mp(i, et)).collect::<Result<_, _>>()?)
        }
        (Value::Map(m) | Value::Object(m), Type::Map(et)) => {
            Mp::Map(m.iter().map(|(k, x)| Ok((Mp::from(k.as_str()), to_mp(x, et)?))).collect::<Result<_, WireError>>()?)
        }
        (Value::Object(m), Type::Object(attrs)) => Mp::Map(
            attrs
                .iter()
                .map(|(name, aty)| {
                    let x = m.get(name).unwrap_or(&Value::Null);
                    Ok((Mp::from(name.as_str()), to_mp(x, aty)?))
                })
                .collect::<Result<_, WireError>>()?,
        ),
        (v, ty) => return err(format!("value {v} does not fit type {}", ty.to_json())),
    })
}

/// Decodes state JSON as Terraform stores it (used by UpgradeResourceState). Attributes
/// missing from older states become null; attributes the schema no longer has are dropped.
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, WireError> {
    let j: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| WireError::new(format!("invalid state JSON: {e}")))?;
    from_json(&j, ty).map_err(WireError::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_type() -> Type {
        Type::object(&[
            ("name", Type::String),
            ("size", Type::Number),
            ("flag", Type::Bool),
            ("acl", Type::list(Type::String)),
            ("labels", Type::map(Type::String)),
            ("nested", Type::object(&[("inner", Type::set(Type::Number))])),
        ])
    }

    #[test]
    fn round_trips_nulls_and_unknowns_at_every_depth() {
        let ty = sample_type();
        let mut v = Value::Null;
        v.set("name", Value::str("vol"));
        v.set("size", Value::Unknown);
        v.set("flag", Value::Null);
        v.set("acl", Value::List(vec![Value::str("a"), Value::Unknown, Value::Null]));
        v.set("labels", Value::Map([("k".to_string(), Value::Unknown)].into()));
        let mut nested = Value::Null;
        nested.set("inner", Value::Set(vec![Value::int(1), Value::Unknown]));
        v.set("nested", nested);
        let bytes = encode_msgpack(&v, &ty).unwrap();
        assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), v);
        // A wholly unknown or null object also survives.
        for whole in [Value::Unknown, Value::Null] {
            let b = encode_msgpack(&whole, &ty).unwrap();
            assert_eq!(decode_msgpack(&b, &ty).unwrap(), whole);
        }
    }

    #[test]
    fn refined_unknowns_are_unknown() {
        // "bench-${count.index}" during validation: unknown, known to start with "bench-".
        let mut buf = Vec::new();
        rmpv::encode::write_value(&mut buf, &Mp::Ext(12, vec![0x81, 0x02, 0xa6, b'b', b'e', b'n', b'c', b'h', b'-']))
            .unwrap();
        assert_eq!(decode_msgpack(&buf, &Type::String).unwrap(), Value::Unknown);
    }

    #[test]
    fn large_numbers_sent_as_strings_are_accepted() {
        let mut buf = Vec::new();
        rmpv::encode::write_value(&mut buf, &Mp::from("10995116277760")).unwrap();
        assert_eq!(decode_msgpack(&buf, &Type::Number).unwrap(), Value::int(10995116277760));
    }

    #[test]
    fn shape_mismatch_is_an_error_not_a_panic() {
        let mut buf = Vec::new();
        rmpv::encode::write_value(&mut buf, &Mp::from(5)).unwrap();
        let e = decode_msgpack(&buf, &sample_type()).unwrap_err();
        assert_eq!(e.to_string(), "expected object at .");
        // A nested mismatch names where it is.
        let mut nested = Vec::new();
        let obj = Mp::Map(vec![(Mp::from("acl"), Mp::Array(vec![Mp::from("a"), Mp::from(7)]))]);
        rmpv::encode::write_value(&mut nested, &obj).unwrap();
        let e = decode_msgpack(&nested, &sample_type()).unwrap_err();
        assert_eq!(e.to_string(), "expected string at acl[1]");
        assert!(decode_msgpack(&[0xa5, b'a'], &Type::String).is_err(), "truncated input");
    }

    #[test]
    fn json_state_fills_missing_attributes_with_null() {
        let v = decode_json(br#"{"name":"x","size":"42","extra":1}"#, &sample_type()).unwrap();
        assert_eq!(v.get("name"), &Value::str("x"));
        assert_eq!(v.get("size"), &Value::int(42));
        assert!(v.get("acl").is_null());
    }
}
