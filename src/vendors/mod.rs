//! One folder per vendor: entities as declarations, plus the hooks its API needs.

pub mod lastline;
pub mod lightbits;
pub mod lighthouse;
pub mod lightrun;
pub mod luminate;

use std::time::Duration;

use crate::engine::diag::{AttrPath, Diagnostics};
use crate::engine::normalize::parse_duration;
use crate::engine::provider::ProviderDef;
use crate::engine::schema::{Field, Validator};
use crate::engine::value::Value;
use crate::http::{normalize_endpoint, vendors, ConfigError, TransportConfig};

/// Every provider this project builds, by name (also its `docs/<name>/` and
/// `examples/<name>/` folders).
pub fn all() -> Vec<ProviderDef> {
    vec![
        lightbits::provider(),
        luminate::provider(),
        lightrun::provider(),
        lighthouse::provider(),
        lastline::provider(),
    ]
}

/// A provider argument that must be set (in the block or its environment variable): its
/// value, or "" with an error naming both.
pub(crate) fn required(cfg: &Value, diags: &mut Diagnostics, name: &str, env: &str) -> String {
    match cfg.get(name).as_str().filter(|s| !s.is_empty()) {
        Some(v) => v.to_string(),
        None => {
            diags.add_error(
                format!("Missing {name}"),
                format!("Set `{name}` in the provider block or {env}."),
                Some(AttrPath::attr(name)),
            );
            String::new()
        }
    }
}

/// The `request_timeout` argument (30 s by default), described for this provider.
pub(crate) fn request_timeout_field(description: &str) -> Field {
    Field::string("request_timeout").default(Value::str("30s")).validate(Validator::Timeout).desc(description)
}

/// The `max_retries` argument (0 to 50), with this provider's default and meaning.
pub(crate) fn max_retries_field(default: i64, description: &str) -> Field {
    Field::number("max_retries").default(Value::int(default)).validate(Validator::IntRange(0, 50)).desc(description)
}

/// The `request_timeout` argument several providers share: a duration, 30 s by default.
pub(crate) fn request_timeout(cfg: &Value, diags: &mut Diagnostics) -> Duration {
    match cfg.get("request_timeout").as_str() {
        None => Duration::from_secs(30),
        Some(s) => parse_duration(s).unwrap_or_else(|e| {
            diags.add_error("Invalid request_timeout", e, Some(AttrPath::attr("request_timeout")));
            Duration::from_secs(30)
        }),
    }
}

/// The `max_retries` argument's value (its default is applied at configure time; 5 when
/// a provider has none), at most 50.
pub(crate) fn max_retries(cfg: &Value) -> u32 {
    cfg.get("max_retries").as_i64().map(|n| n.clamp(0, 50) as u32).unwrap_or(5)
}

/// The server's base URL from the address argument `attr`: blanks, trailing `/` and the
/// API's own path (`api_path`, which users often copy along; "" when there is none) are
/// dropped, and a bare host means HTTPS. An error names the argument.
pub(crate) fn server_root(address: &str, attr: &str, api_path: &str) -> Result<String, Diagnostics> {
    let trimmed = address.trim().trim_end_matches('/');
    let root = trimmed.strip_suffix(api_path).unwrap_or(trimmed);
    normalize_endpoint(root).map_err(|e| Diagnostics::attr_error(AttrPath::attr(attr), format!("Invalid {attr}"), e.0))
}

/// The transport of a provider's client, with the TLS arguments `ca_certificate` and
/// `insecure_skip_verify`. A provider that does not declare them reads them as null, which
/// keeps the system's roots and verification.
pub(crate) fn transport(
    cfg: &Value,
    endpoints: Vec<String>,
    vendor: &str,
    request_timeout: Duration,
) -> TransportConfig {
    TransportConfig {
        ca_pem: cfg.get("ca_certificate").as_str().map(str::to_string),
        insecure_skip_verify: cfg.get("insecure_skip_verify").as_bool().unwrap_or(false),
        request_timeout,
        ..TransportConfig::new(endpoints, vendors::user_agent(vendor))
    }
}

/// The error of a client the HTTP layer cannot build, on the argument most likely at fault:
/// `ca_certificate` (an unreadable CA bundle) where the provider has one, else its address.
pub(crate) fn invalid_client_settings(blamed: &'static str) -> impl FnOnce(ConfigError) -> Diagnostics {
    let summary = if blamed == "ca_certificate" { "Invalid TLS or client settings" } else { "Invalid client settings" };
    move |e| Diagnostics::attr_error(AttrPath::attr(blamed), summary, e.0)
}

/// Checks the providers' unit tests share.
#[cfg(test)]
pub(crate) mod checks {
    use std::sync::Arc;

    use crate::engine::api::Api;
    use crate::engine::diag::Diagnostics;
    use crate::engine::provider::ProviderDef;
    use crate::engine::value::Value;

    /// What `configure` says about an empty provider block (it must refuse it).
    pub(crate) fn refusal_of_empty_block(configure: fn(&Value) -> Result<Arc<dyn Api>, Diagnostics>) -> String {
        let Err(diags) = configure(&Value::Object(Default::default())) else {
            panic!("configured without credentials")
        };
        format!("{diags:?}")
    }

    /// The docs are generated from the descriptions: the provider's arguments and its data
    /// sources' attributes need one each.
    pub(crate) fn assert_arguments_and_data_sources_described(p: &ProviderDef) {
        for f in &p.fields {
            assert!(!f.description.is_empty(), "{}", f.name);
        }
        for ds in &p.data_sources {
            for f in &ds.fields {
                assert!(!f.description.is_empty(), "{}.{}", ds.type_name, f.name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_action_declaration_is_sound() {
        for p in super::all() {
            for a in &p.actions {
                assert_eq!(a.declaration_errors(), Vec::<String>::new(), "{}", a.type_name);
                assert!(a.type_name.starts_with(&format!("{}_", p.name)), "{}", a.type_name);
            }
        }
    }
}
