//! Hardening against the emulator: bounded answers, pacing that never refuses, only
//! transient failures retried, no environment proxy for loopback, fork safety, and an
//! OAuth single flight bounded by the call's deadline and safe from hostile answers.

mod common;

use common::{Emulator, OAUTH_TOKEN, client};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zdkit::log::{LogLevel, LogSink};
use zdkit::{Client, Config, ConfigBuilder, ErrorKind};

/// Log lines of a client, for checks on what it did.
fn collecting_sink() -> (LogSink, Arc<Mutex<Vec<String>>>) {
    let lines: Arc<Mutex<Vec<String>>> = Arc::default();
    let kept = lines.clone();
    let sink = LogSink::new(move |_level: LogLevel, line: &str| {
        kept.lock().unwrap().push(line.to_owned());
    });
    (sink, lines)
}

#[test]
fn an_answer_over_max_response_bytes_is_refused() {
    let emulator = Emulator::start(&["--tickets", "200"]);
    let small = client(emulator.oauth_builder().max_response_bytes(10_000));
    let error = small
        .get("/api/v2/tickets.json?page[size]=100")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error}");
    assert!(error.message().contains("10000"), "{error}");
    // The same page fits the default limit.
    let page = client(emulator.oauth_builder())
        .get("/api/v2/tickets.json?page[size]=100")
        .unwrap();
    assert!(page.body.len() > 10_000);
    assert!(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_token(OAUTH_TOKEN)
            .max_response_bytes(0)
            .build()
            .is_err()
    );
}

#[test]
fn out_of_range_durations_are_configuration_errors() {
    for (timeout, deadline) in [
        (Duration::from_secs(u64::MAX), Duration::from_secs(10)),
        (Duration::from_secs(10), Duration::MAX),
        (Duration::ZERO, Duration::from_secs(10)),
    ] {
        let error = Config::builder()
            .subdomain("acme")
            .oauth_token("t")
            .timeout(timeout)
            .deadline(deadline)
            .build()
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
    }
}

#[test]
fn a_day_long_rate_limit_reset_delays_nothing_past_the_deadline() {
    let emulator = Emulator::start(&[]);
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
        "fault": {"kind": "status", "status": 200, "body": "{\"user\":{}}",
                  "headers": {"ratelimit-limit": "700", "ratelimit-remaining": "0",
                              "ratelimit-reset": "86400"}}}),
    );
    let client = client(emulator.oauth_builder().deadline(Duration::from_secs(5)));
    client.get("/api/v2/users/me.json").unwrap();
    let started = Instant::now();
    for _ in 0..3 {
        // Pacing delays but never refuses: the calls reach the server.
        client.get("/api/v2/users/me.json").unwrap();
    }
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(emulator.requests_to("/api/v2/users/me").len(), 4);
}

#[test]
fn absurd_retry_after_fails_at_once_with_a_finite_hint() {
    let emulator = Emulator::start(&[]);
    for value in ["1e300", "18446744073709551615"] {
        emulator.fault(
            json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
            "fault": {"kind": "status", "status": 429, "body": "slow down",
                      "headers": {"Retry-After": value}}}),
        );
        let started = Instant::now();
        let error = client(emulator.oauth_builder())
            .get("/api/v2/users/me.json")
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::RateLimited, "{error}");
        assert_eq!(error.retry_after(), Some(zdkit::ratelimit::MAX_RETRY_AFTER));
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let emulator = Emulator::start(&[]);
    let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
        "fault": {"kind": "status", "status": 429, "body": "slow down",
                  "headers": {"Retry-After": when}}}),
    );
    let started = Instant::now();
    client(emulator.oauth_builder())
        .get("/api/v2/users/me.json")
        .unwrap();
    // The date has one-second resolution: at least one second passed.
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert_eq!(emulator.requests_to("/api/v2/users/me").len(), 2);
}

