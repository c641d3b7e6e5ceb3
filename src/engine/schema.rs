//! Field declarations: everything the engine needs to know about one attribute, written
//! as data by the vendor modules (`Field::string("name").required().replace()...`).

use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::normalize::{parse_duration_secs, parse_size};
use crate::engine::value::{Type, Value};
// Re-exported: vendor code reaches the parser through the engine's schema vocabulary.
pub use crate::timestamp::parse_rfc3339;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    Required,
    Optional,
    /// Set only by the provider.
    Computed,
    /// Optional in configuration; the provider fills it (default, API value) when unset.
    OptionalComputed,
}

/// Checks on a configured value; they run in ValidateResourceConfig, on known values only.
#[derive(Clone, Debug)]
pub enum Validator {
    OneOf(&'static [&'static str]),
    /// Each element of a string list or set is one of the literals.
    EachOneOf(&'static [&'static str]),
    /// Each element of a string list must match one of the given literals or the regex.
    EachMatches(&'static str, &'static str),
    IntIn(&'static [i64]),
    IntRange(i64, i64),
    Regex(&'static str, &'static str),
    Size,
    /// A duration the API keeps (up to a century).
    Duration,
    /// A time limit of the provider's own (up to a year).
    Timeout,
    MaxLen(usize),
    /// A length in characters from the first to the second number.
    LenRange(usize, usize),
    MaxItems(usize),
    MinItems(usize),
    /// A UUID (8-4-4-4-12 hex digits).
    Uuid,
    /// Each element is an IPv4/IPv6 address, or one of the literals.
    EachIpAddress(&'static str),
    /// Any check a vendor needs, with the sentence the docs show for it.
    Custom {
        check: fn(&Value) -> Result<(), String>,
        describe: &'static str,
    },
}

/// What an update sends when an optional argument is removed from the configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clear {
    /// JSON null.
    Null,
    /// The codec's empty form: `""`, `[]`.
    Empty,
    /// The API cannot clear it; a plan that would is refused with this reason.
    Impossible(&'static str),
}

/// How two values of a field are compared: values that mean the same are not a change.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Semantic {
    Exact,
    /// Byte sizes in any accepted spelling.
    ByteSize,
    /// A list the API treats as a set: order does not matter.
    UnorderedStrings,
    Duration,
    CaseInsensitive,
    /// RFC 3339 timestamps: the same instant in any offset (`...+01:00` = `...Z`).
    Instant,
    /// JSON documents: key order and whitespace do not matter.
    Json,
}

/// How a field's value travels in the vendor's JSON.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Codec {
    /// Same shape on both sides (strings, bools, numbers, string lists).
    Plain,
    /// A number sent and received as a decimal string (proto3 JSON 64-bit integers).
    IntString,
    /// A bool sent as "true"/"false"; accepts "enable(d)"/"disable(d)" back.
    BoolString,
    /// A bool sent as "1"/"0" (RPC form fields); any bool spelling or 0/1 back.
    BoolDigit,
    /// A bool sent as "True"/"False" (Python-style form fields); any bool spelling back.
    BoolWord,
    /// A human size in Terraform, a byte count string in the API.
    SizeBytes,
    /// A string list wrapped as `{"values": [...]}`.
    ValuesList,
    /// A map in Terraform, `[{"key": k, "value": v}]` in the API.
    KeyValueList,
    /// A duration in Terraform, `"<seconds>s"` in the API.
    DurationSeconds,
}

#[derive(Clone, Debug)]
pub struct ApiField {
    /// Where the value sits in request and answer bodies, as a dotted path.
    pub json: &'static str,
    /// Where answers hold it, when that differs from requests.
    pub read_json: Option<&'static str>,
    pub codec: Codec,
    pub in_create: bool,
    pub in_update: bool,
    /// Name used in update bodies when it differs (e.g. a rename sent as `newName`).
    pub update_json: Option<&'static str>,
}

impl ApiField {
    fn new(json: &'static str, codec: Codec, in_create: bool, in_update: bool) -> ApiField {
        ApiField { json, read_json: None, codec, in_create, in_update, update_json: None }
    }
    pub fn read_json(&self) -> &'static str {
        self.read_json.unwrap_or(self.json)
    }
}

