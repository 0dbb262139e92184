//! The async engine (`Client::send_async`) against the emulator: real concurrency,
//! cancellation that closes the transfer and never retries, the same errors and
//! retries as a blocking call, OAuth single flight across concurrent calls, and a
//! client dropped with calls in flight.

mod common;

use common::Emulator;
use serde_json::json;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use zdkit::{Client, Config, ErrorKind, Request, Response};

type Outcome = zdkit::Result<Response>;

/// Starts `request` and returns the receiver of its result.
fn start(client: &Client, request: Request) -> (zdkit::AsyncCall, mpsc::Receiver<Outcome>) {
    let (tx, rx) = mpsc::channel();
    let call = client
        .send_async(request, move |result| {
            let _ = tx.send(result);
        })
        .expect("send_async");
    (call, rx)
}

fn wait(rx: &mpsc::Receiver<Outcome>) -> Outcome {
    rx.recv_timeout(Duration::from_secs(30))
        .expect("the completion callback ran within 30 s")
}

#[test]
fn concurrent_calls_overlap_and_all_complete() {
    let emulator = Emulator::start(&[]);
    emulator.fault(json!({"path_prefix": "/api/v2/tickets/1", "times": 40,
                          "fault": {"kind": "delay", "ms": 300}}));
    let client = emulator.oauth_client();
    let started = Instant::now();
    let receivers: Vec<_> = (0..40)
        .map(|_| start(&client, Request::get("/api/v2/tickets/1.json")).1)
        .collect();
    for rx in &receivers {
        let response = wait(rx).expect("200");
        assert_eq!(response.status, 200);
        assert_eq!(response.json().unwrap()["ticket"]["id"], 1);
    }
    // Forty 300 ms answers one after the other would take 12 s.
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "the calls did not overlap: {:?}",
        started.elapsed()
    );
}

