//! Retries, deadlines and rate-limit pacing against the emulator's faults.

mod common;

use common::{Emulator, OAUTH_TOKEN, client};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zdkit::log::{LogLevel, LogSink};
use zdkit::{ErrorKind, Request};

fn status_fault(
    emulator: &Emulator,
    method: &str,
    prefix: &str,
    status: u16,
    headers: serde_json::Value,
    times: u32,
) {
    emulator.fault(
        json!({"method": method, "path_prefix": prefix, "times": times,
        "fault": {"kind": "status", "status": status, "headers": headers,
                  "body": "Too many requests", "content_type": "text/plain"}}),
    );
}

#[test]
fn retry_after_on_429_is_honoured() {
    let emulator = Emulator::start(&[]);
    status_fault(
        &emulator,
        "GET",
        "/api/v2/users/me",
        429,
        json!({"Retry-After": "1"}),
        1,
    );
    let started = Instant::now();
    let me = client(emulator.oauth_builder())
        .get("/api/v2/users/me.json")
        .unwrap();
    assert_eq!(me.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited Retry-After"
    );
    assert_eq!(emulator.requests_to("/api/v2/users/me").len(), 2);
}

#[test]
fn missing_retry_after_falls_back_to_ratelimit_reset_then_backoff() {
    let emulator = Emulator::start(&[]);
    status_fault(
        &emulator,
        "GET",
        "/api/v2/users/me",
        429,
        json!({"ratelimit-reset": "1"}),
        1,
    );
    let started = Instant::now();
    client(emulator.oauth_builder())
        .get("/api/v2/users/me.json")
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950));
    status_fault(&emulator, "GET", "/api/v2/users/me", 429, json!({}), 2);
    let started = Instant::now();
    client(emulator.oauth_builder())
        .get("/api/v2/users/me.json")
        .unwrap();
    // Back-off: [0.25, 0.5] s then [0.5, 1] s.
    assert!(
        started.elapsed() >= Duration::from_millis(700),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_429_is_retried_even_for_post() {
    let emulator = Emulator::start(&[]);
    status_fault(
        &emulator,
        "POST",
        "/api/v2/users",
        429,
        json!({"Retry-After": "1"}),
        1,
    );
    let body = json!({"user": {"name": "Retry Me", "email": "retry@example.com"}});
    let created = client(emulator.oauth_builder())
        .send(&Request::post("/api/v2/users.json").json(&body))
        .unwrap();
    assert_eq!(created.status, 201);
}

#[test]
fn a_503_with_retry_after_is_retried() {
    let emulator = Emulator::start(&[]);
    status_fault(
        &emulator,
        "POST",
        "/api/v2/users",
        503,
        json!({"Retry-After": "1"}),
        1,
    );
    let body = json!({"user": {"name": "Busy", "email": "busy@example.com"}});
    assert!(
        client(emulator.oauth_builder())
            .send(&Request::post("/api/v2/users.json").json(&body))
            .is_ok()
    );
}

#[test]
fn a_500_is_retried_on_get_but_not_on_a_post_without_a_key() {
    let emulator = Emulator::start(&[]);
    status_fault(&emulator, "GET", "/api/v2/users/me", 500, json!({}), 1);
    assert!(
        client(emulator.oauth_builder())
            .get("/api/v2/users/me.json")
            .is_ok()
    );
    status_fault(&emulator, "POST", "/api/v2/users", 500, json!({}), 1);
    let body = json!({"user": {"name": "Once", "email": "once@example.com"}});
    let err = client(emulator.oauth_builder())
        .send(&Request::post("/api/v2/users.json").json(&body))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    let posts: Vec<_> = emulator
        .requests_to("/api/v2/users")
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert_eq!(posts.len(), 1, "a POST without a key is never repeated");
    status_fault(&emulator, "POST", "/api/v2/users", 500, json!({}), 1);
    let keyed = Request::post("/api/v2/users.json")
        .json(&body)
        .header("Idempotency-Key", "k-1");
    assert!(
        client(emulator.oauth_builder()).send(&keyed).is_ok(),
        "a keyed POST is retried"
    );
}

#[test]
fn a_cut_connection_during_ticket_create_creates_exactly_one_ticket() {
    let emulator = Emulator::start(&["--tickets", "10"]);
    emulator.fault(json!({"method": "POST", "path_prefix": "/api/v2/tickets", "times": 1, "fault": {"kind": "truncate"}}));
    let subject = "exactly-once-7c1";
    let body = json!({"ticket": {"subject": subject, "comment": {"body": "x"}}});
    let created = client(emulator.oauth_builder())
        .send(&Request::post("/api/v2/tickets.json").json(&body))
        .unwrap();
    assert_eq!(created.headers.get("x-idempotency-lookup"), Some("hit"));
    let posts: Vec<_> = emulator
        .requests_to("/api/v2/tickets")
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert_eq!(posts.len(), 2, "the create was sent twice");
    let key =
        |r: &serde_json::Value| common::logged_header(r, "idempotency-key").map(str::to_owned);
    assert!(key(&posts[0]).is_some());
    assert_eq!(
        key(&posts[0]),
        key(&posts[1]),
        "with the same automatic key"
    );
    let all = client(emulator.oauth_builder())
        .get("/api/v2/tickets.json?page[size]=100")
        .unwrap()
        .json()
        .unwrap();
    let same: Vec<_> = all["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["subject"] == subject)
        .collect();
    assert_eq!(same.len(), 1, "exactly one ticket exists");
}

#[test]
fn the_deadline_bounds_the_total_time() {
    let emulator = Emulator::start(&[]);
    status_fault(
        &emulator,
        "GET",
        "/api/v2/users/me",
        429,
        json!({"Retry-After": "30"}),
        1,
    );
    let started = Instant::now();
    let err = client(emulator.oauth_builder().deadline(Duration::from_secs(2)))
        .get("/api/v2/users/me.json")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a wait past the deadline is not started"
    );
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 2, "fault": {"kind": "delay", "ms": 3000}}));
    let started = Instant::now();
    let err = client(
        emulator
            .oauth_builder()
            .deadline(Duration::from_secs(2))
            .timeout(Duration::from_secs(60)),
    )
    .get("/api/v2/users/me.json")
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(2600),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn never_wait_mode_returns_the_rate_limit_error_at_once() {
    let emulator = Emulator::start(&[]);
    status_fault(
        &emulator,
        "GET",
        "/api/v2/users/me",
        429,
        json!({"Retry-After": "5"}),
        1,
    );
    let started = Instant::now();
    let err = client(emulator.oauth_builder().never_wait(true))
        .get("/api/v2/users/me.json")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(5)));
    assert!(started.elapsed() < Duration::from_millis(500));
    assert_eq!(emulator.requests_to("/api/v2/users/me").len(), 1);
}

