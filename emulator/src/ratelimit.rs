//! Fixed-window rate limits: the account budget and Zendesk's endpoint buckets.

use crate::config::Bucket;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One fixed window.
#[derive(Debug, Clone)]
pub struct Window {
    bucket: Bucket,
    start: Instant,
    used: u64,
}

/// The outcome of counting one request against a window.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    /// Whether the request fits the budget.
    pub allowed: bool,
    /// The budget.
    pub limit: u64,
    /// What is left after this request.
    pub remaining: u64,
    /// Whole seconds until the window resets (at least 1).
    pub reset: u64,
}

impl Window {
    /// A fresh window.
    pub fn new(bucket: Bucket) -> Window {
        Window {
            bucket,
            start: Instant::now(),
            used: 0,
        }
    }

    /// Counts one request.
    pub fn hit(&mut self) -> Verdict {
        let len = Duration::from_secs(self.bucket.seconds);
        let now = Instant::now();
        if now.duration_since(self.start) >= len {
            self.start = now;
            self.used = 0;
        }
        let reset = (len
            .saturating_sub(now.duration_since(self.start))
            .as_millis() as u64)
            .div_ceil(1000)
            .max(1);
        let allowed = self.used < self.bucket.limit;
        if allowed {
            self.used += 1;
        }
        Verdict {
            allowed,
            limit: self.bucket.limit,
            remaining: self.bucket.limit - self.used,
            reset,
        }
    }
}

/// What the account headers report when no `--rate-limit` is set: a budget so large that a
/// client pacing itself on `remaining` never slows down, counted but never enforced.
pub const NOMINAL: Bucket = Bucket {
    limit: 1_000_000,
    seconds: 60,
};

/// All windows of the account.
#[derive(Debug, Default)]
pub struct Limiter {
    /// The account window, when `--rate-limit` is set.
    pub account: Option<Window>,
    /// Without `--rate-limit`: a window that is counted and reported but never enforced.
    pub nominal: Option<Window>,
    /// `incremental-exports` bucket.
    pub incremental: Option<Window>,
    /// `tickets-index` bucket.
    pub tickets_index: Option<Window>,
    /// Per (user, ticket) update bucket config.
    pub ticket_update_bucket: Option<Bucket>,
    /// Per (user, ticket) update windows.
    pub ticket_updates: HashMap<(u64, u64), Window>,
}

impl Limiter {
    /// Builds the limiter from the account limit and the endpoint buckets. Endpoint buckets
    /// take Zendesk's defaults when an account limit is set, or the config's values.
    pub fn new(account: Option<Bucket>, cfg: &crate::config::RateLimitsConfig) -> Limiter {
        let on = account.is_some();
        let pick =
            |b: Option<Bucket>, limit, seconds| b.or(on.then_some(Bucket { limit, seconds }));
        Limiter {
            account: account.map(Window::new),
            nominal: Some(Window::new(NOMINAL)),
            incremental: pick(cfg.incremental_exports, 10, 60).map(Window::new),
            tickets_index: pick(cfg.tickets_index, 100, 60).map(Window::new),
            ticket_update_bucket: pick(cfg.ticket_updates, 30, 600),
            ticket_updates: HashMap::new(),
        }
    }
}

impl Limiter {
    /// Counts one `/api/v2` request against the account: the verdict to report in the
    /// headers, and whether it is enforced (false for the nominal window).
    pub fn account_hit(&mut self) -> Option<(Verdict, bool)> {
        if let Some(w) = self.account.as_mut() {
            return Some((w.hit(), true));
        }
        let v = self.nominal.as_mut()?.hit();
        Some((
            Verdict {
                allowed: true,
                remaining: v.remaining.max(1),
                ..v
            },
            false,
        ))
    }
}

/// Formats an endpoint bucket header value: `total=10; remaining=9; resets=47`.
pub fn bucket_header(v: &Verdict) -> String {
    format!(
        "total={}; remaining={}; resets={}",
        v.limit, v.remaining, v.reset
    )
}
