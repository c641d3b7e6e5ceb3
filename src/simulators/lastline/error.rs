//! API-level errors: the `{"success": 0, "error": ..., "error_code": ...}` envelope the
//! PAPI answers with HTTP 200 (reference §4, §5).
//!
//! Published numbers: 3001-3004 (Lastline's own client) and 6001-6004 (the accounting
//! page). `NO_SUCH_ENTITY` and `INVALID_PARAMETER` are named by the page but their numbers
//! are published nowhere: the two constants below are this simulator's choice.

/// `llapi.LLAPI_ERROR__PERMISSION_DENIED`.
pub const PERMISSION_DENIED: i64 = 3001;
/// `LLAPI_ERROR__CANNOT_SWITCH_TO_KEY` (retried by Lastline's client; never produced
/// here except through an armed `api_error` fault).
pub const CANNOT_SWITCH_TO_KEY: i64 = 3002;
/// `LLAPI_ERROR__NO_KEY_SELECTED` (as above).
pub const NO_KEY_SELECTED: i64 = 3003;
/// `LLAPI_ERROR__AUTHENTICATION_ERROR`: bad credentials, no session, expired session.
pub const AUTHENTICATION_ERROR: i64 = 3004;
/// `llapi.LLAPI_ERROR__NO_SUCH_ENTITY`. ASSUMPTION: the number is unpublished; 3005 sits
/// next to the other `llapi` codes.
pub const NO_SUCH_ENTITY: i64 = 3005;
/// `llapi.LLAPI_ERROR__INVALID_PARAMETER`. ASSUMPTION: unpublished number, see above.
/// Also answered for a missing required parameter.
pub const INVALID_PARAMETER: i64 = 3006;
/// `accounting.LLAPI_ACCOUNTING_ERROR__UNKNOWN_USER`: an unknown customer.
pub const UNKNOWN_USER: i64 = 6002;
/// `accounting.LLAPI_ACCOUNTING_ERROR__UNKNOWN_ON_PREMISE`: an unknown on-premise
/// installation (licence-bundle methods report it as HTTP 422 instead).
pub const UNKNOWN_ON_PREMISE: i64 = 6003;
/// `accounting.LLAPI_ACCOUNTING_ERROR__UNKNOWN_LICENSE_KEY`: an unknown licence or sensor key.
pub const UNKNOWN_LICENSE_KEY: i64 = 6004;
/// `accounting.LLAPI_ACCOUNTING_ERROR__UNKNOWN_ACCOUNT`: 6004 too, as the page says (sic).
pub const UNKNOWN_ACCOUNT: i64 = 6004;

/// A `success: 0` answer. `code` is `None` for errors Lastline sends without a number
/// (its client tests cover bodies with only `error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub message: String,
    pub code: Option<i64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: i64, message: impl Into<String>) -> ApiError {
        ApiError { message: message.into(), code: Some(code) }
    }

    /// The text starts with "Permission denied": Lastline's client also recognises a
    /// permission error by that phrase alone.
    pub fn permission_denied(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(PERMISSION_DENIED, format!("Permission denied: {what}"))
    }

    pub fn authentication(message: impl Into<String>) -> ApiError {
        ApiError::new(AUTHENTICATION_ERROR, message)
    }

    pub fn no_such_entity(what: impl std::fmt::Display) -> ApiError {
        ApiError::new(NO_SUCH_ENTITY, format!("No such entity: {what}"))
    }

    pub fn invalid(message: impl std::fmt::Display) -> ApiError {
        ApiError::new(INVALID_PARAMETER, format!("Invalid parameter: {message}"))
    }

    pub fn missing(parameter: &str) -> ApiError {
        ApiError::new(INVALID_PARAMETER, format!("Missing parameter: {parameter}"))
    }

    pub fn unknown_customer(customer: &str) -> ApiError {
        ApiError::new(UNKNOWN_USER, format!("Unknown customer: {customer}"))
    }

    pub fn unknown_account(username: &str) -> ApiError {
        ApiError::new(UNKNOWN_ACCOUNT, format!("Unknown account: {username}"))
    }

    pub fn unknown_license(key: &str) -> ApiError {
        ApiError::new(UNKNOWN_LICENSE_KEY, format!("Unknown license key: {key}"))
    }
}
