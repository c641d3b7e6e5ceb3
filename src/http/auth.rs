//! Who the client is: credentials added to each request, and their renewal when the API
//! refuses them. Renewal is single-flight: requests that failed with the same stale
//! credential share one renewal.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine as _;
use serde_json::Value as J;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::dialect::{encode_form, form_escape, Dialect};
use super::transport::{EncodedBody, OutgoingRequest, RawResponse, Target, Transport};
use crate::engine::api::{ApiError, ApiRequest, Method};
use crate::logging::{mask, register_secret};

/// Which credential a request carried, so a renewal after its refusal is not repeated
/// when another request already renewed it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuthStamp(pub u64);

/// What auth may use to log in: the same transport (rate limit, TLS, cancellation) and
/// the vendor's dialect to read the login answer.
pub struct AuthContext<'a> {
    pub transport: &'a Transport,
    pub dialect: &'a dyn Dialect,
    pub cancel: &'a CancellationToken,
}

#[async_trait]
pub trait Auth: Send + Sync {
    /// Adds the current credential to a request, obtaining one first if needed.
    async fn authorize(&self, ctx: &AuthContext<'_>, request: &mut OutgoingRequest) -> Result<AuthStamp, ApiError>;

    /// Called once per call when the API refused the credential `refused`. `Ok(true)`:
    /// a fresh credential is in place, repeat the request.
    async fn renew(&self, _ctx: &AuthContext<'_>, _refused: AuthStamp) -> Result<bool, ApiError> {
        Ok(false)
    }
}

pub struct NoAuth;

#[async_trait]
impl Auth for NoAuth {
    async fn authorize(&self, _: &AuthContext<'_>, _: &mut OutgoingRequest) -> Result<AuthStamp, ApiError> {
        Ok(AuthStamp(0))
    }
}

/// A static token sent as `Authorization: Bearer <token>`; a refusal is final.
pub struct Bearer {
    header: String,
}

impl Bearer {
    pub fn new(token: impl Into<String>) -> Bearer {
        let token = token.into();
        register_secret(&token);
        Bearer { header: format!("Bearer {token}") }
    }
}

#[async_trait]
impl Auth for Bearer {
    async fn authorize(&self, _: &AuthContext<'_>, request: &mut OutgoingRequest) -> Result<AuthStamp, ApiError> {
        request.header("authorization", self.header.clone());
        Ok(AuthStamp(0))
    }
}

/// OAuth2 client credentials (RFC 6749 §4.4): the token is fetched with HTTP Basic
/// `client_id:client_secret` and `grant_type=client_credentials`, reused until 10 s before
/// it expires, and fetched again once when the API answers that it is no longer valid.
pub struct OAuth2ClientCredentials {
    token_url: String,
    client_id: String,
    basic: String,
    state: Mutex<TokenState>,
}

#[derive(Default)]
struct TokenState {
    current: Option<AccessToken>,
    generation: u64,
}

struct AccessToken {
    header: String,
    /// None: the server gave no lifetime, so only a refusal renews it.
    renew_at: Option<Instant>,
}

/// Renew this long before the token's stated expiry, so it never expires in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(10);

impl OAuth2ClientCredentials {
    pub fn new(token_url: impl Into<String>, client_id: impl Into<String>, client_secret: &str) -> Self {
        let client_id = client_id.into();
        register_secret(client_secret);
        // RFC 6749 §2.3.1: both parts are form-encoded before Basic encoding.
        let pair = format!("{}:{}", form_escape(&client_id), form_escape(client_secret));
        let basic = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair));
        register_secret(&basic);
        OAuth2ClientCredentials { token_url: token_url.into(), client_id, basic, state: Mutex::default() }
    }

    async fn fetch(&self, ctx: &AuthContext<'_>, state: &mut TokenState) -> Result<(), ApiError> {
        let mut request = OutgoingRequest::new(Method::Post, Target::Url(self.token_url.clone()));
        request.header("authorization", self.basic.clone());
        request.header("accept", "application/json");
        request.body = Some(encode_form(&[("grant_type".into(), "client_credentials".into())]));
        let started = Instant::now();
        let answer = ctx.transport.send(&request, ctx.cancel).await?;
        tracing::debug!(method = "POST", path = %self.token_url, status = answer.status, elapsed_ms = elapsed_ms(started), "OAuth2 token request");
        let refused = |why: String| ApiError::Status {
            status: answer.status,
            message: mask(&format!(
                "the OAuth2 token endpoint {} refused client_id {:?}: {why}",
                self.token_url, self.client_id
            )),
        };
        let fields = token_fields(&answer.body);
        let error = fields.get("error").and_then(J::as_str).unwrap_or_default();
        if !answer.is_success() || !error.is_empty() {
            let detail = fields.get("error_description").and_then(J::as_str).unwrap_or_default();
            let why = match (error, detail) {
                ("", "") => format!("HTTP {}", answer.status),
                (e, "") | ("", e) => e.to_string(),
                (e, d) => format!("{e}: {d}"),
            };
            return Err(refused(why));
        }
        let token = fields.get("access_token").and_then(J::as_str).filter(|t| !t.is_empty());
        let Some(token) = token else {
            return Err(refused("the answer holds no access_token".into()));
        };
        register_secret(token);
        let scheme = match fields.get("token_type").and_then(J::as_str).unwrap_or_default() {
            t if t.is_empty() || t.eq_ignore_ascii_case("bearer") => "Bearer",
            other => other,
        };
        let lifetime = match fields.get("expires_in") {
            Some(J::Number(n)) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 1.0).map(|f| f as u64)),
            Some(J::String(s)) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        let renew_at = lifetime
            .filter(|seconds| *seconds > 0)
            .and_then(|seconds| started.checked_add(Duration::from_secs(seconds).saturating_sub(EXPIRY_MARGIN)));
        state.current = Some(AccessToken { header: format!("{scheme} {token}"), renew_at });
        state.generation = state.generation.wrapping_add(1);
        Ok(())
    }
}

