//! The engine's view of a vendor API: requests with a body in one of a few shapes, the
//! decoded answer, and typed failures. Each vendor's HTTP client implements [`Api`]; the
//! engine never sees HTTP libraries, and tests can drive it directly.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value as J;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// What HTTP promises about repeating the method. Requests can override it: RPC reads
    /// are POSTs that are safe to repeat.
    pub fn idempotent(&self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }
}

/// A request body, in the shapes vendor APIs use. The vendor's client decides how each
/// travels (a JSON object may be sent as form fields by an RPC dialect).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Body {
    #[default]
    None,
    /// Any JSON value: an object, an array, or a bare JSON string.
    Json(J),
    /// Form fields, in order (`application/x-www-form-urlencoded`).
    Form(Vec<(String, String)>),
}

#[derive(Clone, Debug)]
pub struct ApiRequest {
    pub method: Method,
    /// Path below the base URL, already percent-encoded, e.g. `/api/v2/projects/p1`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Body,
    /// Sent as `If-Match` for optimistic concurrency.
    pub if_match: Option<String>,
    /// Safe to send again when its outcome is unknown (no answer, a 5xx): applying it twice
    /// has the effect of applying it once. Defaults to what the method promises.
    pub idempotent: bool,
    /// Overrides the client's time limit for one request (long streamed answers).
    pub timeout: Option<Duration>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> ApiRequest {
        ApiRequest {
            method,
            path: path.into(),
            query: Vec::new(),
            body: Body::None,
            if_match: None,
            idempotent: method.idempotent(),
            timeout: None,
        }
    }
    pub fn get(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::Get, path)
    }
    pub fn query(mut self, k: &str, v: impl Into<String>) -> ApiRequest {
        self.query.push((k.to_string(), v.into()));
        self
    }
    /// A JSON body.
    pub fn body(mut self, b: J) -> ApiRequest {
        self.body = Body::Json(b);
        self
    }
    pub fn form(mut self, fields: Vec<(String, String)>) -> ApiRequest {
        self.body = Body::Form(fields);
        self
    }
    pub fn if_match(mut self, etag: Option<String>) -> ApiRequest {
        self.if_match = etag;
        self
    }
    pub fn idempotent(mut self, yes: bool) -> ApiRequest {
        self.idempotent = yes;
        self
    }
    pub fn timeout(mut self, t: Duration) -> ApiRequest {
        self.timeout = Some(t);
        self
    }
    /// The JSON body, if the request has one.
    pub fn json(&self) -> Option<&J> {
        match &self.body {
            Body::Json(j) => Some(j),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct ApiResponse {
    pub status: u16,
    /// Response headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The answer as the vendor's dialect decoded it: JSON, an envelope's payload, the
    /// records of a streamed answer as an array, or plain text as a JSON string.
    pub body: J,
    /// From the `ETag` header.
    pub etag: Option<String>,
}

impl ApiResponse {
    pub fn ok(body: J) -> ApiResponse {
        ApiResponse { status: 200, body, ..Default::default() }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// The object does not exist (404, or the vendor's way of saying so).
    #[error("not found: {0}")]
    NotFound(String),
    /// 412: the object changed since the ETag we sent was read.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// Any other status the API answered with, with the API's own message.
    #[error("HTTP {status}: {message}")]
    Status { status: u16, message: String },
    /// The request may or may not have been applied: the connection broke after it was
    /// sent, or the answer never came. Writes must be reconciled, not retried blindly.
    #[error("no usable response (the request may have been applied): {0}")]
    Ambiguous(String),
    /// Nothing reached the API (every endpoint refused the connection, TLS failed, ...).
    #[error("could not reach the API: {0}")]
    Unreachable(String),
    /// The API answered success in a shape the provider cannot read.
    #[error("unexpected answer: {0}")]
    Decode(String),
    /// The object reached a state the API calls failed.
    #[error("{0}")]
    FailedState(String),
    #[error("operation cancelled (Terraform asked the provider to stop)")]
    Cancelled,
    #[error("timed out: {0}")]
    Timeout(String),
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::NotFound(_) => Some(404),
            ApiError::PreconditionFailed(_) => Some(412),
            ApiError::AlreadyExists(_) => Some(409),
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True when a write that met this error may have been applied anyway: no answer, or
    /// a server error answered after the server may have committed.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Ambiguous(_) => true,
            ApiError::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

#[async_trait]
pub trait Api: Send + Sync {
    async fn call(&self, req: ApiRequest, cancel: &CancellationToken) -> Result<ApiResponse, ApiError>;
}
