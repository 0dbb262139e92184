//! The client: resolves the target URL, takes the credential, runs the transfer,
//! follows same-origin redirects, and turns non-2xx answers into errors.

use crate::config::{Config, ConfigBuilder};
use crate::credentials::AuthContext;
use crate::error::{Error, ErrorKind, Result};
use crate::log::LogLevel;
use crate::request::Request;
use crate::response::Response;
use crate::transport::{Transfer, Transport};
use std::fmt;
use std::sync::Arc;
use url::Url;

/// Redirects followed per request, all on the same origin.
pub const MAX_REDIRECTS: usize = 5;

/// A Zendesk API client. Cheap to clone (clones share connections) and safe to use
/// from many threads at once.
#[derive(Clone)]
pub struct Client {
    transport: Arc<Transport>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.transport.config())
            .finish()
    }
}

impl Client {
    /// A client for a validated configuration.
    pub fn new(config: Config) -> Result<Client> {
        Ok(Client {
            transport: Arc::new(Transport::new(config)),
        })
    }

    /// A client configured from the `ZENDESK_*` environment variables.
    pub fn from_env() -> Result<Client> {
        Client::new(ConfigBuilder::from_env()?.build()?)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.transport.config()
    }

    /// Sends a GET request to `target`.
    pub fn get(&self, target: &str) -> Result<Response> {
        self.send(&Request::get(target))
    }

    /// The absolute URL a target and query resolve to. Full URLs must be on the
    /// client's origin: credentials are never sent anywhere else.
    pub fn resolve_url(&self, target: &str, query: &[(String, String)]) -> Result<Url> {
        let base = self.config().base_url();
        let mut url = if target.contains("://") {
            Url::parse(target).map_err(|e| Error::invalid(format!("invalid URL: {e}")))?
        } else {
            let relative = target.trim_start_matches('/');
            if target.chars().any(|c| c.is_control()) {
                return Err(Error::invalid("the path contains control characters"));
            }
            base.join(relative)
                .map_err(|e| Error::invalid(format!("invalid path: {e}")))?
        };
        if url.origin() != base.origin() {
            return Err(Error::invalid(format!(
                "refusing to send credentials to {}: only {} is allowed",
                url.origin().ascii_serialization(),
                base.origin().ascii_serialization()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid("the URL must not contain credentials"));
        }
        url.set_fragment(None);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }

    /// Sends a request. A 2xx answer is `Ok`; any other answer is an [`Error`] whose
    /// kind follows the status and which still holds the response
    /// ([`Error::response`]).
    ///
    /// Redirects are followed only when they stay on the client's origin (scheme,
    /// host and port), at most [`MAX_REDIRECTS`] times; a redirect elsewhere is
    /// returned as an [`ErrorKind::Http`] error and nothing is sent there. A 401 is
    /// retried once when the credential provider says it has a fresh credential.
    pub fn send(&self, request: &Request) -> Result<Response> {
        request.validate()?;
        let mut method = request.method.clone();
        let mut url = self.resolve_url(&request.target, &request.query)?;
        let mut body = request
            .body
            .as_ref()
            .map(|(content_type, bytes)| (content_type.as_str(), bytes.as_slice()));
        let mut redirects = 0;
        let mut retried_unauthorized = false;
        loop {
            let response = self.send_once(request, &method, &url, body)?;
            if let Some(next) = self.redirect_target(&response, &url)? {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    let error = Error::from_response(response);
                    let message =
                        format!("more than {MAX_REDIRECTS} redirects: {}", error.message());
                    return Err(error.reframed(ErrorKind::Http, message));
                }
                if response.status == 303 {
                    method = "GET".to_owned();
                    body = None;
                }
                url = next;
                continue;
            }
            if response.status == 401 && !retried_unauthorized {
                retried_unauthorized = true;
                let context = AuthContext {
                    base_url: self.config().base_url(),
                };
                let rejected = self.config().credentials().authorization(&context)?;
                if self.config().credentials().on_unauthorized(&rejected) {
                    continue;
                }
            }
            if response.is_success() {
                return Ok(response);
            }
            return Err(Error::from_response(response));
        }
    }

    /// The next URL when `response` is a redirect on the client's origin; an error
    /// when it points elsewhere; `None` when it is not a redirect.
    fn redirect_target(&self, response: &Response, current: &Url) -> Result<Option<Url>> {
        if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
            return Ok(None);
        }
        let Some(location) = response.headers.get("location") else {
            return Ok(None);
        };
        let next = current.join(location).ok();
        match next {
            Some(next) if next.origin() == self.config().base_url().origin() => Ok(Some(next)),
            _ => {
                let target = next
                    .map(|u| u.origin().ascii_serialization())
                    .unwrap_or_else(|| "an invalid location".to_owned());
                let message = format!(
                    "HTTP {}: redirect to {target} not followed (credentials are only sent to {})",
                    response.status,
                    self.config().base_url().origin().ascii_serialization()
                );
                Err(Error::from_response(response.clone()).reframed(ErrorKind::Http, message))
            }
        }
    }

    fn send_once(
        &self,
        request: &Request,
        method: &str,
        url: &Url,
        body: Option<(&str, &[u8])>,
    ) -> Result<Response> {
        let context = AuthContext {
            base_url: self.config().base_url(),
        };
        let authorization = self
            .config()
            .credentials()
            .authorization(&context)
            .map_err(|e| e.with_request(method, url.path()))?;
        let transfer = Transfer {
            method,
            url,
            authorization: &authorization,
            headers: &request.headers,
            body,
            cancel: request.cancel.clone(),
        };
        let raw = self.transport.perform(&transfer).map_err(|e| {
            self.log(
                LogLevel::Debug,
                &format!("{method} {} failed: {}", url.path(), e.message()),
            );
            e.with_request(method, url.path())
        })?;
        let response = Response {
            status: raw.status,
            headers: raw.headers,
            body: raw.body,
            method: method.to_owned(),
            path: url.path().to_owned(),
            elapsed: raw.elapsed,
        };
        self.log(
            LogLevel::Debug,
            &format!(
                "{method} {} -> {} in {:.1} ms, request id {}",
                response.path,
                response.status,
                response.elapsed.as_secs_f64() * 1000.0,
                response.request_id().unwrap_or("-")
            ),
        );
        if let Some(warning) = response.api_warning() {
            self.log(
                LogLevel::Warn,
                &format!("{method} {}: Zendesk API warning: {warning}", response.path),
            );
        }
        Ok(response)
    }

    fn log(&self, level: LogLevel, line: &str) {
        if let Some(sink) = &self.config().log {
            sink.log(level, line);
        }
    }
}