/// A token answer is JSON, or (per RFC 6749 clients) form-encoded text.
fn token_fields(body: &[u8]) -> serde_json::Map<String, J> {
    if let Ok(J::Object(map)) = serde_json::from_slice(body) {
        return map;
    }
    let text = String::from_utf8_lossy(body);
    match reqwest::Url::parse(&format!("http://token.invalid/?{}", text.trim())) {
        Ok(url) => url.query_pairs().map(|(k, v)| (k.into_owned(), J::String(v.into_owned()))).collect(),
        Err(_) => serde_json::Map::new(),
    }
}

#[async_trait]
impl Auth for OAuth2ClientCredentials {
    async fn authorize(&self, ctx: &AuthContext<'_>, request: &mut OutgoingRequest) -> Result<AuthStamp, ApiError> {
        // Held while fetching: concurrent requests wait for the one token request.
        let mut state = self.state.lock().await;
        let fresh = state.current.as_ref().is_some_and(|t| t.renew_at.is_none_or(|at| Instant::now() < at));
        if !fresh {
            self.fetch(ctx, &mut state).await?;
        }
        if let Some(token) = &state.current {
            request.header("authorization", token.header.clone());
        }
        Ok(AuthStamp(state.generation))
    }

    async fn renew(&self, ctx: &AuthContext<'_>, refused: AuthStamp) -> Result<bool, ApiError> {
        let mut state = self.state.lock().await;
        if state.generation != refused.0 {
            return Ok(true);
        }
        self.fetch(ctx, &mut state).await?;
        Ok(true)
    }
}

/// A login that yields a session cookie: POSTed at the first call, and again once when the
/// API says the session expired. The credentials travel only in the login body.
pub struct CookieSession {
    login_path: String,
    user: String,
    body: EncodedBody,
    /// The cookie the login must set; None keeps whatever cookies it sets.
    cookie_name: Option<String>,
    state: Mutex<SessionState>,
}

#[derive(Default)]
struct SessionState {
    /// The `Cookie` header value.
    cookie: Option<String>,
    generation: u64,
}

