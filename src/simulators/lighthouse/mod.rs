//! A Lighthouse Remote API v0.2 simulator: the final server code (lighthouse-isu/lighthouse
//! `bba0b80`, 2015-04-30) as `reference/lighthouse-api.md` describes it, not the older wiki:
//! only `/api/v0.2` routes, `{"Cause","Message"}` errors with the server's exact message
//! strings, the `auth` cookie session (lost on restart), AuthLevels and per-resource
//! levels, and the NDJSON progress streams of the application endpoints.
//!
//! The server talks to other machines: beacon agents (`GET /vms` with a `Token` header,
//! and their Docker proxy) and Docker daemons (the deployment procedure). Both are
//! simulated in-process and configured through admin routes (`admin.rs`), so a test can
//! make a beacon unreachable, give it another token, or make one Docker step fail on one
//! host, and then see which containers exist and run.
//!
//! Not simulated: the Docker proxy `/d/{Host}/...` (the provider does not use it), the
//! web client under `/` and `/static` (unknown routes answer what the server answers when
//! its `static/index.html` is missing).

mod admin;
mod applications;
mod beacons;
mod docker;
mod error;
mod session;
mod store;
mod stream;
#[cfg(test)]
mod tests;
mod users;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;

pub use docker::{Container, DockerHost};
pub use error::ApiError;
use store::{Store, User};

use crate::simulators::faults::Faults;
pub use crate::simulators::faults::{Fault, FAULT_KINDS};

/// The API prefix of the final server.
pub const PREFIX: &str = "/api/v0.2";

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The bootstrap admin (`config/auth.json`): `admin@gmail.com` / `admin`, AuthLevel 9001.
    pub admin_email: String,
    pub admin_password: String,
    pub admin_level: i64,
    /// Pause between two records of a stream (the real server's records come as Docker
    /// answers; 0 writes them at once).
    pub step_delay: Duration,
    /// Added before every API answer.
    pub latency: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            admin_email: "admin@gmail.com".into(),
            admin_password: "admin".into(),
            admin_level: 9001,
            step_delay: Duration::ZERO,
            latency: Duration::ZERO,
        }
    }
}

pub struct Sim {
    pub config: Mutex<SimConfig>,
    store: Mutex<Store>,
    faults: Faults,
    /// The cookie signing key, made at start; rotating it ends every session.
    session_key: Mutex<[u8; 32]>,
}

