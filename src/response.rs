//! A complete HTTP answer from Zendesk: status, headers, body and what zdkit reads
//! from them (request id, API warning, rate-limit state).

use crate::headers::Headers;
use crate::ratelimit::RateLimit;
use std::time::Duration;

/// One HTTP response, with its body fully read.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The protocol the answer came in: `HTTP/2` (negotiated over TLS when the server
    /// offers it) or `HTTP/1.1`.
    pub http_version: String,
    /// The headers, in order, repeated names kept.
    pub headers: Headers,
    /// The body bytes (decompressed when the server used gzip).
    pub body: Vec<u8>,
    /// The request method, upper case.
    pub method: String,
    /// The URL path that was requested, without its query string (which may hold
    /// personal data).
    pub path: String,
    /// How long the transfer took.
    pub elapsed: Duration,
}

impl Response {
    /// Zendesk's request id: `X-Zendesk-Request-Id` when present, else the first
    /// comma-separated token of `X-Request-Id` (Zendesk often sends it twice).
    pub fn request_id(&self) -> Option<&str> {
        request_id_from(&self.headers)
    }

    /// The `X-Zendesk-API-Warn` text: Zendesk dropped some of the request's
    /// parameters although it answered with success.
    pub fn api_warning(&self) -> Option<&str> {
        self.headers
            .get("x-zendesk-api-warn")
            .filter(|w| !w.is_empty())
    }

    /// The rate-limit state the response reported.
    pub fn rate_limit(&self) -> RateLimit {
        RateLimit::from_headers(&self.headers)
    }

    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body parsed as JSON (by content, whatever the content type says).
    /// An empty body gives `Value::Null`.
    pub fn json(&self) -> Result<serde_json::Value, crate::Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| {
            crate::Error::new(
                crate::ErrorKind::Decode,
                format!("the response body is not valid JSON: {e}"),
            )
            .with_source(e)
            .with_response_context(self)
        })
    }
}

/// Reads the request id from a header list (see [`Response::request_id`]).
pub(crate) fn request_id_from(headers: &Headers) -> Option<&str> {
    // A request id goes into messages and log lines: a hostile one (control
    // characters, kilobytes of text) is ignored rather than repeated.
    let non_empty = |v: &&str| !v.is_empty() && v.len() <= 200 && !v.chars().any(char::is_control);
    headers
        .get("x-zendesk-request-id")
        .map(str::trim)
        .filter(non_empty)
        .or_else(|| {
            headers
                .get("x-request-id")
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(non_empty)
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 200 answer to `GET /` with these headers and no body (for unit tests).
    pub(crate) fn response_with(pairs: &[(&str, &str)]) -> Response {
        let mut headers = Headers::new();
        for (n, v) in pairs {
            headers.push(*n, *v);
        }
        Response {
            status: 200,
            http_version: "HTTP/1.1".into(),
            headers,
            body: Vec::new(),
            method: "GET".into(),
            path: "/".into(),
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn request_id_prefers_the_zendesk_header_and_splits_duplicates() {
        assert_eq!(
            response_with(&[("X-Request-Id", "abc, abc")]).request_id(),
            Some("abc")
        );
        assert_eq!(
            response_with(&[("X-Request-Id", "abc"), ("X-Zendesk-Request-Id", "zzz")]).request_id(),
            Some("zzz")
        );
        assert_eq!(response_with(&[]).request_id(), None);
    }

    #[test]
    fn empty_body_is_null_json() {
        assert_eq!(response_with(&[]).json().unwrap(), serde_json::Value::Null);
    }
}
