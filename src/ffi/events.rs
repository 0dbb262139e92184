//! Events from C: the event struct and the callback type (the setter,
//! `zdk_config_set_event_callback`, sits with the other setters in `config.rs`).

use super::last_error::to_cstring;
use crate::events::{Event, EventKind, EventSink};
use std::ffi::{c_char, c_void};

/// What a `zdk_event` reports.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum zdk_event_kind {
    /// An attempt ended and the call ends with it: an answer (any status) or a
    /// transport failure (status 0).
    ZDK_EVENT_RESPONSE = 1,
    /// An attempt failed (its status, request id and rate-limit numbers are in the
    /// event; status 0 for a transport failure); the client retries after `duration_s`.
    ZDK_EVENT_RETRY = 2,
    /// The client waits `duration_s` before sending, to stay inside the rate limit the
    /// last answers announced (pacing).
    ZDK_EVENT_WAIT = 3,
    /// An OAuth token request (`POST /oauth/tokens`) ended.
    ZDK_EVENT_TOKEN = 4,
}

/// One thing a client did, handed to a `zdk_event_callback`. Every pointer in it is
/// borrowed for the duration of the callback only (copy what you keep). It never
/// holds a secret or a query string.
#[repr(C)]
#[derive(Debug)]
pub struct zdk_event {
    /// `sizeof(zdk_event)` of the library that made it: fields are only ever added at
    /// the end, so a program built against an older header reads the fields it knows.
    pub size: usize,
    /// What happened.
    pub kind: zdk_event_kind,
    /// The request method, upper case (NUL-terminated UTF-8).
    pub method: *const c_char,
    /// The URL path, without the query string (NUL-terminated UTF-8).
    pub path: *const c_char,
    /// The HTTP status of the answer (for a retry: of the failed attempt); 0 for a
    /// transport failure (DNS, connect, timeout, cut connection) and for a wait.
    pub status: u16,
    /// The attempt number, 0 for the first try (retry: the attempt that failed; wait:
    /// the attempt about to be sent).
    pub attempt: u32,
    /// Response and token: how long the attempt took. Retry and wait: how long the
    /// client waits. In seconds.
    pub duration_s: f64,
    /// Zendesk's request id of the answer, or NULL.
    pub request_id: *const c_char,
    /// The `Retry-After` the server asked for, in seconds; -1 when it sent none.
    pub retry_after_s: f64,
    /// Account requests left in the rate-limit window; -1 when the answer did not say.
    pub rate_limit_remaining: i64,
    /// Account requests allowed per window; -1 when the answer did not say.
    pub rate_limit_limit: i64,
}

/// Receives events (see `zdk_config_set_event_callback`). `event` is borrowed for
/// the duration of the call only.
pub type zdk_event_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, event: *const zdk_event)>;

/// A C callback and its userdata; the caller promises both may be used from any thread.
struct CallbackTarget {
    callback: unsafe extern "C" fn(*mut c_void, *const zdk_event),
    userdata: *mut c_void,
}

// SAFETY: zdk_config_set_event_callback documents that the callback and userdata must
// be usable from any thread; zdkit only passes the pointer back.
unsafe impl Send for CallbackTarget {}
// SAFETY: as above.
unsafe impl Sync for CallbackTarget {}

fn optional_number(value: Option<u64>) -> i64 {
    value.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

impl CallbackTarget {
    fn call(&self, event: &Event) {
        let method = to_cstring(&event.method);
        let path = to_cstring(&event.path);
        let request_id = event.request_id.as_deref().map(to_cstring);
        let c_event = zdk_event {
            size: std::mem::size_of::<zdk_event>(),
            kind: match event.kind {
                EventKind::Response => zdk_event_kind::ZDK_EVENT_RESPONSE,
                EventKind::Retry => zdk_event_kind::ZDK_EVENT_RETRY,
                EventKind::Wait => zdk_event_kind::ZDK_EVENT_WAIT,
                EventKind::Token => zdk_event_kind::ZDK_EVENT_TOKEN,
            },
            method: method.as_ptr(),
            path: path.as_ptr(),
            status: event.status.unwrap_or(0),
            attempt: event.attempt,
            duration_s: event.duration.as_secs_f64(),
            request_id: request_id
                .as_ref()
                .map_or(std::ptr::null(), |id| id.as_ptr()),
            retry_after_s: event.retry_after.map_or(-1.0, |d| d.as_secs_f64()),
            rate_limit_remaining: optional_number(event.rate_limit_remaining),
            rate_limit_limit: optional_number(event.rate_limit_limit),
        };
        // SAFETY: the application registered this function and userdata; the event
        // and its strings live until the call returns.
        unsafe { (self.callback)(self.userdata, &c_event) };
    }
}

/// The core's event sink for a C callback and its userdata (NULL `callback`: none).
pub(super) fn sink(callback: zdk_event_callback, userdata: *mut c_void) -> Option<EventSink> {
    callback.map(|callback| {
        let target = CallbackTarget { callback, userdata };
        EventSink::new(move |event| target.call(event))
    })
}
