//! Errors and request bodies the way the Luminate API renders and reads them: errors as
//! the `ModelApiResponse` JSON (models §1.5, §4.12), carrying the request's
//! `x-lum-request-id` as `requestIdentifier`.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Sim;

/// An API error: the HTTP status and what goes into `ModelApiResponse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub status: StatusCode,
    pub message: String,
    /// Constraint-violation details (`errors`).
    pub errors: Vec<String>,
    /// The field and value a conflict is about (`propertyName`, `propertyValue`).
    pub property: Option<(String, String)>,
}

impl SimError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> SimError {
        SimError { status, message: message.into(), errors: Vec::new(), property: None }
    }

    pub fn bad_request(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::BAD_REQUEST, message)
    }

    /// A 400 for a field that breaks a constraint, the detail also listed in `errors`.
    pub fn invalid(message: impl Into<String>) -> SimError {
        let message = message.into();
        SimError { errors: vec![message.clone()], ..SimError::bad_request(message) }
    }

    pub fn not_found(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn unauthorized() -> SimError {
        SimError::new(StatusCode::UNAUTHORIZED, "Full authentication is required to access this resource")
    }

    /// 409: "Value of one of the provided fields is already used by an existing object"
    /// (Create Site, seed 001).
    pub fn conflict(property: &str, value: &str) -> SimError {
        SimError {
            property: Some((property.to_string(), value.to_string())),
            ..SimError::new(
                StatusCode::CONFLICT,
                format!("Value of one of the provided fields is already used by an existing object: {property}"),
            )
        }
    }

    /// The `ModelApiResponse` body; every key is omitted when empty, as the SDK's are.
    pub fn body(&self) -> Value {
        let mut body = Map::new();
        if let Some(id) = super::current_request_id() {
            body.insert("requestIdentifier".into(), id.into());
        }
        body.insert("status".into(), self.status.as_u16().into());
        body.insert("reasonPhrase".into(), self.status.canonical_reason().unwrap_or("Error").into());
        body.insert("message".into(), self.message.clone().into());
        if !self.errors.is_empty() {
            body.insert("errors".into(), self.errors.clone().into());
        }
        if let Some((name, value)) = &self.property {
            body.insert("propertyName".into(), name.clone().into());
            body.insert("propertyValue".into(), value.clone().into());
        }
        Value::Object(body)
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// A JSON request body. The body is read as JSON whatever its `Content-Type`: the
/// provider's raw calls (cloud integrations, models §1.3) send none and the API takes
/// them. Unknown keys are ignored (Jackson as Spring configures it). A body that is not
/// JSON of the right shape is a 400 with the error body.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<Arc<Sim>> for JsonBody<T> {
    type Rejection = SimError;

    async fn from_request(request: Request, sim: &Arc<Sim>) -> Result<Self, SimError> {
        crate::simulators::read_json_body(request, sim).await.map(JsonBody).map_err(SimError::bad_request)
    }
}