impl CookieSession {
    /// Logs in with a JSON object `{user_field: user, password_field: password}`.
    pub fn json_login(
        login_path: impl Into<String>,
        (user_field, user): (&str, &str),
        (password_field, password): (&str, &str),
        cookie_name: Option<&str>,
    ) -> CookieSession {
        register_secret(password);
        let mut object = serde_json::Map::new();
        object.insert(user_field.into(), J::String(user.into()));
        object.insert(password_field.into(), J::String(password.into()));
        let bytes = J::Object(object).to_string().into_bytes();
        let body = EncodedBody { content_type: "application/json", bytes };
        CookieSession::with_body(login_path.into(), user, body, cookie_name)
    }

    /// Logs in with form fields `user_field=user&password_field=password`.
    pub fn form_login(
        login_path: impl Into<String>,
        (user_field, user): (&str, &str),
        (password_field, password): (&str, &str),
        cookie_name: Option<&str>,
    ) -> CookieSession {
        register_secret(password);
        let body = encode_form(&[(user_field.into(), user.into()), (password_field.into(), password.into())]);
        CookieSession::with_body(login_path.into(), user, body, cookie_name)
    }

    fn with_body(login_path: String, user: &str, body: EncodedBody, cookie_name: Option<&str>) -> CookieSession {
        CookieSession {
            login_path,
            user: user.to_string(),
            body,
            cookie_name: cookie_name.map(str::to_string),
            state: Mutex::default(),
        }
    }

    async fn login(&self, ctx: &AuthContext<'_>, state: &mut SessionState) -> Result<(), ApiError> {
        let mut request = OutgoingRequest::new(Method::Post, Target::Path(self.login_path.clone()));
        request.header("accept", "application/json");
        request.body = Some(self.body.clone());
        let started = Instant::now();
        let answer = ctx.transport.send(&request, ctx.cancel).await?;
        tracing::debug!(method = "POST", path = %self.login_path, status = answer.status, elapsed_ms = elapsed_ms(started), "login");
        let failed = |why: &str| ApiError::Status {
            status: answer.status,
            message: mask(&format!("logging in as {:?} failed: {why}", self.user)),
        };
        if let Err(refusal) = ctx.dialect.decode(&ApiRequest::new(Method::Post, &self.login_path), &answer) {
            return Err(failed(&refusal.message));
        }
        let cookies = session_cookies(&answer);
        if cookies.is_empty() {
            return Err(failed("the answer set no session cookie"));
        }
        if let Some(name) = &self.cookie_name {
            if !cookies.iter().any(|(n, _)| n == name) {
                return Err(failed(&format!("the answer set no {name:?} cookie")));
            }
        }
        for (_, value) in &cookies {
            register_secret(value);
        }
        let header = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ");
        register_secret(&header);
        state.cookie = Some(header);
        state.generation = state.generation.wrapping_add(1);
        Ok(())
    }
}

/// The cookies an answer sets (name, value), leaving out those it deletes.
fn session_cookies(answer: &RawResponse) -> Vec<(String, String)> {
    let mut cookies: Vec<(String, String)> = Vec::new();
    for line in answer.headers_named("set-cookie") {
        let mut parts = line.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else { continue };
        let (name, value) = (name.trim(), value.trim().trim_matches('"'));
        let deleted = value.is_empty()
            || parts.any(|attribute| {
                let attribute = attribute.trim().to_ascii_lowercase();
                attribute.strip_prefix("max-age=").is_some_and(|age| age.trim().starts_with('-') || age.trim() == "0")
            });
        cookies.retain(|(n, _)| n != name);
        if !name.is_empty() && !deleted {
            cookies.push((name.to_string(), value.to_string()));
        }
    }
    cookies
}

#[async_trait]
impl Auth for CookieSession {
    async fn authorize(&self, ctx: &AuthContext<'_>, request: &mut OutgoingRequest) -> Result<AuthStamp, ApiError> {
        let mut state = self.state.lock().await;
        if state.cookie.is_none() {
            self.login(ctx, &mut state).await?;
        }
        if let Some(cookie) = &state.cookie {
            request.header("cookie", cookie.clone());
        }
        Ok(AuthStamp(state.generation))
    }

    async fn renew(&self, ctx: &AuthContext<'_>, refused: AuthStamp) -> Result<bool, ApiError> {
        let mut state = self.state.lock().await;
        if state.generation != refused.0 {
            return Ok(true);
        }
        state.cookie = None;
        self.login(ctx, &mut state).await?;
        Ok(true)
    }
}

pub(crate) fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
