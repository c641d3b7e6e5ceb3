//! The dynamic value model shared by the wire codec and the engine: Terraform's type
//! system (string, number, bool, collections, objects) plus null and unknown at any depth.

use std::collections::BTreeMap;
use std::fmt;

/// A Terraform type, as written in schemas and used to decode wire values.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(Vec<(String, Type)>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }
    pub fn object(attrs: &[(&str, Type)]) -> Type {
        Type::Object(attrs.iter().map(|(n, t)| (n.to_string(), t.clone())).collect())
    }

    /// The JSON type expression Terraform expects in schemas, e.g. `["list","string"]`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, serde_json::Value> =
                    attrs.iter().map(|(n, t)| (n.clone(), t.to_json())).collect();
                json!(["object", m])
            }
        }
    }
}

/// Numbers arrive as msgpack ints, floats or (for large values) decimal strings.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Number::Int(i) => Some(i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
            Number::Float(_) => None,
        }
    }
    /// A decimal string: whole numbers stay exact, others become floats.
    pub fn parse(s: &str) -> Option<Number> {
        match s.parse::<i64>() {
            Ok(i) => Some(Number::Int(i)),
            Err(_) => s.parse::<f64>().ok().map(Number::Float),
        }
    }
    pub fn as_f64(&self) -> f64 {
        match *self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self.as_i64(), other.as_i64()) {
            (Some(a), Some(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}

/// A value of some [`Type`]. Objects and maps keep their keys sorted, which makes
/// comparisons and encodings deterministic.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }
    pub fn string_list<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
        Value::List(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    /// True when neither this value nor anything inside it is unknown.
    pub fn is_fully_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) => v.iter().all(Value::is_fully_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_fully_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    pub fn as_items(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Attribute of an object value; null for anything else or a missing attribute.
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }

    /// Sets an attribute, turning a null value into an object first.
    pub fn set(&mut self, name: &str, v: Value) {
        if !matches!(self, Value::Object(_)) {
            *self = Value::Object(BTreeMap::new());
        }
        if let Value::Object(m) = self {
            m.insert(name.to_string(), v);
        }
    }

    /// Strings of a list/set value, skipping non-strings.
    pub fn string_items(&self) -> Vec<String> {
        self.as_items().map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    }

    /// Treats empty strings, collections and maps like null; APIs often answer "" or []
    /// for an argument the user never set.
    pub fn is_empty_like(&self) -> bool {
        match self {
            Value::Null => true,
            Value::String(s) => s.is_empty(),
            Value::List(v) | Value::Set(v) => v.is_empty(),
            Value::Map(m) => m.is_empty(),
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Unknown => write!(f, "(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(v) | Value::Set(v) => {
                write!(f, "[")?;
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{x}")?;
                }
                write!(f, "]")
            }
            Value::Map(m) | Value::Object(m) => {
                write!(f, "{{")?;
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {x}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// Reads JSON into a value of the given type, tolerating proto3 JSON habits (numbers and
/// bools as strings). Missing object attributes become null, unknown ones are dropped.
/// Errors say where: `expected number at nodes[2].port`.
pub fn from_json(j: &serde_json::Value, ty: &Type) -> Result<Value, String> {
    json_value(j, ty).map_err(|(what, steps)| {
        let at: String = steps.iter().rev().map(String::as_str).collect();
        format!("expected {what} at {}", if at.is_empty() { "." } else { at.trim_start_matches('.') })
    })
}

/// The decoding itself; an error carries what was expected and the steps to it, innermost
/// first, gathered while it unwinds (succeeding decodes format nothing).
fn json_value(j: &serde_json::Value, ty: &Type) -> Result<Value, (&'static str, Vec<String>)> {
    use serde_json::Value as J;
    if j.is_null() {
        return Ok(Value::Null);
    }
    let at = |what: &'static str| (what, Vec::new());
    let within = |step: String| {
        move |(what, mut steps): (&'static str, Vec<String>)| {
            steps.push(step);
            (what, steps)
        }
    };
    Ok(match ty {
        Type::String => Value::String(match j {
            J::String(s) => s.clone(),
            J::Number(n) => n.to_string(),
            J::Bool(b) => b.to_string(),
            _ => return Err(at("string")),
        }),
        Type::Bool => Value::Bool(match j {
            J::Bool(b) => *b,
            J::String(s) if s == "true" => true,
            J::String(s) if s == "false" => false,
            _ => return Err(at("bool")),
        }),
        Type::Number => Value::Number(match j {
            J::Number(n) => match n.as_i64() {
                Some(i) => Number::Int(i),
                None => Number::Float(n.as_f64().ok_or_else(|| at("number"))?),
            },
            J::String(s) => Number::parse(s).ok_or_else(|| at("number"))?,
            _ => return Err(at("number")),
        }),
        Type::List(et) | Type::Set(et) => {
            let items = j.as_array().ok_or_else(|| at("array"))?;
            let mut out = Vec::with_capacity(items.len());
            for (i, x) in items.iter().enumerate() {
                out.push(json_value(x, et).map_err(|e| within(format!("[{i}]"))(e))?);
            }
            if matches!(ty, Type::Set(_)) {
                Value::Set(out)
            } else {
                Value::List(out)
            }
        }
        Type::Map(et) => {
            let m = j.as_object().ok_or_else(|| at("map"))?;
            let mut out = BTreeMap::new();
            for (k, x) in m {
                out.insert(k.clone(), json_value(x, et).map_err(|e| within(format!("[{k:?}]"))(e))?);
            }
            Value::Map(out)
        }
        Type::Object(attrs) => {
            let m = j.as_object().ok_or_else(|| at("object"))?;
            let mut out = BTreeMap::new();
            for (name, aty) in attrs {
                let v = match m.get(name) {
                    Some(x) => json_value(x, aty).map_err(|e| within(format!(".{name}"))(e))?,
                    None => Value::Null,
                };
                out.insert(name.clone(), v);
            }
            Value::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_json_expressions_match_terraform() {
        let t = Type::object(&[("a", Type::list(Type::String)), ("b", Type::map(Type::Number))]);
        assert_eq!(t.to_json().to_string(), r#"["object",{"a":["list","string"],"b":["map","number"]}]"#);
    }

    #[test]
    fn numbers_compare_across_representations() {
        assert_eq!(Number::Int(4096), Number::Float(4096.0));
        assert_ne!(Number::Int(1), Number::Float(1.5));
    }

    #[test]
    fn unknown_anywhere_is_not_fully_known() {
        let mut v = Value::Null;
        v.set("x", Value::List(vec![Value::str("a"), Value::Unknown]));
        assert!(!v.is_fully_known());
        assert!(v.get("missing").is_null());
    }
}
