//! The one error type of zdkit, and the parser for Zendesk's many error envelopes.
//!
//! Zendesk answers errors in at least five JSON shapes (docs/zendesk.md, "Errors and their
//! envelopes"; the tests below) and sometimes in plain text or HTML;
//! [`ZendeskErrorBody::parse`] reads them all by content, never trusting the content
//! type. Messages never contain a secret: they are built from the
//! method, the path without its query, the status and what Zendesk said.

use crate::response::Response;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What went wrong, in the categories a caller acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A value passed to zdkit is invalid (bad URL, CR/LF in a header, two credentials…).
    InvalidArgument,
    /// Refused to send credentials over plain HTTP to a host that is not loopback.
    InsecureTransport,
    /// 401: the credential was not accepted.
    Authentication,
    /// 403: the credential lacks a permission or an OAuth scope.
    Permission,
    /// 404: no such record, or the endpoint is not on the account's plan.
    NotFound,
    /// 409: a concurrent write or a stale `safe_update` stamp.
    Conflict,
    /// 422 (and other validation answers): the record or query was refused.
    Validation,
    /// 429: over the rate limit; see `retry_after`.
    RateLimited,
    /// 5xx: a temporary server-side failure.
    Server,
    /// Any other non-2xx status (including a redirect zdkit did not follow).
    Http,
    /// The connect or total timeout expired.
    Timeout,
    /// DNS, connect, TLS, reset or truncated transfer.
    Transport,
    /// The response could not be decoded (malformed JSON, invalid UTF-8).
    Decode,
    /// The caller cancelled the transfer.
    Cancelled,
    /// A bug in zdkit or libcurl misuse.
    Internal,
    /// A background job ended as `failed` or `killed`.
    JobFailed,
    /// The answer was larger than the client's `max_response_bytes` (counted after
    /// decompression); the transfer was stopped.
    ResponseTooLarge,
}

impl ErrorKind {
    /// The kind matching an HTTP status (only meaningful for non-2xx statuses).
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Permission,
            404 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Http,
        }
    }

    /// A short lower-case name, stable across versions (`"not_found"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::InsecureTransport => "insecure_transport",
            ErrorKind::Authentication => "authentication",
            ErrorKind::Permission => "permission",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Validation => "validation",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Server => "server",
            ErrorKind::Http => "http",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Decode => "decode",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
            ErrorKind::JobFailed => "job_failed",
            ErrorKind::ResponseTooLarge => "response_too_large",
        }
    }
}

/// What Zendesk said in an error body, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZendeskErrorBody {
    /// Zendesk's error code (`RecordNotFound`, `invalid_grant`, `InvalidPaginationDepth`).
    pub code: Option<String>,
    /// The human description.
    pub description: Option<String>,
    /// Field-level details (`details` map, or the JSON:API `errors` list).
    pub details: Option<Value>,
}

const MAX_TEXT_DESCRIPTION: usize = 300;

impl ZendeskErrorBody {
    /// Reads any of Zendesk's error envelopes; a non-JSON body becomes a description
    /// made of its first few hundred characters.
    pub fn parse(body: &[u8]) -> ZendeskErrorBody {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Self::from_object(&map),
            Ok(other) => ZendeskErrorBody {
                description: Some(clip(&other.to_string())),
                ..Default::default()
            },
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                ZendeskErrorBody {
                    description: (!text.is_empty()).then(|| clip(text)),
                    ..Default::default()
                }
            }
        }
    }

    fn from_object(map: &serde_json::Map<String, Value>) -> ZendeskErrorBody {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let mut out = ZendeskErrorBody::default();
        match map.get("error") {
            Some(Value::String(error)) => {
                let description = text(map.get("description"))
                    .or_else(|| text(map.get("error_description")))
                    .or_else(|| text(map.get("message")));
                if looks_like_code(error) || description.is_some() {
                    out.code = Some(error.clone());
                    out.description = description;
                } else {
                    out.description = Some(error.clone());
                }
            }
            Some(Value::Object(inner)) => {
                out.code = text(inner.get("title")).or_else(|| text(inner.get("code")));
                out.description = text(inner.get("message")).or_else(|| text(inner.get("detail")));
            }
            _ => {}
        }
        if let Some(Value::Array(errors)) = map.get("errors") {
            if let Some(Value::Object(first)) = errors.first() {
                out.code = out.code.or_else(|| text(first.get("code")));
                out.description = out
                    .description
                    .or_else(|| text(first.get("detail")))
                    .or_else(|| text(first.get("title")));
            }
            out.details = Some(Value::Array(errors.clone()));
        }
        if let Some(details) = map.get("details").filter(|d| !d.is_null()) {
            out.details = Some(details.clone());
        }
        if out.description.is_none() {
            out.description = text(map.get("description")).or_else(|| text(map.get("message")));
        }
        out
    }
}

