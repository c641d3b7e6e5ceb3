//! A Lastline Accounting API simulator: the PAPI view `accounting` (39 methods) as the
//! accounting page (seed 004) and the reference (`reference/lastline-api.md`) describe it.
//!
//! - URLs `<base>/papi/accounting/<area>/<method>[.json|.xml]` (JSON without a suffix),
//!   `license_bundle/get` and `license_bundle/airgap_installation` without a suffix (zip);
//!   `<base>/papi/login[.json|.xml]` and `<base>/papi/logout[.json|.xml]`.
//! - Each method answers only its documented HTTP method (GET, POST or either); others are
//!   HTTP 405. Parameters: the query string for GET, form fields (and the query string)
//!   for POST. Multipart bodies are not read (no accounting method takes a file).
//! - Answers: `{"success": 1, "data": ...}`, or HTTP 200 with `{"success": 0, "error",
//!   "error_code"}` (see `error.rs` for the numbers, two of them chosen here); `.xml`
//!   renders the same envelope as XML (`wire::to_xml`, mostly unconfirmed).
//! - Authentication: a `PHPSESSID` session cookie from `login`, or inline `username` and
//!   `password` on any call without a valid cookie (which also sets the cookie). Sessions
//!   end on logout, on `POST /_sim/sessions/expire`, after the optional idle timeout,
//!   when the account is blocked or deleted, or its customer blocked.
//! - Permissions (customer, licence, subkey contexts; roles) are checked per method as
//!   the handlers' comments say; "additional/special permissions" are an account flag.
//! - Generated licences appear in the listings only after `propagation_delay`.
//! - Admin routes under `/_sim/` (see `admin.rs`), latency, shared faults (`faults.rs`)
//!   and `api_error` faults (a chosen `success: 0` answer, before or after committing).

mod accounts;
mod admin;
mod appliances;
mod auth;
mod error;
mod licenses;
mod permissions;
mod roles;
mod store;
#[cfg(test)]
mod tests;
mod wire;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};

pub use error::{
    ApiError, AUTHENTICATION_ERROR, CANNOT_SWITCH_TO_KEY, INVALID_PARAMETER, NO_KEY_SELECTED, NO_SUCH_ENTITY,
    PERMISSION_DENIED, UNKNOWN_ACCOUNT, UNKNOWN_LICENSE_KEY, UNKNOWN_ON_PREMISE, UNKNOWN_USER,
};
pub use store::{
    ANALYST, ANALYST_PASSWORD, APPLIANCE_UUID, BUILTIN_ROLES, CHILD_KEY, DEFAULT_CUSTOMER, DEFAULT_PASSWORD,
    DEFAULT_USERNAME, DISABLED_APPLIANCE_UUID, EXPIRED_KEY, HOSTED_KEY, ONPREM_KEY, OTHER_CUSTOMER, OTHER_KEY,
    OTHER_PASSWORD, PERMISSIONS, PRODUCTS,
};

use error::ApiResult;
use store::Store;
use wire::{Format, Params};

/// The session cookie's name (third-party code read it from Lastline's client: unconfirmed).
pub const SESSION_COOKIE: &str = "PHPSESSID";

#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The seeded account the provider logs in with.
    pub username: String,
    pub password: String,
    /// The seeded customer (its primary contact's username). When it differs from
    /// `username`, both accounts are seeded with every customer permission.
    pub customer: String,
    /// Whether the seeded account has Lastline's "additional permissions" (other
    /// customers, `*`, generate_license, licence date changes, block_customer).
    pub extra_permissions: bool,
    /// How long a generated licence stays invisible to the listings (the page: "up to 15
    /// minutes"). Licences added through `/_sim/` are visible at once.
    pub propagation_delay: Duration,
    /// Added to every API answer.
    pub latency: Duration,
    /// A session unused this long expires; `None`: never (the timeout is undocumented).
    pub session_idle_timeout: Option<Duration>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            username: store::DEFAULT_USERNAME.into(),
            password: store::DEFAULT_PASSWORD.into(),
            customer: store::DEFAULT_CUSTOMER.into(),
            extra_permissions: true,
            propagation_delay: Duration::from_secs(2),
            latency: Duration::ZERO,
            session_idle_timeout: None,
        }
    }
}

use crate::simulators::faults::{Armed, Faults, Target};
pub use crate::simulators::faults::{Fault, FAULT_KINDS};

