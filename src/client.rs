//! The client: resolves the target URL, takes the credential, paces by the
//! rate-limit headers, runs the transfer, follows same-origin redirects, retries
//! what is safe to retry within the call's deadline, and turns non-2xx answers into
//! errors.

use crate::call::{Call, Step};
use crate::config::{Config, ConfigBuilder};
use crate::credentials::{AuthContext, TokenEndpoint};
use crate::error::{Error, ErrorKind, Result};
use crate::events::Emit;
use crate::log::LogLevel;
use crate::multi::{AsyncCall, EngineSlot};
use crate::oauth::TokenSet;
use crate::ratelimit::Governor;
use crate::request::{Body, Request};
use crate::response::Response;
use crate::transport::{CancelCheck, RawResponse, Transfer, Transport};
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
    /// The async engine of this client and its clones (see [`Client::send_async`]);
    /// `None` on the handles the engine itself keeps for its calls, so an engine is
    /// never kept alive by its own calls.
    engine: Option<Arc<EngineSlot>>,
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

impl Client {
    /// A client for a validated configuration.
    pub fn new(config: Config) -> Result<Client> {
        Ok(Client {
            shared: Arc::new(Shared {
                transport: Transport::new(config),
                governor: Governor::default(),
            }),
            cancel: None,
            engine: Some(Arc::new(EngineSlot::default())),
        })
    }

    /// A handle on the same client (same connections and rate-limit state) whose
    /// transfers and waits stop with [`ErrorKind::Cancelled`] once `check` returns
    /// true. Requests that carry their own check keep it.
    pub fn with_cancel(&self, check: CancelCheck) -> Client {
        Client {
            shared: self.shared.clone(),
            cancel: Some(check),
            engine: self.engine.clone(),
        }
    }

    /// Starts `request` on the client's async engine and returns at once; `on_done`
    /// runs exactly once with the result, the same a blocking [`Client::send`] would
    /// give (same retries, pacing, redirects, OAuth renewal, deadline).
    ///
    /// - The engine (one background thread per client, started by the first async
    ///   call, running a libcurl multi handle) runs every async call of the client
    ///   and its clones concurrently, on shared connections, multiplexing HTTP/2
    ///   streams when the server offers it.
    /// - `on_done` runs on that thread: it must not block (hand the result to your
    ///   own executor, channel or event loop). A panic in it is contained.
    /// - [`AsyncCall::cancel`] aborts the call at once; its `on_done` then gets an
    ///   [`ErrorKind::Cancelled`] error.
    /// - When the last handle on the client is dropped (or [`Client::close_async`]
    ///   is called), calls still in flight are cancelled and their `on_done` runs
    ///   with [`ErrorKind::Cancelled`] before the drop returns — unless that happens
    ///   on the engine's thread (inside an `on_done`), when they run right after.
    ///
    /// An invalid request (bad method, path or header), a client already closed, or
    /// an engine that cannot start is an `Err` here, and `on_done` never runs.
    pub fn send_async<F>(&self, request: Request, on_done: F) -> Result<AsyncCall>
    where
        F: FnOnce(Result<Response>) + Send + 'static,
    {
        let Some(engine) = &self.engine else {
            return Err(Error::new(
                ErrorKind::Internal,
                "this client handle has no async engine",
            ));
        };
        let call = Call::new(self, Cow::Owned(request))?;
        engine.start_call(self.engine_handle(), call, Box::new(on_done))
    }

    /// Cancels every async call in flight (their callbacks run with
    /// [`ErrorKind::Cancelled`]) and stops the async engine; later
    /// [`Client::send_async`] calls fail. Blocking calls are not affected. Waits for
    /// the engine's threads, except when called from a completion callback.
    pub fn close_async(&self) {
        if let Some(engine) = &self.engine {
            engine.close();
        }
    }

    /// A handle the engine keeps for a call: same connections, rate-limit state and
    /// cancel check, but no hold on the engine.
    pub(crate) fn engine_handle(&self) -> Client {
        Client {
            shared: self.shared.clone(),
            cancel: self.cancel.clone(),
            engine: None,
        }
    }