#[test]
fn a_timeout_reports_no_retry_after_it_never_waited() {
    let emulator = Emulator::start(&[]);
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 5,
        "fault": {"kind": "delay", "ms": 3000}}),
    );
    let error = client(
        emulator
            .oauth_builder()
            .timeout(Duration::from_millis(300))
            .deadline(Duration::from_secs(1)),
    )
    .get("/api/v2/users/me.json")
    .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    assert_eq!(error.retry_after(), None);
}

#[test]
fn a_tls_verification_failure_is_not_retried() {
    let emulator = Emulator::start(&["--tls"]);
    let (sink, lines) = collecting_sink();
    // No CA file: the emulator's certificate cannot be verified.
    let error = client(emulator.oauth_builder().max_retries(3).log_sink(sink))
        .get("/api/v2/users/me.json")
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    assert!(!error.is_transient());
    let retries = lines
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.contains("retry"))
        .count();
    assert_eq!(retries, 0, "{:?}", lines.lock().unwrap());
}

#[test]
fn a_refused_connection_is_retried() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let (sink, lines) = collecting_sink();
    let error = client(
        Config::builder()
            .base_url(format!("http://127.0.0.1:{port}"))
            .oauth_token(OAUTH_TOKEN)
            .max_retries(1)
            .log_sink(sink),
    )
    .get("/api/v2/users/me.json")
    .unwrap_err();
    assert!(error.is_transient(), "{error}");
    assert!(lines.lock().unwrap().iter().any(|l| l.contains("retry 1")));
    // The libcurl error stays reachable as the cause.
    let cause = std::error::Error::source(&error).expect("a cause");
    assert!(cause.downcast_ref::<curl::Error>().is_some(), "{cause:?}");
}

#[test]
fn a_relative_path_may_carry_a_url_in_its_query() {
    let emulator = Emulator::start(&[]);
    let response = client(emulator.oauth_builder())
        .get("/api/v2/users/me.json?return_to=https://example.com/x")
        .unwrap();
    assert_eq!(response.status, 200);
    let logged = emulator.requests_to("/api/v2/users/me");
    assert!(logged[0]["query"].as_str().unwrap().contains("return_to="));
}

#[test]
fn after_fork_parent_and_child_each_get_their_own_answers() {
    let emulator = Emulator::start(&["--tickets", "300"]);
    let client = client(emulator.oauth_builder().deadline(Duration::from_secs(20)));
    // Use the client first, so its pool holds open connections.
    for id in 1..=5 {
        client.get(&format!("/api/v2/tickets/{id}.json")).unwrap();
    }
    let check = |offset: u64| -> Result<(), String> {
        for n in 0..150u64 {
            let id = 1 + (n * 2 + offset) % 300;
            let body = client
                .get(&format!("/api/v2/tickets/{id}.json"))
                .map_err(|e| e.to_string())?
                .json()
                .map_err(|e| e.to_string())?;
            if body["ticket"]["id"] != json!(id) {
                return Err(format!("asked for {id}, got {}", body["ticket"]["id"]));
            }
        }
        Ok(())
    };
    // SAFETY: the child only runs the client and leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match check(1) {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("child: {message}");
                1
            }
        };
        unsafe { libc::_exit(code) };
    }
    let parent = check(0);
    let mut status = 0;
    // SAFETY: waits for the child started above.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    parent.unwrap();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "the child saw wrong answers (status {status})"
    );
}

