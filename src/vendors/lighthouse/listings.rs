//! Beacon listings shared by the reads of one configured provider. Lighthouse has no way
//! to read one alias: each `lighthouse_alias` read searches `GET /beacons/list` and then
//! each beacon's `GET /beacons/list/{Beacon}`, so a refresh of N aliases would ask the same
//! listings N times. [`SharedListings`] wraps the client and answers those GETs from one
//! recent answer:
//!
//! - keyed by the request (path and query); concurrent reads of one key wait for the one
//!   request in flight instead of sending their own;
//! - any other request that may change what the listings show (every non-GET, and a
//!   listing that asks the server to re-poll its beacon) forgets every answer, both before
//!   it is sent and after it ends, so a read that raced a write is not kept;
//! - an answer is kept for [`LISTING_TTL`] at most, so a long-running provider never
//!   answers from an old listing, and a failed request is never kept.
//!
//! The provider is configured once per Terraform command (a fresh client and cache), so
//! changes made out of band between two commands are always seen.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::API;
use crate::engine::api::{Api, ApiError, ApiRequest, ApiResponse, Method};

/// Long enough for the reads of one refresh, which Terraform runs together; short enough
/// that a listing never outlives the operation that read it.
pub const LISTING_TTL: Duration = Duration::from_secs(5);

pub struct SharedListings {
    inner: Arc<dyn Api>,
    ttl: Duration,
    /// Bumped by every request that may change a listing; an answer read under an older
    /// generation is not served.
    generation: AtomicU64,
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Kept>>>>>,
}

struct Kept {
    generation: u64,
    asked_at: Instant,
    answer: ApiResponse,
}

/// What a request means for the listings.
enum Effect {
    /// A plain beacon or instance listing: may be shared.
    Listing(String),
    /// May change what the listings show.
    Write,
    /// Reads something else.
    Other,
}

fn effect(req: &ApiRequest) -> Effect {
    if req.method != Method::Get {
        return Effect::Write;
    }
    let Some(rest) = req.path.strip_prefix(API).and_then(|p| p.strip_prefix("/beacons/list")) else {
        return Effect::Other;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Effect::Other;
    }
    // `?refresh=true` makes the server poll the beacon, which rewrites instance aliases.
    if req.query.iter().any(|(k, v)| k == "refresh" && !is_go_false(v)) {
        return Effect::Write;
    }
    let query: Vec<String> = req.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    Effect::Listing(format!("{}?{}", req.path, query.join("&")))
}

/// What Go's strconv.ParseBool reads as false, and the absent value.
fn is_go_false(value: &str) -> bool {
    matches!(value, "" | "0" | "f" | "F" | "false" | "FALSE" | "False")
}

impl SharedListings {
    pub fn new(inner: Arc<dyn Api>, ttl: Duration) -> SharedListings {
        SharedListings { inner, ttl, generation: AtomicU64::new(0), slots: Mutex::new(HashMap::new()) }
    }

    fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn slot(&self, key: String) -> Arc<tokio::sync::Mutex<Option<Kept>>> {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        slots.entry(key).or_default().clone()
    }

    async fn listing(&self, key: String, req: ApiRequest, cancel: &CancellationToken) -> Result<ApiResponse, ApiError> {
        let slot = self.slot(key);
        let mut kept = tokio::select! {
            kept = slot.lock() => kept,
            _ = cancel.cancelled() => return Err(ApiError::Cancelled),
        };
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(k) = kept.as_ref().filter(|k| k.generation == generation && k.asked_at.elapsed() < self.ttl) {
            return Ok(k.answer.clone());
        }
        let asked_at = Instant::now();
        let answer = self.inner.call(req, cancel).await?;
        *kept = Some(Kept { generation, asked_at, answer: answer.clone() });
        Ok(answer)
    }
}

