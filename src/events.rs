//! Event hooks: one structured [`Event`] per answer, retry, pacing wait and OAuth
//! token request, handed to the application's callback (metrics, tracing, progress
//! displays) without parsing log lines.
//!
//! An event never holds a secret or a query string: its path is the URL path alone,
//! and no header value other than the request id and the rate-limit numbers is read.
//! The client calls the sink from the thread that made the request, holding no lock
//! of its own, so a sink may block briefly (take the GIL, write to a queue); it must
//! be thread-safe and must not call back into the same client. Async calls give the
//! same events (they come from the same decisions, made in one place) on the
//! engine's thread (`token` on its token thread), where a sink must not block:
//! [`crate::on_engine_thread`] says when to hand the event to another thread.

use crate::error::Error;
use crate::response::Response;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What an [`Event`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// An attempt ended and the call ends with it: an answer (any status) or a
    /// transport failure (no status).
    Response,
    /// An attempt failed (an answer, whose status, request id and rate-limit numbers
    /// the event carries, or a transport failure) and the client retries after
    /// `duration`.
    Retry,
    /// The client waits `duration` before sending, to stay inside the rate limit the
    /// last answers announced (pacing).
    Wait,
    /// An OAuth token request to `/oauth/tokens` ended (minting or refreshing).
    Token,
}

impl EventKind {
    /// `"response"`, `"retry"`, `"wait"` or `"token"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Response => "response",
            EventKind::Retry => "retry",
            EventKind::Wait => "wait",
            EventKind::Token => "token",
        }
    }
}

/// One thing the client did. Fields that do not apply are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The request method, upper case.
    pub method: String,
    /// The URL path, never with its query string.
    pub path: String,
    /// The HTTP status (of the answer, or of the failed attempt for a retry); `None`
    /// for a transport failure (DNS, connect, timeout, cut connection) and for a wait.
    pub status: Option<u16>,
    /// Response and token: how long the attempt took. Retry and wait: how long the
    /// client waits.
    pub duration: Duration,
    /// The attempt number, 0 for the first try: for a retry, the attempt that failed;
    /// for a wait, the attempt about to be sent.
    pub attempt: u32,
    /// Zendesk's request id of the answer, when it sent one.
    pub request_id: Option<String>,
    /// The `Retry-After` the server asked for, when it did.
    pub retry_after: Option<Duration>,
    /// Account requests left in the rate-limit window, from the answer's headers.
    pub rate_limit_remaining: Option<u64>,
    /// Account requests allowed per window, from the answer's headers.
    pub rate_limit_limit: Option<u64>,
}

impl Event {
    /// An event of `kind` for `method` and `path` with every optional field empty.
    fn new(kind: EventKind, method: &str, path: &str, attempt: u32, duration: Duration) -> Event {
        Event {
            kind,
            method: method.to_owned(),
            path: path_only(path).to_owned(),
            status: None,
            duration,
            attempt,
            request_id: None,
            retry_after: None,
            rate_limit_remaining: None,
            rate_limit_limit: None,
        }
    }

    /// Fills the fields read from an answer.
    fn with_response(mut self, response: &Response) -> Event {
        let rate = response.rate_limit();
        self.status = Some(response.status);
        self.request_id = response.request_id().map(str::to_owned);
        self.rate_limit_remaining = rate.remaining;
        self.rate_limit_limit = rate.limit;
        self.retry_after = response
            .headers
            .get("retry-after")
            .and_then(crate::ratelimit::parse_retry_after);
        self
    }

    /// Fills the fields read from a failure (its answer, when it has one).
    fn with_error(self, error: &Error) -> Event {
        let mut event = match error.response() {
            Some(response) => self.with_response(response),
            None => self,
        };
        event.status = event.status.or(error.status());
        event.retry_after = error.retry_after().or(event.retry_after);
        event
    }
}

/// A path without its query string or fragment (defence in depth: the client only
/// ever passes paths).
fn path_only(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or("")
}

/// A function that receives events (see the module documentation for its rules).
#[derive(Clone)]
pub struct EventSink(Arc<dyn Fn(&Event) + Send + Sync>);

impl EventSink {
    /// Wraps a function as an event sink.
    pub fn new(sink: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        EventSink(Arc::new(sink))
    }

