//! Login, logout and the session of each call (reference §3).
//!
//! `login` takes `username`/`password` by POST form (Lastline's client) or GET query
//! (third-party code): `{"success": 1, "data": "true"}` and a `PHPSESSID` cookie. Any
//! method called without a valid cookie may carry `username`/`password` itself; then the
//! answer sets a new cookie. Licence-key login (`api_key`/`api_token`) is not documented
//! for the accounting view and is refused like wrong credentials.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;

use super::error::{ApiError, ApiResult};
use super::store::{Session, Store};
use super::wire::{self, Format, Params};
use super::{Caller, Sim, SimConfig, SESSION_COOKIE};

/// The session id in the `Cookie` header, if any.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

pub fn set_cookie(response: &mut Response, session: &str) {
    if let Ok(value) = HeaderValue::from_str(&format!("{SESSION_COOKIE}={session}; path=/; HttpOnly")) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Why an account may not act, if it may not.
fn refusal(store: &Store, username: &str) -> Option<ApiError> {
    let Some(account) = store.account(username) else {
        return Some(ApiError::authentication("Authentication failed: unknown account"));
    };
    if account.is_blocked {
        return Some(ApiError::authentication("Authentication failed: account is blocked"));
    }
    if store.customer_blocked(&account.customer) {
        return Some(ApiError::authentication("Authentication failed: customer is blocked"));
    }
    None
}

/// Checks credentials; opens a session on success.
fn open_session(store: &mut Store, username: &str, password: &str) -> ApiResult<String> {
    let matches = store.account(username).is_some_and(|a| a.password.as_deref() == Some(password));
    if !matches {
        return Err(ApiError::authentication("Authentication failed: invalid username or password"));
    }
    if let Some(error) = refusal(store, username) {
        return Err(error);
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    store.sessions.insert(id.clone(), Session { username: username.to_string(), last_used: Instant::now() });
    Ok(id)
}

/// The caller of a method: by a live session cookie, else by inline credentials (then
/// the new session id is returned for the answer's cookie).
pub fn authenticate(
    store: &mut Store,
    config: &SimConfig,
    headers: &HeaderMap,
    params: &Params,
) -> ApiResult<(Caller, Option<String>)> {
    // Why the cookie did not do, for the error when no credentials follow.
    let mut stale: Option<ApiError> = None;
    if let Some(id) = cookie(headers) {
        match session_user(store, config, &id) {
            Some(username) => match refusal(store, &username) {
                None => return Ok((caller(store, &username), None)),
                Some(error) => stale = Some(error),
            },
            None => stale = Some(ApiError::authentication("Session expired or invalid: please log in again")),
        }
    }
    if let (Some(username), Some(password)) = (params.get("username"), params.get("password")) {
        let id = open_session(store, username, password)?;
        store.counters.inline_logins += 1;
        return Ok((caller(store, username), Some(id)));
    }
    store.counters.unauthenticated += 1;
    Err(stale.unwrap_or_else(|| ApiError::authentication("Authentication required")))
}

/// The account of a live session (touching it), or `None` when it ended.
fn session_user(store: &mut Store, config: &SimConfig, id: &str) -> Option<String> {
    let idle_limit = config.session_idle_timeout;
    let session = store.sessions.get_mut(id)?;
    if idle_limit.is_some_and(|limit| session.last_used.elapsed() > limit) {
        store.sessions.remove(id);
        store.expired_sessions.insert(id.to_string());
        return None;
    }
    session.last_used = Instant::now();
    Some(session.username.clone())
}

fn caller(store: &Store, username: &str) -> Caller {
    let customer = store.account(username).map(|a| a.customer.clone()).unwrap_or_default();
    Caller { username: username.to_string(), customer }
}

fn format_of(uri: &Uri) -> Format {
    if uri.path().ends_with(".xml") {
        Format::Xml
    } else {
        Format::Json
    }
}

fn method_check(method: &Method, format: Format) -> Option<Response> {
    if method == Method::GET || method == Method::POST {
        return None;
    }
    let error = Err(ApiError { message: "Method Not Allowed".into(), code: None });
    Some(wire::answer(format, StatusCode::METHOD_NOT_ALLOWED, &error))
}

/// `POST|GET <base>/login[.json|.xml]`.
pub async fn login(State(sim): State<Arc<Sim>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let format = format_of(&uri);
    if let Some(refused) = method_check(&method, format) {
        return refused;
    }
    let params = super::params_of(&method, &uri, &headers, &body);
    let mut store = sim.store();
    let opened = match (params.get("username"), params.get("password")) {
        (Some(username), Some(password)) => open_session(&mut store, username, password),
        _ => Err(ApiError::authentication("Authentication failed: username and password are required")),
    };
    match opened {
        Ok(id) => {
            store.counters.logins += 1;
            drop(store);
            let mut response = wire::answer(format, StatusCode::OK, &Ok(serde_json::json!("true")));
            set_cookie(&mut response, &id);
            response
        }
        Err(error) => {
            store.counters.failed_logins += 1;
            wire::answer(format, StatusCode::OK, &Err(error))
        }
    }
}

/// `POST <base>/logout.json` (GET too): ends the session, if any. The answer's shape is
/// unconfirmed: the normal envelope with `"true"`, like login.
pub async fn logout(State(sim): State<Arc<Sim>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let format = format_of(&uri);
    if let Some(refused) = method_check(&method, format) {
        return refused;
    }
    let mut store = sim.store();
    if let Some(id) = cookie(&headers) {
        store.sessions.remove(&id);
    }
    store.counters.logouts += 1;
    drop(store);
    let mut response = wire::answer(format, StatusCode::OK, &Ok(serde_json::json!("true")));
    response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_static("PHPSESSID=deleted; path=/; Max-Age=0"));
    response
}

/// The caller of a licence-bundle call, whose refusals are HTTP 403 (not an envelope).
pub fn bundle_caller(sim: &Sim, headers: &HeaderMap, params: &Params) -> Result<(Caller, Option<String>), ApiError> {
    let config = sim.cfg();
    let mut store = sim.store();
    authenticate(&mut store, &config, headers, params)
}
