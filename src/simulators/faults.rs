//! Fault injection shared by every simulator: a test arms faults on `POST /_sim/faults`,
//! and the next matching requests misbehave (an error status, an answer dropped after the
//! change was committed, or an error answered after committing).

use std::sync::Mutex;

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Fault kinds, as `Fault::kind` spells them.
pub const FAULT_KINDS: &[&str] = &["drop", "status", "error_after_commit"];

/// Checks a fault a test arms on `POST /_sim/faults`; `Err` is the message of the 400.
pub fn check(fault: &Fault) -> Result<(), String> {
    if !FAULT_KINDS.contains(&fault.kind.as_str()) {
        return Err(format!("fault kind must be one of {FAULT_KINDS:?}"));
    }
    Ok(())
}

/// A fault armed by a test: the next `remaining` requests matching it misbehave.
///
/// JSON for `POST /_sim/faults`: `{"kind": "drop" | "status" | "error_after_commit",
/// "method": "POST", "path_contains": "/volumes", "status": 500, "message": "...",
/// "remaining": 1}`; all but `kind` are optional.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Fault {
    /// HTTP method to match, e.g. "POST"; any when absent.
    pub method: Option<String>,
    /// Substring of the path to match, e.g. "/volumes".
    #[serde(default)]
    pub path_contains: String,
    /// `"drop"`: commit the change, then break the connection before the answer is
    /// complete. `"status"`: answer `status` (default 503) with `message` without doing
    /// anything. `"error_after_commit"`: commit the change, then answer `status` (default
    /// 500) with `message`, like a server that failed after committing.
    pub kind: String,
    pub status: Option<u16>,
    pub message: Option<String>,
    #[serde(default = "one")]
    pub remaining: u32,
}

/// `remaining` when a test leaves it out: the next matching request only.
pub fn one() -> u32 {
    1
}

/// What [`Faults`] matches a request on and counts down, borrowed from an armed fault.
pub struct Target<'a> {
    /// HTTP method to match; any when `None`.
    pub method: Option<&'a str>,
    /// Substring of the path to match.
    pub path_contains: &'a str,
    /// How many more matching requests misbehave.
    pub remaining: &'a mut u32,
}

/// A fault [`Faults`] can hold, so that a simulator with faults of its own (Lastline's
/// `api_error`) arms and matches them the same way.
pub trait Armed: Clone {
    fn target(&mut self) -> Target<'_>;
}

impl Armed for Fault {
    fn target(&mut self) -> Target<'_> {
        Target { method: self.method.as_deref(), path_contains: &self.path_contains, remaining: &mut self.remaining }
    }
}

/// The armed faults of one simulator.
pub struct Faults<F = Fault>(Mutex<Vec<F>>);

impl<F> Default for Faults<F> {
    fn default() -> Self {
        Faults(Mutex::new(Vec::new()))
    }
}

impl<F: Armed> Faults<F> {
    pub fn arm(&self, fault: F) {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(fault);
    }

    /// The first armed fault matching a request, counted down (and dropped when spent).
    pub fn take(&self, method: &str, path: &str) -> Option<F> {
        let mut faults = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let index = faults.iter_mut().position(|fault| {
            let target = fault.target();
            *target.remaining > 0
                && target.method.is_none_or(|m| m.eq_ignore_ascii_case(method))
                && path.contains(target.path_contains)
        })?;
        let remaining = faults[index].target().remaining;
        *remaining -= 1;
        let spent = *remaining == 0;
        let taken = faults[index].clone();
        if spent {
            faults.remove(index);
        }
        Some(taken)
    }
}

/// Runs a request under the first armed fault that matches its method and path, or
/// untouched when none does: the fault layer of every simulator whose faults are `Fault`s.
pub async fn run_under_armed(
    faults: &Faults,
    req: Request,
    next: Next,
    error: impl Fn(StatusCode, &str) -> Response,
    committed_message: &str,
) -> Response {
    match faults.take(req.method().as_str(), req.uri().path()) {
        Some(fault) => inject(fault, req, next, error, committed_message).await,
        None => next.run(req).await,
    }
}

/// Runs a request under a fault. `error` renders the vendor's error answer for a status
/// and message; `committed_message` is the vendor's wording of a server error.
pub async fn inject(
    fault: Fault,
    req: Request,
    next: Next,
    error: impl Fn(StatusCode, &str) -> Response,
    committed_message: &str,
) -> Response {
    let answer = |default_status: StatusCode, default_message: &str| {
        let status = fault.status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(default_status);
        error(status, fault.message.as_deref().unwrap_or(default_message))
    };
    match fault.kind.as_str() {
        "drop" => {
            // The change is committed; then the connection breaks mid-answer.
            let (parts, _) = next.run(req).await.into_parts();
            let broken = futures::stream::once(async {
                Err::<axum::body::Bytes, _>(std::io::Error::other("simulated connection reset"))
            });
            Response::from_parts(parts, Body::from_stream(broken))
        }
        "error_after_commit" => {
            // Whatever the handler did stays done; only its answer is replaced.
            let _committed = next.run(req).await;
            answer(StatusCode::INTERNAL_SERVER_ERROR, committed_message)
        }
        _ => answer(StatusCode::SERVICE_UNAVAILABLE, "Simulated failure."),
    }
}