/// Replaces the resource when a change of this field satisfies `when(prior, planned)`.
#[derive(Clone, Copy, Debug)]
pub struct ReplaceIf {
    pub when: fn(&Value, &Value) -> bool,
    pub describe: &'static str,
}

/// How a nested attribute or block holds its objects.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Nesting {
    /// One object.
    Single,
    List,
    Set,
    /// Objects by string key.
    Map,
}

/// The attributes of a nested attribute or block, each a [`Field`] whose API name is
/// relative to the nested API object.
#[derive(Clone, Debug)]
pub struct Nested {
    pub nesting: Nesting,
    pub fields: Vec<Field>,
    /// Written as a block (`name { ... }`) rather than an attribute (`name = { ... }`).
    pub block: bool,
    pub min_items: usize,
    /// 0: no limit.
    pub max_items: usize,
}

impl Nested {
    pub fn object_type(&self) -> Type {
        object_type(&self.fields, &[])
    }

    /// The objects of a value with their path steps (`[0]`, `["key"]`, or none).
    pub fn elements<'a>(&self, v: &'a Value, path: &AttrPath) -> Vec<(AttrPath, &'a Value)> {
        match (self.nesting, v) {
            (Nesting::Single, _) => vec![(path.clone(), v)],
            (_, Value::List(items) | Value::Set(items)) => {
                items.iter().enumerate().map(|(i, x)| (path.clone().then_index(i as i64), x)).collect()
            }
            (_, Value::Map(m)) => m.iter().map(|(k, x)| (path.clone().then_key(k), x)).collect(),
            _ => vec![],
        }
    }
}

/// Where a default comes from when the configuration leaves a field unset.
#[derive(Clone, Debug)]
pub enum DefaultValue {
    Static(Value),
    /// A provider configuration attribute, e.g. a volume's project from `default_project`.
    FromProvider(&'static str),
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Type,
    pub description: String,
    pub mode: Mode,
    pub sensitive: bool,
    pub write_only: bool,
    pub replace_on_change: bool,
    pub replace_if: Option<ReplaceIf>,
    /// For a write-only field: the attribute whose change makes an update send it again.
    pub write_only_trigger: Option<&'static str>,
    pub clear: Clear,
    /// Keeps the prior value in plans that update the resource (UseStateForUnknown).
    pub stable: bool,
    pub default: Option<DefaultValue>,
    pub validators: Vec<Validator>,
    pub semantic: Semantic,
    pub api: Option<ApiField>,
    /// An environment variable consulted when a provider argument is unset.
    pub env: Option<&'static str>,
    /// The attributes inside a nested attribute or block.
    pub nested: Option<Box<Nested>>,
}

impl Field {
    pub fn new(name: &'static str, ty: Type) -> Field {
        Field {
            name,
            ty,
            description: String::new(),
            mode: Mode::Optional,
            sensitive: false,
            write_only: false,
            replace_on_change: false,
            replace_if: None,
            write_only_trigger: None,
            clear: Clear::Null,
            stable: false,
            default: None,
            validators: Vec::new(),
            semantic: Semantic::Exact,
            api: None,
            env: None,
            nested: None,
        }
    }
    /// A nested attribute: one object (`Single`), or a list, set or map of objects. The
    /// children's API names are relative to the nested API object.
    pub fn nested(name: &'static str, nesting: Nesting, fields: Vec<Field>) -> Field {
        let n = Nested { nesting, fields, block: false, min_items: 0, max_items: 0 };
        let obj = n.object_type();
        let ty = match nesting {
            Nesting::Single => obj,
            Nesting::List => Type::list(obj),
            Nesting::Set => Type::set(obj),
            Nesting::Map => Type::map(obj),
        };
        let mut f = Field::new(name, ty);
        f.nested = Some(Box::new(n));
        f
    }
    pub fn object(name: &'static str, fields: Vec<Field>) -> Field {
        Field::nested(name, Nesting::Single, fields)
    }
    pub fn list_of(name: &'static str, fields: Vec<Field>) -> Field {
        Field::nested(name, Nesting::List, fields)
    }
    pub fn set_of(name: &'static str, fields: Vec<Field>) -> Field {
        Field::nested(name, Nesting::Set, fields)
    }
    /// Written as a block in configurations (`name { ... }`), as older providers do.
    pub fn block(mut self) -> Field {
        if let Some(n) = self.nested.as_mut() {
            n.block = true;
        }
        self
    }
    /// Bounds on the number of objects of a nested list, set or map.
    pub fn items(mut self, min: usize, max: usize) -> Field {
        if let Some(n) = self.nested.as_mut() {
            n.min_items = min;
            n.max_items = max;
        }
        self
    }
    pub fn string(name: &'static str) -> Field {
        Field::new(name, Type::String)
    }
    pub fn number(name: &'static str) -> Field {
        Field::new(name, Type::Number)
    }
    pub fn bool(name: &'static str) -> Field {
        Field::new(name, Type::Bool)
    }
    pub fn string_list(name: &'static str) -> Field {
        Field::new(name, Type::list(Type::String))
    }
    pub fn string_map(name: &'static str) -> Field {
        Field::new(name, Type::map(Type::String))
    }

