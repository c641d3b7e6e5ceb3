//! In-process servers for the client's tests: a scripted axum server that records what it
//! was sent, and a raw TCP server that drops every request after reading it.

mod auth;
mod dialects;
mod retry;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::Value as J;
use tokio::io::AsyncReadExt;

use super::{Auth, Dialect, RetryPolicy, Transport, TransportConfig, VendorClient};

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    pub fn json(status: u16, body: J) -> Reply {
        Reply::text(status, &body.to_string()).header("content-type", "application/json")
    }
    pub fn text(status: u16, body: &str) -> Reply {
        Reply { status, headers: Vec::new(), body: body.to_string(), delay: Duration::ZERO }
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Script = dyn Fn(&Seen) -> Reply + Send + Sync;

struct Inner {
    script: Box<Script>,
    log: Mutex<Vec<Seen>>,
}

pub struct Server {
    pub url: String,
    inner: Arc<Inner>,
}

impl Server {
    /// Serves `script` on 127.0.0.1 until the test's runtime ends.
    pub async fn start(script: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let inner = Arc::new(Inner { script: Box::new(script), log: Mutex::new(Vec::new()) });
        let router = axum::Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        Server { url, inner }
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.inner.log.lock().expect("log").clone()
    }

    /// How many requests went to this path.
    pub fn count(&self, path: &str) -> usize {
        self.requests().iter().filter(|s| s.path == path).count()
    }
}

async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let reply = (inner.script)(&seen);
    inner.log.lock().expect("log").push(seen);
    tokio::time::sleep(reply.delay).await;
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    response.body(axum::body::Body::from(reply.body)).expect("response")
}

/// A server that reads each request and closes the connection without answering: the
/// client cannot know whether the request was applied. Returns its URL and a counter of
/// the requests it swallowed.
pub async fn dropping_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = vec![0u8; 64 * 1024];
            let mut read = 0;
            // Until the end of the headers; bodies in these tests are small.
            while read < buffer.len() {
                match socket.read(&mut buffer[read..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => read += n,
                }
                if buffer[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
            if read > 0 {
                seen.fetch_add(1, Ordering::SeqCst);
            }
            drop(socket);
        }
    });
    (url, count)
}

/// A URL on which nothing listens.
pub async fn closed_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    url
}

/// Short limits so every test stays well under a second or two.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        max_total: Duration::from_secs(5),
        base_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        ..RetryPolicy::default()
    }
}

pub fn client_for(
    endpoints: Vec<String>,
    auth: impl Auth + 'static,
    dialect: impl Dialect + 'static,
    retry: RetryPolicy,
) -> VendorClient {
    let transport =
        TransportConfig { request_timeout: Duration::from_secs(2), ..TransportConfig::new(endpoints, "tfprov-test") };
    VendorClient::new(Transport::new(transport).expect("transport"), Box::new(auth), Box::new(dialect))
        .with_retry(retry)
}

pub fn client(url: &str, auth: impl Auth + 'static, dialect: impl Dialect + 'static) -> VendorClient {
    client_for(vec![url.to_string()], auth, dialect, fast_policy())
}
