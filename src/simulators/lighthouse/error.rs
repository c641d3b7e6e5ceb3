//! Errors as the final server writes them (`handlers.WriteError`): `Content-Type:
//! application/json` and `{"Cause": <component>, "Message": <text>}`; and request bodies as
//! Go's `encoding/json` reads them into structs (keys match case-insensitively, `null` and
//! absent keys leave the zero value, a wrong type is an error naming both types).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub cause: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, cause: &'static str, message: impl Into<String>) -> ApiError {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError { status, cause, message: message.into() }
    }

    pub fn not_logged_in() -> ApiError {
        ApiError::new(401, "auth", "not logged in")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = go_json(&serde_json::json!({"Cause": self.cause, "Message": self.message}));
        json_response(self.status, body)
    }
}

/// A body with `Content-Type: application/json` (errors, streams).
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// A JSON body the server writes without a Content-Type: Go sniffs it as text.
pub fn sniffed_json(body: &Value) -> Response {
    let mut response = (StatusCode::OK, go_json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    response
}

/// JSON as Go's encoder writes it: compact, with `<`, `>` and `&` escaped (they only
/// occur inside strings, so a textual replacement is exact).
pub fn go_json(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// `w.WriteHeader(200)` with nothing written: no body, no Content-Type.
pub fn empty(status: StatusCode) -> Response {
    status.into_response()
}

/// `json.Unmarshal` of a whole body: `Err` is Go's error text.
pub fn go_parse(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_eof() {
            return "unexpected end of JSON input".to_string();
        }
        // Go names the offending character; serde gives its position.
        let text = String::from_utf8_lossy(bytes);
        let line = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
        let offending = line.chars().nth(e.column().saturating_sub(1)).unwrap_or(' ');
        format!("invalid character '{offending}' looking for beginning of value")
    })
}

/// The JSON type name Go's UnmarshalTypeError uses.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub fn type_error(value: &Value, go_type: &str) -> String {
    format!("json: cannot unmarshal {} into Go value of type {go_type}", json_kind(value))
}

/// A struct field: the exact key first, else the first key equal ignoring case.
pub fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| object.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, v)| v))
}

/// The body as a Go struct: an object, or `null` (every field zero).
pub fn as_struct(value: &Value, go_type: &str) -> Result<Map<String, Value>, String> {
    match value {
        Value::Object(map) => Ok(map.clone()),
        Value::Null => Ok(Map::new()),
        other => Err(type_error(other, go_type)),
    }
}

/// A `string` field: absent or null is "".
pub fn go_string(value: Option<&Value>) -> Result<String, String> {
    match value {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(type_error(other, "string")),
    }
}

/// An `int` field: `None` when absent or null; a fraction or a non-number is an error.
pub fn go_int(value: Option<&Value>) -> Result<Option<i64>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_i64().map(Some).ok_or_else(|| format!("json: cannot unmarshal number {n} into Go value of type int"))
        }
        Some(other) => Err(type_error(other, "int")),
    }
}

/// A `map[string]interface{}` field: `None` when absent or null.
pub fn go_object(value: Option<&Value>) -> Result<Option<Map<String, Value>>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(other) => Err(type_error(other, "map[string]interface {}")),
    }
}

/// A `[]interface{}` field: `None` when absent or null.
pub fn go_list(value: Option<&Value>) -> Result<Option<Vec<Value>>, String> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items.clone())),
        Some(other) => Err(type_error(other, "[]interface {}")),
    }
}

/// convertInstanceList: every item must be a string.
pub fn string_list(items: &[Value]) -> Option<Vec<String>> {
    items.iter().map(|item| item.as_str().map(str::to_string)).collect()
}

/// strconv.ParseBool.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Percent-decoding of a path (Go's `r.URL.Path`); `+` stays a plus.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(byte) = hex {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One query parameter (the first), decoded; `None` when absent.
pub fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(&key.replace('+', " ")) == name).then(|| percent_decode(&value.replace('+', " ")))
    })
}
