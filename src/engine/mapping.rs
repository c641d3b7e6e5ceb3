//! Between Terraform values and API JSON, per field declaration: one mapper from API
//! objects to state (resources and data sources alike) and the request bodies of creates
//! and updates. JSON names may be dotted paths into nested API objects.

use serde_json::{Map, Value as J};

use crate::engine::codec::{from_api, to_api};
use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::resource::ops::at;
use crate::engine::schema::{semantically_equal, Clear, Field, Mode, Nested, Nesting};
use crate::engine::value::{Type, Value};

/// Builds a value from an API object:
/// - where the API value means the same as `base`'s, `base`'s spelling stays ("10GiB");
/// - an attribute the API does not echo keeps its `base` value (null if unknown);
/// - write-only attributes are always null (they never reach state);
/// - an unset string the API renders as `""` stays null.
pub fn state_from_api(fields: &[Field], base: &Value, obj: &J) -> Result<Value, Diagnostics> {
    let mut out = if base.is_null() { Value::Object(Default::default()) } else { base.clone() };
    for f in fields {
        let b = base.get(f.name);
        let new = match &f.api {
            _ if f.write_only => Value::Null,
            Some(api) => match at(obj, api.read_json()) {
                None if b.is_unknown() => Value::Null,
                None => b.clone(),
                Some(j) => {
                    let v = decode(f, api.codec, j, b).map_err(|e| {
                        Diagnostics::error(
                            format!("Unexpected {} from the API", api.read_json()),
                            format!("The API returned {} for {}: {e}", redacted(f, j), f.name),
                        )
                    })?;
                    if f.sensitive {
                        remember_secret(&v);
                    }
                    if !b.is_unknown() && semantically_equal(f, b, &v) {
                        b.clone()
                    } else if (b.is_unknown() || b.is_null()) && v.as_str() == Some("") {
                        Value::Null
                    } else {
                        v
                    }
                }
            },
            None if b.is_unknown() => Value::Null,
            None => b.clone(),
        };
        out.set(f.name, new);
    }
    Ok(out)
}

/// Decodes one field's API value; nested objects map their children by their own JSON
/// names, keeping `base`'s spellings element by element.
fn decode(f: &Field, codec: crate::engine::schema::Codec, j: &J, base: &Value) -> Result<Value, String> {
    let Some(n) = &f.nested else { return from_api(f, codec, j) };
    if j.is_null() {
        return Ok(Value::Null);
    }
    let object = |base: &Value, j: &J| state_from_api(&n.fields, base, j).map_err(|d| d.to_string().trim().to_string());
    Ok(match (n.nesting, j) {
        (Nesting::Single, J::Object(_)) => object(base, j)?,
        (Nesting::List | Nesting::Set, J::Array(items)) => {
            let bases = base.as_items().unwrap_or_default();
            let decoded = items
                .iter()
                .enumerate()
                .map(|(i, x)| object(bases.get(i).unwrap_or(&Value::Null), x))
                .collect::<Result<Vec<_>, _>>()?;
            if n.nesting == Nesting::Set {
                Value::Set(decoded)
            } else {
                Value::List(decoded)
            }
        }
        (Nesting::Map, J::Object(m)) => Value::Map(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), object(base.as_map().and_then(|b| b.get(k)).unwrap_or(&Value::Null), x)?)))
                .collect::<Result<_, String>>()?,
        ),
        _ => return Err(format!("{j} is not the expected nested object")),
    })
}

/// Encodes a nested value: each object from its children that have an API name and a
/// value (computed-only children are the API's to set).
fn encode_nested(n: &Nested, v: &Value) -> Result<J, String> {
    let object = |o: &Value| -> Result<J, String> {
        let mut body = Map::new();
        for c in &n.fields {
            let (Some(api), x) = (&c.api, o.get(c.name)) else { continue };
            if c.mode == Mode::Computed || x.is_null() || x.is_unknown() {
                continue;
            }
            let j = match &c.nested {
                Some(inner) => encode_nested(inner, x)?,
                None => to_api(api.codec, x).map_err(|e| format!("{}: {e}", c.name))?,
            };
            put_at(&mut body, api.json, j);
        }
        Ok(J::Object(body))
    };
    Ok(match (n.nesting, v) {
        (Nesting::Single, _) => object(v)?,
        (_, Value::List(items) | Value::Set(items)) => J::Array(items.iter().map(object).collect::<Result<_, _>>()?),
        (_, Value::Map(m)) => {
            J::Object(m.iter().map(|(k, x)| Ok((k.clone(), object(x)?))).collect::<Result<_, String>>()?)
        }
        _ => return Err(format!("{v} is not a collection of objects")),
    })
}

/// A value fit for a message: sensitive ones are not shown.
pub fn redacted(f: &Field, v: impl std::fmt::Display) -> String {
    if f.sensitive || f.write_only {
        "(sensitive value)".to_string()
    } else {
        v.to_string()
    }
}

