//! One call's decisions, as a state machine both senders drive: the blocking loop of
//! [`Client::send`] and the async engine ([`crate::multi`]).
//!
//! The machine never sleeps, authorizes or transfers by itself; it says what comes
//! next ([`Step`]) and takes the outcome back:
//!
//! - [`Step::Wait`]: wait (rate-limit pacing or a retry back-off), then
//!   [`Call::after_wait`]. The blocking loop sleeps; the async engine sets a timer.
//! - [`Step::Send`]: get the `Authorization` value, send [`Call::transfer`], then
//!   [`Call::on_transfer`] (or [`Call::on_failure`] when no transfer could start).
//! - [`Step::Done`]: the call's result.
//!
//! So pacing, retries (what, how often, how long, within the deadline), redirects on
//! the client's origin, the 401 credential refresh and the automatic
//! `Idempotency-Key` are decided in one place for every way of sending, and so are
//! the events of those decisions (`wait` for pacing, `retry` before a back-off,
//! `response` when the call ends): blocking and async calls report the same.

use crate::client::{Attempt, Client, deadline_after, retry_or_end, transfer_timeout};
use crate::error::{Error, ErrorKind, Result};
use crate::events::Emit;
use crate::log::LogLevel;
use crate::redirect::MAX_REDIRECTS;
use crate::request::Request;
use crate::response::Response;
use crate::retry::{RetryPolicy, new_idempotency_key};
use crate::secret::Secret;
use crate::transport::{CancelCheck, RawResponse, Transfer};
use std::borrow::Cow;
use std::time::{Duration, Instant};
use url::Url;

/// What the sender does next.
#[derive(Debug)]
pub(crate) enum Step {
    /// Wait this long, then call [`Call::after_wait`].
    Wait(Duration),
    /// Authorize and send [`Call::transfer`], then call [`Call::on_transfer`].
    Send,
    /// The call is over.
    Done(Result<Response>),
}

/// What a [`Step::Wait`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// Pacing before an attempt: the attempt follows.
    Pacing,
    /// A back-off before a retry: the next attempt (with its own pacing) follows.
    Backoff,
}

/// The state of one call.
pub(crate) struct Call<'r> {
    request: Cow<'r, Request>,
    policy: RetryPolicy,
    deadline: Instant,
    first_url: Url,
    /// The path of the first URL (the rate-limit bucket and the log's name).
    path: String,
    has_key: bool,
    attempt: u32,
    /// When the current attempt started (after its pacing wait).
    started: Instant,
    waiting: Waiting,
    /// The current hop of the current attempt.
    method: String,
    url: Url,
    with_body: bool,
    redirects: usize,
    retried_unauthorized: bool,
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