    pub fn desc(mut self, d: impl Into<String>) -> Field {
        self.description = d.into();
        self
    }
    pub fn required(mut self) -> Field {
        self.mode = Mode::Required;
        self
    }
    pub fn optional(mut self) -> Field {
        self.mode = Mode::Optional;
        self
    }
    /// Computed by the provider and kept across updates (ids, creation-time facts).
    pub fn computed(mut self) -> Field {
        self.mode = Mode::Computed;
        self.stable = true;
        self
    }
    /// Computed and possibly changed by any update (state, sizes reported by the API).
    pub fn computed_volatile(mut self) -> Field {
        self.mode = Mode::Computed;
        self.stable = false;
        self
    }
    /// Optional; when unset the API decides and the value is kept afterwards.
    pub fn optional_computed(mut self) -> Field {
        self.mode = Mode::OptionalComputed;
        self.stable = true;
        self
    }
    pub fn sensitive(mut self) -> Field {
        self.sensitive = true;
        self
    }
    pub fn write_only(mut self) -> Field {
        self.write_only = true;
        self
    }
    /// Write-only and sent again on update whenever `version_attr` changes.
    pub fn sent_when_changed(mut self, version_attr: &'static str) -> Field {
        self.write_only = true;
        self.write_only_trigger = Some(version_attr);
        self
    }
    pub fn replace_if(mut self, when: fn(&Value, &Value) -> bool, describe: &'static str) -> Field {
        self.replace_if = Some(ReplaceIf { when, describe });
        self
    }
    pub fn clear_with(mut self, c: Clear) -> Field {
        self.clear = c;
        self
    }
    pub fn replace(mut self) -> Field {
        self.replace_on_change = true;
        self
    }
    pub fn default(mut self, v: Value) -> Field {
        self.default = Some(DefaultValue::Static(v));
        self.mode = Mode::OptionalComputed;
        self
    }
    pub fn default_from_provider(mut self, provider_attr: &'static str) -> Field {
        self.default = Some(DefaultValue::FromProvider(provider_attr));
        self.mode = Mode::OptionalComputed;
        self
    }
    pub fn env(mut self, var: &'static str) -> Field {
        self.env = Some(var);
        self
    }
    pub fn validate(mut self, v: Validator) -> Field {
        self.validators.push(v);
        self
    }
    pub fn semantic(mut self, s: Semantic) -> Field {
        self.semantic = s;
        self
    }
    /// Read from the API only (never sent).
    pub fn api(mut self, json: &'static str, codec: Codec) -> Field {
        self.api = Some(ApiField::new(json, codec, false, false));
        self
    }
    /// Sent on create (and read back).
    pub fn api_create(mut self, json: &'static str, codec: Codec) -> Field {
        self.api = Some(ApiField::new(json, codec, true, false));
        self
    }
    /// Sent on create and on update (and read back).
    pub fn api_mutable(mut self, json: &'static str, codec: Codec) -> Field {
        self.api = Some(ApiField::new(json, codec, true, true));
        self
    }
    /// Answers hold the value at another path than requests.
    pub fn read_as(mut self, json: &'static str) -> Field {
        if let Some(a) = self.api.as_mut() {
            a.read_json = Some(json);
        }
        self
    }
    pub fn update_as(mut self, json: &'static str) -> Field {
        if let Some(a) = self.api.as_mut() {
            a.in_update = true;
            a.update_json = Some(json);
        }
        self
    }

