//! The five vendors' dialects and ready-made clients. Facts come from
//! `shared/interfaces/*.md` and `shared/reference/*`; each dialect states the ones it uses.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value as J;

use super::auth::{Auth, Bearer, CookieSession, NoAuth, OAuth2ClientCredentials};
use super::dialect::{
    classify_by_status, encode_json_or_form, json_as_form, parse_lenient, unwrap_envelope, Dialect, Refusal,
    RefusalKind,
};
use super::ratelimit::TokenBucket;
use super::retry::RetryPolicy;
use super::transport::{EncodedBody, RawResponse, Transport, TransportConfig};
use super::{ConfigError, VendorClient};
use crate::engine::api::{ApiError, ApiRequest, Body};

/// LightOS REST v2 behind grpc-gateway: errors `{"code","message"}` (older gateways add
/// `"error"`); a 409 "... in progress" means busy, not "already exists".
pub struct LightbitsDialect;

impl Dialect for LightbitsDialect {
    fn classify(&self, status: u16, _body: &J, message: &str) -> RefusalKind {
        if status == 409 && message.to_ascii_lowercase().contains("in progress") {
            return RefusalKind::Busy;
        }
        classify_by_status(status)
    }
}

/// Luminate v2: errors `ModelApiResponse {message, errors[], reasonPhrase}`.
pub struct LuminateDialect;

impl Dialect for LuminateDialect {
    fn error_message(&self, body: &J) -> Option<String> {
        let text = |key: &str| body.get(key).and_then(J::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        let listed = body
            .get("errors")
            .and_then(J::as_array)
            .map(|errors| errors.iter().filter_map(J::as_str).collect::<Vec<_>>().join("; "));
        text("message")
            .or(listed.filter(|s| !s.is_empty()))
            .or_else(|| text("reasonPhrase"))
            .or_else(|| body.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string))
    }
}

/// Lightrun public API (Spring): errors `{"message","status","error","path"}`.
pub struct LightrunDialect;

impl Dialect for LightrunDialect {
    fn error_message(&self, body: &J) -> Option<String> {
        let text = |key: &str| body.get(key).and_then(J::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        text("message").or_else(|| text("error")).or_else(|| body.as_str().map(str::to_string))
    }
}

/// Lighthouse v0.2: JSON answers often labelled text/plain (parsed by content); errors
/// `{"Cause","Message"}` or plain text; 401 `{"Cause":"auth"}` means the session is gone;
/// application create/start/stop/revert/update answer a stream of JSON records.
pub struct LighthouseDialect;

const LIGHTHOUSE_STREAMS: [&str; 5] = ["create", "start", "stop", "revert", "update"];

impl Dialect for LighthouseDialect {
    fn is_stream(&self, req: &ApiRequest, _response: &RawResponse) -> bool {
        let path = req.path.split('?').next().unwrap_or_default();
        let mut segments = path.rsplit('/');
        // `/applications/create` or `/applications/<verb>/<Id>`.
        let last = segments.next().unwrap_or_default();
        let before = segments.next().unwrap_or_default();
        let verb_at_end = last == "create" && before == "applications";
        let verb_before_id = LIGHTHOUSE_STREAMS.contains(&before) && segments.next() == Some("applications");
        verb_at_end || verb_before_id
    }

    fn error_message(&self, body: &J) -> Option<String> {
        match body {
            J::String(text) => Some(text.trim().to_string()).filter(|s| !s.is_empty()),
            _ => body.get("Message").and_then(J::as_str).filter(|s| !s.is_empty()).map(str::to_string),
        }
    }

    fn classify(&self, status: u16, body: &J, _message: &str) -> RefusalKind {
        match status {
            401 if body.get("Cause").and_then(J::as_str) == Some("auth") => RefusalKind::SessionExpired,
            401 => RefusalKind::Other,
            _ => classify_by_status(status),
        }
    }
}

/// Lastline PAPI: writes are form fields (a JSON object body is sent as its fields), every
/// answer is an envelope `{success, data, error, error_code}` even when HTTP says 200.
/// Every refusal names the method (`accounting/license/add_sensor failed: ...`).
/// 3002/3003/3004 mean "log in again" (as Lastline's own client does); 6002/6003/6004
/// name an unknown user, appliance or licence/account, i.e. gone.
pub struct LastlineDialect;

fn lastline_code_name(code: i64) -> Option<&'static str> {
    Some(match code {
        3001 => "PERMISSION_DENIED",
        3002 => "CANNOT_SWITCH_TO_KEY",
        3003 => "NO_KEY_SELECTED",
        3004 => "AUTHENTICATION_ERROR",
        6002 => "UNKNOWN_USER",
        6003 => "UNKNOWN_ON_PREMISE",
        6004 => "UNKNOWN_LICENSE_KEY/UNKNOWN_ACCOUNT",
        _ => return None,
    })
}

fn lastline_code_kind(code: Option<i64>, _error: &str) -> RefusalKind {
    match code {
        Some(3002..=3004) => RefusalKind::SessionExpired,
        Some(6002..=6004) => RefusalKind::Gone,
        _ => RefusalKind::Other,
    }
}