fn looks_like_code(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn clip(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_TEXT_DESCRIPTION)
        .collect();
    if text.chars().count() > MAX_TEXT_DESCRIPTION {
        format!("{cleaned}…")
    } else {
        cleaned
    }
}

/// The error every fallible zdkit call returns.
///
/// For an HTTP answer with a non-2xx status the full [`Response`] is attached, so the
/// caller can still read its body and headers.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

/// The fields of an [`Error`], boxed so `Result<T, Error>` stays one pointer wide.
#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    body: ZendeskErrorBody,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    method: Option<String>,
    path: Option<String>,
    response: Option<Box<Response>>,
    /// A transport failure a new attempt can cure.
    transient: bool,
    /// The underlying cause (a libcurl, I/O or JSON error), for `Error::source`.
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of `kind` with a message (which must not contain a secret).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                body: ZendeskErrorBody::default(),
                request_id: None,
                retry_after: None,
                method: None,
                path: None,
                response: None,
                transient: false,
                source: None,
            }),
        }
    }

    /// Shorthand for an [`ErrorKind::InvalidArgument`] error.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    /// The error for a non-2xx answer: kind from the status, Zendesk's code,
    /// description and details from the body, the request id and retry-after from
    /// the headers. The response is kept inside the error.
    pub fn from_response(response: Response) -> Error {
        let kind = ErrorKind::from_status(response.status);
        let body = ZendeskErrorBody::parse(&response.body);
        let retry_after = response
            .headers
            .get("retry-after")
            .and_then(crate::ratelimit::parse_retry_after)
            .or_else(|| {
                (response.status == 429)
                    .then(|| response.rate_limit().reset_hint())
                    .flatten()
            });
        let mut message = format!("HTTP {}", response.status);
        if let Some(code) = &body.code {
            message.push_str(&format!(" {code}"));
        }
        if let Some(description) = &body.description {
            message.push_str(&format!(": {description}"));
        }
        let mut error = Error::new(kind, message).with_response_context(&response);
        error.inner.status = Some(response.status);
        error.inner.body = body;
        error.inner.retry_after = retry_after;
        error.inner.response = Some(Box::new(response));
        error
    }

    /// Sets the status and retry-after (unit tests of the retry policy).
    #[cfg(test)]
    pub(crate) fn set_status_for_test(
        &mut self,
        status: Option<u16>,
        retry_after: Option<Duration>,
    ) {
        self.inner.status = status;
        self.inner.retry_after = retry_after;
    }

    /// Keeps the underlying cause, readable through [`std::error::Error::source`].
    pub(crate) fn with_source(
        mut self,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.inner.source = Some(Arc::new(cause));
        self
    }

    /// Marks a transport failure that a new attempt can cure.
    pub(crate) fn transient(mut self) -> Error {
        self.inner.transient = true;
        self
    }

    /// True for failures that a new attempt may cure without any change: a refused
    /// or reset connection, a timeout, an answer cut short. TLS verification
    /// failures, unknown hosts, bad URLs and unsupported protocols are not.
    pub fn is_transient(&self) -> bool {
        self.inner.transient
    }

    /// Sets Zendesk-style error code (for errors zdkit raises itself).
    pub(crate) fn with_code(mut self, code: &str) -> Error {
        self.inner.body.code = Some(code.to_owned());
        self
    }

    /// Sets the details (for errors zdkit raises itself).
    pub(crate) fn with_details(mut self, details: Value) -> Error {
        self.inner.body.details = Some(details);
        self
    }

    /// Attaches the response the error is about (and its request id).
    pub(crate) fn with_response(mut self, response: Response) -> Error {
        if self.inner.request_id.is_none() {
            self.inner.request_id = response.request_id().map(str::to_owned);
        }
        self.inner.status.get_or_insert(response.status);
        self.inner.response = Some(Box::new(response));
        self
    }

    /// Replaces the kind and message, keeping everything else.
    pub(crate) fn reframed(mut self, kind: ErrorKind, message: String) -> Error {
        self.inner.kind = kind;
        self.inner.message = message;
        self
    }

    /// Adds the method, path and request id of `response` to the error.
    pub(crate) fn with_response_context(mut self, response: &Response) -> Error {
        self.inner.method = Some(response.method.clone());
        self.inner.path = Some(response.path.clone());
        self.inner.request_id = response.request_id().map(str::to_owned);
        self
    }

    /// Adds the request's method and path (path without query) to the error.
    pub(crate) fn with_request(mut self, method: &str, path: &str) -> Error {
        self.inner.method.get_or_insert_with(|| method.to_owned());
        self.inner.path.get_or_insert_with(|| path.to_owned());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The message without the method/path/request-id suffix that `Display` adds.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// Zendesk's error code (`RecordNotFound`, `invalid_grant`, …).
    pub fn code(&self) -> Option<&str> {
        self.inner.body.code.as_deref()
    }
    /// Zendesk's description of the error.
    pub fn description(&self) -> Option<&str> {
        self.inner.body.description.as_deref()
    }
    /// Field-level details, as Zendesk sent them.
    pub fn details(&self) -> Option<&Value> {
        self.inner.body.details.as_ref()
    }
    /// The request id to quote to Zendesk support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// How long the server asked to wait before retrying.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// The request method.
    pub fn method(&self) -> Option<&str> {
        self.inner.method.as_deref()
    }
    /// The request path, without its query string.
    pub fn path(&self) -> Option<&str> {
        self.inner.path.as_deref()
    }
    /// The full response of a non-2xx answer.
    pub fn response(&self) -> Option<&Response> {
        self.inner.response.as_deref()
    }
    /// Takes the response out of the error.
    pub fn take_response(&mut self) -> Option<Response> {
        self.inner.response.take().map(|r| *r)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if let (Some(method), Some(path)) = (&self.inner.method, &self.inner.path) {
            write!(f, " ({method} {path})")?;
        }
        if let Some(id) = &self.inner.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("message", &self.inner.message)
            .field("status", &self.inner.status)
            .field("code", &self.inner.body.code)
            .field("description", &self.inner.body.description)
            .field("request_id", &self.inner.request_id)
            .field("retry_after", &self.inner.retry_after)
            .field("method", &self.inner.method)
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|cause| cause as &(dyn std::error::Error + 'static))
    }
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ZendeskErrorBody {
        ZendeskErrorBody::parse(text.as_bytes())
    }

    #[test]
    fn error_and_description() {
        let b = parse(r#"{"error":"RecordNotFound","description":"Not found"}"#);
        assert_eq!(b.code.as_deref(), Some("RecordNotFound"));
        assert_eq!(b.description.as_deref(), Some("Not found"));
    }

    #[test]
    fn details_map() {
        let b = parse(
            r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"Email: x is already being used","error":"DuplicateValue"}]}}"#,
        );
        assert_eq!(b.code.as_deref(), Some("RecordInvalid"));
        assert_eq!(b.details.unwrap()["email"][0]["error"], "DuplicateValue");
    }

    #[test]
    fn bare_string_sentence_is_a_description() {
        let b = parse(r#"{"error":"Couldn't authenticate you"}"#);
        assert_eq!(b.code, None);
        assert_eq!(b.description.as_deref(), Some("Couldn't authenticate you"));
        let b = parse(
            r#"{"error":"Forbidden","description":"You are missing the following required scopes: read"}"#,
        );
        assert_eq!(b.code.as_deref(), Some("Forbidden"));
    }

    #[test]
    fn object_error() {
        let b = parse(
            r#"{"error":{"title":"Forbidden","message":"You do not have access to this page"}}"#,
        );
        assert_eq!(b.code.as_deref(), Some("Forbidden"));
        assert_eq!(
            b.description.as_deref(),
            Some("You do not have access to this page")
        );
    }

    #[test]
    fn json_api_list() {
        let b = parse(
            r#"{"errors":[{"code":"InvalidPaginationDepth","title":"Too deep","detail":"Use cursor pagination","status":"400"}]}"#,
        );
        assert_eq!(b.code.as_deref(), Some("InvalidPaginationDepth"));
        assert_eq!(b.description.as_deref(), Some("Use cursor pagination"));
        assert!(b.details.unwrap().is_array());
    }

    #[test]
    fn oauth_error() {
        let b = parse(
            r#"{"error":"invalid_grant","error_description":"The refresh token is invalid"}"#,
        );
        assert_eq!(b.code.as_deref(), Some("invalid_grant"));
        assert_eq!(
            b.description.as_deref(),
            Some("The refresh token is invalid")
        );
    }

    #[test]
    fn non_json_bodies_survive() {
        let b = parse("<html>\n<body>502 Bad Gateway</body></html>");
        assert_eq!(b.code, None);
        assert!(b.description.unwrap().contains("502 Bad Gateway"));
        assert_eq!(parse(""), ZendeskErrorBody::default());
        let long = "x".repeat(5000);
        assert!(parse(&long).description.unwrap().chars().count() <= MAX_TEXT_DESCRIPTION + 1);
        let b = ZendeskErrorBody::parse(b"\xff\xfe not utf8");
        assert!(b.description.is_some());
    }

    #[test]
    fn kinds_from_status() {
        assert_eq!(ErrorKind::from_status(401), ErrorKind::Authentication);
        assert_eq!(ErrorKind::from_status(503), ErrorKind::Server);
        assert_eq!(ErrorKind::from_status(400), ErrorKind::Http);
        assert_eq!(ErrorKind::from_status(302), ErrorKind::Http);
    }
}
