//! A request description: method, target, query parameters, headers and body.

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::transport::CancelCheck;
use std::fmt;
use std::path::PathBuf;

/// A request body: bytes in memory, or a file streamed from disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Bytes held in memory.
    Bytes(Vec<u8>),
    /// A file read while sending, never loaded whole into memory.
    File(PathBuf),
}

/// One request to send with [`crate::Client::send`].
///
/// The target is a path relative to the base URL (`/api/v2/tickets`, `api/v2/tickets.json`,
/// with or without a query string) or a full URL on the same origin, as Zendesk's
/// `links.next` gives.
#[derive(Clone)]
pub struct Request {
    pub(crate) method: String,
    pub(crate) target: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<(String, Body)>,
    pub(crate) cancel: Option<CancelCheck>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) timeout: Option<std::time::Duration>,
}

impl Request {
    /// A request with any method (`"GET"`, `"post"`: case is normalised).
    pub fn new(method: impl Into<String>, target: impl Into<String>) -> Request {
        Request {
            method: method.into().to_ascii_uppercase(),
            target: target.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            cancel: None,
            retry: None,
            timeout: None,
        }
    }

    /// A GET request.
    pub fn get(target: impl Into<String>) -> Request {
        Request::new("GET", target)
    }

    /// A POST request.
    pub fn post(target: impl Into<String>) -> Request {
        Request::new("POST", target)
    }

    /// A PUT request.
    pub fn put(target: impl Into<String>) -> Request {
        Request::new("PUT", target)
    }

    /// A DELETE request.
    pub fn delete(target: impl Into<String>) -> Request {
        Request::new("DELETE", target)
    }

    /// Adds a query parameter; names and values are percent-encoded when sent.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a request header (not `Authorization`, which comes from the credential).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a JSON body (`Content-Type: application/json`).
    pub fn json(self, value: &serde_json::Value) -> Request {
        self.body("application/json", value.to_string().into_bytes())
    }

    /// Sets a body with its content type.
    pub fn body(mut self, content_type: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Request {
        self.body = Some((content_type.into(), Body::Bytes(bytes.into())));
        self
    }

    /// Streams a file as the body (uploads), reading it while sending.
    pub fn file_body(
        mut self,
        content_type: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> Request {
        self.body = Some((content_type.into(), Body::File(path.into())));
        self
    }

    /// Overrides the client's retry policy for this request.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Request {
        self.retry = Some(policy);
        self
    }

    /// Overrides the client's transfer timeout for this request (each attempt; the
    /// call's deadline still bounds the whole call). More than 0, at most a day.
    pub fn timeout(mut self, timeout: std::time::Duration) -> Request {
        self.timeout = Some(timeout);
        self
    }

    /// The value of a request header set with [`Request::header`] (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Installs a function polled during the transfer; when it returns true the
    /// transfer stops with [`crate::ErrorKind::Cancelled`].
    pub fn cancel_check(mut self, check: CancelCheck) -> Request {
        self.cancel = Some(check);
        self
    }

    /// The method, upper case.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The target as given.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Checks the method and headers for syntax and header injection.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.method.is_empty() || !self.method.bytes().all(is_token_byte) {
            return Err(Error::invalid(format!(
                "invalid HTTP method {:?}",
                self.method.chars().take(20).collect::<String>()
            )));
        }
        for (name, value) in &self.headers {
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(Error::invalid(format!("invalid header name {name:?}")));
            }
            if name.eq_ignore_ascii_case("authorization") {
                return Err(Error::invalid(
                    "the Authorization header comes from the configured credential; \
                     do not set it per request",
                ));
            }
            if value.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
                return Err(Error::invalid(format!(
                    "header {name} contains a line break or NUL character (header injection refused)"
                )));
            }
        }
        if let Some(timeout) = self.timeout {
            crate::config::check_duration_setting("the request timeout", timeout)?;
        }
        if let Some(policy) = &self.retry {
            crate::config::check_duration_setting("the request deadline", policy.deadline)?;
        }
        if let Some((content_type, _)) = &self.body {
            if content_type.is_empty()
                || content_type
                    .chars()
                    .any(|c| matches!(c, '\r' | '\n' | '\0'))
            {
                return Err(Error::invalid("invalid content type"));
            }
        }
        Ok(())
    }
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("target", &self.target.split('?').next().unwrap_or(""))
            .field("query_parameters", &self.query.len())
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field(
                "body",
                &self.body.as_ref().map(|(_, b)| match b {
                    Body::Bytes(bytes) => format!("{} bytes", bytes.len()),
                    Body::File(path) => format!("file {}", path.display()),
                }),
            )
            .finish()
    }
}
