//! How a vendor phrases requests and answers: body encoding, answer decoding (by content,
//! not by Content-Type), error messages, and which refusals mean "gone", "busy" or
//! "log in again". The provided methods are plain JSON; a vendor overrides what differs.

use serde_json::Value as J;

use super::transport::{EncodedBody, RawResponse};
use crate::engine::api::{ApiError, ApiRequest, Body};
use crate::logging::mask;

/// What a refusal means to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// The object does not exist.
    Gone,
    PreconditionFailed,
    AlreadyExists,
    /// The API did not apply the request and asks to try again later ("in progress").
    Busy,
    /// The credentials or session were refused before the request was applied: renew
    /// them and repeat the request once.
    SessionExpired,
    /// A success status with a body the provider cannot read.
    Malformed,
    Other,
}

/// The API said no (or said yes unreadably).
#[derive(Clone, Debug)]
pub struct Refusal {
    pub status: u16,
    pub kind: RefusalKind,
    /// The API's own words, with registered secrets masked.
    pub message: String,
}

impl Refusal {
    pub fn into_error(self) -> ApiError {
        let Refusal { status, kind, message } = self;
        match kind {
            RefusalKind::Gone => ApiError::NotFound(message),
            RefusalKind::PreconditionFailed => ApiError::PreconditionFailed(message),
            RefusalKind::AlreadyExists => ApiError::AlreadyExists(message),
            RefusalKind::Malformed => ApiError::Decode(message),
            RefusalKind::Busy | RefusalKind::SessionExpired | RefusalKind::Other => {
                ApiError::Status { status, message }
            }
        }
    }
}

pub trait Dialect: Send + Sync {
    /// Encodes a request body: JSON as JSON (a bare string as the JSON text `"..."`), form
    /// fields as `application/x-www-form-urlencoded`.
    fn encode_body(&self, body: &Body) -> Result<Option<EncodedBody>, ApiError> {
        encode_json_or_form(body)
    }

    /// True when a successful answer is a stream of JSON records, one per line.
    fn is_stream(&self, _req: &ApiRequest, response: &RawResponse) -> bool {
        response.header("content-type").is_some_and(|t| t.contains("ndjson") || t.contains("jsonl"))
    }

    /// Turns an answer into the body the engine sees, or a refusal.
    fn decode(&self, req: &ApiRequest, response: &RawResponse) -> Result<J, Refusal> {
        if !response.is_success() {
            return Err(self.refusal(response.status, &parse_lenient(&response.body)));
        }
        if self.is_stream(req, response) {
            return parse_ndjson(&response.body).map_err(|message| Refusal {
                status: response.status,
                kind: RefusalKind::Malformed,
                message,
            });
        }
        Ok(parse_lenient(&response.body))
    }

    /// The human message in an error body, if there is one.
    fn error_message(&self, body: &J) -> Option<String> {
        common_error_message(body)
    }

    /// What an error answer means.
    fn classify(&self, status: u16, _body: &J, _message: &str) -> RefusalKind {
        classify_by_status(status)
    }

    /// An error answer as a refusal: the vendor's message (or the bare status) and its meaning.
    fn refusal(&self, status: u16, body: &J) -> Refusal {
        let message = mask(&self.error_message(body).unwrap_or_else(|| format!("HTTP {status}")));
        let kind = self.classify(status, body, &message);
        Refusal { status, kind, message }
    }
}

/// Plain JSON with the usual error shapes.
pub struct JsonDialect;
impl Dialect for JsonDialect {}

pub fn classify_by_status(status: u16) -> RefusalKind {
    match status {
        401 => RefusalKind::SessionExpired,
        404 => RefusalKind::Gone,
        409 => RefusalKind::AlreadyExists,
        412 => RefusalKind::PreconditionFailed,
        _ => RefusalKind::Other,
    }
}

/// `message`, `Message`, `error` or `error_description`, or a plain-text body.
pub fn common_error_message(body: &J) -> Option<String> {
    if let Some(text) = body.as_str() {
        let text = text.trim();
        return (!text.is_empty()).then(|| text.to_string());
    }
    ["message", "Message", "error", "error_description"]
        .iter()
        .find_map(|key| body.get(key).and_then(J::as_str).filter(|s| !s.is_empty()))
        .map(str::to_string)
}

