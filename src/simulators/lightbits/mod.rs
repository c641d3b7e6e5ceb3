//! A Lightbits REST API v2 simulator: projects, volumes (project-scoped and flat routes),
//! snapshots, cluster information and version. It follows the vendor's documents (the API
//! v2 document and the durosapiv2 proto), not what the provider would like: documented
//! status codes and messages, request bodies read as grpc-gateway v1 reads proto3 JSON,
//! the API's validation done with the simulator's own parsers, ETag (body field and
//! header) with If-Match -> 412 where documented, asynchronous Creating -> Available and
//! Deleting -> 404 states, paging and `showAll`.
//!
//! Behaviour for tests and users' CI is added as layers around the handlers: bearer
//! authentication, latency, and fault injection (error statuses; answers dropped, or
//! replaced by an error, after the change was committed). Admin routes under `/_sim/` change or delete objects out of
//! band, set knobs and arm faults.

mod admin;
mod cluster;
mod error;
mod handlers;
mod identity;
mod parse;
mod policies;
mod requests;
mod store;
pub mod tls;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

pub use error::SimError;
pub use store::Kind;
use store::Store;

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Bearer token the API accepts; `None` accepts any request (multi-tenancy off).
    pub token: Option<String>,
    /// How long Creating/Updating/Deleting last.
    pub transition_delay: Duration,
    /// Added to every API answer.
    pub latency: Duration,
    /// Serve HTTPS with a freshly generated CA (see [`tls`]).
    pub tls: bool,
    /// Refuse request fields the proto message does not declare (400), as a server that
    /// calls grpc-gateway's `DisallowUnknownFields` would. Off by default: grpc-gateway v1
    /// drops unknown fields unless told otherwise, and the documents do not say which
    /// Lightbits does.
    pub reject_unknown_fields: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            token: Some("sim-token".into()),
            transition_delay: Duration::from_millis(300),
            latency: Duration::ZERO,
            tls: false,
            reject_unknown_fields: false,
        }
    }
}

use crate::simulators::faults::Faults;
pub use crate::simulators::faults::{Fault, FAULT_KINDS};

pub struct Sim {
    pub config: Mutex<SimConfig>,
    store: Mutex<Store>,
    faults: Faults,
    pub cluster_uuid: String,
    /// When cluster encryption was asked for: Enabling until the transition delay has
    /// passed, then Enabled. It can never be disabled again.
    encryption_since: Mutex<Option<std::time::Instant>>,
    /// What the cluster area keeps beside the object store (cluster.rs).
    pub(crate) cluster_extra: Mutex<cluster::Extra>,
    /// Federated and in-band authentication switches (identity.rs).
    pub(crate) auth_switches: Mutex<identity::AuthSwitches>,
}

impl Sim {
    pub fn new(config: SimConfig) -> Arc<Sim> {
        let sim = Arc::new(Sim {
            config: Mutex::new(config),
            store: Mutex::new(Store::default()),
            faults: Faults::default(),
            cluster_uuid: uuid::Uuid::new_v4().to_string(),
            encryption_since: Mutex::new(None),
            cluster_extra: Mutex::default(),
            auth_switches: Mutex::default(),
        });
        // Like a fresh cluster: the "default" project exists.
        sim.store().insert(
            Kind::Project,
            json!({"name": "default", "description": "Default project", "defaultPolicies": []}),
            None,
        );
        sim
    }

    /// The store with every due state transition applied.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        let mut s = self.store.lock().unwrap_or_else(|p| p.into_inner());
        s.advance(std::time::Instant::now());
        s
    }

    pub(crate) fn cfg(&self) -> SimConfig {
        self.config.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// `ClusterEncryptionStatus.encryptionState`: Disabled, Enabling or Enabled.
    pub fn encryption_state(&self) -> &'static str {
        let since = *self.encryption_since.lock().unwrap_or_else(|p| p.into_inner());
        match since {
            None => "Disabled",
            Some(t) if t.elapsed() < self.cfg().transition_delay => "Enabling",
            Some(_) => "Enabled",
        }
    }

    /// Starts enabling encryption; false when it is already enabled or enabling.
    pub(crate) fn enable_encryption(&self) -> bool {
        let mut since = self.encryption_since.lock().unwrap_or_else(|p| p.into_inner());
        if since.is_some() {
            return false;
        }
        *since = Some(std::time::Instant::now());
        true
    }

    /// Counts of objects per kind, for tests and `GET /_sim/state`.
    pub fn count(&self, kind: Kind) -> usize {
        self.store().objects.values().filter(|o| o.kind == kind).count()
    }

    pub fn arm(&self, fault: Fault) {
        self.faults.arm(fault);
    }
}

