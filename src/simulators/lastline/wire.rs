//! What travels: parameters in (query string or form fields, reference §2), the envelope
//! out in JSON or XML (§4), dates, and the zip of the licence-bundle methods.

use std::collections::BTreeMap;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};

/// The answer's encoding, from the path's suffix (`json` when there is none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `name.json` / `name.xml` / `name`; `None` for another suffix.
    pub fn split(path: &str) -> Option<(&str, Format)> {
        match path.rsplit_once('.') {
            Some((name, "json")) => Some((name, Format::Json)),
            Some((name, "xml")) => Some((name, Format::Xml)),
            Some(_) => None,
            None => Some((path, Format::Json)),
        }
    }
}

/// The envelope of a success (`{"success": 1, "data": ...}`) or an API error
/// (`{"success": 0, "error", "error_code"}`, keys left out when the error has none).
pub fn envelope(result: &ApiResult<Value>) -> Value {
    match result {
        Ok(data) => json!({"success": 1, "data": data}),
        Err(error) => {
            let mut body = json!({"success": 0, "error": error.message});
            if let Some(code) = error.code {
                body["error_code"] = json!(code);
            }
            body
        }
    }
}

/// An envelope as an HTTP answer in `format`. API errors are HTTP 200 (reference §4.3).
pub fn answer(format: Format, status: StatusCode, result: &ApiResult<Value>) -> Response {
    let body = envelope(result);
    match format {
        Format::Json => (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response(),
        Format::Xml => {
            (status, [(header::CONTENT_TYPE, "application/xml; charset=utf-8")], to_xml(&body)).into_response()
        }
    }
}

/// XML rendering of an envelope. Only the success form with a flat object is documented
/// (`<result><success>1</success><data><username>..</username>..</data></result>`, the
/// Quick-Start); the rest is UNCONFIRMED and chosen here: the error form mirrors the JSON
/// keys, list items are `<item>` elements, booleans `true`/`false`, null an empty element.
pub fn to_xml(envelope: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    write_element(&mut out, "result", envelope);
    out.push('\n');
    out
}

fn write_element(out: &mut String, name: &str, value: &Value) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Null => {}
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::String(text) => escape_into(out, text),
        Value::Array(items) => items.iter().for_each(|item| write_element(out, "item", item)),
        Value::Object(members) => members.iter().for_each(|(key, member)| write_element(out, key, member)),
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` text (query strings too).
pub fn decode_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(text.get(i + 1..i + 3).unwrap_or(""), 16) {
                Ok(byte) => {
                    out.push(byte);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Named scalar parameters of one call (the last of a repeated name wins).
#[derive(Clone, Debug, Default)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Params {
        Params(pairs.into_iter().collect())
    }

    /// The value as sent, an empty one included (an update may set a field to "").
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The value; an empty one counts as absent (filters, optional selectors).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.raw(key).filter(|v| !v.is_empty())
    }

    pub fn required(&self, key: &str) -> ApiResult<&str> {
        self.get(key).ok_or_else(|| ApiError::missing(key))
    }

    /// A boolean in any of the documented spellings: `1`/`0` and `True`/`False`. The exact
    /// spellings the server takes are unconfirmed: `true`/`false`/`yes`/`no` in any case
    /// are taken too (reference §2).
    pub fn flag(&self, key: &str) -> ApiResult<Option<bool>> {
        let Some(text) = self.get(key) else { return Ok(None) };
        match text.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => Ok(Some(true)),
            "0" | "false" | "no" => Ok(Some(false)),
            _ => Err(ApiError::invalid(format!("{key} must be a boolean (1/0, True/False), not '{text}'"))),
        }
    }

    pub fn date(&self, key: &str) -> ApiResult<Option<time::Date>> {
        self.get(key)
            .map(|text| {
                parse_date(text)
                    .ok_or_else(|| ApiError::invalid(format!("{key} must be a date YYYY-MM-DD, not '{text}'")))
            })
            .transpose()
    }

    pub fn number(&self, key: &str) -> ApiResult<Option<u64>> {
        self.get(key)
            .map(|text| {
                text.trim().parse().map_err(|_| ApiError::invalid(format!("{key} must be a number, not '{text}'")))
            })
            .transpose()
    }
}

/// `YYYY-MM-DD`: the working assumption for PAPI dates (reference §2).
pub fn parse_date(text: &str) -> Option<time::Date> {
    let mut parts = text.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

pub fn format_date(date: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Now as `YYYY-MM-DD HH:MM:SS` (UTC): the Analysis API's datetime form, assumed here.
pub fn now_text() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{} {:02}:{:02}:{:02}", format_date(now.date()), now.hour(), now.minute(), now.second())
}

/// The same date a year later (29 February becomes 28 February).
pub fn plus_one_year(date: time::Date) -> time::Date {
    date.replace_year(date.year() + 1)
        .or_else(|_| date.replace_day(28).and_then(|d| d.replace_year(date.year() + 1)))
        .unwrap_or(date)
}

/// A zip archive of stored (uncompressed) files. The page says "compressed zip archive";
/// stored entries are a valid zip that every reader opens, which is what a test needs.
pub fn zip(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        let name_len = name.len() as u16;
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]); // version, flags, stored, time, date
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, internal attrs, external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let count = files.len() as u16;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A zip answer (`license_bundle/*`).
pub fn zip_answer(file_name: &str, bytes: Vec<u8>) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename={file_name}")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn forms_decode_plus_and_percent() {
        let pairs = decode_form("a=1+2&b=x%40y.z&c&d=%zz");
        assert_eq!(pairs[0], ("a".into(), "1 2".into()));
        assert_eq!(pairs[1], ("b".into(), "x@y.z".into()));
        assert_eq!(pairs[2], ("c".into(), "".into()));
        assert_eq!(pairs[3], ("d".into(), "%zz".into()));
    }

    #[test]
    fn crc_of_a_known_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn xml_envelope_matches_the_quick_start() {
        let xml = to_xml(&json!({"success": 1, "data": {"username": "a&b", "tags": ["x"], "ok": true}}));
        assert!(xml.contains("<result><success>1</success><data><username>a&amp;b</username><tags><item>x</item></tags><ok>true</ok></data></result>"));
    }
}