#[test]
fn retries_are_logged_without_secrets() {
    let emulator = Emulator::start(&[]);
    status_fault(
        &emulator,
        "GET",
        "/api/v2/users/me",
        503,
        json!({"Retry-After": "1"}),
        1,
    );
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let c = client(
        emulator
            .oauth_builder()
            .log_sink(LogSink::new(move |level, line| {
                sink.lock().unwrap().push((level, line.to_owned()))
            })),
    );
    c.get("/api/v2/users/me.json?secret=q").unwrap();
    let lines = lines.lock().unwrap();
    let retry = lines
        .iter()
        .find(|(l, _)| *l == LogLevel::Warn)
        .expect("a retry line");
    assert!(
        retry
            .1
            .contains("GET /api/v2/users/me.json: HTTP 503; retry 1 of 3 in 1.00 s"),
        "{}",
        retry.1
    );
    assert!(
        lines
            .iter()
            .all(|(_, l)| !l.contains(OAUTH_TOKEN) && !l.contains("secret=q"))
    );
}

#[test]
fn pacing_keeps_a_long_loop_under_the_limit_without_429s() {
    // 200 requests per 10 s window: 1,000 requests need at least 40 s at the limit.
    let emulator = Emulator::start(&["--rate-limit", "200/10"]);
    let c = client(emulator.oauth_builder().max_retries(0));
    let started = Instant::now();
    for i in 0..1000 {
        if let Err(e) = c.get("/api/v2/users/me.json") {
            panic!("request {i} failed: {e}");
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rate = 1000.0 / elapsed;
    eprintln!("1000 paced requests in {elapsed:.1} s = {rate:.1}/s (limit 20/s)");
    // The first window starts full, so 1000 requests span at least 4 full windows.
    assert!(elapsed >= 40.0 - 0.5, "the limit was respected: {elapsed}");
    assert!(
        elapsed <= 50.0 / 0.9,
        "at least 90% of the allowed rate: {rate:.1}/s"
    );
}