#[test]
fn sixty_four_threads_share_one_client() {
    let emulator = Emulator::start(&["--tickets", "500"]);
    let client = client(emulator.oauth_builder());
    let workers: Vec<_> = (0..64u64)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                for n in 0..100u64 {
                    let id = 1 + (t * 100 + n) % 500;
                    let body = client
                        .get(&format!("/api/v2/tickets/{id}.json"))
                        .unwrap()
                        .json()
                        .unwrap();
                    assert_eq!(body["ticket"]["id"], json!(id));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
}

fn client_credentials(emulator: &Emulator) -> ConfigBuilder {
    Config::builder()
        .base_url(&emulator.url)
        .oauth_client_credentials("emulator-client", "emulator-client-secret", "read", 600)
}

#[test]
fn a_slow_token_endpoint_is_bounded_by_the_calls_deadline() {
    let emulator = Emulator::start(&[]);
    emulator.fault(
        json!({"method": "POST", "path_prefix": "/oauth/tokens", "times": 1,
        "fault": {"kind": "delay", "ms": 4000}}),
    );
    let client = client(client_credentials(&emulator).deadline(Duration::from_secs(1)));
    let started = Instant::now();
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || client.get("/api/v2/users/me.json").map(|_| ()))
        })
        .collect();
    for waiter in waiters {
        let error = waiter.join().unwrap().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    }
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{:?}",
        started.elapsed()
    );
    // Nothing is wedged: the next call mints a token and succeeds.
    std::thread::sleep(Duration::from_secs(3));
    client.get("/api/v2/users/me.json").unwrap();
}

#[test]
fn token_answers_with_line_breaks_or_absurd_lifetimes_are_handled() {
    let emulator = Emulator::start(&[]);
    let answer = |body: serde_json::Value| {
        json!({"method": "POST", "path_prefix": "/oauth/tokens", "times": 1,
            "fault": {"kind": "status", "status": 201, "body": body.to_string(),
                      "content_type": "application/json"}})
    };
    emulator.fault(answer(
        json!({"access_token": "abc\r\nX-Injected: 1", "token_type": "bearer", "expires_in": 600}),
    ));
    let client = client(client_credentials(&emulator));
    let error = client.get("/api/v2/users/me.json").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Authentication, "{error}");
    assert!(
        emulator.requests_to("/api/v2/users/me").is_empty(),
        "nothing is sent with an unsafe token"
    );
    for expires_in in [json!(1e300), json!(u64::MAX), json!(-5), json!("abc")] {
        emulator.fault(answer(json!({"access_token": "emulator-oauth-token",
            "token_type": "bearer", "expires_in": expires_in})));
        let fresh = Client::new(client_credentials(&emulator).build().unwrap()).unwrap();
        fresh.get("/api/v2/users/me.json").unwrap();
        // The clamped lifetime keeps working for the next calls.
        fresh.get("/api/v2/users/me.json").unwrap();
    }
    for garbage in ["<html>oops</html>", "[1,2]", "\u{0}\u{1}"] {
        emulator.fault(
            json!({"method": "POST", "path_prefix": "/oauth/tokens", "times": 1,
            "fault": {"kind": "status", "status": 200, "body": garbage}}),
        );
        let fresh = Client::new(client_credentials(&emulator).build().unwrap()).unwrap();
        let error = fresh.get("/api/v2/users/me.json").unwrap_err();
        assert_eq!(
            error.kind(),
            ErrorKind::Authentication,
            "{garbage}: {error}"
        );
    }
}

#[test]
fn a_request_timeout_overrides_the_clients() {
    let emulator = Emulator::start(&[]);
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 2,
        "fault": {"kind": "delay", "ms": 1500}}),
    );
    let short = client(
        emulator
            .oauth_builder()
            .timeout(Duration::from_millis(300))
            .max_retries(0),
    );
    let patient = zdkit::Request::get("/api/v2/users/me.json").timeout(Duration::from_secs(10));
    assert_eq!(short.send(&patient).unwrap().status, 200);
    let long = client(emulator.oauth_builder().max_retries(0));
    let hasty = zdkit::Request::get("/api/v2/users/me.json").timeout(Duration::from_millis(300));
    let error = long.send(&hasty).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
    let absurd = zdkit::Request::get("/api/v2/users/me.json").timeout(Duration::MAX);
    assert_eq!(
        long.send(&absurd).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}