    pub fn is_configurable(&self) -> bool {
        self.mode != Mode::Computed
    }

    /// Runs this field's validators against a configured value.
    pub fn check(&self, v: &Value, path: &AttrPath, diags: &mut Diagnostics) {
        if v.is_null() || v.is_unknown() {
            return;
        }
        if let Some(n) = &self.nested {
            let count = v.as_items().map(<[Value]>::len).or_else(|| v.as_map().map(|m| m.len()));
            if let (Some(count), true) = (count, n.nesting != Nesting::Single) {
                if count < n.min_items || (n.max_items > 0 && count > n.max_items) {
                    let bound = match (n.min_items, n.max_items) {
                        (min, 0) => format!("at least {min}"),
                        (min, max) if min == max => format!("exactly {min}"),
                        (min, max) => format!("from {min} to {max}"),
                    };
                    diags.add_error(
                        format!("Invalid value for {}", self.name),
                        format!("{} must hold {bound} element(s), got {count}", self.name),
                        Some(path.clone()),
                    );
                }
            }
            for (at, element) in n.elements(v, path) {
                for child in &n.fields {
                    child.check(element.get(child.name), &at.clone().then_attr(child.name), diags);
                }
            }
        }
        if !v.is_fully_known() {
            return;
        }
        for val in &self.validators {
            if let Err(msg) = run_validator(val, v) {
                diags.add_error(format!("Invalid value for {}", self.name), msg, Some(path.clone()));
            }
        }
    }
}

/// Validators run for every resource instance in every plan: compile each pattern once,
/// and hand out the one compiled regex (a clone would start with a cold search cache).
fn compiled(pattern: &'static str) -> Result<&'static regex::Regex, String> {
    type Cache = std::sync::Mutex<std::collections::HashMap<&'static str, &'static regex::Regex>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let mut map = CACHE.get_or_init(Default::default).lock().map_err(|_| "regex cache poisoned".to_string())?;
    if let Some(re) = map.get(pattern) {
        return Ok(re);
    }
    // Patterns are `'static` declarations, a handful per provider: leaking each once is
    // bounded.
    let re: &'static regex::Regex = Box::leak(Box::new(regex::Regex::new(pattern).map_err(|e| e.to_string())?));
    map.insert(pattern, re);
    Ok(re)
}

fn run_validator(val: &Validator, v: &Value) -> Result<(), String> {
    match val {
        Validator::OneOf(allowed) => {
            let s = v.as_str().unwrap_or_default();
            if !allowed.contains(&s) {
                return Err(format!("{s:?} is not one of: {}", allowed.join(", ")));
            }
        }
        Validator::EachOneOf(allowed) => {
            for (i, s) in v.string_items().iter().enumerate() {
                if !allowed.contains(&s.as_str()) {
                    return Err(format!("element {i} ({s:?}) is not one of: {}", allowed.join(", ")));
                }
            }
        }
        Validator::EachMatches(literals, pattern) => {
            let re = compiled(pattern)?;
            for (i, s) in v.string_items().iter().enumerate() {
                if !literals.split('|').any(|l| l == s) && !re.is_match(s) {
                    return Err(format!(
                        "element {i} ({s:?}) must be {} or match {pattern}",
                        literals.replace('|', " or ")
                    ));
                }
            }
        }
        Validator::IntIn(allowed) => {
            let n = v.as_i64();
            if !n.is_some_and(|n| allowed.contains(&n)) {
                let list: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
                return Err(format!("{v} is not one of: {}", list.join(", ")));
            }
        }
        Validator::IntRange(lo, i64::MAX) => match v.as_i64() {
            Some(n) if n >= *lo => {}
            _ => return Err(format!("{v} must be a whole number of at least {lo}")),
        },
        Validator::IntRange(lo, hi) => match v.as_i64() {
            Some(n) if (*lo..=*hi).contains(&n) => {}
            _ => return Err(format!("{v} must be a whole number from {lo} to {hi}")),
        },
        Validator::Regex(pattern, what) => {
            let re = compiled(pattern)?;
            let s = v.as_str().unwrap_or_default();
            if !re.is_match(s) {
                return Err(format!("{s:?} is not {what}"));
            }
        }
        Validator::Size => {
            parse_size(v.as_str().unwrap_or_default())?;
        }
        Validator::Timeout => {
            crate::engine::normalize::parse_duration(v.as_str().unwrap_or_default())?;
        }
        Validator::Duration => {
            // Durations the API keeps (a retention time) may exceed the one-year cap of
            // timeouts, but must stay within what whole seconds in an i64 can say.
            let text = v.as_str().unwrap_or_default();
            let secs = parse_duration_secs(text)?;
            if !(0.0..=MAX_API_DURATION_SECS).contains(&secs) {
                return Err(format!("{text:?} must be a duration from 0s to 100 years"));
            }
        }
        Validator::MaxLen(n) => {
            let s = v.as_str().unwrap_or_default();
            if s.len() > *n {
                return Err(format!("must be at most {n} bytes long (got {})", s.len()));
            }
        }
        Validator::LenRange(min, max) => {
            let count = v.as_str().unwrap_or_default().chars().count();
            if count < *min || count > *max {
                return Err(format!("must be {min} to {max} characters long (got {count})"));
            }
        }
        Validator::MaxItems(n) => {
            let len = v.as_items().map(|x| x.len()).or_else(|| v.as_map().map(|m| m.len())).unwrap_or(0);
            if len > *n {
                return Err(format!("must have at most {n} elements (got {len})"));
            }
        }
        Validator::MinItems(n) => {
            let len = v.as_items().map(|x| x.len()).or_else(|| v.as_map().map(|m| m.len())).unwrap_or(0);
            if len < *n {
                return Err(format!("must have at least {n} element{} (got {len})", if *n == 1 { "" } else { "s" }));
            }
        }
        Validator::Uuid => {
            let s = v.as_str().unwrap_or_default();
            if !is_uuid(s) {
                return Err(format!("{s:?} is not a UUID (like 3fa85f64-5717-4562-b3fc-2c963f66afa6)"));
            }
        }
        Validator::EachIpAddress(literals) => {
            for (i, s) in v.string_items().iter().enumerate() {
                if !literals.split('|').any(|l| l == s) && s.parse::<std::net::IpAddr>().is_err() {
                    return Err(format!(
                        "element {i} ({s:?}) must be an IPv4 or IPv6 address, or {}",
                        literals.replace('|', " or ")
                    ));
                }
            }
        }
        Validator::Custom { check, .. } => check(v)?,
    }
    Ok(())
}

/// A century: far beyond any real retention time, far within i64 seconds.
const MAX_API_DURATION_SECS: f64 = 100.0 * 366.0 * 86400.0;

pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl Validator {
    /// How the docs describe the check.
    pub fn describe(&self) -> Option<String> {
        Some(match self {
            Validator::OneOf(v) => {
                format!("One of {}.", v.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", "))
            }
            Validator::EachOneOf(v) => {
                format!("Each element one of {}.", v.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", "))
            }
            Validator::LenRange(min, max) => format!("From {min} to {max} characters."),
            Validator::IntIn(v) => {
                format!("One of {}.", v.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", "))
            }
            Validator::IntRange(lo, i64::MAX) => format!("At least {lo}."),
            Validator::IntRange(lo, hi) => format!("From {lo} to {hi}."),
            Validator::MaxLen(n) => format!("At most {n} bytes."),
            Validator::MaxItems(n) => format!("At most {n} elements."),
            Validator::MinItems(n) => format!("At least {n} element{}.", if *n == 1 { "" } else { "s" }),
            Validator::Uuid => "A UUID.".into(),
            Validator::Custom { describe, .. } => describe.to_string(),
            _ => return None,
        })
    }
}

