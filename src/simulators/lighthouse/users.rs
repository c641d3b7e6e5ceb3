//! Login, logout and the users endpoints (auth/auth.go, auth/users.go).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::Value;

use super::error::{as_struct, empty, field, go_int, go_parse, go_string, sniffed_json, ApiError};
use super::session::{self, Session};
use super::store::{set_level, User, DUPLICATE_KEY, MODIFY};
use super::{path_tail, Caller, Sim};

/// auth.UserAccessError.
pub const USER_ACCESS: &str = "User does not exist or current permission too low";
const COULD_NOT_UPDATE: &str = "could not update user";
/// AuthLevel needed to create users.
const CREATE_USER_LEVEL: i64 = 1;

fn with_cookie(mut response: Response, sim: &Sim, session: &Session) -> Response {
    response.headers_mut().insert(header::SET_COOKIE, session::set_cookie(&sim.session_key(), session));
    response
}

/// `POST /login {"Email","Password"}`. A wrong password logs the presented session out;
/// an unknown email leaves it as it was. The cookie is written either way.
pub async fn login(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    // The server ignores decoding errors: a bad body is an unknown (empty) email.
    let form = go_parse(&body).ok().and_then(|v| as_struct(&v, "LoginForm").ok()).unwrap_or_default();
    let email = go_string(field(&form, "Email")).unwrap_or_default();
    let password = go_string(field(&form, "Password")).unwrap_or_default();
    let mut session = session::from_headers(&sim.session_key(), &headers);
    let ok = {
        let mut store = sim.store();
        let ok = match store.user(&email) {
            Some(user) => {
                let ok = user.password == password;
                session.logged_in = ok;
                if ok {
                    session.email = email.clone();
                }
                ok
            }
            None => false,
        };
        if ok {
            store.logins += 1;
        } else {
            store.login_failures += 1;
        }
        ok
    };
    let response = if ok {
        empty(StatusCode::OK)
    } else {
        ApiError::new(401, "auth", "email or password incorrect").into_response()
    };
    with_cookie(response, &sim, &session)
}

/// `GET /logout`: `logged_in` false, cookie re-saved; works without a session.
pub async fn logout(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    let mut session = session::from_headers(&sim.session_key(), &headers);
    session.logged_in = false;
    with_cookie(empty(StatusCode::OK), &sim, &session)
}

fn users_error(status: u16, message: &str) -> ApiError {
    ApiError::new(status, "users", message)
}

/// The caller's row (the auth layer checked that it exists).
fn caller_user(sim: &Sim, caller: &Caller) -> Result<User, ApiError> {
    sim.store().user(&caller.0).cloned().ok_or_else(ApiError::not_logged_in)
}

/// `GET /users/list`: the caller and every user with a strictly lower AuthLevel.
pub async fn list(State(sim): State<Arc<Sim>>, Extension(caller): Extension<Caller>) -> Result<Response, ApiError> {
    let me = caller_user(&sim, &caller)?;
    let store = sim.store();
    let emails: Vec<&str> = store.users.iter().filter(|u| me.can_see(u)).map(|u| u.email.as_str()).collect();
    Ok(sniffed_json(&serde_json::json!(emails)))
}

/// The `{Email}` of `/users/{Email}` (also reached as `/users/create` with GET or PUT).
fn email_of(uri: &Uri) -> String {
    path_tail(uri, "/users/")
}

/// The target user, if it exists and the caller may see it; else the 404 of both cases.
fn visible_target(sim: &Sim, me: &User, email: &str) -> Result<User, ApiError> {
    match sim.store().user(email) {
        Some(user) if me.can_see(user) => Ok(user.clone()),
        _ => Err(users_error(404, USER_ACCESS)),
    }
}

/// `GET /users/{Email}`: `{Email, AuthLevel, Permissions}`; missing or invisible: 404.
pub async fn get(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let me = caller_user(&sim, &caller)?;
    let target = visible_target(&sim, &me, &email_of(&uri))?;
    Ok(sniffed_json(&target.view()))
}

/// What a `PUT /users/{Email}` body asks for, once its types are checked.
struct UserUpdate {
    auth_level: Option<i64>,
    password: Option<String>,
    beacons: BTreeMap<String, i64>,
}

/// Go decodes the body into `{AuthLevel int; Password string; Beacons map[string]int}`;
/// any error is a 400 `could not update user`.
fn parse_update(body: &[u8]) -> Result<UserUpdate, ()> {
    let value = go_parse(body).map_err(|_| ())?;
    let object = as_struct(&value, "struct").map_err(|_| ())?;
    let auth_level = go_int(field(&object, "AuthLevel")).map_err(|_| ())?;
    let password = match field(&object, "Password") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => return Err(()),
    };
    let mut beacons = BTreeMap::new();
    match field(&object, "Beacons") {
        None | Some(Value::Null) => {}
        Some(Value::Object(levels)) => {
            for (address, level) in levels {
                let level = go_int(Some(level)).map_err(|_| ())?.unwrap_or(0);
                beacons.insert(address.clone(), level);
            }
        }
        Some(_) => return Err(()),
    }
    Ok(UserUpdate { auth_level, password, beacons })
}

/// `PUT /users/{Email}`: AuthLevel (0..=caller's), password, beacon levels (each needs
/// the caller's level >= 1 on that beacon and >= the level; -1 removes). Beacon existence
/// is not checked; nothing is written unless every check passes.
pub async fn update(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
    body: Bytes,
) -> Result<Response, ApiError> {
    let me = caller_user(&sim, &caller)?;
    let email = email_of(&uri);
    let target = visible_target(&sim, &me, &email)?;
    let update = parse_update(&body).map_err(|()| users_error(400, COULD_NOT_UPDATE))?;
    if let Some(level) = update.auth_level.filter(|level| *level != target.auth_level) {
        if level < 0 {
            return Err(users_error(400, COULD_NOT_UPDATE));
        }
        if level > me.auth_level {
            return Err(users_error(403, COULD_NOT_UPDATE));
        }
    }
    for (address, level) in &update.beacons {
        let mine = me.beacon_level(address);
        if mine < MODIFY || *level > mine {
            return Err(users_error(403, COULD_NOT_UPDATE));
        }
    }
    let mut store = sim.store();
    let Some(user) = store.user_mut(&email) else {
        return Err(users_error(404, USER_ACCESS));
    };
    if let Some(level) = update.auth_level {
        user.auth_level = level;
    }
    if let Some(password) = update.password {
        user.password = password;
    }
    for (address, level) in &update.beacons {
        set_level(&mut user.beacons, address, *level);
    }
    Ok(empty(StatusCode::OK))
}

/// `POST /users/create {"Email","Password"}`: caller AuthLevel >= 1; the new user has
/// AuthLevel 0 and no levels. Neither value is validated (an empty email is a user).
pub async fn create(
    State(sim): State<Arc<Sim>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let me = caller_user(&sim, &caller)?;
    if me.auth_level < CREATE_USER_LEVEL {
        return Err(users_error(403, USER_ACCESS));
    }
    let bad = |message: String| users_error(400, &message);
    let object =
        go_parse(&body).and_then(|v| as_struct(&v, "struct { Email string; Password string }")).map_err(bad)?;
    let email = go_string(field(&object, "Email")).map_err(bad)?;
    let password = go_string(field(&object, "Password")).map_err(bad)?;
    let mut store = sim.store();
    if store.user(&email).is_some() {
        return Err(users_error(400, DUPLICATE_KEY));
    }
    store.users.push(User::new(&email, &password, 0));
    Ok(empty(StatusCode::OK))
}
