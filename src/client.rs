//! The client: resolves the target URL, takes the credential, paces by the
//! rate-limit headers, runs the transfer, follows same-origin redirects, retries
//! what is safe to retry within the call's deadline, and turns non-2xx answers into
//! errors.

use crate::config::{Config, ConfigBuilder};
use crate::credentials::{AuthContext, TokenEndpoint};
use crate::error::{Error, ErrorKind, Result};
use crate::events::Emit;
use crate::log::LogLevel;
use crate::oauth::TokenSet;
use crate::ratelimit::Governor;
use crate::redirect::MAX_REDIRECTS;
use crate::request::{Body, Request};
use crate::response::Response;
use crate::retry::new_idempotency_key;
use crate::transport::{CancelCheck, Transfer, Transport};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;
use zeroize::Zeroize;

/// A Zendesk API client. Cheap to clone (clones share connections and the
/// rate-limit governor) and safe to use from many threads at once.
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    /// Polled by every transfer and wait of this handle (see [`Client::with_cancel`]).
    cancel: Option<CancelCheck>,
}

struct Shared {
    transport: Transport,
    governor: Governor,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.config())
            .finish()
    }
}

/// True for `POST /api/v2/tickets` (and `.json`): ticket create, which zdkit makes
/// idempotent with an automatic `Idempotency-Key`.
fn is_ticket_create(method: &str, path: &str) -> bool {
    method == "POST"
        && matches!(
            path.trim_end_matches('/'),
            "/api/v2/tickets" | "/api/v2/tickets.json"
        )
}

impl Client {
    /// A client for a validated configuration.
    pub fn new(config: Config) -> Result<Client> {
        Ok(Client {
            shared: Arc::new(Shared {
                transport: Transport::new(config),
                governor: Governor::default(),
            }),
            cancel: None,
        })
    }

    /// A handle on the same client (same connections and rate-limit state) whose
    /// transfers and waits stop with [`ErrorKind::Cancelled`] once `check` returns
    /// true. Requests that carry their own check keep it.
    pub fn with_cancel(&self, check: CancelCheck) -> Client {
        Client {
            shared: self.shared.clone(),
            cancel: Some(check),
        }
    }

    /// A client configured from the `ZENDESK_*` environment variables.
    pub fn from_env() -> Result<Client> {
        Client::new(ConfigBuilder::from_env()?.build()?)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.shared.transport.config()
    }

    /// Sends a GET request to `target`.
    pub fn get(&self, target: &str) -> Result<Response> {
        self.send(&Request::get(target))
    }