/// An answer by its content: nothing is `Null`, JSON is JSON (whatever the Content-Type
/// claims), anything else is text.
pub fn parse_lenient(bytes: &[u8]) -> J {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return J::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|_| J::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// Newline-delimited JSON records as one array.
pub fn parse_ndjson(bytes: &[u8]) -> Result<J, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("the streamed answer is not UTF-8: {e}"))?;
    let mut records = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let record = serde_json::from_str(line)
            .map_err(|e| format!("line {} of the streamed answer is not JSON: {e}", number.saturating_add(1)))?;
        records.push(record);
    }
    Ok(J::Array(records))
}

pub fn encode_json_or_form(body: &Body) -> Result<Option<EncodedBody>, ApiError> {
    match body {
        Body::None => Ok(None),
        Body::Json(value) => serde_json::to_vec(value)
            .map(|bytes| Some(EncodedBody { content_type: "application/json", bytes }))
            .map_err(|e| ApiError::Decode(format!("cannot encode the request body: {e}"))),
        Body::Form(fields) => Ok(Some(encode_form(fields))),
    }
}

pub fn encode_form(fields: &[(String, String)]) -> EncodedBody {
    let text =
        fields.iter().map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v))).collect::<Vec<_>>().join("&");
    EncodedBody { content_type: "application/x-www-form-urlencoded", bytes: text.into_bytes() }
}

/// An RPC dialect's view of a JSON object: its members as form fields, in order. Strings
/// go as they are, numbers and booleans as JSON text, nulls are left out, nested values
/// go as JSON text (vendor code should send vendor-specific booleans as strings).
pub fn json_as_form(value: &J) -> Result<Vec<(String, String)>, ApiError> {
    let object =
        value.as_object().ok_or_else(|| ApiError::Decode("a form body must be a JSON object of fields".into()))?;
    Ok(object
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())))
        .collect())
}

/// `application/x-www-form-urlencoded` escaping (unreserved characters kept, the rest %XX).
pub fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Truthiness of an envelope's `success`: 1, "1", true (anything else is failure).
fn envelope_success(value: &J) -> Option<bool> {
    match value {
        J::Bool(b) => Some(*b),
        J::Number(n) => Some(n.as_f64().is_some_and(|f| f != 0.0)),
        J::String(s) => Some(!matches!(s.trim(), "" | "0" | "false" | "False")),
        _ => None,
    }
}

/// An RPC envelope `{success, data, error, error_code}`: the payload, or a refusal whose
/// message quotes `error` and `error_code` (`names` gives the code's symbolic name) and
/// whose kind `classify_code` chooses. Missing `success`, or success without `data`, is
/// malformed.
pub fn unwrap_envelope(
    status: u16,
    body: &J,
    names: fn(i64) -> Option<&'static str>,
    classify_code: fn(Option<i64>, &str) -> RefusalKind,
) -> Result<J, Refusal> {
    let malformed = |what: &str| Refusal { status, kind: RefusalKind::Malformed, message: what.to_string() };
    let success = match body.get("success").map(envelope_success) {
        Some(Some(s)) => s,
        Some(None) => return Err(malformed("the answer's \"success\" is neither a number nor a boolean")),
        None => return Err(malformed("the answer has no \"success\" member (not an API envelope)")),
    };
    if success {
        return body.get("data").cloned().ok_or_else(|| malformed("a successful answer without \"data\""));
    }
    let error = body.get("error").and_then(J::as_str).unwrap_or_default();
    let code = match body.get("error_code") {
        Some(J::Number(n)) => n.as_i64(),
        Some(J::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let mut message = if error.is_empty() { "the API reported an error".to_string() } else { error.to_string() };
    if let Some(code) = code {
        match names(code) {
            Some(name) => message.push_str(&format!(" (error_code {code} {name})")),
            None => message.push_str(&format!(" (error_code {code})")),
        }
    }
    let kind = classify_code(code, error);
    Err(Refusal { status, kind, message: mask(&message) })
}
