//! Rate-limit state read from Zendesk's response headers.
//!
//! Zendesk's header names have drifted over the years, so every known spelling is
//! read, case-insensitively: the account bucket (`X-Rate-Limit`, `ratelimit-*`,
//! `rate-limit-*`) and endpoint buckets (`zendesk-ratelimit-*` / `zendesk-rate-limit-*`
//! with values like `total=30; remaining=29; resets=468`).

use crate::headers::Headers;
use std::sync::PoisonError;
use std::time::{Duration, Instant, SystemTime};

/// The longest rate-limit window Zendesk uses (ticket updates: 30 per 10 minutes).
/// A reset announced further away is treated as this far: one absurd header cannot
/// hold the client back for longer.
pub const LONGEST_WINDOW: Duration = Duration::from_secs(600);

/// The longest `Retry-After` zdkit reports (one day). Larger values, or numbers that
/// would overflow a clock, are clamped to it; the call's deadline bounds every wait.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// One endpoint-specific bucket, such as `zendesk-ratelimit-incremental-exports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointBucket {
    /// The bucket's name: the header name without its `zendesk-ratelimit-` prefix.
    pub name: String,
    /// Requests allowed in the window.
    pub total: Option<u64>,
    /// Requests left in the window.
    pub remaining: Option<u64>,
    /// Seconds until the window resets.
    pub resets: Option<u64>,
}

/// The rate-limit state a response reported. Every field is `None` when the
/// response did not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// Account requests allowed per window.
    pub limit: Option<u64>,
    /// Account requests left in this window.
    pub remaining: Option<u64>,
    /// Seconds until the account window resets.
    pub reset: Option<u64>,
    /// Endpoint buckets, in header order.
    pub endpoints: Vec<EndpointBucket>,
}

const ENDPOINT_PREFIXES: [&str; 2] = ["zendesk-ratelimit-", "zendesk-rate-limit-"];

impl RateLimit {
    /// Reads every known rate-limit header.
    pub fn from_headers(headers: &Headers) -> RateLimit {
        let first_number = |names: &[&str]| {
            names
                .iter()
                .find_map(|name| headers.get(name).and_then(parse_leading_number))
        };
        let endpoints = headers
            .iter()
            .filter_map(|(name, value)| {
                let lower = name.to_ascii_lowercase();
                ENDPOINT_PREFIXES
                    .iter()
                    .find_map(|p| lower.strip_prefix(p).map(str::to_owned))
                    .map(|bucket| parse_endpoint_bucket(bucket, value))
            })
            .collect();
        RateLimit {
            limit: first_number(&["x-rate-limit", "ratelimit-limit", "rate-limit"]),
            remaining: first_number(&[
                "x-rate-limit-remaining",
                "ratelimit-remaining",
                "rate-limit-remaining",
            ]),
            reset: first_number(&["ratelimit-reset", "rate-limit-reset"]),
            endpoints,
        }
    }

    /// True when no rate-limit header was present.
    pub fn is_empty(&self) -> bool {
        self.limit.is_none()
            && self.remaining.is_none()
            && self.reset.is_none()
            && self.endpoints.is_empty()
    }

