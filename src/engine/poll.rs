//! Waiting for asynchronous API work: back off, stop when Terraform says stop, and report
//! the last state seen when time runs out.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::engine::api::ApiError;

pub enum Poll<T> {
    Done(T),
    /// Not there yet; the string describes what was observed (e.g. `state = "Creating"`).
    Pending(String),
}

/// First and longest pause between polls.
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(5);

/// Calls `check` until it is done, fails, the timeout passes or the token is cancelled.
pub async fn wait_until<T, F, Fut>(
    what: &str,
    timeout: Duration,
    cancel: &CancellationToken,
    mut check: F,
) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, ApiError>>,
{
    // Durations from users are capped (normalize::parse_duration), but never trust a sum.
    let deadline =
        Instant::now().checked_add(timeout).unwrap_or_else(|| Instant::now() + Duration::from_secs(366 * 86400));
    let mut delay = FIRST_DELAY;
    loop {
        let last = match check().await? {
            Poll::Done(t) => return Ok(t),
            Poll::Pending(observed) => observed,
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(ApiError::Timeout(format!(
                "{what} did not finish within {}; last observed: {last}",
                humanize(timeout)
            )));
        }
        let sleep = delay.min(deadline - now);
        tokio::select! {
            _ = cancel.cancelled() => return Err(ApiError::Cancelled),
            _ = tokio::time::sleep(sleep) => {}
        }
        delay = (delay * 3 / 2).min(MAX_DELAY);
    }
}

pub fn humanize(d: Duration) -> String {
    match d.as_secs() {
        0 => format!("{}ms", d.as_millis()),
        s => crate::engine::normalize::format_duration_secs(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn polls_until_done() {
        let n = AtomicU32::new(0);
        let out = wait_until("x", Duration::from_secs(5), &CancellationToken::new(), || async {
            let i = n.fetch_add(1, Ordering::SeqCst);
            Ok(if i >= 2 { Poll::Done(i) } else { Poll::Pending("state = Creating".into()) })
        })
        .await
        .unwrap();
        assert_eq!(out, 2);
    }

    #[tokio::test]
    async fn timeout_reports_last_observed_state() {
        let e = wait_until::<(), _, _>(
            "volume creation",
            Duration::from_millis(250),
            &CancellationToken::new(),
            || async { Ok(Poll::Pending("state = \"Creating\"".into())) },
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("Creating"), "{e}");
    }

    #[tokio::test]
    async fn cancellation_stops_promptly() {
        let t = CancellationToken::new();
        t.cancel();
        let start = Instant::now();
        let e = wait_until::<(), _, _>("x", Duration::from_secs(60), &t, || async { Ok(Poll::Pending("busy".into())) })
            .await
            .unwrap_err();
        assert!(matches!(e, ApiError::Cancelled));
        assert!(start.elapsed() < Duration::from_secs(1));
    }
}
