//! Templates over attribute values: API paths (`/api/v2/projects/{project_name}`), `id`
//! values and import IDs (`{group_id}_{user_id}`, `{access_key}:{subkey}`, `{email}/{address...}`).
//! `{provider.x}` takes `x` from the provider's configuration.

use crate::engine::value::Value;

#[derive(Clone, Debug, PartialEq)]
enum Piece<'a> {
    Literal(&'a str),
    /// An attribute; `rest` placeholders (`{name...}`) may contain the separators.
    Attr {
        name: &'a str,
        rest: bool,
    },
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else { break };
        if open > 0 {
            out.push(Piece::Literal(&rest[..open]));
        }
        let inner = &rest[open + 1..close];
        match inner.strip_suffix("...") {
            Some(name) => out.push(Piece::Attr { name, rest: true }),
            None => out.push(Piece::Attr { name: inner, rest: false }),
        }
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    out
}

/// The attribute names a template reads, in order (without `provider.` ones).
pub fn attrs(template: &str) -> Vec<&str> {
    pieces(template)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Attr { name, .. } if !name.starts_with("provider.") => Some(name),
            _ => None,
        })
        .collect()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Renders a template from an object value (and the provider configuration for
/// `{provider.x}`); `None` when a value is unknown, null or empty. With `encode`, each
/// value is percent-encoded (for URL paths and queries).
pub fn render(template: &str, v: &Value, provider: &Value, encode: bool) -> Option<String> {
    let mut out = String::with_capacity(template.len() + 32);
    for p in pieces(template) {
        match p {
            Piece::Literal(s) => out.push_str(s),
            Piece::Attr { name, .. } => {
                let val = match name.strip_prefix("provider.") {
                    Some(attr) => scalar(provider.get(attr))?,
                    None => scalar(v.get(name))?,
                };
                if encode {
                    out.push_str(&percent_encode(&val));
                } else {
                    out.push_str(&val);
                }
            }
        }
    }
    Some(out)
}

/// Fills a message template (never a path): each placeholder's value comes from
/// `lookup`, and one it has no value for reads `missing`.
pub fn fill(template: &str, lookup: impl Fn(&str) -> Option<String>, missing: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    for p in pieces(template) {
        match p {
            Piece::Literal(s) => out.push_str(s),
            Piece::Attr { name, .. } => out.push_str(&lookup(name).unwrap_or_else(|| missing.to_string())),
        }
    }
    out
}

pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Matches an ID against a template. A placeholder takes a non-empty value up to the next
/// literal (the first occurrence), so values cannot contain the separator that follows
/// them; a `{name...}` placeholder takes everything up to the last occurrence instead.
pub fn parse(template: &str, id: &str) -> Option<Vec<(String, String)>> {
    let ps = pieces(template);
    let mut out = Vec::new();
    let mut rest = id;
    for (i, p) in ps.iter().enumerate() {
        match p {
            Piece::Literal(l) => rest = rest.strip_prefix(l)?,
            Piece::Attr { name, rest: greedy } => {
                let value = match ps.get(i + 1) {
                    None => rest,
                    Some(Piece::Literal(next)) => {
                        let end = if *greedy { rest.rfind(next)? } else { rest.find(next)? };
                        &rest[..end]
                    }
                    // Two adjacent placeholders cannot be split.
                    Some(Piece::Attr { .. }) => return None,
                };
                if value.is_empty() {
                    return None;
                }
                // Without a separator after it, a plain placeholder must not swallow one
                // of the template's separators.
                if !greedy && ps.get(i + 1).is_none() && separators(&ps).iter().any(|sep| value.contains(sep)) {
                    return None;
                }
                out.push((name.to_string(), value.to_string()));
                rest = &rest[value.len()..];
            }
        }
    }
    rest.is_empty().then_some(out)
}

fn separators<'a>(ps: &[Piece<'a>]) -> Vec<&'a str> {
    ps.iter()
        .filter_map(|p| match p {
            Piece::Literal(l) if !l.is_empty() => Some(*l),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, &str)]) -> Value {
        let mut v = Value::Null;
        for (k, x) in pairs {
            v.set(k, Value::str(*x));
        }
        v
    }

    #[test]
    fn renders_attributes_and_provider_values() {
        let v = obj(&[("project_name", "p 1"), ("uuid", "u")]);
        let mut p = Value::Null;
        p.set("company", Value::str("acme"));
        assert_eq!(render("/projects/{project_name}/v/{uuid}", &v, &p, true).unwrap(), "/projects/p%201/v/u");
        assert_eq!(render("{project_name}/{uuid}", &v, &p, false).unwrap(), "p 1/u");
        assert_eq!(render("/company/{provider.company}/keys", &v, &p, true).unwrap(), "/company/acme/keys");
        assert_eq!(render("{missing}", &v, &p, false), None);
        let mut n = Value::Null;
        n.set("port", Value::int(443));
        assert_eq!(render("/endpoints/{port}", &n, &Value::Null, true).unwrap(), "/endpoints/443");
    }

    #[test]
    fn parses_ids_with_any_separator() {
        let kv = |v: Vec<(String, String)>| v.into_iter().map(|(a, b)| format!("{a}={b}")).collect::<Vec<_>>();
        assert_eq!(kv(parse("{project_name}/{uuid}", "p/u").unwrap()), ["project_name=p", "uuid=u"]);
        assert_eq!(kv(parse("{group_id}_{user_id}", "g_u").unwrap()), ["group_id=g", "user_id=u"]);
        assert_eq!(kv(parse("{access_key}:{subkey}", "AK:123").unwrap()), ["access_key=AK", "subkey=123"]);
        // An email never holds '/', a beacon address may: split at the first '/'.
        assert_eq!(
            kv(parse("{email}/{address...}", "a@b.c/127.0.0.1:5001/v1.12").unwrap()),
            ["email=a@b.c", "address=127.0.0.1:5001/v1.12"]
        );
        assert_eq!(kv(parse("{name}", "x").unwrap()), ["name=x"]);
        assert!(parse("{project_name}/{uuid}", "p").is_none());
        assert!(parse("{project_name}/{uuid}", "/u").is_none());
        assert!(parse("{project_name}/{uuid}", "p/").is_none());
        assert!(parse("{name}", "").is_none());
        assert!(parse("{a}{b}", "xy").is_none());
    }

    #[test]
    fn trailing_placeholder_takes_no_separator_unless_greedy() {
        assert!(parse("{project_name}/{uuid}", "p/u/extra").is_none());
        assert_eq!(parse("{a}/{rest...}", "x/y/z").unwrap()[1].1, "y/z");
        assert_eq!(parse("{first...}/{last}", "x/y/z").unwrap()[0].1, "x/y");
        assert_eq!(attrs("/x/{a}/{provider.b}/{c...}"), ["a", "c"]);
    }
}
