//! Logs as JSON lines on stderr in the shape go-plugin forwards to Terraform's log
//! (`@level`, `@message`, `@timestamp`, `@module`, plus fields), so `TF_LOG=DEBUG` or
//! `TF_LOG_PROVIDER=DEBUG` shows them. Every registered secret is masked in every line.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::RwLock;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

static SECRETS: RwLock<BTreeSet<String>> = RwLock::new(BTreeSet::new());

/// Masks this value in all later log lines. Very short values are ignored: masking
/// "a" everywhere would make logs unreadable and protects nothing.
pub fn register_secret(s: &str) {
    if s.len() >= 4 {
        if let Ok(mut set) = SECRETS.write() {
            set.insert(s.to_string());
        }
    }
}

pub fn mask(s: &str) -> String {
    let mut out = s.to_string();
    if let Ok(set) = SECRETS.read() {
        for secret in set.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
    }
    out
}

fn level_from_env() -> Level {
    let raw = std::env::var("TF_LOG_PROVIDER").or_else(|_| std::env::var("TF_LOG")).unwrap_or_default();
    match raw.to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Level::TRACE,
        "DEBUG" => Level::DEBUG,
        "INFO" => Level::INFO,
        "ERROR" => Level::ERROR,
        _ => Level::WARN,
    }
}

struct HclogLayer {
    module: &'static str,
    max: Level,
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        if field.name() == "message" {
            self.message = s;
        } else {
            self.rest.insert(field.name().to_string(), serde_json::Value::String(s));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.rest.insert(field.name().to_string(), serde_json::Value::String(value.to_string()));
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.rest.insert(field.name().to_string(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.rest.insert(field.name().to_string(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.rest.insert(field.name().to_string(), value.into());
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, meta: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        *meta.level() <= self.max
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if *event.metadata().level() > self.max {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let line = format_line(self.module, event.metadata().level(), &fields.message, fields.rest);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
    }
}

fn format_line(
    module: &str,
    level: &Level,
    message: &str,
    fields: serde_json::Map<String, serde_json::Value>,
) -> String {
    // go-plugin parses exactly this layout (microseconds, zone) before forwarding a line.
    let ts = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
        ))
        .unwrap_or_default();
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.as_str().to_ascii_lowercase().into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), module.into());
    obj.insert("@timestamp".into(), ts.into());
    obj.extend(fields);
    let mut line = mask(&serde_json::Value::Object(obj).to_string());
    line.push('\n');
    line
}

/// Installs the stderr JSON logger for a provider process. Safe to call twice.
pub fn init(module: &'static str) {
    let layer = HclogLayer { module, max: level_from_env() };
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_a_log_line() {
        register_secret("eyJhbGciOi.secret-token");
        let mut f = serde_json::Map::new();
        f.insert("header".into(), "Bearer eyJhbGciOi.secret-token".into());
        let line = format_line("provider", &Level::INFO, "calling with eyJhbGciOi.secret-token", f);
        assert!(!line.contains("secret-token"), "{line}");
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed["@level"], "info");
        assert_eq!(parsed["header"], "Bearer ***");
        let ts = parsed["@timestamp"].as_str().unwrap();
        assert_eq!(ts.len(), "2026-01-02T15:04:05.000000Z".len(), "{ts}");
    }
}
