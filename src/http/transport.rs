//! The wire: one connection pool per vendor client with rustls, endpoint failover, the
//! shared rate limit, per-request time limits and cancellation. It moves bytes; what they
//! mean is the dialect's business and who may send them the auth's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::ratelimit::TokenBucket;
use super::{tls, ConfigError};
use crate::engine::api::{ApiError, Method};
use crate::logging::mask;

/// Answers larger than this are refused rather than held in memory.
const MAX_ANSWER_BYTES: usize = 64 << 20;

pub struct TransportConfig {
    /// Base URLs (see [`super::normalize_endpoint`]); the first reachable one is used and
    /// remembered until it stops accepting connections.
    pub endpoints: Vec<String>,
    pub ca_pem: Option<String>,
    pub insecure_skip_verify: bool,
    /// Time limit of one request, answer included, unless the request sets its own.
    pub request_timeout: Duration,
    pub user_agent: String,
    /// Shared by every request of this client (and of any client given the same bucket).
    pub rate_limit: Option<Arc<TokenBucket>>,
}

impl TransportConfig {
    pub fn new(endpoints: Vec<String>, user_agent: impl Into<String>) -> TransportConfig {
        TransportConfig {
            endpoints,
            ca_pem: None,
            insecure_skip_verify: false,
            request_timeout: Duration::from_secs(30),
            user_agent: user_agent.into(),
            rate_limit: None,
        }
    }
}

/// Where a request goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// Below the current endpoint's base URL; fails over to the next endpoint.
    Path(String),
    /// A URL of its own (an OAuth2 token endpoint); no failover.
    Url(String),
}

#[derive(Clone, Debug)]
pub struct EncodedBody {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A request as it goes on the wire; auth adds its headers here.
#[derive(Clone, Debug)]
pub struct OutgoingRequest {
    pub method: Method,
    pub target: Target,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<EncodedBody>,
    pub timeout: Option<Duration>,
}

impl OutgoingRequest {
    pub fn new(method: Method, target: Target) -> OutgoingRequest {
        OutgoingRequest { method, target, query: Vec::new(), headers: Vec::new(), body: None, timeout: None }
    }
    pub fn header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.into()));
    }
    /// The path or URL, for logs (never carries credentials: they travel in headers or bodies).
    pub fn describe(&self) -> &str {
        match &self.target {
            Target::Path(p) | Target::Url(p) => p,
        }
    }
}

/// An answer read to its end.
#[derive(Clone, Debug, Default)]
pub struct RawResponse {
    pub status: u16,
    /// Names in lower case, in the order received (a header may repeat, e.g. set-cookie).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

pub struct Transport {
    client: reqwest::Client,
    endpoints: Vec<String>,
    preferred: AtomicUsize,
    request_timeout: Duration,
    rate_limit: Option<Arc<TokenBucket>>,
}

impl Transport {
    pub fn new(cfg: TransportConfig) -> Result<Transport, ConfigError> {
        if cfg.endpoints.is_empty() {
            return Err(ConfigError("at least one endpoint is required".into()));
        }
        let tls = tls::client_config(cfg.ca_pem.as_deref(), cfg.insecure_skip_verify).map_err(ConfigError)?;
        // No client-wide timeout: each request sets its own, so a long stream can have more.
        let client = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .connect_timeout(cfg.request_timeout.min(Duration::from_secs(10)))
            .user_agent(cfg.user_agent)
            .tcp_nodelay(true)
            .pool_max_idle_per_host(16)
            .build()
            .map_err(|e| ConfigError(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport {
            client,
            endpoints: cfg.endpoints,
            preferred: AtomicUsize::new(0),
            request_timeout: cfg.request_timeout,
            rate_limit: cfg.rate_limit,
        })
    }

    /// Index of the endpoint requests go to first.
    pub fn preferred_endpoint(&self) -> usize {
        self.preferred.load(Ordering::Relaxed)
    }

    /// Sends one request and reads the whole answer. Fails over to the next endpoint only
    /// while nothing was sent (connection refused, TLS failure), so it never doubles a write.
    pub async fn send(&self, req: &OutgoingRequest, cancel: &CancellationToken) -> Result<RawResponse, ApiError> {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(ApiError::Cancelled),
            r = self.send_uncancelled(req) => r,
        }
    }

    async fn send_uncancelled(&self, req: &OutgoingRequest) -> Result<RawResponse, ApiError> {
        if let Some(bucket) = &self.rate_limit {
            bucket.acquire().await;
        }
        let timeout = req.timeout.unwrap_or(self.request_timeout);
        let path = match &req.target {
            Target::Url(url) => return self.exchange(url, req, timeout).await,
            Target::Path(path) => path,
        };
        let count = self.endpoints.len();
        let start = self.preferred.load(Ordering::Relaxed) % count;
        let mut refused = Vec::new();
        for i in 0..count {
            let index = (start + i) % count;
            let base = &self.endpoints[index];
            match self.exchange(&format!("{base}{path}"), req, timeout).await {
                Ok(answer) => {
                    if index != start {
                        tracing::info!(endpoint = %base, "failed over to another API endpoint");
                        self.preferred.store(index, Ordering::Relaxed);
                    }
                    return Ok(answer);
                }
                Err(ApiError::Unreachable(why)) => {
                    tracing::warn!(endpoint = %base, "connection failed: {why}");
                    refused.push(why);
                }
                Err(e) => return Err(e),
            }
        }
        Err(ApiError::Unreachable(refused.join("; ")))
    }

    /// One exchange with one URL. Unreachable means nothing was sent.
    async fn exchange(&self, url: &str, req: &OutgoingRequest, timeout: Duration) -> Result<RawResponse, ApiError> {
        let method = match req.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, url).timeout(timeout);
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &req.body {
            builder = builder.header("content-type", body.content_type).body(body.bytes.clone());
        }
        let failed = |e: reqwest::Error| {
            // The URL is said once, in front.
            let e = e.without_url();
            let why = mask(&format!("{url}: {}", error_chain(&e)));
            if e.is_connect() || e.is_builder() {
                ApiError::Unreachable(why)
            } else if e.is_timeout() {
                ApiError::Ambiguous(format!("{url} did not answer within {timeout:?}"))
            } else {
                ApiError::Ambiguous(why)
            }
        };
        let mut resp = builder.send().await.map_err(failed)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let mut body = Vec::new();
        // Chunk by chunk, so a stream is read to its end under the request's time limit.
        while let Some(chunk) = resp.chunk().await.map_err(failed)? {
            if body.len().saturating_add(chunk.len()) > MAX_ANSWER_BYTES {
                return Err(ApiError::Decode(format!("{url} answered more than {MAX_ANSWER_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse { status, headers, body })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
