//! The retry loop over the wire: what is repeated, after how long, and that neither a
//! server nor a budget can hold a call longer than allowed.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{client, client_for, closed_url, dropping_server, fast_policy, Reply, Server};
use crate::engine::api::{Api, ApiError, ApiRequest, Method};
use crate::http::vendors::LightbitsDialect;
use crate::http::{JsonDialect, NoAuth, RetryPolicy, TransportConfig};

/// Answers `first` for the first `times` requests, then 200.
async fn failing_first(times: usize, first: impl Fn() -> Reply + Send + Sync + 'static) -> Server {
    let seen = Arc::new(AtomicUsize::new(0));
    Server::start(move |_| {
        if seen.fetch_add(1, Ordering::SeqCst) < times {
            first()
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    })
    .await
}

fn post() -> ApiRequest {
    ApiRequest::new(Method::Post, "/items").body(json!({"name": "a"}))
}

#[tokio::test]
async fn too_many_requests_honours_retry_after_seconds() {
    let server =
        failing_first(1, || Reply::json(429, json!({"message": "slow down"})).header("retry-after", "1")).await;
    let started = Instant::now();
    client(&server.url, NoAuth, JsonDialect).call(post(), &CancellationToken::new()).await.expect("retried");
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(950) && elapsed < Duration::from_millis(1800), "{elapsed:?}");
    assert_eq!(server.count("/items"), 2, "429 means not applied: a POST is retried too");
}

#[tokio::test]
async fn retry_after_as_http_date() {
    // A date already past: retry at once.
    let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(5));
    let server = failing_first(1, move || Reply::json(503, json!({})).header("retry-after", &past)).await;
    let started = Instant::now();
    client(&server.url, NoAuth, JsonDialect).call(post(), &CancellationToken::new()).await.expect("retried");
    assert!(started.elapsed() < Duration::from_millis(300));
    // A date 30 s ahead is read as 30 s: beyond a 2 s budget, the 503 comes back at once.
    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    let server =
        failing_first(1, move || Reply::json(503, json!({"message": "later"})).header("retry-after", &later)).await;
    let policy = RetryPolicy { max_total: Duration::from_secs(2), ..fast_policy() };
    let api = client_for(vec![server.url.clone()], NoAuth, JsonDialect, policy);
    let started = Instant::now();
    let err = api.call(ApiRequest::get("/items"), &CancellationToken::new()).await.expect_err("gave up");
    assert_eq!(err.status(), Some(503));
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn total_retry_time_is_bounded() {
    let server = Server::start(|_| Reply::json(429, json!({"message": "rate"})).header("retry-after", "30")).await;
    let policy = RetryPolicy { max_total: Duration::from_millis(500), ..fast_policy() };
    let api = client_for(vec![server.url.clone()], NoAuth, JsonDialect, policy);
    let started = Instant::now();
    let err = api.call(ApiRequest::get("/items"), &CancellationToken::new()).await.expect_err("429");
    assert!(matches!(&err, ApiError::Status { status: 429, message } if message == "rate"), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(300), "returned promptly");
    assert_eq!(server.count("/items"), 1);

    // Backoff waits add up to at most the budget, however many retries are allowed.
    let server = Server::start(|_| Reply::json(503, json!({}))).await;
    let policy = RetryPolicy {
        max_retries: 1000,
        max_total: Duration::from_millis(300),
        base_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(100),
        ..RetryPolicy::default()
    };
    let api = client_for(vec![server.url.clone()], NoAuth, JsonDialect, policy);
    let started = Instant::now();
    api.call(ApiRequest::get("/items"), &CancellationToken::new()).await.expect_err("503");
    assert!(started.elapsed() < Duration::from_millis(900), "{:?}", started.elapsed());
}

#[tokio::test]
async fn vendor_floor_after_429() {
    let server = failing_first(1, || Reply::json(429, json!({}))).await;
    let policy = RetryPolicy { floor_429: Duration::from_millis(300), ..fast_policy() };
    let api = client_for(vec![server.url.clone()], NoAuth, JsonDialect, policy);
    let started = Instant::now();
    api.call(ApiRequest::get("/items"), &CancellationToken::new()).await.expect("retried");
    assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
}

#[tokio::test]
async fn busy_conflict_is_retried_and_a_real_conflict_is_not() {
    let busy =
        || Reply::json(409, json!({"code": 10, "message": "There is a user operation in progress on the volume"}));
    let server = failing_first(2, busy).await;
    client(&server.url, NoAuth, LightbitsDialect).call(post(), &CancellationToken::new()).await.expect("retried");
    assert_eq!(server.count("/items"), 3);
    let server = failing_first(5, || Reply::json(409, json!({"code": 6, "message": "already exists"}))).await;
    let err = client(&server.url, NoAuth, LightbitsDialect).call(post(), &CancellationToken::new()).await;
    assert!(matches!(err, Err(ApiError::AlreadyExists(_))), "{err:?}");
    assert_eq!(server.count("/items"), 1);
}

