//! Errors and request bodies the way the Lightrun server (Spring) renders and reads them.
//!
//! The documents show one error body only, the 401's `{"message": "401 Unauthorized"}`
//! (overview "Authentication"). Every other error is Spring's default error body,
//! `{"timestamp", "status", "error", "message", "path"}`, as the interface assumes
//! ("Spring also adds status, error, path"): a guess, but a client reading `message`
//! works with either.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::Sim;

/// An API error: the HTTP status and the `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub status: StatusCode,
    pub message: String,
}

impl SimError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> SimError {
        SimError { status, message: message.into() }
    }

    /// 400: "The request failed because it didn't include all the information" (overview).
    pub fn bad_request(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::CONFLICT, message)
    }

    pub fn forbidden(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::FORBIDDEN, message)
    }

    /// 402: "The request failed but the parameters are valid" (overview).
    pub fn request_failed(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::PAYMENT_REQUIRED, message)
    }

    pub fn unauthorized() -> SimError {
        SimError::new(StatusCode::UNAUTHORIZED, "401 Unauthorized")
    }

    pub fn body(&self) -> Value {
        if self.status == StatusCode::UNAUTHORIZED {
            // Verbatim from the overview.
            return json!({"message": self.message});
        }
        json!({
            "timestamp": super::now(),
            "status": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
            "path": super::current_path().unwrap_or_default(),
        })
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// A JSON request body (see [`crate::simulators::parse_json_body`]); a body that is not
/// JSON of the right shape is a 400.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<Sim>> for JsonBody<T> {
    type Rejection = SimError;

    async fn from_request(request: Request, sim: &Arc<Sim>) -> Result<Self, SimError> {
        crate::simulators::read_json_body(request, sim).await.map(JsonBody).map_err(SimError::bad_request)
    }
}
