//! The `auth` session, as gorilla/sessions' CookieStore keeps it: the values themselves
//! (`logged_in`, `email`) travel in the cookie, signed (not encrypted) with a random key
//! made at process start. Rotating the key is a server restart: every cookie stops
//! verifying and reads as an empty session.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderMap, HeaderValue};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use md5::{Digest, Md5};

/// The session (= cookie) name.
pub const COOKIE: &str = "auth";
/// gorilla/sessions' default Max-Age: 30 days.
pub const MAX_AGE_SECS: u64 = 86400 * 30;

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Session {
    pub logged_in: bool,
    pub email: String,
    /// When the cookie was signed; older than Max-Age reads as empty (securecookie).
    #[serde(default)]
    pub issued: u64,
}

pub fn new_key() -> [u8; 32] {
    rand::random()
}

/// HMAC over MD5 (the md-5 crate is what the project has; the simulator only needs a
/// forgery-proof signature, not a particular algorithm).
fn mac(key: &[u8; 32], data: &[u8]) -> [u8; 16] {
    let mut padded = [0u8; 64];
    padded[..32].copy_from_slice(key);
    let inner_key: Vec<u8> = padded.iter().map(|b| b ^ 0x36).collect();
    let outer_key: Vec<u8> = padded.iter().map(|b| b ^ 0x5c).collect();
    let inner = Md5::new().chain_update(&inner_key).chain_update(data).finalize();
    Md5::new().chain_update(&outer_key).chain_update(inner).finalize().into()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// The cookie value of a session: `<payload>.<signature>`, both base64url.
pub fn encode(key: &[u8; 32], session: &Session) -> String {
    let session = Session { issued: unix_now(), ..session.clone() };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&session).unwrap_or_default());
    let signature = URL_SAFE_NO_PAD.encode(mac(key, payload.as_bytes()));
    format!("{payload}.{signature}")
}

/// The session of a cookie value; `None` when it does not verify under `key` or expired.
pub fn decode(key: &[u8; 32], value: &str) -> Option<Session> {
    let (payload, signature) = value.split_once('.')?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    if signature != mac(key, payload.as_bytes()) {
        return None;
    }
    let session: Session = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    (unix_now().saturating_sub(session.issued) <= MAX_AGE_SECS).then_some(session)
}

/// The request's session: the first `auth` cookie that verifies, else an empty one.
pub fn from_headers(key: &[u8; 32], headers: &HeaderMap) -> Session {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE)
        .find_map(|(_, value)| decode(key, value.trim_matches('"')))
        .unwrap_or_default()
}

/// `Set-Cookie` of a saved session, with gorilla's default options.
pub fn set_cookie(key: &[u8; 32], session: &Session) -> HeaderValue {
    let expires = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(MAX_AGE_SECS));
    let cookie = format!("{COOKIE}={}; Path=/; Expires={expires}; Max-Age={MAX_AGE_SECS}", encode(key, session));
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("auth=; Path=/"))
}