impl Sim {
    pub fn new(cfg: SimConfig) -> Arc<Sim> {
        let admin = User::new(&cfg.admin_email, &cfg.admin_password, cfg.admin_level);
        Arc::new(Sim {
            config: Mutex::new(cfg),
            store: Mutex::new(Store::new(admin)),
            faults: Faults::default(),
            session_key: Mutex::new(session::new_key()),
        })
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn cfg(&self) -> SimConfig {
        self.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub(crate) fn session_key(&self) -> [u8; 32] {
        *self.session_key.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What a server restart does to sessions: a new key, so no cookie verifies.
    pub fn expire_sessions(&self) {
        *self.session_key.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = session::new_key();
    }

    pub fn arm(&self, fault: Fault) {
        self.faults.arm(fault);
    }
}

/// The logged-in user of a request (the session's `email`).
#[derive(Clone, Debug)]
pub struct Caller(pub String);

/// Set on a request that runs under an armed fault: a streaming handler then finishes its
/// work before answering, so that "committed" means the whole operation happened.
#[derive(Clone, Copy, Debug)]
pub struct UnderFault;

/// Paths the auth middleware lets through (lighthouse.go `ignoreURLs`, and `/static`).
fn exempt(path: &str) -> bool {
    matches!(path, "/" | "/login")
        || path == format!("{PREFIX}/login")
        || path == format!("{PREFIX}/logout")
        || path.starts_with("/static")
}

/// auth.AuthMiddleware: without `logged_in` in the session, `/api...` is a 401 and any
/// other path a redirect to `/`.
async fn auth_layer(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if exempt(&path) {
        return next.run(req).await;
    }
    let session = session::from_headers(&sim.session_key(), req.headers());
    // The user must exist too (the server would crash on a session of an unknown user).
    if session.logged_in && sim.store().user(&session.email).is_some() {
        req.extensions_mut().insert(Caller(session.email));
        return next.run(req).await;
    }
    if path.starts_with("/api") {
        return ApiError::not_logged_in().into_response();
    }
    let mut redirect = StatusCode::FOUND.into_response();
    redirect.headers_mut().insert(header::LOCATION, HeaderValue::from_static("/"));
    redirect
}

/// Counts every request below the API and unknown paths, before the session check.
async fn count_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let key = format!("{} {}", req.method(), req.uri().path());
    *sim.store().requests_by_path.entry(key).or_default() += 1;
    next.run(req).await
}

async fn latency_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    crate::simulators::delay(sim.cfg().latency).await;
    next.run(req).await
}

async fn fault_layer(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let Some(fault) = sim.faults.take(req.method().as_str(), req.uri().path()) else {
        return next.run(req).await;
    };
    req.extensions_mut().insert(UnderFault);
    let error =
        |status: StatusCode, message: &str| ApiError::new(status.as_u16(), "lighthouse", message).into_response();
    crate::simulators::faults::inject(fault, req, next, error, "Internal Server Error").await
}

/// The NotFoundHandler renders the web client's `static/index.html`; the simulator has
/// none, so it answers what the server answers when the file is missing. gorilla/mux of
/// 2015 sends a wrong method on a known path here too.
async fn no_route() -> ApiError {
    ApiError::new(404, "lighthouse", "open static/index.html: no such file or directory")
}

fn api_routes() -> Router<Arc<Sim>> {
    Router::new()
        .route("/login", post(users::login))
        .route("/logout", get(users::logout))
        .route("/users/list", get(users::list))
        .route("/users/create", post(users::create).get(users::get).put(users::update))
        .route("/users/{email}", get(users::get).put(users::update))
        .route("/beacons/create", post(beacons::create))
        .route("/beacons/token/", put(beacons::update_token))
        .route("/beacons/token/{*beacon}", put(beacons::update_token))
        .route("/beacons/list", get(beacons::list))
        .route("/beacons/list/", get(beacons::list_instances))
        .route("/beacons/list/{*beacon}", get(beacons::list_instances))
        .route("/beacons/refresh/", put(beacons::refresh))
        .route("/beacons/refresh/{*beacon}", put(beacons::refresh))
        .route("/aliases/", put(beacons::put_alias))
        .route("/aliases/{*address}", put(beacons::put_alias))
        .route("/applications/create", post(applications::create))
        .route("/applications/list", get(applications::list))
        .route("/applications/list/", get(applications::history))
        .route("/applications/list/{*id}", get(applications::history))
        .route("/applications/start/", post(applications::start))
        .route("/applications/start/{*id}", post(applications::start))
        .route("/applications/stop/", post(applications::stop))
        .route("/applications/stop/{*id}", post(applications::stop))
        .route("/applications/revert/", put(applications::revert))
        .route("/applications/revert/{*id}", put(applications::revert))
        .route("/applications/update/", put(applications::update))
        .route("/applications/update/{*id}", put(applications::update))
}

/// The whole simulator: the API (and every unknown path) behind the session check,
/// admin routes under `/_sim` beside it without one.
pub fn router(sim: Arc<Sim>) -> Router {
    let api = Router::new()
        .nest(PREFIX, api_routes())
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        .layer(middleware::from_fn_with_state(sim.clone(), fault_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), auth_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), latency_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), count_layer));
    Router::new().nest("/_sim", admin::routes()).merge(api).with_state(sim)
}

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, sim: Arc<Sim>) -> std::io::Result<()> {
    crate::simulators::serve_router(listener, router(sim)).await
}

/// A simulator on a background thread of its own; `url()` is the provider's endpoint.
pub type Running = crate::simulators::Running<Sim>;

pub fn spawn(cfg: SimConfig) -> std::io::Result<Running> {
    let sim = Sim::new(cfg);
    crate::simulators::spawn_sim(sim.clone(), router(sim))
}

/// The part of the request path after `prefix` (under [`PREFIX`]), percent-decoded as
/// Go's `r.URL.Path` is. Addresses in paths may contain `/` (encoded or not).
pub(crate) fn path_tail(uri: &axum::http::Uri, prefix: &str) -> String {
    error::percent_decode(raw_tail(uri.path(), prefix))
}

/// The raw text after `prefix`, whether or not the nesting under [`PREFIX`] was stripped.
pub(crate) fn raw_tail<'a>(text: &'a str, prefix: &str) -> &'a str {
    let text = text.strip_prefix(PREFIX).unwrap_or(text);
    text.strip_prefix(prefix).unwrap_or("")
}