/// True when two values of a field mean the same thing to the API.
pub fn semantically_equal(field: &Field, a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    if a.is_unknown() || b.is_unknown() {
        return false;
    }
    // An unset optional argument and the API's empty answer are the same thing.
    if (a.is_null() && b.is_empty_like()) || (b.is_null() && a.is_empty_like()) {
        return true;
    }
    if let Some(n) = &field.nested {
        return nested_equal(n, a, b);
    }
    match field.semantic {
        Semantic::Exact => false,
        Semantic::ByteSize => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => matches!((parse_size(x), parse_size(y)), (Ok(p), Ok(q)) if p == q),
            _ => false,
        },
        Semantic::Duration => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => {
                matches!((parse_duration_secs(x), parse_duration_secs(y)), (Ok(p), Ok(q)) if p == q)
            }
            _ => false,
        },
        Semantic::UnorderedStrings => {
            let (mut x, mut y) = (a.string_items(), b.string_items());
            x.sort();
            y.sort();
            x == y && a.as_items().map(<[Value]>::len) == b.as_items().map(<[Value]>::len)
        }
        Semantic::CaseInsensitive => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            _ => false,
        },
        Semantic::Instant => match (a.as_str().and_then(parse_rfc3339), b.as_str().and_then(parse_rfc3339)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
        Semantic::Json => {
            let parse = |v: &Value| v.as_str().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
            matches!((parse(a), parse(b)), (Some(x), Some(y)) if x == y)
        }
    }
}

