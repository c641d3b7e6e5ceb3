//! A Luminate (Symantec ZTNA / Secure Access Cloud) API v2 simulator: OAuth2 client
//! credentials, sites and collections. It follows the vendor documents
//! (`luminate-api-models.md`, the vendor's API page in seed 001), not what the provider
//! would like: documented status codes, `ModelApiResponse` error bodies, Spring pages,
//! the tenant-wide rate limit of 5 requests per second and an `x-lum-request-id` header
//! on every answer.
//!
//! Behaviour for tests and users' CI is added as layers around the handlers: bearer
//! authentication with expiring tokens, rate limiting, latency and fault injection (error
//! statuses; answers dropped, or replaced by an error, after the change was committed).
//! Admin routes under `/_sim/` change or delete objects out of band, expire tokens, set
//! knobs and arm faults.

mod admin;
mod applications;
mod connectors;
mod directory;
mod error;
mod handlers;
mod integrations;
mod policies;
mod store;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use error::SimError;
use store::Store;
pub use store::{Kind, DEFAULT_COLLECTION_ID, ROOT_COLLECTION_ID};

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The API client's credentials, as the admin portal shows them.
    pub client_id: String,
    pub client_secret: String,
    /// Lifetime of an access token (`expires_in`, rounded up to whole seconds on the wire).
    pub token_ttl: Duration,
    /// Requests per second the tenant may make to `/v2`; 0 turns the limit off. The
    /// vendor documents 5 (seed 001 "Rate-limiting", models §1.4).
    pub rate_limit_per_sec: u32,
    /// Added to every API answer.
    pub latency: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            client_id: "sim-client-id".into(),
            client_secret: "sim-client-secret".into(),
            // The vendor's token sample says 86400 (seed 001 "Authentication").
            token_ttl: Duration::from_secs(86400),
            rate_limit_per_sec: 5,
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
    /// When each `/v2` request let through in the last second arrived, oldest first.
    recent_requests: Mutex<VecDeque<Instant>>,
    /// `/v2` requests let through and refused with 429 since the start, for
    /// `GET /_sim/state` (how much of the limit a client uses, how often it hits it).
    pub admitted: AtomicU64,
    pub rate_limited: AtomicU64,
}

impl Sim {
    pub fn new(config: SimConfig) -> Arc<Sim> {
        Arc::new(Sim {
            config: Mutex::new(config),
            store: Mutex::new(Store::new()),
            faults: Faults::default(),
            recent_requests: Mutex::new(VecDeque::new()),
            admitted: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
        })
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

    /// Every issued token stops being accepted, as if they had all expired.
    pub fn expire_tokens(&self) {
        self.store().tokens.clear();
    }

    pub fn arm(&self, fault: Fault) {
        self.faults.arm(fault);
    }

    /// Counts a request against the tenant's limit; false when the last second already
    /// saw the limit. Refused requests are not counted, so a client that backs off for
    /// one second, as the documents ask, gets through.
    fn admit(&self, now: Instant) -> bool {
        let limit = self.cfg().rate_limit_per_sec as usize;
        if limit == 0 {
            return true;
        }
        let mut recent = self.recent_requests.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while recent.front().is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(1)) {
            recent.pop_front();
        }
        if recent.len() >= limit {
            return false;
        }
        recent.push_back(now);
        true
    }

    fn count_request(&self, admitted: bool) {
        let counter = if admitted { &self.admitted } else { &self.rate_limited };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

tokio::task_local! {
    /// The `x-lum-request-id` of the request being answered, for error bodies'
    /// `requestIdentifier`.
    static REQUEST_ID: String;
}

fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// "Each request submitted to the API returns a unique request ID ... in header
/// x-lum-request-id" (seed 001 "Support", models §1.4).
async fn request_id_layer(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-lum-request-id", value);
    }
    response
}

/// 429 above the tenant's limit. No `Retry-After`: the documents only say "back-off ...
/// for 1 second" (seed 001 "Rate-limiting") and never name the header, and the provider
/// ignores it anyway (models §1.4).
async fn rate_limit_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let admitted = sim.admit(Instant::now());
    sim.count_request(admitted);
    if !admitted {
        return SimError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").into_response();
    }
    next.run(req).await
}

/// `/v2` needs `Authorization: Bearer <token>` with a token issued by `/v1/oauth/token`
/// and not yet expired (seed 001 "Authentication").
async fn auth_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_string());
    let valid = token.is_some_and(|token| sim.store().token_valid(&token, Instant::now()));
    if !valid {
        return SimError::unauthorized().into_response();
    }
    next.run(req).await
}

async fn latency_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    crate::simulators::delay(sim.cfg().latency).await;
    next.run(req).await
}

async fn fault_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let error = |status: StatusCode, message: &str| SimError::new(status, message).into_response();
    crate::simulators::faults::run_under_armed(&sim.faults, req, next, error, "Internal Server Error").await
}

// Spring answers unknown routes and methods with its error body too, not an empty one.
async fn no_route() -> SimError {
    SimError::not_found("No handler found")
}

async fn wrong_method() -> SimError {
    SimError::new(StatusCode::METHOD_NOT_ALLOWED, "Request method not supported")
}

/// The whole simulator as an axum router: the token route and the `/v2` routes behind
/// their layers, admin routes beside them (admin routes need no token and are not rate
/// limited: they stand for "someone else").
pub fn router(sim: Arc<Sim>) -> Router {
    let api = handlers::v2_routes()
        .layer(middleware::from_fn_with_state(sim.clone(), fault_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), auth_layer))
        // The token route is not counted: the Go oauth2 library does not retry a 429
        // while fetching a token, and the documents speak of API requests.
        .layer(middleware::from_fn_with_state(sim.clone(), rate_limit_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), latency_layer));
    let token = handlers::token_routes()
        .layer(middleware::from_fn_with_state(sim.clone(), fault_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), latency_layer));
    Router::new()
        .merge(api)
        .merge(token)
        .nest("/_sim", admin::routes())
        .fallback(no_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(middleware::from_fn(request_id_layer))
        .with_state(sim)
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