/// A `success: 0` answer armed on `POST /_sim/faults` with `"kind": "api_error"`.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct ApiFault {
    pub method: Option<String>,
    #[serde(default)]
    pub path_contains: String,
    /// `error` of the answer; left out of it when absent.
    pub error: Option<String>,
    /// `error_code` of the answer; left out of it when absent.
    pub error_code: Option<i64>,
    /// Run the call first (its change is committed), then answer the error.
    #[serde(default)]
    pub after_commit: bool,
    #[serde(default = "crate::simulators::faults::one")]
    pub remaining: u32,
}

impl Armed for ApiFault {
    fn target(&mut self) -> Target<'_> {
        Target { method: self.method.as_deref(), path_contains: &self.path_contains, remaining: &mut self.remaining }
    }
}

pub struct Sim {
    pub config: Mutex<SimConfig>,
    store: Mutex<Store>,
    faults: Faults,
    api_faults: Faults<ApiFault>,
}

impl Sim {
    pub fn new(config: SimConfig) -> Arc<Sim> {
        let store = Store::new(&config);
        Arc::new(Sim {
            config: Mutex::new(config),
            store: Mutex::new(store),
            faults: Faults::default(),
            api_faults: Faults::default(),
        })
    }

    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn cfg(&self) -> SimConfig {
        self.config.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub fn arm(&self, fault: Fault) {
        self.faults.arm(fault);
    }

    pub fn arm_api_error(&self, fault: ApiFault) {
        self.api_faults.arm(fault);
    }

    /// Every session ends: the next call with an old cookie is refused with 3004.
    pub fn expire_sessions(&self) {
        let mut store = self.store();
        let ended: Vec<String> = store.sessions.drain().map(|(id, _)| id).collect();
        store.expired_sessions.extend(ended);
    }

    /// What `GET /_sim/state` answers, for tests holding the simulator itself.
    pub fn state(&self) -> Value {
        admin::state_of(&self.store())
    }

    /// Successful explicit logins so far.
    pub fn logins(&self) -> u64 {
        self.store().counters.logins
    }
}

/// The authenticated account of a call.
#[derive(Clone, Debug)]
pub struct Caller {
    pub username: String,
    pub customer: String,
}

/// Everything a method handler works with.
pub struct Call<'a> {
    pub store: &'a mut Store,
    pub caller: Caller,
    pub params: Params,
    pub config: SimConfig,
}

impl Call<'_> {
    /// The `customer` parameter (default: the caller's), which must exist; another
    /// customer than one's own needs `can_manage_users` there (or extra permissions).
    pub fn customer_param(&self, key: &str) -> ApiResult<String> {
        let customer = self.params.get(key).unwrap_or(&self.caller.customer).to_string();
        if !self.store.customers.contains_key(&customer) {
            return Err(ApiError::unknown_customer(&customer));
        }
        if customer != self.caller.customer && !self.store.manages(&self.caller.username, &customer) {
            return Err(ApiError::permission_denied(format!("no access to customer {customer}")));
        }
        Ok(customer)
    }

    /// `*` (every customer; needs extra permissions) or one customer as above.
    pub fn customer_filter(&self, key: &str) -> ApiResult<Option<String>> {
        if self.params.get(key) == Some("*") {
            if !self.store.has_extra(&self.caller.username) {
                return Err(ApiError::permission_denied("listing every customer needs additional permissions"));
            }
            return Ok(None);
        }
        self.customer_param(key).map(Some)
    }

    /// The account a listing of grants is about: `account_username` (default: the caller),
    /// which must exist; another account needs `can_manage_users` on its customer.
    pub fn listed_account(&self) -> ApiResult<String> {
        let username = self.params.get("account_username").unwrap_or(&self.caller.username).to_string();
        let account = self.store.account(&username).ok_or_else(|| ApiError::unknown_account(&username))?;
        if username != self.caller.username {
            self.require_manager(&account.customer)?;
        }
        Ok(username)
    }

    pub fn require_manager(&self, customer: &str) -> ApiResult<()> {
        if self.store.manages(&self.caller.username, customer) {
            Ok(())
        } else {
            Err(ApiError::permission_denied(format!("can_manage_users on {customer} required")))
        }
    }

    pub fn require_extra(&self, what: &str) -> ApiResult<()> {
        if self.store.has_extra(&self.caller.username) {
            Ok(())
        } else {
            Err(ApiError::permission_denied(format!("{what} requires additional permissions")))
        }
    }
}