    /// The best guess of how long to wait when a 429 came without `Retry-After`:
    /// the account reset, else the longest endpoint reset.
    pub fn reset_hint(&self) -> Option<Duration> {
        self.reset
            .or_else(|| self.endpoints.iter().filter_map(|b| b.resets).max())
            .map(|seconds| Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
    }
}

fn parse_leading_number(value: &str) -> Option<u64> {
    let digits: String = value
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn parse_endpoint_bucket(name: String, value: &str) -> EndpointBucket {
    let mut bucket = EndpointBucket {
        name,
        total: None,
        remaining: None,
        resets: None,
    };
    for part in value.split([';', ',']) {
        if let Some((key, number)) = part.split_once('=') {
            let number = parse_leading_number(number);
            match key.trim().to_ascii_lowercase().as_str() {
                "total" => bucket.total = number,
                "remaining" => bucket.remaining = number,
                "resets" => bucket.resets = number,
                _ => {}
            }
        }
    }
    bucket
}

/// Parses a `Retry-After` value: seconds (fractions are rounded up) or an HTTP date
/// (RFC 9110 §10.2.3; a date in the past means now). The result is at most
/// [`MAX_RETRY_AFTER`]; negative, NaN or unreadable values give `None`.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    parse_retry_after_at(value, SystemTime::now())
}

/// [`parse_retry_after`] with the current time given.
fn parse_retry_after_at(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        if !(seconds.is_finite() && seconds >= 0.0) {
            return None;
        }
        let clamped = seconds.ceil().min(MAX_RETRY_AFTER.as_secs_f64());
        return Some(Duration::from_secs(clamped as u64));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(
        date.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Headers {
        let mut h = Headers::new();
        for (n, v) in pairs {
            h.push(*n, *v);
        }
        h
    }

    #[test]
    fn reads_every_spelling() {
        let rl = RateLimit::from_headers(&headers(&[
            ("X-Rate-Limit", "700"),
            ("X-Rate-Limit-Remaining", "699"),
            ("RateLimit-Reset", "17"),
            (
                "Zendesk-RateLimit-Incremental-Exports",
                "total=10; remaining=9; resets=47",
            ),
        ]));
        assert_eq!(rl.limit, Some(700));
        assert_eq!(rl.remaining, Some(699));
        assert_eq!(rl.reset, Some(17));
        assert_eq!(rl.endpoints[0].name, "incremental-exports");
        assert_eq!(rl.endpoints[0].total, Some(10));
        assert_eq!(rl.endpoints[0].remaining, Some(9));
        assert_eq!(rl.endpoints[0].resets, Some(47));
    }

    #[test]
    fn older_names_and_missing_values() {
        let rl = RateLimit::from_headers(&headers(&[
            ("rate-limit", "200"),
            ("rate-limit-remaining", "x"),
        ]));
        assert_eq!(rl.limit, Some(200));
        assert_eq!(rl.remaining, None);
        assert!(RateLimit::from_headers(&Headers::new()).is_empty());
    }

    #[test]
    fn reset_hint_falls_back_to_endpoint_buckets() {
        let rl = RateLimit::from_headers(&headers(&[(
            "zendesk-rate-limit-x",
            "total=1; remaining=0; resets=9",
        )]));
        assert_eq!(rl.reset_hint(), Some(Duration::from_secs(9)));
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(parse_retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("1.2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("NaN"), None);
        assert_eq!(parse_retry_after("inf"), None);
        assert_eq!(parse_retry_after("1e300"), Some(MAX_RETRY_AFTER));
        assert_eq!(
            parse_retry_after("18446744073709551615"),
            Some(MAX_RETRY_AFTER)
        );
    }

    #[test]
    fn retry_after_http_dates() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after_at("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after_at("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        assert_eq!(
            parse_retry_after_at("Fri, 31 Dec 9999 23:59:59 GMT", now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_retry_after_at("Someday", now), None);
    }
}

/// Paces requests so a long loop runs at the account's limit without collecting
/// 429s. Shared by every thread using one client.
///
/// It remembers, per bucket (the account, and each endpoint bucket under the path
/// family that reported it), how many requests are left and when the window resets.
/// Each request reserves one; when a bucket is nearly empty the remaining requests
/// are spread over the time left, and when it is empty the request waits for the reset.
#[derive(Debug, Default)]
pub(crate) struct Governor {
    buckets: std::sync::Mutex<std::collections::HashMap<String, BucketState>>,
}

#[derive(Debug, Clone, Copy)]
struct BucketState {
    remaining: u64,
    limit: u64,
    reset_at: Instant,
    /// The last time a request was let through while pacing.
    last_paced: Option<Instant>,
}

/// A small margin past the announced reset, for clock granularity.
const RESET_MARGIN: Duration = Duration::from_millis(50);

/// `/api/v2/incremental/tickets/cursor` → `/api/v2/incremental`.
fn path_family(path: &str) -> String {
    path.split('/').take(4).collect::<Vec<_>>().join("/")
}

impl Governor {
    /// Records the rate-limit state a response to `path` reported.
    pub(crate) fn observe(&self, path: &str, rate: &RateLimit) {
        let now = Instant::now();
        // Nothing here panics, but should a bug ever poison the lock, pacing goes on
        // with the state as it is rather than silently switching off.
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let mut record =
            |key: String, limit: Option<u64>, remaining: Option<u64>, reset: Option<u64>| {
                if let (Some(remaining), Some(reset)) = (remaining, reset) {
                    let previous = buckets.get(&key).and_then(|b| b.last_paced);
                    buckets.insert(
                        key,
                        BucketState {
                            remaining,
                            limit: limit.unwrap_or(remaining).max(remaining),
                            reset_at: now + Duration::from_secs(reset).min(LONGEST_WINDOW),
                            last_paced: previous,
                        },
                    );
                }
            };
        record("account".to_owned(), rate.limit, rate.remaining, rate.reset);
        let family = path_family(path);
        for bucket in &rate.endpoints {
            record(
                format!("{family} {}", bucket.name),
                bucket.total,
                bucket.remaining,
                bucket.resets,
            );
        }
    }

    /// Reserves a slot for a request to `path`; returns how long to wait first (at
    /// most [`LONGEST_WINDOW`] and a little margin).
    pub(crate) fn reserve(&self, path: &str) -> Duration {
        let now = Instant::now();
        let prefix = format!("{} ", path_family(path));
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait = Duration::ZERO;
        for (key, state) in buckets.iter_mut() {
            if key != "account" && !key.starts_with(&prefix) {
                continue;
            }
            if now >= state.reset_at {
                continue; // the window has reset: its numbers are stale
            }
            let left = state.reset_at - now;
            let reserve = (state.limit / 10).max(1);
            let this_wait = if state.remaining == 0 {
                left + RESET_MARGIN
            } else if state.remaining <= reserve {
                // Spread what is left over the rest of the window (in floating point:
                // `remaining` may be any number a server sent).
                let spacing =
                    Duration::from_secs_f64(left.as_secs_f64() / (state.remaining as f64 + 1.0));
                let since = state.last_paced.map(|t| now.saturating_duration_since(t));
                let pause = since.map_or(Duration::ZERO, |s| spacing.saturating_sub(s));
                state.last_paced = Some(now + pause);
                state.remaining -= 1;
                pause
            } else {
                state.remaining -= 1;
                Duration::ZERO
            };
            wait = wait.max(this_wait);
        }
        wait
    }
}

#[cfg(test)]
mod governor_tests {
    use super::*;

    fn rate(remaining: u64, reset: u64) -> RateLimit {
        RateLimit {
            limit: Some(100),
            remaining: Some(remaining),
            reset: Some(reset),
            endpoints: Vec::new(),
        }
    }

    #[test]
    fn full_bucket_goes_at_once_and_empty_bucket_waits_for_the_reset() {
        let g = Governor::default();
        assert_eq!(
            g.reserve("/api/v2/users"),
            Duration::ZERO,
            "nothing known yet"
        );
        g.observe("/api/v2/users", &rate(50, 10));
        assert_eq!(g.reserve("/api/v2/users"), Duration::ZERO);
        g.observe("/api/v2/users", &rate(0, 3));
        let wait = g.reserve("/api/v2/tickets");
        assert!(
            wait > Duration::from_secs(2) && wait <= Duration::from_secs(3) + RESET_MARGIN,
            "{wait:?}"
        );
    }

    #[test]
    fn nearly_empty_bucket_spreads_requests() {
        let g = Governor::default();
        g.observe("/api/v2/users", &rate(4, 10));
        let first = g.reserve("/api/v2/users");
        let second = g.reserve("/api/v2/users");
        assert_eq!(first, Duration::ZERO);
        assert!(second >= Duration::from_secs(1), "{second:?}");
    }

    #[test]
    fn absurd_numbers_neither_panic_nor_hold_the_client_for_long() {
        let g = Governor::default();
        g.observe("/api/v2/users", &rate(0, u64::MAX));
        let wait = g.reserve("/api/v2/users");
        assert!(wait <= LONGEST_WINDOW + RESET_MARGIN, "{wait:?}");
        let mut r = RateLimit::default();
        r.endpoints.push(EndpointBucket {
            name: "tickets-index".into(),
            total: Some(u64::MAX),
            remaining: Some(u64::from(u32::MAX)),
            resets: Some(u64::MAX),
        });
        let g = Governor::default();
        g.observe("/api/v2/tickets", &r);
        for _ in 0..3 {
            assert!(g.reserve("/api/v2/tickets") <= LONGEST_WINDOW + RESET_MARGIN);
        }
        r.endpoints[0].total = Some(u64::from(u32::MAX) * 20);
        g.observe("/api/v2/tickets", &r);
        let wait = g.reserve("/api/v2/tickets");
        assert!(wait <= LONGEST_WINDOW, "{wait:?}");
    }

    #[test]
    fn endpoint_buckets_apply_to_their_path_family_only() {
        let g = Governor::default();
        let mut r = RateLimit::default();
        r.endpoints.push(EndpointBucket {
            name: "incremental-exports".into(),
            total: Some(10),
            remaining: Some(0),
            resets: Some(5),
        });
        g.observe("/api/v2/incremental/tickets/cursor", &r);
        assert!(g.reserve("/api/v2/incremental/users/cursor") > Duration::from_secs(4));
        assert_eq!(g.reserve("/api/v2/users/me"), Duration::ZERO);
    }
}
