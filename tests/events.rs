//! Event hooks against the emulator, in Rust: a retried 429 gives `retry` then
//! `response`, for a blocking and an async call alike; pacing gives `wait` events; a query-string canary never reaches an
//! event; a panicking sink does not break the call.

mod common;

use common::Emulator;
use serde_json::json;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use zdkit::Request;
use zdkit::events::{Event, EventKind, EventSink};

const CANARY: &str = "canary-events-rs-0c4e";

fn recorder() -> (EventSink, Arc<Mutex<Vec<Event>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let store = seen.clone();
    let sink = EventSink::new(move |event: &Event| store.lock().unwrap().push(event.clone()));
    (sink, seen)
}

fn text(event: &Event) -> String {
    format!("{event:?}")
}

/// An emulator whose first `GET /api/v2/users/me` answers 429 with `Retry-After: 1`.
fn emulator_with_one_429() -> Emulator {
    let emulator = Emulator::start(&["--rate-limit", "1000/60"]);
    emulator.fault(json!({
        "method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
        "fault": {"kind": "status", "status": 429, "headers": {"Retry-After": "1"},
                  "body": "Too many requests", "content_type": "text/plain"}
    }));
    emulator
}

fn me_with_canary() -> Request {
    Request::get("/api/v2/users/me.json").query("canary", CANARY)
}

/// The events of a call whose first attempt got the 429: `retry`, then `response`.
fn assert_retry_then_response(events: &[Event]) {
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Retry, EventKind::Response]);
    let (retry, response) = (&events[0], &events[1]);
    assert_eq!((retry.status, retry.attempt), (Some(429), 0));
    assert_eq!(retry.retry_after, Some(Duration::from_secs(1)));
    assert!(retry.duration >= Duration::from_secs(1) && retry.request_id.is_some());
    assert_eq!((response.status, response.attempt), (Some(200), 1));
    assert!(response.request_id.is_some() && response.retry_after.is_none());
    assert_eq!(response.rate_limit_limit, Some(1000));
    assert!(response.rate_limit_remaining.is_some());
    for event in events {
        assert_eq!(event.path, "/api/v2/users/me.json");
        assert!(!text(event).contains(CANARY) && !text(event).contains(common::OAUTH_TOKEN));
    }
}

#[test]
fn a_retried_429_gives_retry_then_response() {
    let emulator = emulator_with_one_429();
    let (sink, seen) = recorder();
    let client = common::client(emulator.oauth_builder().max_retries(2).event_sink(sink));
    let response = client
        .send(&me_with_canary())
        .expect("answered after the retry");
    assert_eq!(response.status, 200);
    assert_retry_then_response(&seen.lock().unwrap());
}

#[test]
fn an_async_retried_429_gives_the_same_events() {
    let emulator = emulator_with_one_429();
    let (sink, seen) = recorder();
    let client = common::client(emulator.oauth_builder().max_retries(2).event_sink(sink));
    let (tx, rx) = mpsc::channel();
    client
        .send_async(me_with_canary(), move |result| {
            let _ = tx.send(result);
        })
        .expect("send_async");
    let response = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the completion ran within 30 s")
        .expect("answered after the retry");
    assert_eq!(response.status, 200);
    assert_retry_then_response(&seen.lock().unwrap());
}

#[test]
fn pacing_waits_are_events() {
    // 3 requests per 2 s: the governor spaces the last ones out, then waits for the reset.
    let emulator = Emulator::start(&["--rate-limit", "3/2"]);
    let (sink, seen) = recorder();
    let client = common::client(emulator.oauth_builder().max_retries(2).event_sink(sink));
    for _ in 0..4 {
        client
            .send(&Request::get("/api/v2/tickets.json"))
            .expect("paced, never refused");
    }
    let events = seen.lock().unwrap();
    let waits: Vec<&Event> = events
        .iter()
        .filter(|e| e.kind == EventKind::Wait)
        .collect();
    assert!(!waits.is_empty(), "{events:?}");
    for wait in waits {
        assert!(wait.duration > Duration::ZERO && wait.status.is_none());
        assert_eq!(
            (wait.method.as_str(), wait.path.as_str()),
            ("GET", "/api/v2/tickets.json")
        );
    }
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind == EventKind::Response)
            .count(),
        4
    );
}

#[test]
fn a_panicking_sink_does_not_break_the_call() {
    let emulator = Emulator::start(&[]);
    let sink = EventSink::new(|_| panic!("observer bug"));
    let client = common::client(emulator.oauth_builder().event_sink(sink));
    let response = client
        .send(&Request::get("/api/v2/users/me.json"))
        .expect("answered");
    assert_eq!(response.status, 200);
}