impl Dialect for LastlineDialect {
    fn encode_body(&self, body: &Body) -> Result<Option<EncodedBody>, ApiError> {
        match body {
            Body::Json(value) => encode_json_or_form(&Body::Form(json_as_form(value)?)),
            other => encode_json_or_form(other),
        }
    }

    fn decode(&self, req: &ApiRequest, response: &RawResponse) -> Result<J, Refusal> {
        let body = parse_lenient(&response.body);
        let answer = unwrap_envelope(response.status, &body, lastline_code_name, lastline_code_kind);
        let answer = match answer {
            Ok(data) if response.is_success() => Ok(data),
            // Non-2xx answers may carry an envelope too; its error is the better message.
            Err(refusal) if response.is_success() || refusal.kind != RefusalKind::Malformed => Err(refusal),
            _ => Err(self.refusal(response.status, &body)),
        };
        // Every refusal leads with the method's name (`accounting/permission/grant failed:
        // ...`): the one place diagnostics learn which RPC failed.
        answer.map_err(|mut refusal| {
            let method = req.path.trim_start_matches('/').trim_end_matches(".json");
            refusal.message = format!("{method} failed: {}", refusal.message);
            refusal
        })
    }
}

/// The user agent every vendor client sends.
pub fn user_agent(vendor: &str) -> String {
    format!("terraform-provider-{vendor}/{}", env!("CARGO_PKG_VERSION"))
}

/// Lightbits: bearer token when multi-tenancy is on, none otherwise.
pub fn lightbits(
    transport: TransportConfig,
    token: Option<String>,
    max_retries: u32,
) -> Result<VendorClient, ConfigError> {
    let auth: Box<dyn Auth> = match token {
        Some(token) => Box::new(Bearer::new(token)),
        None => Box::new(NoAuth),
    };
    let retry = RetryPolicy::default().with_max_retries(max_retries);
    Ok(VendorClient::new(Transport::new(transport)?, auth, Box::new(LightbitsDialect)).with_retry(retry))
}

/// Luminate: OAuth2 client credentials at `https://{api_endpoint}/v1/oauth/token`, 5
/// requests/s per tenant (a shared bucket unless the caller brings one), 1 s after a 429.
pub fn luminate(
    mut transport: TransportConfig,
    token_url: String,
    client_id: String,
    client_secret: &str,
    max_retries: u32,
) -> Result<VendorClient, ConfigError> {
    if transport.rate_limit.is_none() {
        // No burst: the tenant's limit is 5 in any one second, so 5 at once followed by
        // one more 200 ms later is already a 429.
        transport.rate_limit = Some(Arc::new(TokenBucket::new(5.0, 1)));
    }
    let auth = OAuth2ClientCredentials::new(token_url, client_id, client_secret);
    let retry =
        RetryPolicy { floor_429: Duration::from_secs(1), ..RetryPolicy::default() }.with_max_retries(max_retries);
    Ok(VendorClient::new(Transport::new(transport)?, Box::new(auth), Box::new(LuminateDialect)).with_retry(retry))
}

/// Lightrun: `Authorization: Bearer <api_key>`.
pub fn lightrun(transport: TransportConfig, api_key: String, max_retries: u32) -> Result<VendorClient, ConfigError> {
    let retry = RetryPolicy::default().with_max_retries(max_retries);
    let auth = Box::new(Bearer::new(api_key));
    Ok(VendorClient::new(Transport::new(transport)?, auth, Box::new(LightrunDialect)).with_retry(retry))
}

/// Lighthouse: the endpoint is the server root; session cookie `auth` from
/// `POST /api/v0.2/login {"Email","Password"}`. Reads are also retried after a 500.
pub fn lighthouse(
    transport: TransportConfig,
    email: &str,
    password: &str,
    max_retries: u32,
) -> Result<VendorClient, ConfigError> {
    let auth = CookieSession::json_login("/api/v0.2/login", ("Email", email), ("Password", password), Some("auth"));
    let retry = RetryPolicy { idempotent_statuses: vec![500, 502, 504], ..RetryPolicy::default() }
        .with_max_retries(max_retries);
    Ok(VendorClient::new(Transport::new(transport)?, Box::new(auth), Box::new(LighthouseDialect)).with_retry(retry))
}

/// Lastline: the endpoint is the PAPI base (`.../papi`); session from `POST <base>/login`
/// with form fields username/password (the cookie's name is not documented, so whatever
/// the login sets is kept).
pub fn lastline(
    transport: TransportConfig,
    username: &str,
    password: &str,
    max_retries: u32,
) -> Result<VendorClient, ConfigError> {
    let auth = CookieSession::form_login("/login", ("username", username), ("password", password), None);
    let retry = RetryPolicy::default().with_max_retries(max_retries);
    Ok(VendorClient::new(Transport::new(transport)?, Box::new(auth), Box::new(LastlineDialect)).with_retry(retry))
}