#[tokio::test]
async fn writes_with_unknown_outcome_are_not_repeated() {
    let cancel = CancellationToken::new();
    let (url, swallowed) = dropping_server().await;
    let api = client(&url, NoAuth, JsonDialect);
    assert!(matches!(api.call(post(), &cancel).await, Err(ApiError::Ambiguous(_))));
    assert_eq!(swallowed.load(Ordering::SeqCst), 1, "the lost POST was sent once");
    // Idempotency decides, not the method: a repeatable POST (an RPC read) and a GET are retried.
    api.call(post().idempotent(true), &cancel).await.expect_err("always dropped");
    assert_eq!(swallowed.load(Ordering::SeqCst), 1 + 4);
    api.call(ApiRequest::get("/items"), &cancel).await.expect_err("always dropped");
    assert_eq!(swallowed.load(Ordering::SeqCst), 1 + 4 + 4);
    // A PUT marked not idempotent is not.
    api.call(ApiRequest::new(Method::Put, "/items/1").idempotent(false), &cancel).await.expect_err("dropped");
    assert_eq!(swallowed.load(Ordering::SeqCst), 1 + 4 + 4 + 1);

    // A 500 (or 502) may have been applied: only idempotent requests are repeated.
    let server = failing_first(1, || Reply::json(502, json!({"message": "bad gateway"}))).await;
    let api = client(&server.url, NoAuth, JsonDialect);
    let err = api.call(post(), &cancel).await.expect_err("not repeated");
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(server.count("/items"), 1);
    api.call(ApiRequest::get("/items"), &cancel).await.expect("ok");
    let server = failing_first(1, || Reply::json(502, json!({}))).await;
    client(&server.url, NoAuth, JsonDialect).call(ApiRequest::get("/items"), &cancel).await.expect("repeated");
    assert_eq!(server.count("/items"), 2);
    let server = failing_first(1, || Reply::json(500, json!({}))).await;
    let err = client(&server.url, NoAuth, JsonDialect).call(post(), &cancel).await.expect_err("500");
    assert_eq!((err.status(), server.count("/items")), (Some(500), 1));
}

#[tokio::test]
async fn unreachable_is_retried_even_for_writes() {
    let api = client(&closed_url().await, NoAuth, JsonDialect);
    let started = Instant::now();
    assert!(matches!(api.call(post(), &CancellationToken::new()).await, Err(ApiError::Unreachable(_))));
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn cancellation_stops_a_retry_wait_at_once() {
    let server = Server::start(|_| Reply::json(503, json!({})).header("retry-after", "10")).await;
    let policy = RetryPolicy { max_total: Duration::from_secs(60), ..fast_policy() };
    let api = client_for(vec![server.url.clone()], NoAuth, JsonDialect, policy);
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        stopper.cancel();
    });
    let started = Instant::now();
    assert!(matches!(api.call(ApiRequest::get("/items"), &cancel).await, Err(ApiError::Cancelled)));
    assert!(started.elapsed() < Duration::from_millis(500), "{:?}", started.elapsed());
    // Also while waiting for an answer.
    let slow = Server::start(|_| Reply::json(200, json!({})).delay(Duration::from_secs(5))).await;
    let api = client(&slow.url, NoAuth, JsonDialect);
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        stopper.cancel();
    });
    let started = Instant::now();
    assert!(matches!(api.call(ApiRequest::get("/slow"), &cancel).await, Err(ApiError::Cancelled)));
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[tokio::test]
async fn endpoint_failover_remembers_the_working_endpoint() {
    let down = closed_url().await;
    let server = Server::start(|_| Reply::json(200, json!({"ok": true}))).await;
    let api = client_for(vec![down, server.url.clone()], NoAuth, JsonDialect, fast_policy());
    let cancel = CancellationToken::new();
    for _ in 0..3 {
        api.call(post(), &cancel).await.expect("failed over");
    }
    assert_eq!(server.count("/items"), 3, "each POST sent once, to the working endpoint");
    assert_eq!(api.transport.preferred_endpoint(), 1);
    // Every endpoint down: unreachable, naming them.
    let api = client_for(vec![closed_url().await, closed_url().await], NoAuth, JsonDialect, fast_policy());
    match api.call(ApiRequest::get("/items"), &cancel).await {
        Err(ApiError::Unreachable(why)) => assert_eq!(why.matches("127.0.0.1").count(), 2, "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn request_timeout_can_be_overridden_per_request() {
    let server = Server::start(|_| Reply::json(200, json!({"done": true})).delay(Duration::from_millis(400))).await;
    let transport = TransportConfig {
        request_timeout: Duration::from_millis(150),
        ..TransportConfig::new(vec![server.url.clone()], "t")
    };
    let policy = RetryPolicy { max_retries: 0, ..fast_policy() };
    let api = crate::http::VendorClient::new(
        crate::http::Transport::new(transport).expect("transport"),
        Box::new(NoAuth),
        Box::new(JsonDialect),
    )
    .with_retry(policy);
    let cancel = CancellationToken::new();
    assert!(matches!(api.call(ApiRequest::get("/stream"), &cancel).await, Err(ApiError::Ambiguous(_))));
    let long = ApiRequest::get("/stream").timeout(Duration::from_secs(2));
    assert_eq!(api.call(long, &cancel).await.expect("long").body, json!({"done": true}));
}