    /// The absolute URL a target and query resolve to. Full URLs must be on the
    /// client's origin: credentials are never sent anywhere else.
    pub fn resolve_url(&self, target: &str, query: &[(String, String)]) -> Result<Url> {
        let base = self.config().base_url();
        let mut url = if crate::config::is_absolute_url(target) {
            Url::parse(target).map_err(|e| Error::invalid(format!("invalid URL: {e}")))?
        } else {
            if target.chars().any(|c| c.is_control()) {
                return Err(Error::invalid("the path contains control characters"));
            }
            // URL parsers treat `\` like `/`: `\\host/x` is protocol-relative too.
            if target.replace('\\', "/").starts_with("//") {
                return Err(Error::invalid(
                    "a path must not start with // (a protocol-relative URL): pass a path \
                     such as /api/v2/tickets or a full https:// URL",
                ));
            }
            // "./" keeps a first segment with a colon (`a:b/c`) from reading as a scheme.
            base.join(&format!("./{}", target.trim_start_matches('/')))
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
    /// - Rate limits: when the last answers said the bucket is nearly empty, the
    ///   request waits its turn (unless pacing is off or the policy never waits).
    /// - Retries follow the [`crate::retry::RetryPolicy`] of the request or the client,
    ///   within its deadline; `POST /api/v2/tickets` gets an automatic
    ///   `Idempotency-Key` so a retried create cannot create two tickets.
    /// - Redirects are followed only on the client's origin, at most
    ///   [`MAX_REDIRECTS`] times; a redirect elsewhere is an [`ErrorKind::Http`]
    ///   error and nothing is sent there.
    /// - A 401 is retried once when the credential provider has a fresh credential.
    pub fn send(&self, request: &Request) -> Result<Response> {
        request.validate()?;
        let policy = request.retry.unwrap_or(self.config().retry);
        let deadline = deadline_after(policy.deadline);
        let mut request = Cow::Borrowed(request);
        if request.cancel.is_none() && self.cancel.is_some() {
            request.to_mut().cancel = self.cancel.clone();
        }
        let first_url = self.resolve_url(&request.target, &request.query)?;
        let path = first_url.path().to_owned();
        if is_ticket_create(&request.method, &path)
            && request.header_value("idempotency-key").is_none()
        {
            request
                .to_mut()
                .headers
                .push(("Idempotency-Key".into(), new_idempotency_key()));
        }
        let has_key = request.header_value("idempotency-key").is_some();
        let mut attempt: u32 = 0;
        loop {
            if self.config().pacing && !policy.never_wait {
                self.pace(
                    &request.method,
                    &path,
                    attempt,
                    deadline,
                    request.cancel.as_ref(),
                )?;
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::new(ErrorKind::Timeout, "the call's deadline passed")
                    .with_request(&request.method, &path));
            }
            let started = Instant::now();
            let result = self.send_following_redirects(&request, &first_url, deadline);
            let (method, config) = (&request.method, self.config());
            let observed = match &result {
                Ok(response) => Some(response),
                Err(error) => error.response(),
            };
            if let Some(response) = observed {
                self.shared
                    .governor
                    .observe(&response.path, &response.rate_limit());
            }
            let error = match result {
                Ok(response) => {
                    config.emit_attempt(method, &path, attempt, started, Ok(&response));
                    return Ok(response);
                }
                Err(error) => error,
            };
            // The error keeps the server's own Retry-After, if it sent one; zdkit never
            // reports a wait it did not ask for.
            let Some(wait) = retry_wait(&policy, &error, method, has_key, attempt, deadline) else {
                config.emit_attempt(method, &path, attempt, started, Err(&error));
                return Err(error);
            };
            config.emit_retry(method, &path, attempt, wait, &error);
            attempt += 1;
            let what = error
                .status()
                .map_or_else(|| error.kind().as_str().to_owned(), |s| format!("HTTP {s}"));
            self.log(
                LogLevel::Warn,
                &format!(
                    "{} {path}: {what}; retry {attempt} of {} in {:.2} s",
                    request.method,
                    policy.max_retries,
                    wait.as_secs_f64()
                ),
            );
            sleep_unless_cancelled(wait, request.cancel.as_ref())
                .map_err(|e| e.with_request(&request.method, &path))?;
        }
    }

    /// Waits for the rate-limit governor's go, when the last answers said the bucket
    /// is nearly empty. Pacing delays but never refuses: a wait that would pass the
    /// deadline is skipped and the request is sent, so only a real 429 from the server
    /// becomes a rate-limit error.
    fn pace(
        &self,
        method: &str,
        path: &str,
        attempt: u32,
        deadline: Instant,
        cancel: Option<&CancelCheck>,
    ) -> Result<()> {
        let wait = self.shared.governor.reserve(path);
        if wait.is_zero() {
            return Ok(());
        }
        if !fits_before(wait, deadline) {
            self.log(
                LogLevel::Debug,
                &format!(
                    "pacing {method} {path}: the rate limit resets in {:.1} s, past the \
                     call's deadline; sending now",
                    wait.as_secs_f64()
                ),
            );
            return Ok(());
        }
        self.log(
            LogLevel::Debug,
            &format!(
                "pacing {method} {path}: waiting {:.2} s for the rate limit",
                wait.as_secs_f64()
            ),
        );
        self.config().emit_wait(method, path, attempt, wait);
        sleep_unless_cancelled(wait, cancel).map_err(|e| e.with_request(method, path))
    }

    /// One attempt: the transfer plus same-origin redirects and the 401 refresh.
    fn send_following_redirects(
        &self,
        request: &Request,
        first_url: &Url,
        deadline: Instant,
    ) -> Result<Response> {
        let mut method = request.method.clone();
        let mut url = first_url.clone();
        let mut body = request
            .body
            .as_ref()
            .map(|(content_type, body)| (content_type.as_str(), body));
        let mut redirects = 0;
        let mut retried_unauthorized = false;
        loop {
            let (response, sent_authorization) =
                self.send_once(request, &method, &url, body, deadline)?;
            if let Some(next) =
                crate::redirect::next_hop(&response, &url, self.config().base_url())?
            {
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
                if self
                    .config()
                    .credentials()
                    .on_unauthorized(&sent_authorization)
                {
                    self.log(
                        LogLevel::Info,
                        &format!(
                            "{method} {}: 401, renewing the credential and replaying once",
                            url.path()
                        ),
                    );
                    continue;
                }
            }
            if response.is_success() {
                return Ok(response);
            }
            return Err(Error::from_response(response));
        }
    }

    fn send_once(
        &self,
        request: &Request,
        method: &str,
        url: &Url,
        body: Option<(&str, &Body)>,
        deadline: Instant,
    ) -> Result<(Response, crate::Secret)> {
        let endpoint = |body: &serde_json::Value| self.token_request_before(body, deadline);
        let context = self.auth_context(&endpoint, deadline);
        let authorization = self
            .config()
            .credentials()
            .authorization(&context)
            .map_err(|e| e.with_request(method, url.path()))?;
        // Minting a token may have used some of the time.
        let limit = request.timeout.unwrap_or(self.config().timeout);
        let timeout = transfer_timeout(deadline, limit, method, url.path())?;
        let transfer = Transfer {
            method,
            url,
            authorization: Some(&authorization),
            headers: &request.headers,
            body,
            timeout,
            cancel: request.cancel.clone(),
            sensitive: false,
        };
        let response = self.perform(&transfer)?;
        Ok((response, authorization))
    }

    /// Runs one transfer and turns it into a [`Response`], logging the outcome (one
    /// DEBUG line; a WARN line for `X-Zendesk-API-Warn`). Never logs a header value.
    fn perform(&self, transfer: &Transfer<'_>) -> Result<Response> {
        let (method, path) = (transfer.method, transfer.url.path());
        let raw = self.shared.transport.perform(transfer).map_err(|e| {
            self.log(
                LogLevel::Debug,
                &format!("{method} {path} failed: {}", e.message()),
            );
            e.with_request(method, path)
        })?;
        let response = raw.into_response(method, path);
        self.log(
            LogLevel::Debug,
            &format!(
                "{method} {path} -> {} in {:.1} ms, request id {}",
                response.status,
                response.elapsed.as_secs_f64() * 1000.0,
                response.request_id().unwrap_or("-")
            ),
        );
        if let Some(warning) = response.api_warning() {
            self.log(
                LogLevel::Warn,
                &format!("{method} {path}: Zendesk API warning: {warning}"),
            );
        }
        Ok(response)
    }

    pub(crate) fn auth_context<'a>(
        &'a self,
        endpoint: TokenEndpoint<'a>,
        deadline: Instant,
    ) -> AuthContext<'a> {
        AuthContext {
            base_url: self.config().base_url(),
            token_endpoint: Some(endpoint),
            deadline: Some(deadline),
        }
    }

    /// The current OAuth token set, when the credential manages one (client
    /// credentials, refresh token).
    pub fn token_set(&self) -> Option<TokenSet> {
        self.config().credentials().token_set()
    }

    /// The current OAuth token set, minting or refreshing it first when it is due
    /// (for a new client: a fresh one). `None` for credentials without a token set.
    pub fn fetch_token_set(&self) -> Result<Option<TokenSet>> {
        let deadline = deadline_after(self.config().retry.deadline);
        let endpoint = |body: &serde_json::Value| self.token_request_before(body, deadline);
        let context = self.auth_context(&endpoint, deadline);
        self.config().credentials().authorization(&context)?;
        Ok(self.token_set())
    }

    /// Posts `body` as JSON to `/oauth/tokens` on the client's origin (no
    /// `Authorization` header) and returns the parsed answer, within the client's
    /// deadline. A refusal (`invalid_client`, `invalid_grant`, …) is an
    /// [`ErrorKind::Authentication`] error carrying Zendesk's `error` and
    /// `error_description`; so is an answer that is not a JSON object.
    ///
    /// The request body and the answer's bytes are zeroed once used; the caller owns
    /// the returned value (see [`crate::oauth::zeroize_json`]).
    pub fn token_request(&self, body: &serde_json::Value) -> Result<serde_json::Value> {
        self.token_request_before(body, deadline_after(self.config().retry.deadline))
    }

    /// [`Client::token_request`], bounded by the deadline of the call that needs it.
    pub(crate) fn token_request_before(
        &self,
        body: &serde_json::Value,
        deadline: Instant,
    ) -> Result<serde_json::Value> {
        let url = self
            .config()
            .base_url()
            .join("oauth/tokens")
            .map_err(|e| Error::invalid(format!("invalid token endpoint: {e}")))?;
        let timeout = transfer_timeout(deadline, self.config().timeout, "POST", url.path())?;
        let bytes = Body::Bytes(body.to_string().into_bytes());
        let transfer = Transfer {
            method: "POST",
            url: &url,
            authorization: None,
            headers: &[],
            body: Some(("application/json", &bytes)),
            timeout,
            cancel: self.cancel.clone(),
            sensitive: true,
        };
        let started = Instant::now();
        let outcome = self.perform(&transfer);
        self.config()
            .emit_token(url.path(), started, outcome.as_ref());
        if let Body::Bytes(mut bytes) = bytes {
            bytes.zeroize();
        }
        let mut response = outcome?;
        if !response.is_success() {
            let error = Error::from_response(response);
            let kind = match error.status() {
                Some(400 | 401 | 403) => ErrorKind::Authentication,
                _ => error.kind(),
            };
            let message = format!("OAuth token request refused: {}", error.message());
            return Err(error.reframed(kind, message));
        }
        let parsed = serde_json::from_slice::<serde_json::Value>(&response.body);
        response.body.zeroize();
        match parsed {
            Ok(answer) if answer.is_object() => Ok(answer),
            Ok(mut other) => {
                crate::oauth::zeroize_json(&mut other);
                Err(Error::new(
                    ErrorKind::Authentication,
                    "the OAuth token endpoint answered something other than a JSON object",
                )
                .with_response_context(&response))
            }
            Err(_) => Err(Error::new(
                ErrorKind::Authentication,
                "the OAuth token endpoint's answer is not JSON",
            )
            .with_response_context(&response)),
        }
    }

    /// A client that only talks to the token endpoint of `subdomain_or_url` (for
    /// the authorization-code exchange).
    pub fn for_token_endpoint(subdomain_or_url: &str) -> Result<Client> {
        let config = Config::builder()
            .target(subdomain_or_url)
            .credential_provider(Arc::new(crate::credentials::NoCredential))
            .build()?;
        Client::new(config)
    }

    /// The connection pool (for transfers the send loop does not make: downloads).
    pub(crate) fn transport(&self) -> &Transport {
        &self.shared.transport
    }

    /// The cancel check of this handle, if any.
    pub(crate) fn cancel_check(&self) -> Option<&CancelCheck> {
        self.cancel.as_ref()
    }

    /// Sends a line to the configured log sink.
    pub(crate) fn log(&self, level: LogLevel, line: &str) {
        if let Some(sink) = &self.config().log {
            sink.log(level, line);
        }
    }
}