impl<'r> Call<'r> {
    /// Validates `request` and prepares its call on `client`: the deadline starts
    /// now.
    pub(crate) fn new(client: &Client, request: Cow<'r, Request>) -> Result<Call<'r>> {
        request.validate()?;
        let policy = request.retry.unwrap_or(client.config().retry);
        let deadline = deadline_after(policy.deadline);
        let mut request = request;
        if request.cancel.is_none() && client.cancel_check().is_some() {
            request.to_mut().cancel = client.cancel_check().cloned();
        }
        let first_url = client.resolve_url(&request.target, &request.query)?;
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
        Ok(Call {
            method: request.method.clone(),
            url: first_url.clone(),
            request,
            policy,
            deadline,
            first_url,
            path,
            has_key,
            attempt: 0,
            started: Instant::now(),
            waiting: Waiting::Pacing,
            with_body: true,
            redirects: 0,
            retried_unauthorized: false,
        })
    }

    /// The first step.
    pub(crate) fn start(&mut self, client: &Client) -> Step {
        self.begin_attempt(client)
    }

    /// The instant the whole call must be over by.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The request's cancel check, if any.
    pub(crate) fn cancel(&self) -> Option<&CancelCheck> {
        self.request.cancel.as_ref()
    }

    /// Adds the call's method and path to an error that ends it.
    pub(crate) fn framed(&self, error: Error) -> Error {
        error.with_request(&self.request.method, &self.path)
    }

    /// The step after a [`Step::Wait`] has elapsed.
    pub(crate) fn after_wait(&mut self, client: &Client) -> Step {
        match self.waiting {
            Waiting::Pacing => self.first_hop(),
            Waiting::Backoff => self.begin_attempt(client),
        }
    }

    /// Pacing, then the first hop of an attempt. Pacing delays but never refuses: a
    /// wait that would pass the deadline is skipped and the request is sent, so only
    /// a real 429 from the server becomes a rate-limit error.
    fn begin_attempt(&mut self, client: &Client) -> Step {
        if client.config().pacing && !self.policy.never_wait {
            let wait = client.pacing_wait(&self.request.method, &self.path, self.deadline);
            if !wait.is_zero() {
                client
                    .config()
                    .emit_wait(&self.request.method, &self.path, self.attempt, wait);
                self.waiting = Waiting::Pacing;
                return Step::Wait(wait);
            }
        }
        self.first_hop()
    }

    fn first_hop(&mut self) -> Step {
        if self.deadline <= Instant::now() {
            return Step::Done(Err(
                self.framed(Error::new(ErrorKind::Timeout, "the call's deadline passed"))
            ));
        }
        self.method = self.request.method.clone();
        self.url = self.first_url.clone();
        self.with_body = true;
        self.redirects = 0;
        self.retried_unauthorized = false;
        self.started = Instant::now();
        Step::Send
    }

    /// The transfer of the current hop, carrying `authorization`. A call whose
    /// deadline passed (minting a token may have used the time) gets a timeout error,
    /// to hand to [`Call::on_failure`].
    pub(crate) fn transfer<'a>(
        &'a self,
        client: &Client,
        authorization: &'a Secret,
    ) -> Result<Transfer<'a>> {
        let limit = self.request.timeout.unwrap_or(client.config().timeout);
        let timeout = transfer_timeout(self.deadline, limit, &self.method, self.url.path())?;
        Ok(Transfer {
            method: &self.method,
            url: &self.url,
            authorization: Some(authorization),
            headers: &self.request.headers,
            body: self
                .request
                .body
                .as_ref()
                .filter(|_| self.with_body)
                .map(|(content_type, body)| (content_type.as_str(), body)),
            timeout,
            cancel: self.request.cancel.clone(),
            sensitive: false,
        })
    }

    /// Adds the current hop's method and path to an error of that hop (no
    /// `Authorization` value could be had, say), for [`Call::on_failure`].
    pub(crate) fn hop_error(&self, error: Error) -> Error {
        error.with_request(&self.method, self.url.path())
    }

    /// The step after the transfer of the current hop, which carried
    /// `sent_authorization`: a redirect on the client's origin or a 401 with a fresh
    /// credential send again; an answer ends the attempt.
    pub(crate) fn on_transfer(
        &mut self,
        client: &Client,
        outcome: Result<RawResponse>,
        sent_authorization: &Secret,
    ) -> Step {
        let response = match client.finish_transfer(&self.method, &self.url, outcome) {
            Ok(response) => response,
            Err(error) => return self.on_failure(client, error),
        };
        match crate::redirect::next_hop(&response, &self.url, client.config().base_url()) {
            Err(error) => return self.on_failure(client, error),
            Ok(Some(next)) => {
                self.redirects += 1;
                if self.redirects > MAX_REDIRECTS {
                    let error = Error::from_response(response);
                    let message =
                        format!("more than {MAX_REDIRECTS} redirects: {}", error.message());
                    return self.on_failure(client, error.reframed(ErrorKind::Http, message));
                }
                if response.status == 303 {
                    self.method = "GET".to_owned();
                    self.with_body = false;
                }
                self.url = next;
                return Step::Send;
            }
            Ok(None) => {}
        }
        if response.status == 401 && !self.retried_unauthorized {
            self.retried_unauthorized = true;
            if client
                .config()
                .credentials()
                .on_unauthorized(sent_authorization)
            {
                client.log(
                    LogLevel::Info,
                    &format!(
                        "{} {}: 401, renewing the credential and replaying once",
                        self.method,
                        self.url.path()
                    ),
                );
                return Step::Send;
            }
        }
        if response.is_success() {
            client.observe(&response);
            client.config().emit_attempt(
                &self.request.method,
                &self.path,
                self.attempt,
                self.started,
                Ok(&response),
            );
            return Step::Done(Ok(response));
        }
        self.on_failure(client, Error::from_response(response))
    }

    /// The step after an attempt failed with `error`: a back-off before the next
    /// attempt when the policy retries it within the deadline, else the error.
    pub(crate) fn on_failure(&mut self, client: &Client, error: Error) -> Step {
        if let Some(response) = error.response() {
            client.observe(response);
        }
        let attempt = Attempt {
            method: &self.request.method,
            path: &self.path,
            number: self.attempt,
            started: self.started,
        };
        // The error keeps the server's own Retry-After, if it sent one; zdkit never
        // reports a wait it did not ask for.
        let Some(wait) = retry_or_end(
            client.config(),
            &self.policy,
            &error,
            self.has_key,
            &attempt,
            self.deadline,
        ) else {
            return Step::Done(Err(error));
        };
        let policy = &self.policy;
        self.attempt += 1;
        let what = error
            .status()
            .map_or_else(|| error.kind().as_str().to_owned(), |s| format!("HTTP {s}"));
        client.log(
            LogLevel::Warn,
            &format!(
                "{} {}: {what}; retry {} of {} in {:.2} s",
                self.request.method,
                self.path,
                self.attempt,
                policy.max_retries,
                wait.as_secs_f64()
            ),
        );
        self.waiting = Waiting::Backoff;
        Step::Wait(wait)
    }
}
