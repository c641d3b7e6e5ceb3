//! Field values to and from vendor JSON, per the field's declared [`Codec`].

use std::collections::BTreeMap;

use serde_json::{json, Value as J};

use crate::engine::normalize::{format_duration_secs, format_size, parse_bool, parse_duration_secs, parse_size};
use crate::engine::schema::{Codec, Field};
use crate::engine::value::{from_json, Number, Value};

/// Encodes a known, non-null Terraform value for the API. Errors name the problem; the
/// caller attaches the attribute path.
pub fn to_api(codec: Codec, v: &Value) -> Result<J, String> {
    Ok(match codec {
        Codec::Plain => plain_to_json(v),
        Codec::IntString => match v {
            Value::Number(n) => J::String(n.to_string()),
            Value::String(s) => J::String(s.clone()),
            _ => return Err(format!("{v} is not a number")),
        },
        Codec::BoolString => J::String(v.as_bool().ok_or_else(|| format!("{v} is not a bool"))?.to_string()),
        Codec::BoolDigit => {
            J::String(if v.as_bool().ok_or_else(|| format!("{v} is not a bool"))? { "1" } else { "0" }.into())
        }
        Codec::BoolWord => {
            J::String(if v.as_bool().ok_or_else(|| format!("{v} is not a bool"))? { "True" } else { "False" }.into())
        }
        Codec::SizeBytes => J::String(parse_size(v.as_str().unwrap_or_default())?.to_string()),
        Codec::ValuesList => json!({ "values": v.string_items() }),
        Codec::KeyValueList => {
            let m = v.as_map().cloned().unwrap_or_default();
            J::Array(m.iter().map(|(k, x)| json!({"key": k, "value": x.as_str().unwrap_or_default()})).collect())
        }
        Codec::DurationSeconds => {
            let secs = parse_duration_secs(v.as_str().unwrap_or_default())?;
            J::String(format!("{}s", secs.round() as i64))
        }
    })
}

/// Decodes an API value into the field's Terraform type. Unparseable input becomes an
/// error message rather than a panic.
pub fn from_api(field: &Field, codec: Codec, j: &J) -> Result<Value, String> {
    if j.is_null() {
        return Ok(Value::Null);
    }
    Ok(match codec {
        Codec::Plain | Codec::IntString => from_json(j, &field.ty)?,
        Codec::BoolDigit | Codec::BoolWord if j.is_number() => Value::Bool(j.as_f64().is_some_and(|n| n != 0.0)),
        Codec::BoolString | Codec::BoolDigit | Codec::BoolWord => match j {
            J::Bool(b) => Value::Bool(*b),
            // proto3 JSON leaves a false bool out or renders it empty.
            J::String(s) if s.is_empty() => Value::Bool(false),
            J::String(s) => Value::Bool(parse_bool(s).ok_or_else(|| format!("{s:?} is not a bool"))?),
            _ => return Err(format!("{j} is not a bool")),
        },
        Codec::SizeBytes => match j {
            J::String(s) => Value::String(format_size(parse_size(s)?)),
            J::Number(n) => Value::String(format_size(n.as_u64().ok_or_else(|| format!("{n} is not a size"))?)),
            _ => return Err(format!("{j} is not a size")),
        },
        Codec::ValuesList => {
            let items = j.get("values").cloned().unwrap_or(J::Array(vec![]));
            from_json(&items, &field.ty)?
        }
        Codec::KeyValueList => {
            let mut m = BTreeMap::new();
            for kv in j.as_array().map(Vec::as_slice).unwrap_or_default() {
                let k = kv.get("key").and_then(J::as_str).unwrap_or_default();
                let v = kv.get("value").and_then(J::as_str).unwrap_or_default();
                m.insert(k.to_string(), Value::str(v));
            }
            Value::Map(m)
        }
        Codec::DurationSeconds => {
            let secs = match j {
                J::String(s) => parse_duration_secs(s)?,
                J::Number(n) => n.as_f64().ok_or_else(|| format!("{n} is not a duration"))?,
                _ => return Err(format!("{j} is not a duration")),
            };
            Value::String(format_duration_secs(secs.max(0.0).round() as u64))
        }
    })
}

fn plain_to_json(v: &Value) -> J {
    match v {
        Value::Null | Value::Unknown => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Number(Number::Int(i)) => json!(i),
        Value::Number(Number::Float(f)) => json!(f),
        Value::String(s) => J::String(s.clone()),
        Value::List(items) | Value::Set(items) => J::Array(items.iter().map(plain_to_json).collect()),
        Value::Map(m) | Value::Object(m) => J::Object(m.iter().map(|(k, x)| (k.clone(), plain_to_json(x))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_booleans_go_as_the_method_documents_them() {
        let flag = Field::bool("active");
        assert_eq!(to_api(Codec::BoolDigit, &Value::Bool(true)).unwrap(), json!("1"));
        assert_eq!(to_api(Codec::BoolWord, &Value::Bool(false)).unwrap(), json!("False"));
        for (answer, want) in [(json!(1), true), (json!(0), false), (json!("True"), true), (json!(false), false)] {
            assert_eq!(from_api(&flag, Codec::BoolDigit, &answer).unwrap(), Value::Bool(want), "{answer}");
            assert_eq!(from_api(&flag, Codec::BoolWord, &answer).unwrap(), Value::Bool(want), "{answer}");
        }
    }

    #[test]
    fn lightbits_quirks_round_trip() {
        let size = Field::string("size");
        assert_eq!(to_api(Codec::SizeBytes, &Value::str("10 GiB")).unwrap(), json!("10737418240"));
        assert_eq!(from_api(&size, Codec::SizeBytes, &json!("10737418240")).unwrap(), Value::str("10GiB"));
        let acl = Field::string_list("acl");
        assert_eq!(
            to_api(Codec::ValuesList, &Value::string_list(["ALLOW_ANY"])).unwrap(),
            json!({"values": ["ALLOW_ANY"]})
        );
        assert_eq!(from_api(&acl, Codec::ValuesList, &json!({"values": ["a"]})).unwrap(), Value::string_list(["a"]));
        let comp = Field::bool("compression");
        assert_eq!(to_api(Codec::BoolString, &Value::Bool(true)).unwrap(), json!("true"));
        assert_eq!(from_api(&comp, Codec::BoolString, &json!("disabled")).unwrap(), Value::Bool(false));
        let n = Field::number("nsid");
        assert_eq!(from_api(&n, Codec::IntString, &json!("42")).unwrap(), Value::int(42));
        let labels = Field::string_map("labels");
        let m = Value::Map([("env".to_string(), Value::str("prod"))].into());
        let j = to_api(Codec::KeyValueList, &m).unwrap();
        assert_eq!(j, json!([{"key": "env", "value": "prod"}]));
        assert_eq!(from_api(&labels, Codec::KeyValueList, &j).unwrap(), m);
        let ret = Field::string("retention_time");
        assert_eq!(to_api(Codec::DurationSeconds, &Value::str("24h")).unwrap(), json!("86400s"));
        assert_eq!(from_api(&ret, Codec::DurationSeconds, &json!("86400s")).unwrap(), Value::str("24h"));
        assert!(from_api(&comp, Codec::BoolString, &json!("maybe")).is_err());
    }
}
