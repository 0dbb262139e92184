//! Rate-limit state read from Zendesk's response headers.
//!
//! Zendesk's header names have drifted over the years, so every known spelling is
//! read, case-insensitively: the account bucket (`X-Rate-Limit`, `ratelimit-*`,
//! `rate-limit-*`) and endpoint buckets (`zendesk-ratelimit-*` / `zendesk-rate-limit-*`
//! with values like `total=30; remaining=29; resets=468`).

use crate::headers::Headers;
use std::time::Duration;

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
            .map(Duration::from_secs)
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

/// Parses a `Retry-After` value given in seconds (fractions are rounded up). The
/// HTTP-date form is not used by Zendesk and yields `None`.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs(seconds.ceil() as u64))
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
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
