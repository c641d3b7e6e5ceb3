//! Errors and request bodies the way the Lightbits API (a grpc-gateway v1 in front of a
//! gRPC service) renders and reads them.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::Sim;

/// An API error: the HTTP status plus grpc-gateway's body. The gRPC code follows from
/// the status, as the gateway derives the status from the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub status: StatusCode,
    pub message: String,
}

impl SimError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> SimError {
        SimError { status, message: message.into() }
    }

    pub fn bad_request(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn conflict(message: impl Into<String>) -> SimError {
        SimError::new(StatusCode::CONFLICT, message)
    }

    /// The gRPC status code grpc-gateway maps to this HTTP status.
    pub fn grpc_code(&self) -> u16 {
        match self.status.as_u16() {
            400 => 3,  // InvalidArgument
            401 => 16, // Unauthenticated
            403 => 7,  // PermissionDenied
            404 => 5,  // NotFound
            409 => 6,  // AlreadyExists (and Aborted, which the gateway also maps to 409)
            412 => 9,  // FailedPrecondition
            429 => 8,  // ResourceExhausted
            501 => 12, // Unimplemented
            503 => 14, // Unavailable
            _ => 13,   // Internal
        }
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        // grpc-gateway v1 (the proto's `protoc_gen_swagger` options mark v1) also sends
        // the message as `error`; newer gateways send only code, message and details.
        let body = json!({"code": self.grpc_code(), "message": self.message, "error": self.message, "details": []});
        (self.status, Json(body)).into_response()
    }
}

/// 200 with an object, its `ETag` field repeated as an HTTP `ETag` header.
pub struct Tagged(pub Value);

impl IntoResponse for Tagged {
    fn into_response(self) -> Response {
        let header =
            self.0.get("ETag").and_then(Value::as_str).and_then(|e| HeaderValue::from_str(&format!("\"{e}\"")).ok());
        let mut response = Json(self.0).into_response();
        if let Some(etag) = header {
            response.headers_mut().insert("etag", etag);
        }
        response
    }
}

/// A request message: its proto name and every JSON field name it declares, for the
/// optional refusal of unknown fields.
pub trait ProtoMessage {
    const NAME: &'static str;
    const FIELDS: &'static [&'static str];
}

/// A JSON body read like grpc-gateway v1 reads it:
/// - the body is parsed as JSON whatever the `Content-Type` (the gateway falls back to its
///   JSON marshaler for unregistered types), and an empty body is the empty message;
/// - unknown fields are dropped: v1's `runtime.JSONPb` decodes with `AllowUnknownFields`
///   unless the server calls `runtime.DisallowUnknownFields()`. Whether Lightbits does is
///   not documented; `SimConfig::reject_unknown_fields` simulates a server that does;
/// - any failure is a 400 with gRPC code 3 in the gateway's error body. The message
///   texts are serde's, not Go's.
pub struct ProtoJson<T>(pub T);

impl<T: ProtoMessage + DeserializeOwned> FromRequest<Arc<Sim>> for ProtoJson<T> {
    type Rejection = SimError;

    async fn from_request(request: Request, sim: &Arc<Sim>) -> Result<Self, SimError> {
        let bytes = Bytes::from_request(request, sim).await.map_err(|e| SimError::bad_request(e.body_text()))?;
        let value: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(&bytes).map_err(|e| SimError::bad_request(e.to_string()))?
        };
        let Some(fields) = value.as_object() else {
            return Err(SimError::bad_request(format!("a {} must be a JSON object", T::NAME)));
        };
        if sim.cfg().reject_unknown_fields {
            if let Some(unknown) = fields.keys().find(|k| !T::FIELDS.contains(&k.as_str())) {
                // golang/protobuf's jsonpb wording.
                return Err(SimError::bad_request(format!(
                    "unknown field {unknown:?} in lightbits.api.duros.v2.{}",
                    T::NAME
                )));
            }
        }
        T::deserialize(value).map(ProtoJson).map_err(|e| SimError::bad_request(e.to_string()))
    }
}