/// The value a field sends: write-only values come from the configuration, since they
/// are never in plans or state.
fn sent_value<'a>(f: &Field, planned: &'a Value, config: &'a Value) -> &'a Value {
    let v = if f.write_only { config.get(f.name) } else { planned.get(f.name) };
    if f.write_only || f.sensitive {
        remember_secret(v);
    }
    v
}

/// Secrets a resource sends or receives are masked in every log line and diagnostic.
fn remember_secret(v: &Value) {
    if let Some(s) = v.as_str() {
        crate::logging::register_secret(s);
    }
}

fn encode(f: &Field, v: &Value) -> Result<J, Diagnostics> {
    let api = f.api.as_ref().ok_or_else(|| Diagnostics::error("Internal error", format!("{} is not sent", f.name)))?;
    let encoded = match &f.nested {
        Some(n) => encode_nested(n, v),
        None => to_api(api.codec, v),
    };
    encoded.map_err(|e| Diagnostics::attr_error(AttrPath::attr(f.name), format!("Invalid value for {}", f.name), e))
}

/// Encodes one attribute's value alone (a body that is just that value).
pub fn encode_attr(fields: &[Field], name: &str, planned: &Value, config: &Value) -> Result<J, Diagnostics> {
    match fields.iter().find(|f| f.name == name) {
        Some(f) => match sent_value(f, planned, config) {
            v if v.is_null() || v.is_unknown() => Ok(J::Null),
            v => encode(f, v),
        },
        None => Err(Diagnostics::error("Internal error", format!("no attribute {name}"))),
    }
}

/// Sets `value` at a dotted path, creating the objects on the way.
pub fn put_at(body: &mut Map<String, J>, path: &str, value: J) {
    match path.split_once('.') {
        None => {
            body.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let child = body.entry(head.to_string()).or_insert_with(|| J::Object(Map::new()));
            if !child.is_object() {
                *child = J::Object(Map::new());
            }
            if let J::Object(m) = child {
                put_at(m, rest, value);
            }
        }
    }
}

/// The body of a create: every field sent on create that has a value.
pub fn create_body(fields: &[Field], planned: &Value, config: &Value) -> Result<Map<String, J>, Diagnostics> {
    let mut body = Map::new();
    for f in fields {
        let Some(api) = &f.api else { continue };
        let v = sent_value(f, planned, config);
        if !api.in_create || v.is_null() || v.is_unknown() {
            continue;
        }
        put_at(&mut body, api.json, encode(f, v)?);
    }
    Ok(body)
}

/// True when a write-only field must be sent by this update: its version trigger moved.
fn write_only_due(f: &Field, prior: &Value, planned: &Value) -> bool {
    f.write_only && f.write_only_trigger.is_some_and(|t| prior.get(t) != planned.get(t))
}

/// The members of an update: with `all`, every updatable field (the API replaces the
/// object); otherwise only those whose value changed. Empty when nothing needs sending.
pub fn update_body(
    fields: &[Field],
    prior: &Value,
    planned: &Value,
    config: &Value,
    all: bool,
) -> Result<Map<String, J>, Diagnostics> {
    let mut body = Map::new();
    for f in fields {
        let Some(api) = &f.api else { continue };
        if !api.in_update {
            continue;
        }
        let mut v = sent_value(f, planned, config);
        if all && v.is_unknown() {
            // A replacing update must not drop what the plan leaves to the API: send the
            // value the object has now.
            v = prior.get(f.name);
        }
        let changed =
            if f.write_only { write_only_due(f, prior, planned) } else { !semantically_equal(f, v, prior.get(f.name)) };
        if v.is_unknown() || !(changed || all) {
            continue;
        }
        let j = if v.is_null() {
            if !changed {
                continue;
            }
            match f.clear {
                Clear::Null | Clear::Impossible(_) => J::Null,
                Clear::Empty => match f.ty {
                    Type::List(_) | Type::Set(_) | Type::Map(_) => {
                        to_api(api.codec, &Value::List(vec![])).unwrap_or(J::Array(vec![]))
                    }
                    _ => J::String(String::new()),
                },
            }
        } else {
            encode(f, v)?
        };
        put_at(&mut body, api.update_json.unwrap_or(api.json), j);
    }
    Ok(body)
}