/// Which HTTP methods a method takes (the page's "HTTP METHOD").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verbs {
    Get,
    Post,
    GetPost,
}

impl Verbs {
    fn allows(self, method: &Method) -> bool {
        match self {
            Verbs::Get => method == Method::GET,
            Verbs::Post => method == Method::POST,
            Verbs::GetPost => method == Method::GET || method == Method::POST,
        }
    }

    fn allow_header(self) -> &'static str {
        match self {
            Verbs::Get => "GET",
            Verbs::Post => "POST",
            Verbs::GetPost => "GET, POST",
        }
    }
}

type Handler = fn(&mut Call<'_>) -> ApiResult<Value>;

/// The methods answering the envelope (the two zip methods are in `licenses.rs`).
pub const METHODS: &[(&str, Verbs, Handler)] = &[
    ("customer/get_customer", Verbs::GetPost, accounts::get_customer),
    ("customer/update_customer", Verbs::Post, accounts::update_customer),
    ("customer/update_customer_info", Verbs::Post, accounts::update_customer_info),
    ("account/get_account", Verbs::GetPost, accounts::get_account),
    ("account/get_accounts", Verbs::GetPost, accounts::get_accounts),
    ("account/create", Verbs::Post, accounts::create_account),
    ("account/delete", Verbs::Post, accounts::delete_account),
    ("account/update", Verbs::Post, accounts::update_account),
    ("account/block", Verbs::Post, accounts::block_account),
    ("account/unblock", Verbs::Post, accounts::unblock_account),
    ("license/generate_license", Verbs::Post, licenses::generate_license),
    ("license/get_licenses", Verbs::GetPost, licenses::get_licenses),
    ("license/get_keys", Verbs::Get, licenses::get_keys),
    ("license/get_keys_legacy", Verbs::Get, licenses::get_keys_legacy),
    ("license/get_license_stats", Verbs::GetPost, licenses::get_license_stats),
    ("license/update_license", Verbs::Post, licenses::update_license),
    ("license/get_sensors", Verbs::Get, licenses::get_sensors),
    ("license/add_sensor", Verbs::Post, licenses::add_sensor),
    ("license/update_sensor", Verbs::Post, licenses::update_sensor),
    ("license/update_sensor_legacy", Verbs::Post, licenses::update_sensor_legacy),
    ("license/reset_api_token", Verbs::Post, licenses::reset_api_token),
    ("appliance/deregister", Verbs::Post, appliances::deregister),
    ("appliance/disable", Verbs::Post, appliances::disable),
    ("appliance/enable", Verbs::Post, appliances::enable),
    ("appliance/list_registered", Verbs::Get, appliances::list_registered),
    ("permission/grant", Verbs::Post, permissions::grant),
    ("permission/revoke", Verbs::Post, permissions::revoke),
    ("permission/list", Verbs::Get, permissions::list),
    ("permission/info", Verbs::Get, permissions::info),
    ("role/info", Verbs::Get, roles::info),
    ("role/grant", Verbs::Post, roles::grant),
    ("role/revoke", Verbs::Post, roles::revoke),
    ("role/list", Verbs::Get, roles::list),
    ("role/create", Verbs::Post, roles::create),
    ("role/update", Verbs::Post, roles::update),
    ("role/permission/grant", Verbs::Post, roles::grant_permission),
    ("role/permission/revoke", Verbs::Post, roles::revoke_permission),
];

/// The call's parameters: the query string, and for POST the form body over it.
pub(crate) fn params_of(method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Params {
    let mut pairs = wire::decode_form(uri.query().unwrap_or(""));
    if method == Method::POST {
        let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if content_type.is_empty() || content_type.starts_with("application/x-www-form-urlencoded") {
            pairs.extend(wire::decode_form(&String::from_utf8_lossy(body)));
        }
    }
    Params::new(pairs)
}

fn not_found(format: Format, what: &str) -> Response {
    // ASSUMPTION: an unknown function is an HTTP 404 with an envelope (unseen).
    wire::answer(
        format,
        StatusCode::NOT_FOUND,
        &Err(ApiError { message: format!("Unknown method: {what}"), code: None }),
    )
}

fn wrong_method(format: Format, verbs: Verbs) -> Response {
    let error = Err(ApiError { message: "Method Not Allowed".into(), code: None });
    let mut response = wire::answer(format, StatusCode::METHOD_NOT_ALLOWED, &error);
    response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(verbs.allow_header()));
    response
}

/// `/papi/accounting/...`: finds the method, checks the HTTP method, authenticates, runs.
async fn accounting(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rest = uri.path().strip_prefix("/papi/accounting/").unwrap_or("").to_string();
    if let Some(verbs) = licenses::bundle_verbs(&rest) {
        if !verbs.allows(&method) {
            return wrong_method(Format::Json, verbs);
        }
        let params = params_of(&method, &uri, &headers, &body);
        return licenses::bundle(&sim, &rest, &headers, params);
    }
    let Some((name, format)) = Format::split(&rest) else {
        return not_found(Format::Json, &rest);
    };
    let Some((path, verbs, handler)) = METHODS.iter().find(|(path, ..)| *path == name) else {
        return not_found(format, name);
    };
    if !verbs.allows(&method) {
        return wrong_method(format, *verbs);
    }
    let params = params_of(&method, &uri, &headers, &body);
    let config = sim.cfg();
    let mut store = sim.store();
    *store.counters.calls.entry(path.to_string()).or_default() += 1;
    let (caller, new_session) = match auth::authenticate(&mut store, &config, &headers, &params) {
        Ok(found) => found,
        Err(error) => return wire::answer(format, StatusCode::OK, &Err(error)),
    };
    let mut call = Call { store: &mut store, caller, params, config };
    let result = handler(&mut call);
    drop(store);
    let mut response = wire::answer(format, StatusCode::OK, &result);
    if let Some(session) = new_session {
        auth::set_cookie(&mut response, &session);
    }
    response
}

async fn latency_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    crate::simulators::delay(sim.cfg().latency).await;
    next.run(req).await
}