#[async_trait]
impl Api for SharedListings {
    async fn call(&self, req: ApiRequest, cancel: &CancellationToken) -> Result<ApiResponse, ApiError> {
        match effect(&req) {
            Effect::Listing(key) => self.listing(key, req, cancel).await,
            Effect::Other => self.inner.call(req, cancel).await,
            Effect::Write => {
                self.forget_all();
                let result = self.inner.call(req, cancel).await;
                self.forget_all();
                result
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Answers every listing with the number of requests it has seen so far.
    #[derive(Default)]
    struct Counting {
        requests: Mutex<Vec<String>>,
    }

    impl Counting {
        fn sent(&self) -> Vec<String> {
            self.requests.lock().map(|r| r.clone()).unwrap_or_default()
        }
    }

    #[async_trait]
    impl Api for Counting {
        async fn call(&self, req: ApiRequest, _cancel: &CancellationToken) -> Result<ApiResponse, ApiError> {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let mut requests = self.requests.lock().map_err(|_| ApiError::Decode("poisoned".into()))?;
            requests.push(format!("{} {}", req.method.as_str(), req.path));
            if req.path.ends_with("/fail") {
                return Err(ApiError::Status { status: 502, message: "bad gateway".into() });
            }
            Ok(ApiResponse::ok(json!(requests.len())))
        }
    }

    fn shared(ttl: Duration) -> (Arc<Counting>, SharedListings) {
        let counting = Arc::new(Counting::default());
        (counting.clone(), SharedListings::new(counting, ttl))
    }

    fn get(path: &str) -> ApiRequest {
        ApiRequest::get(format!("{API}{path}"))
    }

    #[tokio::test]
    async fn concurrent_reads_of_one_listing_send_one_request() {
        let (counting, api) = shared(LISTING_TTL);
        let cancel = CancellationToken::new();
        let reads = (0..8).map(|_| api.call(get("/beacons/list"), &cancel));
        let answers = futures::future::join_all(reads).await;
        assert!(answers.iter().all(|a| a.as_ref().map(|a| a.body == json!(1)).unwrap_or(false)), "{answers:?}");
        api.call(get("/beacons/list/10.0.0.5%3A8000"), &cancel).await.expect("instances");
        api.call(get("/beacons/list/10.0.0.5%3A8000"), &cancel).await.expect("instances again");
        assert_eq!(counting.sent(), ["GET /api/v0.2/beacons/list", "GET /api/v0.2/beacons/list/10.0.0.5%3A8000"]);
    }

    #[tokio::test]
    async fn any_write_and_a_refreshing_listing_forget_what_was_listed() {
        let (counting, api) = shared(LISTING_TTL);
        let cancel = CancellationToken::new();
        api.call(get("/beacons/list"), &cancel).await.expect("list");
        let put = ApiRequest::new(Method::Put, format!("{API}/aliases/x")).body(json!("a"));
        api.call(put, &cancel).await.expect("put");
        api.call(get("/beacons/list"), &cancel).await.expect("list after the write");
        let refresh = get("/beacons/list/b").query("refresh", "true");
        api.call(refresh.clone(), &cancel).await.expect("refresh");
        api.call(refresh, &cancel).await.expect("refresh again");
        api.call(get("/beacons/list"), &cancel).await.expect("list after the refresh");
        api.call(get("/beacons/list/b").query("refresh", "false"), &cancel).await.expect("no refresh");
        api.call(get("/beacons/list/b").query("refresh", "false"), &cancel).await.expect("kept");
        // Only the second `refresh=false` listing was answered from the first.
        assert_eq!(counting.sent().len(), 7, "{:?}", counting.sent());
    }

    #[tokio::test]
    async fn failures_and_old_answers_are_not_served_and_other_reads_pass_through() {
        let (counting, api) = shared(Duration::from_millis(20));
        let cancel = CancellationToken::new();
        assert!(api.call(get("/beacons/list/fail"), &cancel).await.is_err());
        assert!(api.call(get("/beacons/list/fail"), &cancel).await.is_err());
        api.call(get("/beacons/list"), &cancel).await.expect("list");
        tokio::time::sleep(Duration::from_millis(30)).await;
        api.call(get("/beacons/list"), &cancel).await.expect("list after the TTL");
        api.call(get("/users/list"), &cancel).await.expect("users");
        api.call(get("/users/list"), &cancel).await.expect("users again");
        api.call(get("/beacons/listing"), &cancel).await.expect("not a listing");
        assert_eq!(counting.sent().len(), 7, "{:?}", counting.sent());
    }
}