    /// Hands one event to the sink. A panic in the sink is caught (printing
    /// nothing) and dropped: an observer never breaks the request it observes.
    pub fn emit(&self, event: &Event) {
        let _ = crate::panic::catch(|| (self.0)(event));
    }
}

impl fmt::Debug for EventSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EventSink(..)")
    }
}

/// The client's side: builds events only when a sink is configured.
pub(crate) trait Emit {
    /// The configured sink, if any.
    fn event_sink(&self) -> Option<&EventSink>;

    /// An attempt of `method path` started at `started` ended with `outcome`.
    fn emit_attempt(
        &self,
        method: &str,
        path: &str,
        attempt: u32,
        started: Instant,
        outcome: Result<&Response, &Error>,
    ) {
        self.emit_outcome(EventKind::Response, method, path, attempt, started, outcome);
    }

    /// A token request started at `started` ended with `outcome`.
    fn emit_token(&self, path: &str, started: Instant, outcome: Result<&Response, &Error>) {
        self.emit_outcome(EventKind::Token, "POST", path, 0, started, outcome);
    }

    /// Attempt `attempt` failed with `error`; the next comes after `wait`.
    fn emit_retry(&self, method: &str, path: &str, attempt: u32, wait: Duration, error: &Error) {
        if let Some(sink) = self.event_sink() {
            sink.emit(&Event::new(EventKind::Retry, method, path, attempt, wait).with_error(error));
        }
    }

    /// The client paces: it waits `wait` before sending attempt `attempt`.
    fn emit_wait(&self, method: &str, path: &str, attempt: u32, wait: Duration) {
        if let Some(sink) = self.event_sink() {
            sink.emit(&Event::new(EventKind::Wait, method, path, attempt, wait));
        }
    }

    /// A response or token event for an outcome.
    fn emit_outcome(
        &self,
        kind: EventKind,
        method: &str,
        path: &str,
        attempt: u32,
        started: Instant,
        outcome: Result<&Response, &Error>,
    ) {
        let Some(sink) = self.event_sink() else {
            return;
        };
        let event = Event::new(kind, method, path, attempt, started.elapsed());
        let event = match outcome {
            Ok(response) => event.with_response(response),
            Err(error) => event.with_error(error),
        };
        sink.emit(&event);
    }
}

impl Emit for crate::config::Config {
    fn event_sink(&self) -> Option<&EventSink> {
        self.events.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::tests::response_with;
    use std::sync::Mutex;

    struct Sink(Option<EventSink>);
    impl Emit for Sink {
        fn event_sink(&self) -> Option<&EventSink> {
            self.0.as_ref()
        }
    }

    #[test]
    fn events_carry_the_answer_fields_and_never_a_query() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let store = seen.clone();
        let sink = Sink(Some(EventSink::new(move |e: &Event| {
            store.lock().unwrap().push(e.clone())
        })));
        let mut answer = response_with(&[
            ("X-Zendesk-Request-Id", "req-1"),
            ("X-Rate-Limit", "700"),
            ("X-Rate-Limit-Remaining", "12"),
            ("Retry-After", "7"),
        ]);
        answer.status = 429;
        let error = Error::from_response(answer.clone());
        sink.emit_attempt(
            "GET",
            "/api/v2/tickets?email=secret@x",
            1,
            Instant::now(),
            Err(&error),
        );
        sink.emit_retry("GET", "/api/v2/tickets", 1, Duration::from_secs(7), &error);
        let events = seen.lock().unwrap();
        assert_eq!(events[0].kind, EventKind::Response);
        assert_eq!(events[0].path, "/api/v2/tickets");
        assert_eq!(events[0].status, Some(429));
        assert_eq!(events[0].request_id.as_deref(), Some("req-1"));
        assert_eq!(events[0].rate_limit_remaining, Some(12));
        assert_eq!(events[0].rate_limit_limit, Some(700));
        assert_eq!(events[0].retry_after, Some(Duration::from_secs(7)));
        assert_eq!(events[1].kind, EventKind::Retry);
        assert_eq!(events[1].duration, Duration::from_secs(7));
    }

    #[test]
    fn a_panicking_sink_is_contained_and_no_sink_costs_nothing() {
        let sink = Sink(Some(EventSink::new(|_| panic!("observer bug"))));
        sink.emit_wait("GET", "/x", 0, Duration::from_secs(1));
        Sink(None).emit_wait("GET", "/x", 0, Duration::from_secs(1));
    }
}
