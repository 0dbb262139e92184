//! The retry policy: which failures are retried, how long to wait, and the limits
//! (a retry count and an overall deadline) that keep every call bounded.
//!
//! - 429 is retried for every method: Zendesk did not process the request.
//! - 503 with `Retry-After` likewise (a transient database timeout).
//! - Other 5xx, a cut connection or a timeout are retried only for idempotent
//!   methods, and for POST/PATCH only when the request carries an `Idempotency-Key`.
//! - The wait is `Retry-After`, else `ratelimit-reset`, else the endpoint bucket's
//!   `resets`, else exponential back-off with full jitter.
//! - A wait that would pass the deadline is not started: the error comes at once.

use crate::error::{Error, ErrorKind};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Default number of retries after the first attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// Default overall time budget of one call, waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);

/// How a client retries failed requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub max_retries: u32,
    /// Overall budget of one call, from the first attempt to the last answer.
    pub deadline: Duration,
    /// Never wait: a retryable failure is returned at once (for job queues that
    /// reschedule themselves). Rate-limit pacing is skipped too.
    pub never_wait: bool,
    /// First back-off step when the server gave no hint.
    pub base_backoff: Duration,
    /// Largest back-off step.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: DEFAULT_MAX_RETRIES,
            deadline: DEFAULT_DEADLINE,
            never_wait: false,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries and never waits.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            never_wait: true,
            ..RetryPolicy::default()
        }
    }

    /// How long to wait before retrying after `error` on attempt `attempt`
    /// (0-based), or `None` when it must not be retried.
    pub fn wait_before_retry(
        &self,
        error: &Error,
        method: &str,
        has_idempotency_key: bool,
        attempt: u32,
    ) -> Option<Duration> {
        let server_hint = error.retry_after();
        let retry_everything = match error.kind() {
            ErrorKind::RateLimited => true,
            ErrorKind::Server if error.status() == Some(503) && server_hint.is_some() => true,
            ErrorKind::Server => false,
            // Only failures a new attempt can cure: not a refused certificate, an
            // unknown host or a bad URL.
            ErrorKind::Transport | ErrorKind::Timeout if error.is_transient() => false,
            _ => return None,
        };
        if !retry_everything && !is_idempotent(method) && !has_idempotency_key {
            return None;
        }
        Some(server_hint.unwrap_or_else(|| self.backoff(attempt)))
    }

    /// Exponential back-off with full jitter: a random wait in
    /// `[step/2, step]`, where `step = base * 2^attempt`, capped at `max_backoff`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .base_backoff
            .saturating_mul(1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        let half = step / 2;
        let jitter = random_fraction();
        half + Duration::from_secs_f64(half.as_secs_f64() * jitter)
    }
}

/// GET, HEAD, PUT, DELETE and OPTIONS may be repeated without changing the result.
pub fn is_idempotent(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS")
}

/// A number in `[0, 1)` (for jitter).
pub(crate) fn random_fraction() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// 64 random bits from the operating system's CSPRNG. Should the OS refuse (a
/// sandbox without `getrandom(2)` or `/dev/urandom`), the standard library's
/// randomly keyed hasher still gives unpredictable bits.
pub(crate) fn random_u64() -> u64 {
    getrandom::u64().unwrap_or_else(|_| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        hasher.finish()
    })
}

/// A fresh idempotency key: 128 random bits as 32 hex digits.
pub fn new_idempotency_key() -> String {
    format!("zdkit-{:016x}{:016x}", random_u64(), random_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(kind: ErrorKind, status: Option<u16>, retry_after: Option<u64>) -> Error {
        let mut e = Error::new(kind, "x");
        e.set_status_for_test(status, retry_after.map(Duration::from_secs));
        e
    }

    #[test]
    fn rate_limits_are_retried_for_every_method_with_the_server_hint() {
        let p = RetryPolicy::default();
        let e = error(ErrorKind::RateLimited, Some(429), Some(7));
        assert_eq!(
            p.wait_before_retry(&e, "POST", false, 0),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn server_errors_only_for_idempotent_or_keyed_requests() {
        let p = RetryPolicy::default();
        let e = error(ErrorKind::Server, Some(500), None);
        assert!(p.wait_before_retry(&e, "GET", false, 0).is_some());
        assert!(p.wait_before_retry(&e, "POST", false, 0).is_none());
        assert!(p.wait_before_retry(&e, "POST", true, 0).is_some());
        let with_hint = error(ErrorKind::Server, Some(503), Some(2));
        assert_eq!(
            p.wait_before_retry(&with_hint, "POST", false, 0),
            Some(Duration::from_secs(2))
        );
        let cut = error(ErrorKind::Transport, None, None).transient();
        assert!(p.wait_before_retry(&cut, "PATCH", false, 0).is_none());
        assert!(p.wait_before_retry(&cut, "DELETE", false, 0).is_some());
    }

    #[test]
    fn permanent_transport_failures_are_never_retried() {
        let p = RetryPolicy::default();
        // A refused certificate, an unknown host: not transient.
        let tls = error(ErrorKind::Transport, None, None);
        assert!(p.wait_before_retry(&tls, "GET", false, 0).is_none());
        let timeout = error(ErrorKind::Timeout, None, None).transient();
        assert!(p.wait_before_retry(&timeout, "GET", false, 0).is_some());
    }

    #[test]
    fn client_errors_are_never_retried() {
        let p = RetryPolicy::default();
        for kind in [
            ErrorKind::NotFound,
            ErrorKind::Validation,
            ErrorKind::Authentication,
            ErrorKind::InvalidArgument,
        ] {
            assert!(
                p.wait_before_retry(&error(kind, Some(400), None), "GET", true, 0)
                    .is_none()
            );
        }
    }

    #[test]
    fn backoff_grows_is_jittered_and_capped() {
        let p = RetryPolicy::default();
        for attempt in 0..20 {
            let step = (p.base_backoff * 2u32.pow(attempt.min(16))).min(p.max_backoff);
            let wait = p.backoff(attempt);
            assert!(
                wait >= step / 2 && wait <= step,
                "{attempt}: {wait:?} vs {step:?}"
            );
        }
        let keys: std::collections::HashSet<_> = (0..100).map(|_| new_idempotency_key()).collect();
        assert_eq!(keys.len(), 100);
    }
}