/// The instant `budget` from now; a budget too large for the clock means "far
/// away" (a year), never an overflow.
pub(crate) fn deadline_after(budget: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(budget)
        .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 60 * 60)))
        .unwrap_or(now)
}

/// The time one transfer may take: `limit` (a timeout setting), or less when the
/// call's deadline is nearer; a timeout error once the deadline has passed.
fn transfer_timeout(
    deadline: Instant,
    limit: Duration,
    method: &str,
    path: &str,
) -> Result<Duration> {
    let timeout = deadline
        .saturating_duration_since(Instant::now())
        .min(limit);
    if timeout.is_zero() {
        return Err(
            Error::new(ErrorKind::Timeout, "the call's deadline passed").with_request(method, path)
        );
    }
    Ok(timeout)
}

/// How long to wait before retrying attempt `attempt` that failed with `error`, or
/// `None` when the call must fail: no retries left, a never-wait policy, an error the
/// policy does not retry, or a wait that would end past `deadline`.
pub(crate) fn retry_wait(
    policy: &crate::retry::RetryPolicy,
    error: &Error,
    method: &str,
    has_idempotency_key: bool,
    attempt: u32,
    deadline: Instant,
) -> Option<Duration> {
    if attempt >= policy.max_retries || policy.never_wait {
        return None;
    }
    policy
        .wait_before_retry(error, method, has_idempotency_key, attempt)
        .filter(|wait| fits_before(*wait, deadline))
}

/// True when waiting `wait` from now still ends before `deadline`.
pub(crate) fn fits_before(wait: Duration, deadline: Instant) -> bool {
    Instant::now()
        .checked_add(wait)
        .is_some_and(|end| end < deadline)
}

/// Sleeps for `wait`, waking every 100 ms to honour a cancel check.
pub(crate) fn sleep_unless_cancelled(wait: Duration, cancel: Option<&CancelCheck>) -> Result<()> {
    let until = deadline_after(wait);
    loop {
        if cancel.is_some_and(|cancelled| cancelled()) {
            return Err(Error::new(
                ErrorKind::Cancelled,
                "cancelled while waiting to retry",
            ));
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(Duration::from_millis(100)));
    }
}