fn format_of(path: &str) -> Format {
    if path.ends_with(".xml") {
        Format::Xml
    } else {
        Format::Json
    }
}

/// Shared faults: HTTP errors carry an envelope without `error_code` (what a proxy or a
/// crashed backend would send is unknown).
async fn fault_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let format = format_of(req.uri().path());
    let error = move |status: StatusCode, message: &str| {
        wire::answer(format, status, &Err(ApiError { message: message.to_string(), code: None }))
    };
    crate::simulators::faults::run_under_armed(&sim.faults, req, next, error, "Internal Server Error").await
}

/// `api_error` faults: HTTP 200 with `success: 0` and the armed error, before or after
/// the call ran.
async fn api_fault_layer(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    let Some(fault) = sim.api_faults.take(req.method().as_str(), req.uri().path()) else {
        return next.run(req).await;
    };
    let format = format_of(req.uri().path());
    if fault.after_commit {
        let _committed = next.run(req).await;
    }
    let mut body = json!({"success": 0});
    if let Some(error) = &fault.error {
        body["error"] = json!(error);
    }
    if let Some(code) = fault.error_code {
        body["error_code"] = json!(code);
    }
    let text = match format {
        Format::Json => body.to_string(),
        Format::Xml => wire::to_xml(&body),
    };
    let content_type = if format == Format::Json { "application/json" } else { "application/xml; charset=utf-8" };
    let mut response = Response::new(axum::body::Body::from(text));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The whole simulator: `/papi/...` behind latency and faults, `/_sim/...` beside it.
pub fn router(sim: Arc<Sim>) -> Router {
    let papi = Router::new()
        .route("/papi/login", any(auth::login))
        .route("/papi/login.json", any(auth::login))
        .route("/papi/login.xml", any(auth::login))
        .route("/papi/logout", any(auth::logout))
        .route("/papi/logout.json", any(auth::logout))
        .route("/papi/logout.xml", any(auth::logout))
        .route("/papi/accounting/{*rest}", any(accounting))
        .layer(middleware::from_fn_with_state(sim.clone(), api_fault_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), fault_layer))
        .layer(middleware::from_fn_with_state(sim.clone(), latency_layer));
    Router::new().nest("/_sim", admin::routes()).merge(papi).with_state(sim)
}

/// Serves until the listener fails.
pub async fn serve(listener: tokio::net::TcpListener, sim: Arc<Sim>) -> std::io::Result<()> {
    crate::simulators::serve_router(listener, router(sim)).await
}

/// A simulator on a background thread of its own; `url()` + `/papi` is the provider's
/// `base_url`.
pub type Running = crate::simulators::Running<Sim>;

pub fn spawn(config: SimConfig) -> std::io::Result<Running> {
    let sim = Sim::new(config);
    crate::simulators::spawn_sim(sim.clone(), router(sim))
}