    /// The transport (libcurl handles configured from the client's settings).
    pub(crate) fn transport(&self) -> &Transport {
        &self.shared.transport
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
        let mut call = Call::new(self, Cow::Borrowed(request))?;
        let mut step = call.start(self);
        loop {
            step = match step {
                Step::Done(result) => return result,
                Step::Wait(wait) => match sleep_unless_cancelled(wait, call.cancel()) {
                    Ok(()) => call.after_wait(self),
                    Err(error) => return Err(call.framed(error)),
                },
                Step::Send => match self.authorize(call.deadline()) {
                    Err(error) => call.on_failure(self, call.hop_error(error)),
                    Ok(authorization) => {
                        let outcome = call
                            .transfer(self, &authorization)
                            .and_then(|transfer| self.shared.transport.perform(&transfer));
                        call.on_transfer(self, outcome, &authorization)
                    }
                },
            };
        }
    }

    /// The `Authorization` value for a request of a call ending at `deadline`, from
    /// the credential provider (which may request an OAuth token through this
    /// client, by that deadline).
    pub(crate) fn authorize(&self, deadline: Instant) -> Result<crate::Secret> {
        let endpoint = |body: &serde_json::Value| self.token_request_before(body, deadline);
        let context = self.auth_context(&endpoint, deadline);
        self.config().credentials().authorization(&context)
    }

    /// How long a request to `path` waits for the rate-limit governor: zero when the
    /// last answers left room, or when the wait would pass the deadline (the request
    /// is then sent at once).
    pub(crate) fn pacing_wait(&self, method: &str, path: &str, deadline: Instant) -> Duration {
        let wait = self.shared.governor.reserve(path);
        if wait.is_zero() {
            return wait;
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
            return Duration::ZERO;
        }
        self.log(
            LogLevel::Debug,
            &format!(
                "pacing {method} {path}: waiting {:.2} s for the rate limit",
                wait.as_secs_f64()
            ),
        );
        wait
    }

    /// Feeds an answer's rate-limit headers to the governor.
    pub(crate) fn observe(&self, response: &Response) {
        self.shared
            .governor
            .observe(&response.path, &response.rate_limit());
    }

    /// Runs one transfer and turns it into a [`Response`] (see
    /// [`Client::finish_transfer`]).
    fn perform(&self, transfer: &Transfer<'_>) -> Result<Response> {
        let outcome = self.shared.transport.perform(transfer);
        self.finish_transfer(transfer.method, transfer.url, outcome)
    }

    /// Turns the outcome of a transfer of `method` `url` into a [`Response`], logging
    /// it (one DEBUG line; a WARN line for `X-Zendesk-API-Warn`). Never logs a header
    /// value.
    pub(crate) fn finish_transfer(
        &self,
        method: &str,
        url: &Url,
        outcome: Result<RawResponse>,
    ) -> Result<Response> {
        let path = url.path();
        let raw = outcome.map_err(|e| {
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
        self.authorize(deadline_after(self.config().retry.deadline))?;
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
pub(crate) fn transfer_timeout(
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

/// One attempt of a call, as its events name it.
pub(crate) struct Attempt<'a> {
    /// The call's method.
    pub method: &'a str,
    /// The call's path (its first URL's, no query).
    pub path: &'a str,
    /// The attempt's number, 0 for the first.
    pub number: u32,
    /// When the attempt started.
    pub started: Instant,
}

/// The retry decision for `attempt`, which failed with `error` (see [`retry_wait`]),
/// with its event: `retry` when the client retries after the returned wait, else the
/// call's final `response`. Shared by every call and by downloads.
pub(crate) fn retry_or_end(
    config: &Config,
    policy: &crate::retry::RetryPolicy,
    error: &Error,
    has_idempotency_key: bool,
    attempt: &Attempt<'_>,
    deadline: Instant,
) -> Option<Duration> {
    let (method, path, number) = (attempt.method, attempt.path, attempt.number);
    let wait = retry_wait(policy, error, method, has_idempotency_key, number, deadline);
    match wait {
        Some(wait) => config.emit_retry(method, path, number, wait, error),
        None => config.emit_attempt(method, path, number, attempt.started, Err(error)),
    }
    wait
}

/// How long to wait before retrying attempt `attempt` that failed with `error`, or
/// `None` when the call must fail: no retries left, a never-wait policy, an error the
/// policy does not retry, or a wait that would end past `deadline`.
fn retry_wait(
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
