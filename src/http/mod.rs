//! The HTTP client every vendor shares: rustls with a CA option and an explicit insecure
//! switch, bearer auth, endpoint failover, bounded retries with jittered backoff where a
//! retry is safe, a shared rate limiter, and `If-Match` for optimistic concurrency.
//! It implements the engine's [`Api`] trait and knows nothing about Terraform.

mod ratelimit;
mod tls;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde_json::Value as J;
use tokio_util::sync::CancellationToken;

use crate::engine::api::{Api, ApiError, ApiRequest, ApiResponse, Method};
pub use ratelimit::TokenBucket;

/// How the vendor phrases things the client must understand.
#[derive(Clone, Copy)]
pub struct VendorDialect {
    /// Extracts the human message from an error body.
    pub error_message: fn(&J) -> Option<String>,
    /// True for a 409 that means "busy, try again" rather than "already exists".
    pub retryable_conflict: fn(&str) -> bool,
}

pub struct HttpConfig {
    /// Base URLs; the first reachable one is used and remembered.
    pub endpoints: Vec<String>,
    pub bearer_token: Option<String>,
    pub ca_pem: Option<String>,
    pub insecure_skip_verify: bool,
    pub request_timeout: Duration,
    pub max_retries: u32,
    pub user_agent: String,
    pub dialect: VendorDialect,
    /// Requests per second and burst, shared by every resource of the process.
    pub rate_limit: Option<(f64, u32)>,
}

pub struct HttpClient {
    cfg: HttpConfig,
    client: reqwest::Client,
    preferred: AtomicUsize,
    limiter: Option<TokenBucket>,
}

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

