//! When a failed attempt is tried again, and after how long. Whether a retry is safe is
//! decided by what the failure says about the request having been applied and by the
//! request's own idempotency, never by its HTTP method.

use std::time::{Duration, SystemTime};

use crate::engine::api::ApiError;

#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The whole time one call may spend waiting between attempts. A server asking for a
    /// longer wait than what is left gets its error returned at once.
    pub max_total: Duration,
    /// The least wait after a 429, whatever Retry-After says (a vendor's documented floor).
    pub floor_429: Duration,
    /// First backoff step; it doubles per retry up to `max_backoff` (full jitter).
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Statuses that mean the request was not applied: retried for any request.
    pub unapplied_statuses: Vec<u16>,
    /// Statuses after which the request may have been applied: retried only when the
    /// request is idempotent.
    pub idempotent_statuses: Vec<u16>,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            max_total: Duration::from_secs(60),
            floor_429: Duration::ZERO,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            unapplied_statuses: vec![429, 503],
            idempotent_statuses: vec![502, 504],
        }
    }
}

/// A failed attempt as the retry loop sees it.
#[derive(Debug)]
pub struct FailedAttempt {
    pub error: ApiError,
    /// The dialect read the answer as "busy, not applied" (e.g. a 409 "in progress").
    pub busy: bool,
    /// From the answer's Retry-After header.
    pub retry_after: Option<Duration>,
}

impl RetryPolicy {
    pub fn with_max_retries(mut self, max_retries: u32) -> RetryPolicy {
        self.max_retries = max_retries;
        self
    }

    /// Whether this failure may be retried at all, regardless of counts and time.
    pub fn retryable(&self, failure: &FailedAttempt, idempotent: bool) -> bool {
        match &failure.error {
            // Nothing reached the API.
            ApiError::Unreachable(_) => true,
            ApiError::Ambiguous(_) => idempotent,
            ApiError::Status { status, .. } => {
                failure.busy
                    || self.unapplied_statuses.contains(status)
                    || (idempotent && self.idempotent_statuses.contains(status))
            }
            _ => failure.busy,
        }
    }

    /// How long to wait before retry number `retry` (0-based), given the time already
    /// spent waiting; `None` means give up and return the failure.
    pub fn wait_before_retry(
        &self,
        failure: &FailedAttempt,
        idempotent: bool,
        retry: u32,
        waited: Duration,
    ) -> Option<Duration> {
        if retry >= self.max_retries || !self.retryable(failure, idempotent) {
            return None;
        }
        let remaining = self.max_total.saturating_sub(waited);
        let too_many_requests = failure.error.status() == Some(429);
        let floor = if too_many_requests { self.floor_429 } else { Duration::ZERO };
        if let Some(asked) = failure.retry_after {
            // The server said when: earlier is pointless, and if that is beyond the
            // budget the caller is better served by the error now.
            let wait = asked.max(floor);
            return (wait <= remaining).then_some(wait);
        }
        let wait = self.backoff(retry).max(floor);
        if floor > remaining || remaining.is_zero() {
            return None;
        }
        Some(wait.min(remaining))
    }

    /// Exponential backoff with full jitter, so many resources do not retry in lock-step.
    fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX);
        let cap = self.base_backoff.saturating_mul(factor).min(self.max_backoff);
        // try_from: a huge configured cap must not panic on float rounding.
        Duration::try_from_secs_f64(cap.as_secs_f64() * rand::random::<f64>()).unwrap_or(cap)
    }
}

/// Retry-After as delta-seconds or as an HTTP-date (a date in the past means now).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, retry_after: Option<Duration>) -> FailedAttempt {
        FailedAttempt { error: ApiError::Status { status, message: String::new() }, busy: false, retry_after }
    }

    #[test]
    fn retry_after_in_both_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(3));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(3)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(3));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn safety_follows_idempotency_not_method() {
        let p = RetryPolicy::default();
        let lost = FailedAttempt { error: ApiError::Ambiguous("reset".into()), busy: false, retry_after: None };
        assert!(p.retryable(&lost, true));
        assert!(!p.retryable(&lost, false));
        let refused = FailedAttempt { error: ApiError::Unreachable("refused".into()), busy: false, retry_after: None };
        assert!(p.retryable(&refused, false));
        assert!(p.retryable(&status(503, None), false), "503 was not applied");
        assert!(!p.retryable(&status(502, None), false));
        assert!(p.retryable(&status(502, None), true));
        assert!(!p.retryable(&status(500, None), true));
        let busy = FailedAttempt { busy: true, ..status(409, None) };
        assert!(p.retryable(&busy, false));
        assert!(!p
            .retryable(&FailedAttempt { error: ApiError::NotFound("x".into()), busy: false, retry_after: None }, true));
    }

    #[test]
    fn waits_are_bounded_by_count_and_budget() {
        let p = RetryPolicy { max_retries: 3, max_total: Duration::from_secs(10), ..Default::default() };
        for retry in 0..3 {
            let w = p.wait_before_retry(&status(503, None), true, retry, Duration::ZERO).expect("retry");
            assert!(w <= p.max_backoff);
        }
        assert_eq!(p.wait_before_retry(&status(503, None), true, 3, Duration::ZERO), None, "count");
        // Retry-After beyond what is left of the budget: give up now.
        let asked = Some(Duration::from_secs(30));
        assert_eq!(p.wait_before_retry(&status(429, asked), true, 0, Duration::ZERO), None);
        let asked = Some(Duration::from_secs(4));
        assert_eq!(p.wait_before_retry(&status(429, asked), true, 0, Duration::from_secs(5)), asked);
        assert_eq!(p.wait_before_retry(&status(429, asked), true, 0, Duration::from_secs(7)), None);
        // Backoff never runs past the budget.
        let w = p.wait_before_retry(&status(503, None), true, 2, Duration::from_millis(9_950)).expect("retry");
        assert!(w <= Duration::from_millis(50));
        assert_eq!(p.wait_before_retry(&status(503, None), true, 2, Duration::from_secs(10)), None);
    }

    #[test]
    fn floor_applies_to_429_only() {
        let p = RetryPolicy { floor_429: Duration::from_secs(1), ..Default::default() };
        let w = p.wait_before_retry(&status(429, None), true, 0, Duration::ZERO);
        assert!(w >= Some(Duration::from_secs(1)));
        let w = p.wait_before_retry(&status(429, Some(Duration::ZERO)), true, 0, Duration::ZERO);
        assert_eq!(w, Some(Duration::from_secs(1)));
        let w = p.wait_before_retry(&status(503, None), true, 0, Duration::ZERO);
        assert!(w < Some(Duration::from_secs(1)));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        for retry in 0..40 {
            assert!(p.backoff(retry) <= p.max_backoff);
        }
        let unbounded = RetryPolicy { base_backoff: Duration::MAX, max_backoff: Duration::MAX, ..p };
        assert!(unbounded.backoff(3) <= Duration::MAX);
    }
}
