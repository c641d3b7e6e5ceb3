//! A Lightrun public API (`/api/v1`) simulator: the operations the Terraform interface
//! uses (`interfaces/lightrun.md` "Coverage of the OpenAPI"), as the OpenAPI 3.1 document
//! (`lightrun-openapi.json`) and the REST overview (seed 000) describe them, not as the
//! provider would like: documented status codes, `{items, offset, limit, total, hasMore}`
//! pages, the overview's 401 body and 402, and the permission level each operation names
//! ("Required API permission level: COMPANY | DEV | SECURITY").
//!
//! Behaviour for tests and users' CI is added as layers around the handlers: bearer API
//! key authentication (the configured key, or a system API key created through the API),
//! permission levels, latency and fault injection (error statuses, 429 with
//! `Retry-After`; answers dropped, or replaced by an error, after the change was
//! committed). Admin routes under `/_sim/` change or delete objects out of band, add
//! objects, set knobs and arm faults. No rate limit: the documents name none.

mod access;
mod admin;
mod agents;
mod configuration;
mod error;
mod handlers;
mod packages;
mod store;
#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use error::SimError;
use store::Store;
pub use store::{
    Kind, ADMIN_EMAIL, AGENT_IDS, CHECKOUT_SOURCE_ID, COMPANY_ID, DEFAULT_GROUP_ID, DEFAULT_POOL_ID, SEEDED_ACTION_ID,
};

/// The API permission levels (API key scopes) the operations require.
pub const COMPANY: &str = "COMPANY";
pub const DEV: &str = "DEV";
pub const SECURITY: &str = "SECURITY";
/// Every scope a system API key can have (SystemApiKeyReadDTO.scopes enum).
pub const SCOPES: [&str; 4] = [COMPANY, DEV, SECURITY, "CROSS_COMPANY"];

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The API key the portal would have issued: `Authorization: Bearer <api_key>`.
    pub api_key: String,
    /// The key's permission levels. An operation needing a level the key lacks is a 403.
    /// The levels are independent (the documents give no hierarchy: assumed).
    pub scopes: Vec<String>,
    /// The company the key belongs to; system API key paths name it.
    pub company_id: String,
    /// Seats of the licence: creating or enabling a user beyond this many enabled users
    /// is a 402 (overview: "The request failed but the parameters are valid"; the
    /// interface names the seat limit as its example). `None`: no limit.
    pub seat_limit: Option<usize>,
    /// Active temporary accesses allowed at once: one more is a 403 "Exceeded limit of
    /// temporary access instances" (addTempAccess). The documents give no number: 100.
    pub temp_access_limit: usize,
    /// Whether RBAC is on: then `agentPoolId` is mandatory where the OpenAPI says
    /// "Mandatory when RBAC is enabled", and user roles are not restricted to DEVELOPER
    /// and SYSTEM_ADMIN. On by default: groups and JIT grants are RBAC features.
    pub rbac: bool,
    /// `Retry-After` seconds of a 429 answered by a fault.
    pub retry_after_secs: u64,
    /// Added to every API answer.
    pub latency: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: "sim-api-key".into(),
            scopes: [COMPANY, DEV, SECURITY].iter().map(|s| s.to_string()).collect(),
            company_id: COMPANY_ID.into(),
            seat_limit: None,
            temp_access_limit: 100,
            rbac: true,
            retry_after_secs: 1,
            latency: Duration::ZERO,
        }
    }
}

use crate::simulators::faults::Faults;
pub use crate::simulators::faults::{Fault, FAULT_KINDS};

pub struct Sim {
    pub config: Mutex<SimConfig>,
    store: Mutex<Store>,
    faults: Faults,
}