impl HttpClient {
    pub fn new(cfg: HttpConfig) -> Result<HttpClient, ConfigError> {
        if cfg.endpoints.is_empty() {
            return Err(ConfigError("at least one endpoint is required".into()));
        }
        let tls = tls::client_config(cfg.ca_pem.as_deref(), cfg.insecure_skip_verify).map_err(ConfigError)?;
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.request_timeout.min(Duration::from_secs(10)))
            .user_agent(cfg.user_agent.clone())
            .tcp_nodelay(true)
            .pool_max_idle_per_host(16)
            .build()
            .map_err(|e| ConfigError(format!("cannot build the HTTP client: {e}")))?;
        let limiter = cfg.rate_limit.map(|(rps, burst)| TokenBucket::new(rps, burst));
        Ok(HttpClient { cfg, client, preferred: AtomicUsize::new(0), limiter })
    }

    fn build(&self, base: &str, req: &ApiRequest) -> reqwest::RequestBuilder {
        let url = format!("{base}{}", req.path);
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut b = self.client.request(method, url).header("Accept", "application/json");
        if !req.query.is_empty() {
            b = b.query(&req.query);
        }
        if let Some(t) = &self.cfg.bearer_token {
            b = b.bearer_auth(t);
        }
        if let Some(e) = &req.if_match {
            b = b.header("If-Match", e);
        }
        match &req.body {
            crate::engine::api::Body::None => {}
            crate::engine::api::Body::Json(body) => b = b.json(body),
            crate::engine::api::Body::Form(fields) => {
                let encoded: String =
                    fields.iter().map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v))).collect::<Vec<_>>().join("&");
                b = b.header("Content-Type", "application/x-www-form-urlencoded").body(encoded);
            }
        }
        b
    }

    /// One attempt, failing over across endpoints while nothing has been sent.
    async fn attempt(&self, req: &ApiRequest) -> Result<(u16, J, Option<String>, Option<Duration>), ApiError> {
        let n = self.cfg.endpoints.len();
        let start = self.preferred.load(Ordering::Relaxed) % n;
        let mut last_err = String::new();
        for i in 0..n {
            let idx = (start + i) % n;
            let base = &self.cfg.endpoints[idx];
            match self.build(base, req).send().await {
                Ok(resp) => {
                    if idx != start {
                        tracing::info!(endpoint = %base, "failed over to another API endpoint");
                        self.preferred.store(idx, Ordering::Relaxed);
                    }
                    let status = resp.status().as_u16();
                    let etag = resp.headers().get("etag").and_then(|v| v.to_str().ok()).map(str::to_string);
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|s| s.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let bytes = resp
                        .bytes()
                        .await
                        .map_err(|e| ApiError::Ambiguous(format!("reading the answer from {base} failed: {e}")))?;
                    let body = if bytes.is_empty() {
                        J::Null
                    } else {
                        serde_json::from_slice(&bytes)
                            .unwrap_or_else(|_| J::String(String::from_utf8_lossy(&bytes).into_owned()))
                    };
                    return Ok((status, body, etag, retry_after));
                }
                Err(e) if e.is_connect() => {
                    last_err = format!("{base}: {}", error_chain(&e));
                    tracing::warn!(endpoint = %base, "connection failed: {}", error_chain(&e));
                    continue;
                }
                Err(e) if e.is_timeout() => {
                    return Err(ApiError::Ambiguous(format!(
                        "{base} did not answer within {:?}",
                        self.cfg.request_timeout
                    )))
                }
                Err(e) => return Err(ApiError::Ambiguous(format!("{base}: {}", error_chain(&e)))),
            }
        }
        Err(ApiError::Unreachable(last_err))
    }

    fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(d) = retry_after {
            return d.min(Duration::from_secs(30));
        }
        let cap = Duration::from_millis((200u64 << attempt.min(5)).min(5000));
        // Full jitter keeps many resources from retrying in lock-step.
        cap.mul_f64(0.5 + rand::random::<f64>() * 0.5)
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[async_trait]
impl Api for HttpClient {
    async fn call(&self, req: ApiRequest, cancel: &CancellationToken) -> Result<ApiResponse, ApiError> {
        let mut attempt = 0;
        loop {
            if cancel.is_cancelled() {
                return Err(ApiError::Cancelled);
            }
            if let Some(l) = &self.limiter {
                tokio::select! {
                    _ = cancel.cancelled() => return Err(ApiError::Cancelled),
                    _ = l.acquire() => {}
                }
            }
            let started = Instant::now();
            let outcome = tokio::select! {
                _ = cancel.cancelled() => return Err(ApiError::Cancelled),
                r = self.attempt(&req) => r,
            };
            let (retryable, retry_after, result) = match outcome {
                // Reads are safe to repeat whatever happened.
                Err(ApiError::Ambiguous(m)) if req.idempotent => (true, None, Err(ApiError::Ambiguous(m))),
                Err(ApiError::Unreachable(m)) => (true, None, Err(ApiError::Unreachable(m))),
                Err(e) => (false, None, Err(e)),
                Ok((status, body, etag, retry_after)) => {
                    tracing::debug!(method = req.method.as_str(), path = %req.path, status, elapsed_ms = started.elapsed().as_millis() as u64, "API call");
                    if (200..300).contains(&status) {
                        return Ok(ApiResponse { status, body, etag, headers: vec![] });
                    }
                    let message = (self.cfg.dialect.error_message)(&body).unwrap_or_else(|| format!("HTTP {status}"));
                    let err = match status {
                        404 => ApiError::NotFound(message),
                        412 => ApiError::PreconditionFailed(message),
                        409 if !(self.cfg.dialect.retryable_conflict)(&message) => ApiError::AlreadyExists(message),
                        _ => ApiError::Status { status, message },
                    };
                    let busy =
                        status == 429 || status == 503 || (status == 409 && matches!(err, ApiError::Status { .. }));
                    (busy, retry_after, Err(err))
                }
            };
            if !retryable || attempt >= self.cfg.max_retries {
                return result;
            }
            let wait = Self::backoff(attempt, retry_after);
            tracing::info!(method = req.method.as_str(), path = %req.path, attempt = attempt + 1, wait_ms = wait.as_millis() as u64, "retrying: {:?}", result.as_ref().err());
            tokio::select! {
                _ = cancel.cancelled() => return Err(ApiError::Cancelled),
                _ = tokio::time::sleep(wait) => {}
            }
            attempt += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_normalised() {
        assert_eq!(normalize_endpoint("10.0.0.1:443").unwrap(), "https://10.0.0.1:443");
        assert_eq!(normalize_endpoint("http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert!(normalize_endpoint("").is_err());
        assert!(normalize_endpoint("ftp://x").is_err());
    }

    #[test]
    fn backoff_is_bounded_and_honours_retry_after() {
        for a in 0..20 {
            assert!(HttpClient::backoff(a, None) <= Duration::from_secs(5));
        }
        assert_eq!(HttpClient::backoff(0, Some(Duration::from_secs(2))), Duration::from_secs(2));
    }
}
