//! The engine's view of a vendor API: JSON requests and typed failures. The HTTP client
//! implements it; the engine never sees HTTP libraries, and tests can drive it directly.

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ApiRequest {
    pub method: Method,
    /// Path below the base URL, already percent-encoded, e.g. `/api/v2/projects/p1`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<serde_json::Value>,
    /// Sent as `If-Match` for optimistic concurrency.
    pub if_match: Option<String>,
}

impl ApiRequest {
    pub fn new(method: Method, path: impl Into<String>) -> ApiRequest {
        ApiRequest { method, path: path.into(), query: Vec::new(), body: None, if_match: None }
    }
    pub fn get(path: impl Into<String>) -> ApiRequest {
        ApiRequest::new(Method::Get, path)
    }
    pub fn query(mut self, k: &str, v: impl Into<String>) -> ApiRequest {
        self.query.push((k.to_string(), v.into()));
        self
    }
    pub fn body(mut self, b: serde_json::Value) -> ApiRequest {
        self.body = Some(b);
        self
    }
    pub fn if_match(mut self, etag: Option<String>) -> ApiRequest {
        self.if_match = etag;
        self
    }
}

#[derive(Clone, Debug)]
pub struct ApiResponse {
    pub status: u16,
    pub body: serde_json::Value,
    /// From the `ETag` header, falling back to the body's `ETag` field.
    pub etag: Option<String>,
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
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
}

#[async_trait]
pub trait Api: Send + Sync {
    async fn call(&self, req: ApiRequest, cancel: &CancellationToken) -> Result<ApiResponse, ApiError>;
}