/// True for a JWT whose `exp` claim lies in the past; the token's signature is the
/// cluster's business and not simulated.
fn jwt_expired(token: &str) -> bool {
    use base64::Engine as _;
    let Some(payload) = token.split('.').nth(1) else { return false };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')) else {
        return false;
    };
    let exp = serde_json::from_slice::<Value>(&bytes).ok().and_then(|c| c.get("exp").and_then(Value::as_i64));
    exp.is_some_and(|exp| exp < time::OffsetDateTime::now_utc().unix_timestamp())
}

async fn auth_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    if let Some(token) = sim.cfg().token {
        let given =
            req.headers().get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        if given != Some(token.as_str()) || jwt_expired(&token) {
            return SimError::new(StatusCode::UNAUTHORIZED, "Unauthorized: authentication failed.").into_response();
        }
    }
    next.run(req).await
}

async fn latency_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    crate::simulators::delay(sim.cfg().latency).await;
    next.run(req).await
}

async fn fault_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let error = |status: StatusCode, message: &str| {
        let mut response = SimError::new(status, message).into_response();
        // Busy answers say "retry now", so that tests of retries do not wait.
        if matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE) {
            response.headers_mut().insert("retry-after", HeaderValue::from_static("0"));
        }
        response
    };
    crate::simulators::faults::run_under_armed(&sim.faults, req, next, error, "Internal Lightbits error.").await
}

/// The whole simulator as an axum router: API routes behind the layers, admin routes
/// beside them (admin routes need no token: they stand for "someone else").
pub fn router(sim: Arc<Sim>) -> Router {
    let api = handlers::routes()
        .merge(policies::routes())
        .merge(identity::routes())
        .merge(cluster::routes())
        .layer(middleware::from_fn_with_state(sim.clone(), fault_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), auth_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), latency_layer));
    Router::new().merge(api).nest("/_sim", admin::routes()).with_state(sim)
}

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, sim: Arc<Sim>) -> std::io::Result<()> {
    crate::simulators::serve_router(listener, router(sim)).await
}

/// A simulator on a background thread of its own, for tests and tools.
pub struct Running {
    pub addr: SocketAddr,
    pub sim: Arc<Sim>,
    /// The CA to trust when the simulator serves HTTPS.
    pub ca_pem: Option<String>,
    _thread: std::thread::JoinHandle<()>,
}

impl Running {
    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
}

pub fn spawn(config: SimConfig) -> std::io::Result<Running> {
    let tls = if config.tls { Some(tls::generate().map_err(std::io::Error::other)?) } else { None };
    let ca_pem = tls.as_ref().map(|t| t.ca_pem.clone());
    let sim = Sim::new(config);
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let s = sim.clone();
    let thread = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else { return };
        rt.block_on(async move {
            if let Ok(l) = tokio::net::TcpListener::from_std(std_listener) {
                let _ = match tls {
                    Some(t) => tls::serve(l, router(s), t.config).await,
                    None => serve(l, s).await,
                };
            }
        });
    });
    Ok(Running { addr, sim, ca_pem, _thread: thread })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn jwt(exp: i64) -> String {
        let enc = |claims: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("{}.{}.sig", enc(json!({"alg": "RS256"})), enc(json!({"sub": "admin", "exp": exp})))
    }

    #[test]
    fn expired_jwts_are_refused() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!(jwt_expired(&jwt(now - 60)));
        assert!(!jwt_expired(&jwt(now + 3600)));
        assert!(!jwt_expired("plain-token"));
    }
}