/// True when a plan changes something an update request carries.
pub fn has_update(fields: &[Field], prior: &Value, planned: &Value) -> bool {
    fields.iter().any(|f| {
        f.api.as_ref().is_some_and(|a| a.in_update)
            && (write_only_due(f, prior, planned)
                || (!f.write_only && !semantically_equal(f, planned.get(f.name), prior.get(f.name))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::schema::Codec;
    use serde_json::json;

    fn fields() -> Vec<Field> {
        vec![
            Field::string("name").required().api_create("name", Codec::Plain),
            Field::string("address").optional().api_mutable("connectionSettings.internalAddress", Codec::Plain),
            Field::string("password_wo")
                .write_only()
                .sent_when_changed("password_wo_version")
                .api_mutable("password", Codec::Plain),
            Field::number("password_wo_version").optional(),
            Field::string("secret").computed().sensitive().api("apiKey", Codec::Plain),
        ]
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut v = Value::Object(Default::default());
        for (k, x) in pairs {
            v.set(k, x.clone());
        }
        v
    }

    #[test]
    fn nested_json_paths_both_ways() {
        let planned = obj(&[("name", Value::str("a")), ("address", Value::str("tcp://x:22"))]);
        let body = create_body(&fields(), &planned, &Value::Null).unwrap();
        assert_eq!(J::Object(body), json!({"name": "a", "connectionSettings": {"internalAddress": "tcp://x:22"}}));
        let back =
            state_from_api(&fields(), &Value::Null, &json!({"connectionSettings": {"internalAddress": "y"}})).unwrap();
        assert_eq!(back.get("address"), &Value::str("y"));
    }

    #[test]
    fn write_only_values_come_from_config_and_only_when_their_version_moves() {
        let planned = obj(&[("name", Value::str("a")), ("password_wo_version", Value::int(1))]);
        let config = obj(&[("password_wo", Value::str("s3cret"))]);
        let body = create_body(&fields(), &planned, &config).unwrap();
        assert_eq!(body.get("password"), Some(&json!("s3cret")));
        assert!(update_body(&fields(), &planned, &planned, &config, false).unwrap().is_empty());
        let mut bumped = planned.clone();
        bumped.set("password_wo_version", Value::int(2));
        assert!(has_update(&fields(), &planned, &bumped));
        let body = update_body(&fields(), &planned, &bumped, &config, false).unwrap();
        assert_eq!(J::Object(body), json!({"password": "s3cret"}));
        // Never in state, whatever the API echoes.
        let s = state_from_api(&fields(), &planned, &json!({"password": "s3cret"})).unwrap();
        assert!(s.get("password_wo").is_null());
    }

    #[test]
    fn values_only_the_create_answer_holds_are_kept_by_later_reads() {
        let created = state_from_api(&fields(), &obj(&[("secret", Value::Unknown)]), &json!({"apiKey": "k1"})).unwrap();
        let reread = state_from_api(&fields(), &created, &json!({"name": "a"})).unwrap();
        assert_eq!(reread.get("secret"), &Value::str("k1"));
    }

    fn policies() -> Vec<Field> {
        vec![Field::list_of(
            "default_policies",
            vec![
                Field::string("policy_type").required().api("policyType", Codec::Plain),
                Field::string("policy_uuid").required().api("policyUUID", Codec::Plain),
                Field::string("created").computed().api("meta.created", Codec::Plain),
            ],
        )
        .optional()
        .api_mutable("defaultPolicies", Codec::Plain)]
    }

    #[test]
    fn nested_lists_map_children_by_their_own_json_names() {
        let item = obj(&[
            ("policy_type", Value::str("qosRateLimit")),
            ("policy_uuid", Value::str("u1")),
            ("created", Value::Unknown),
        ]);
        let planned = obj(&[("default_policies", Value::List(vec![item]))]);
        let body = create_body(&policies(), &planned, &Value::Null).unwrap();
        assert_eq!(J::Object(body), json!({"defaultPolicies": [{"policyType": "qosRateLimit", "policyUUID": "u1"}]}));
        let answer = json!({"defaultPolicies": [{"policyType": "qosRateLimit", "policyUUID": "u1", "meta": {"created": "today"}}]});
        let state = state_from_api(&policies(), &planned, &answer).unwrap();
        let first = &state.get("default_policies").as_items().unwrap()[0];
        assert_eq!(first.get("created"), &Value::str("today"));
        assert_eq!(first.get("policy_uuid"), &Value::str("u1"));
        let bad = state_from_api(&policies(), &planned, &json!({"defaultPolicies": "x"}));
        assert!(bad.is_err());
    }

    #[test]
    fn nested_values_are_validated_with_their_paths() {
        let f = Field::list_of(
            "rules",
            vec![Field::number("port").required().validate(crate::engine::schema::Validator::IntRange(1, 65535))],
        )
        .items(1, 2);
        let mut d = Diagnostics::default();
        let v = Value::List(vec![obj(&[("port", Value::int(0))])]);
        f.check(&v, &AttrPath::attr("rules"), &mut d);
        assert_eq!(d.0[0].path, Some(AttrPath::attr("rules").then_index(0).then_attr("port")));
        let mut d = Diagnostics::default();
        f.check(&Value::List(vec![]), &AttrPath::attr("rules"), &mut d);
        assert!(d.0[0].detail.contains("from 1 to 2"), "{d}");
    }

    #[test]
    fn sensitive_values_are_not_quoted_in_errors() {
        let f = vec![Field::number("secret").computed().sensitive().api("apiKey", Codec::Plain)];
        let e = state_from_api(&f, &Value::Null, &json!({"apiKey": "hunter2"})).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
}