impl Sim {
    pub fn new(config: SimConfig) -> Arc<Sim> {
        Arc::new(Sim { config: Mutex::new(config), store: Mutex::new(Store::new()), faults: Faults::default() })
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn cfg(&self) -> SimConfig {
        self.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Objects of `kind`, for tests and `GET /_sim/state`.
    pub fn count(&self, kind: Kind) -> usize {
        self.store().count(kind)
    }

    pub fn arm(&self, fault: Fault) {
        self.faults.arm(fault);
    }
}

/// Who is calling: the name the server records as `createdBy`, and the key's levels.
#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
    pub scopes: Vec<String>,
}

/// What the configured key's calls are recorded as (`createdBy`): never the key itself.
pub const CONFIGURED_KEY_NAME: &str = "Simulator API key";

tokio::task_local! {
    /// The path of the request being answered, for error bodies' `path`.
    static PATH: String;
}

fn current_path() -> Option<String> {
    PATH.try_with(Clone::clone).ok()
}

/// Now as the API writes times: RFC 3339 in UTC with milliseconds.
pub(crate) fn now() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

pub(crate) fn format_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"))
        .unwrap_or_default()
}

async fn path_layer(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    PATH.scope(path, next.run(req)).await
}

/// "All APIs require authentication. The api-key will be passed via an http header":
/// `Authorization: Bearer <key>`, the configured key or an unexpired system API key.
async fn auth_layer(State(sim): State<Arc<Sim>>, mut req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, key)| key.trim().to_string());
    let Some(caller) = key.and_then(|key| access::caller_for_key(&sim, &key)) else {
        return SimError::unauthorized().into_response();
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// 403 unless the caller's key has `level`.
async fn require(level: &'static str, req: Request, next: Next) -> Response {
    let allowed = req.extensions().get::<Caller>().is_some_and(|c| c.scopes.iter().any(|s| s == level));
    if !allowed {
        return SimError::forbidden(format!("Access denied: the API key lacks the {level} permission level"))
            .into_response();
    }
    next.run(req).await
}

async fn require_company(req: Request, next: Next) -> Response {
    require(COMPANY, req, next).await
}

async fn require_dev(req: Request, next: Next) -> Response {
    require(DEV, req, next).await
}

async fn require_security(req: Request, next: Next) -> Response {
    require(SECURITY, req, next).await
}

async fn latency_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    crate::simulators::delay(sim.cfg().latency).await;
    next.run(req).await
}

/// Armed faults; a 429 carries `Retry-After` (the interface's clients honour it).
async fn fault_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let retry_after = sim.cfg().retry_after_secs;
    let error = move |status: StatusCode, message: &str| {
        let mut response = SimError::new(status, message).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert("retry-after", HeaderValue::from(retry_after));
        }
        response
    };
    crate::simulators::faults::run_under_armed(&sim.faults, req, next, error, "Internal Server Error").await
}

// Spring answers unknown routes and methods with its error body too.
async fn no_route() -> SimError {
    SimError::not_found("No static resource found")
}

async fn wrong_method() -> SimError {
    SimError::new(StatusCode::METHOD_NOT_ALLOWED, "Request method not supported")
}

/// The whole simulator as an axum router: `/api/v1` behind its layers (unknown API
/// routes too: Spring Security answers 401 before 404), admin routes beside them
/// (admin routes need no key: they stand for "someone else").
pub fn router(sim: Arc<Sim>) -> Router {
    let api = handlers::api_routes()
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn_with_state(sim.clone(), fault_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), auth_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), latency_layer));
    Router::new().nest("/_sim", admin::routes()).merge(api).layer(middleware::from_fn(path_layer)).with_state(sim)
}

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, sim: Arc<Sim>) -> std::io::Result<()> {
    crate::simulators::serve_router(listener, router(sim)).await
}

/// A simulator on a background thread of its own, for tests and tools; `url()` is the
/// provider's endpoint.
pub type Running = crate::simulators::Running<Sim>;

pub fn spawn(config: SimConfig) -> std::io::Result<Running> {
    let sim = Sim::new(config);
    crate::simulators::spawn_sim(sim.clone(), router(sim))
}
