//! The HTTP client layer: one [`VendorClient`] per vendor, built from
//! - a [`Transport`] (rustls with a CA option and an explicit insecure switch, one
//!   connection pool, endpoint failover, a shared [`TokenBucket`], per-request time limits,
//!   cancellation at every wait),
//! - an [`Auth`] (none, static bearer, OAuth2 client credentials, cookie session), and
//! - a [`Dialect`] (body encodings, answer decoding, error messages and their meaning),
//!
//! plus a [`RetryPolicy`]. It implements the engine's [`Api`] trait and knows nothing about
//! Terraform. Ready-made vendor clients are in [`vendors`].

pub mod auth;
pub mod dialect;
mod ratelimit;
pub mod retry;
mod tls;
pub mod transport;
pub mod vendors;

#[cfg(test)]
mod tests;

use std::time::{Instant, SystemTime};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::engine::api::{Api, ApiError, ApiRequest, ApiResponse};
pub use auth::{Auth, AuthContext, AuthStamp, Bearer, CookieSession, NoAuth, OAuth2ClientCredentials};
pub use dialect::{Dialect, JsonDialect, Refusal, RefusalKind};
pub use ratelimit::TokenBucket;
pub use retry::RetryPolicy;
pub use transport::{EncodedBody, OutgoingRequest, RawResponse, Target, Transport, TransportConfig};

use auth::elapsed_ms;
use retry::{parse_retry_after, FailedAttempt};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Accepts `https://host:port`, `http://host:port` or a bare `host:port` (HTTPS).
pub fn normalize_endpoint(e: &str) -> Result<String, ConfigError> {
    let e = e.trim().trim_end_matches('/');
    if e.is_empty() {
        return Err(ConfigError("an endpoint must not be empty".into()));
    }
    let url = if e.contains("://") { e.to_string() } else { format!("https://{e}") };
    let parsed =
        reqwest::Url::parse(&url).map_err(|err| ConfigError(format!("{e:?} is not a valid endpoint URL: {err}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ConfigError(format!("{e:?} must be an http(s) URL such as https://10.0.0.1:443")));
    }
    Ok(url)
}

pub struct VendorClient {
    transport: Transport,
    auth: Box<dyn Auth>,
    dialect: Box<dyn Dialect>,
    retry: RetryPolicy,
}

/// One attempt that did not succeed, with what the retry loop needs to know about it.
struct Failure {
    attempt: FailedAttempt,
    /// Set when the API refused the credential this stamp names.
    session_expired: Option<AuthStamp>,
}

impl From<ApiError> for Failure {
    fn from(error: ApiError) -> Failure {
        Failure { attempt: FailedAttempt { error, busy: false, retry_after: None }, session_expired: None }
    }
}

impl VendorClient {
    /// A client with the default [`RetryPolicy`].
    pub fn new(transport: Transport, auth: Box<dyn Auth>, dialect: Box<dyn Dialect>) -> VendorClient {
        VendorClient { transport, auth, dialect, retry: RetryPolicy::default() }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> VendorClient {
        self.retry = retry;
        self
    }

    async fn attempt(
        &self,
        req: &ApiRequest,
        outgoing: &OutgoingRequest,
        cancel: &CancellationToken,
    ) -> Result<ApiResponse, Failure> {
        let ctx = AuthContext { transport: &self.transport, dialect: self.dialect.as_ref(), cancel };
        let mut outgoing = outgoing.clone();
        let stamp = self.auth.authorize(&ctx, &mut outgoing).await?;
        let started = Instant::now();
        let answer = self.transport.send(&outgoing, cancel).await;
        match &answer {
            Ok(a) => {
                tracing::debug!(method = req.method.as_str(), path = %req.path, status = a.status, elapsed_ms = elapsed_ms(started), "API call")
            }
            Err(e) => {
                tracing::debug!(method = req.method.as_str(), path = %req.path, elapsed_ms = elapsed_ms(started), "API call failed: {e}")
            }
        }
        let answer = answer?;
        match self.dialect.decode(req, &answer) {
            Ok(body) => {
                let etag = answer.header("etag").map(str::to_string);
                Ok(ApiResponse { status: answer.status, headers: answer.headers, body, etag })
            }
            Err(refusal) => {
                let retry_after = answer.header("retry-after").and_then(|v| parse_retry_after(v, SystemTime::now()));
                let session_expired = (refusal.kind == RefusalKind::SessionExpired).then_some(stamp);
                let busy = refusal.kind == RefusalKind::Busy;
                Err(Failure {
                    attempt: FailedAttempt { error: refusal.into_error(), busy, retry_after },
                    session_expired,
                })
            }
        }
    }
}

#[async_trait]
impl Api for VendorClient {
    async fn call(&self, req: ApiRequest, cancel: &CancellationToken) -> Result<ApiResponse, ApiError> {
        let mut outgoing = OutgoingRequest::new(req.method, Target::Path(req.path.clone()));
        outgoing.query = req.query.clone();
        outgoing.body = self.dialect.encode_body(&req.body)?;
        outgoing.timeout = req.timeout;
        // JSON first, but some answers are text (a licence, a CSV); a strict server would
        // answer 406 to `application/json` alone.
        outgoing.header("accept", "application/json, text/plain;q=0.9, */*;q=0.8");
        if let Some(etag) = &req.if_match {
            outgoing.header("if-match", etag.clone());
        }
        let mut retry = 0u32;
        let mut waited = std::time::Duration::ZERO;
        let mut renewed = false;
        loop {
            if cancel.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            let failure = match self.attempt(&req, &outgoing, cancel).await {
                Ok(answer) => return Ok(answer),
                Err(failure) => failure,
            };
            // A refused credential: the request was not applied, so it is repeated once
            // with a fresh one whatever its idempotency.
            if let Some(stamp) = failure.session_expired.filter(|_| !renewed) {
                renewed = true;
                let ctx = AuthContext { transport: &self.transport, dialect: self.dialect.as_ref(), cancel };
                if self.auth.renew(&ctx, stamp).await? {
                    tracing::info!(method = req.method.as_str(), path = %req.path, "credentials renewed; repeating the request");
                    continue;
                }
            }
            let attempt = failure.attempt;
            let Some(wait) = self.retry.wait_before_retry(&attempt, req.idempotent, retry, waited) else {
                return Err(attempt.error);
            };
            tracing::info!(method = req.method.as_str(), path = %req.path, retry = retry.saturating_add(1), wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX), "retrying: {}", attempt.error);
            tokio::select! {
                biased;
                _ = cancel.cancelled() => return Err(ApiError::Cancelled),
                _ = tokio::time::sleep(wait) => {}
            }
            waited = waited.saturating_add(wait);
            retry = retry.saturating_add(1);
        }
    }
}