#[test]
fn errors_and_retries_match_the_blocking_client() {
    let emulator = Emulator::start(&[]);
    let client = emulator.oauth_client();
    let blocking = client.send(&Request::get("/api/v2/tickets/999999.json"));
    let (_, rx) = start(&client, Request::get("/api/v2/tickets/999999.json"));
    let (blocking, async_) = (blocking.unwrap_err(), wait(&rx).unwrap_err());
    assert_eq!(async_.kind(), ErrorKind::NotFound);
    assert_eq!(async_.kind(), blocking.kind());
    assert_eq!(async_.status(), blocking.status());
    assert_eq!(async_.path(), blocking.path());

    // A 503 with Retry-After is retried after the wait, as by a blocking call.
    emulator.reset();
    emulator.fault(json!({"path_prefix": "/api/v2/tickets/2", "times": 2,
        "fault": {"kind": "status", "status": 503, "headers": {"Retry-After": "1"}}}));
    let (_, rx) = start(&client, Request::get("/api/v2/tickets/2.json"));
    assert_eq!(wait(&rx).expect("retried to success").status, 200);
    assert_eq!(emulator.requests_to("/api/v2/tickets/2").len(), 3);

    // An invalid request is refused at once; its callback never runs.
    let refused = client.send_async(Request::new("GE T", "/x"), |_| panic!("never runs"));
    assert_eq!(refused.unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn a_cancelled_call_is_aborted_at_once_and_never_retried() {
    let emulator = Emulator::start(&[]);
    emulator.fault(json!({"path_prefix": "/api/v2/tickets/3", "times": 5,
                          "fault": {"kind": "delay", "ms": 3000}}));
    let client = emulator.oauth_client();
    let (call, rx) = start(&client, Request::get("/api/v2/tickets/3.json"));
    std::thread::sleep(Duration::from_millis(300));
    let cancelled_at = Instant::now();
    call.cancel();
    let error = wait(&rx).unwrap_err();
    assert!(cancelled_at.elapsed() < Duration::from_secs(2));
    assert_eq!(error.kind(), ErrorKind::Cancelled);
    assert!(call.is_finished());
    call.cancel(); // a second cancel is a no-op
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(emulator.requests_to("/api/v2/tickets/3").len(), 1);
    // The client still works.
    let (_, rx) = start(&client, Request::get("/api/v2/tickets/1.json"));
    assert!(wait(&rx).is_ok());
}

#[test]
fn sixteen_calls_on_an_expired_token_make_one_token_request() {
    let emulator = Emulator::start(&[]);
    let config = Config::builder()
        .base_url(&emulator.url)
        .oauth_client_credentials(
            "emulator-client",
            "emulator-client-secret",
            "read write",
            3600,
        )
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    let receivers: Vec<_> = (0..16)
        .map(|_| start(&client, Request::get("/api/v2/users/me.json")).1)
        .collect();
    for rx in &receivers {
        assert_eq!(wait(rx).expect("authorized").status, 200);
    }
    assert_eq!(emulator.requests_to("/oauth/tokens").len(), 1);
}

#[test]
fn dropping_the_client_cancels_calls_in_flight() {
    let emulator = Emulator::start(&[]);
    emulator.fault(json!({"path_prefix": "/api/v2/tickets/4", "times": 3,
                          "fault": {"kind": "delay", "ms": 5000}}));
    let client = emulator.oauth_client();
    let receivers: Vec<_> = (0..3)
        .map(|_| start(&client, Request::get("/api/v2/tickets/4.json")).1)
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let dropped_at = Instant::now();
    drop(client);
    for rx in &receivers {
        // The callbacks ran before the drop returned.
        let error = rx.try_recv().expect("callback ran").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Cancelled);
    }
    assert!(dropped_at.elapsed() < Duration::from_secs(3));

    // A closed client refuses new async calls; blocking ones still work.
    let client = emulator.oauth_client();
    client.close_async();
    assert!(client.send_async(Request::get("/x"), |_| {}).is_err());
    assert!(client.send(&Request::get("/api/v2/tickets/1.json")).is_ok());
}

#[test]
fn a_retry_wait_is_a_timer_that_holds_no_other_call() {
    let emulator = Emulator::start(&[]);
    emulator.fault(json!({"path_prefix": "/api/v2/tickets/5", "times": 1,
        "fault": {"kind": "status", "status": 503, "headers": {"Retry-After": "2"}}}));
    let client = emulator.oauth_client();
    let (_, waiting) = start(&client, Request::get("/api/v2/tickets/5.json"));
    std::thread::sleep(Duration::from_millis(200)); // its 503 is in, its timer set
    let started = Instant::now();
    let (_, other) = start(&client, Request::get("/api/v2/tickets/1.json"));
    wait(&other).expect("served while the other call waits");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "a retry wait held another call: {:?}",
        started.elapsed()
    );
    assert_eq!(wait(&waiting).expect("retried").status, 200);
}

#[test]
fn a_forked_child_starts_its_own_engine() {
    let emulator = Emulator::start(&[]);
    let client = emulator.oauth_client();
    let (_, rx) = start(&client, Request::get("/api/v2/tickets/1.json"));
    wait(&rx).expect("the parent's engine runs");
    // SAFETY: the child only uses zdkit (which is written for this) and leaves with
    // `_exit`, running no destructor of the parent's state.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let (tx, rx) = mpsc::channel();
        let started = client.send_async(Request::get("/api/v2/tickets/2.json"), move |result| {
            let _ = tx.send(result.is_ok());
        });
        let ok = started.is_ok() && rx.recv_timeout(Duration::from_secs(10)).unwrap_or(false);
        // SAFETY: ends the child at once.
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        // SAFETY: waits for our own child.
        let done = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
        if done == pid {
            break;
        }
        if Instant::now() > deadline {
            // SAFETY: stops our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("the child did not finish within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child status {status}"
    );
    // The parent's engine is untouched.
    let (_, rx) = start(&client, Request::get("/api/v2/tickets/3.json"));
    assert!(wait(&rx).is_ok());
    let logged: Vec<_> = emulator
        .requests_to("/api/v2/tickets/2")
        .into_iter()
        .collect();
    assert_eq!(logged.len(), 1, "the child's call was sent once");
}