fn objects_equal(fields: &[Field], a: &Value, b: &Value) -> bool {
    fields.iter().all(|f| semantically_equal(f, a.get(f.name), b.get(f.name)))
}

fn nested_equal(n: &Nested, a: &Value, b: &Value) -> bool {
    match (n.nesting, a, b) {
        (Nesting::Single, _, _) => objects_equal(&n.fields, a, b),
        (Nesting::List, Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| objects_equal(&n.fields, p, q))
        }
        // Sets: every object has a counterpart, whatever the order.
        (Nesting::Set, Value::Set(x) | Value::List(x), Value::Set(y) | Value::List(y)) => {
            x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| objects_equal(&n.fields, p, q)))
        }
        (Nesting::Map, Value::Map(x), Value::Map(y)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| objects_equal(&n.fields, p, q)))
        }
        _ => false,
    }
}

/// The object type of a list of fields, plus extra nested attributes (such as `timeouts`).
pub fn object_type(fields: &[Field], extra: &[(&str, Type)]) -> Type {
    let mut attrs: Vec<(String, Type)> = fields.iter().map(|f| (f.name.to_string(), f.ty.clone())).collect();
    attrs.extend(extra.iter().map(|(n, t)| (n.to_string(), t.clone())));
    Type::Object(attrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semantic_equality_rules() {
        let size = Field::string("size").semantic(Semantic::ByteSize);
        assert!(semantically_equal(&size, &Value::str("10GiB"), &Value::str("10737418240")));
        assert!(semantically_equal(&size, &Value::str("10 GiB"), &Value::str("10GiB")));
        assert!(!semantically_equal(&size, &Value::str("10GiB"), &Value::str("11GiB")));
        let acl = Field::string_list("acl").semantic(Semantic::UnorderedStrings);
        assert!(semantically_equal(&acl, &Value::string_list(["a", "b"]), &Value::string_list(["b", "a"])));
        let at = Field::string("at").semantic(Semantic::Instant);
        assert!(semantically_equal(
            &at,
            &Value::str("2026-12-31T23:59:59+01:00"),
            &Value::str("2026-12-31T22:59:59.000Z")
        ));
        assert!(!semantically_equal(
            &at,
            &Value::str("2026-12-31T23:59:59+01:00"),
            &Value::str("2026-12-31T23:59:59Z")
        ));
        assert!(!semantically_equal(&at, &Value::str("tomorrow"), &Value::str("2026-12-31T23:59:59Z")));
        assert!(parse_rfc3339("2026-12-31T23:59:59").is_none(), "an offset is required");
        assert!(!semantically_equal(&acl, &Value::string_list(["a"]), &Value::string_list(["a", "a"])));
        let desc = Field::string("description");
        assert!(semantically_equal(&desc, &Value::Null, &Value::str("")));
        assert!(!semantically_equal(&desc, &Value::Null, &Value::str("x")));
    }

    #[test]
    fn validators_point_at_the_problem() {
        let f = Field::number("replica_count").validate(Validator::IntRange(1, 3));
        let mut d = Diagnostics::default();
        f.check(&Value::int(5), &AttrPath::attr("replica_count"), &mut d);
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(AttrPath::attr("replica_count")));
        assert!(d.0[0].detail.contains("from 1 to 3"));
        let mut ok = Diagnostics::default();
        f.check(&Value::Unknown, &AttrPath::attr("replica_count"), &mut ok);
        assert!(ok.is_empty());
    }
}
