//! The control API: every fault kind, the request log, reset; and rate limits.

mod common;

use common::{BEARER, Emu, raw_request};
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn status_fault_with_headers_and_times() {
    let emu = Emu::start(&[]);
    emu.fault(json!({"method": "GET", "path_prefix": "/api/v2/tickets", "times": 2,
        "fault": {"kind": "status", "status": 503, "headers": {"Retry-After": "1"}, "body": "Service Unavailable", "content_type": "text/plain"}}));
    // A POST and another path do not match.
    assert_eq!(emu.get("/api/v2/users/1").status, 200);
    for _ in 0..2 {
        let r = emu.get("/api/v2/tickets/1");
        assert_eq!(r.status, 503);
        assert_eq!(r.header("retry-after"), Some("1"));
        assert_eq!(r.header("content-type"), Some("text/plain"));
        assert_eq!(r.text(), "Service Unavailable");
        assert!(r.header("x-request-id").is_some());
    }
    assert_eq!(emu.get("/api/v2/tickets/1").status, 200);
    // method null matches any method.
    emu.fault(json!({"method": null, "path_prefix": "/api/v2/tickets", "times": 1, "fault": {"kind": "status", "status": 500}}));
    assert_eq!(
        emu.send("PUT", "/api/v2/tickets/1", &json!({"ticket": {}}))
            .status,
        500
    );
    // Bad rule.
    let r = emu.call(
        "POST",
        "/__emulator/faults",
        None,
        Some(&json!({"fault": {"kind": "explode"}})),
    );
    assert_eq!(r.status, 400);
}

#[test]
fn delay_and_stall_faults() {
    let emu = Emu::start(&[]);
    emu.fault(json!({"method": "GET", "path_prefix": "/api/v2/tickets/1", "times": 1, "fault": {"kind": "delay", "ms": 400}}));
    let t0 = Instant::now();
    let r = emu.get("/api/v2/tickets/1");
    assert!(t0.elapsed() >= Duration::from_millis(400));
    assert_eq!(r.status, 200);

    emu.fault(json!({"method": "GET", "path_prefix": "/api/v2/tickets/2", "times": 1, "fault": {"kind": "stall", "ms": 1000}}));
    let mut s = TcpStream::connect(&emu.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET /api/v2/tickets/2 HTTP/1.1\r\nHost: x\r\nAuthorization: {BEARER}\r\nConnection: close\r\n\r\n").unwrap();
    let t0 = Instant::now();
    let mut first = [0u8; 65536];
    let n = s.read(&mut first).unwrap();
    let head_at = t0.elapsed();
    assert!(
        n > 0 && head_at < Duration::from_millis(700),
        "headers came after {head_at:?}"
    );
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).unwrap();
    assert!(
        t0.elapsed() >= Duration::from_millis(950),
        "body completed after {:?}",
        t0.elapsed()
    );
    let mut all = first[..n].to_vec();
    all.extend(rest);
    let r = common::parse_response(&all).unwrap();
    assert!(r.complete);
    assert_eq!(r.json()["ticket"]["id"], 2);
}

#[test]
fn reset_truncate_malformed_and_redirect_faults() {
    let emu = Emu::start(&[]);
    emu.fault(json!({"method": "GET", "path_prefix": "/api/v2/tickets", "times": 1, "fault": {"kind": "reset"}}));
    match raw_request(
        &emu.addr,
        "GET",
        "/api/v2/tickets/1",
        &[("Authorization", BEARER)],
        b"",
    ) {
        Err(_) => {}
        Ok(r) => panic!("expected no answer, got {}", r.status),
    }
    emu.fault(json!({"method": "GET", "path_prefix": "/api/v2/tickets", "times": 1, "fault": {"kind": "truncate"}}));
    let r = raw_request(
        &emu.addr,
        "GET",
        "/api/v2/tickets/1",
        &[("Authorization", BEARER)],
        b"",
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert!(!r.complete, "body should be shorter than Content-Length");
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    emu.fault(json!({"path_prefix": "/api/v2/", "fault": {"kind": "malformed_json"}}));
    let r = emu.get("/api/v2/tickets/1");
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());

    emu.fault(json!({"path_prefix": "/api/v2/", "fault": {"kind": "redirect", "status": 301, "location": "https://elsewhere.example/api/v2/tickets/1.json"}}));
    let r = emu.get("/api/v2/tickets/1");
    assert_eq!(r.status, 301);
    assert_eq!(
        r.header("location"),
        Some("https://elsewhere.example/api/v2/tickets/1.json")
    );
    // Nothing queued any more.
    assert_eq!(emu.get("/api/v2/tickets/1").status, 200);
}

#[test]
fn request_log_records_verbatim_and_reset_restores_the_seed() {
    let emu = Emu::start(&["--tickets", "10"]);
    emu.get("/api/v2/tickets.json?page%5Bsize%5D=2&x=1");
    emu.send(
        "POST",
        "/api/v2/tickets",
        &json!({"ticket": {"comment": {"body": "hello"}}}),
    );
    let log = emu.requests();
    assert_eq!(log.len(), 2, "control calls are not logged: {log:?}");
    assert_eq!(log[0]["method"], "GET");
    assert_eq!(log[0]["path"], "/api/v2/tickets.json");
    assert_eq!(log[0]["query"], "page%5Bsize%5D=2&x=1");
    assert_eq!(log[0]["headers"]["authorization"], BEARER);
    assert_eq!(log[0]["body_len"], 0);
    assert_eq!(log[1]["method"], "POST");
    assert!(log[1]["body_len"].as_u64().unwrap() > 10);
    assert_eq!(emu.get("/api/v2/tickets/11").status, 200);

    emu.fault(json!({"path_prefix": "/", "times": 5, "fault": {"kind": "status", "status": 500}}));
    let r = emu.call("POST", "/__emulator/reset", None, None);
    assert_eq!(r.status, 200);
    assert!(emu.requests().is_empty());
    assert_eq!(
        emu.get("/api/v2/tickets/11").status,
        404,
        "store back to the seed, fault cleared"
    );
    assert_eq!(emu.get("/api/v2/tickets?per_page=1").json()["count"], 10);
}

#[test]
fn request_log_is_bounded() {
    let dir = std::env::temp_dir().join(format!("zdkit-emu-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("cfg.toml");
    std::fs::write(&cfg, "request_log_size = 5\n").unwrap();
    let emu = Emu::start(&["--config", cfg.to_str().unwrap()]);
    for i in 1..=8 {
        emu.get(&format!("/api/v2/tickets/{i}"));
    }
    let log = emu.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(log[0]["path"], "/api/v2/tickets/4");
    assert_eq!(log[4]["path"], "/api/v2/tickets/8");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn account_rate_limit_headers_and_429() {
    let emu = Emu::start(&["--rate-limit", "3/60"]);
    for i in 0..3 {
        let r = emu.get("/api/v2/users/1");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-rate-limit"), Some("3"));
        assert_eq!(r.header("ratelimit-limit"), Some("3"));
        assert_eq!(
            r.header("x-rate-limit-remaining"),
            Some((2 - i).to_string().as_str())
        );
        assert_eq!(
            r.header("ratelimit-remaining"),
            Some((2 - i).to_string().as_str())
        );
        let reset: u64 = r.header("ratelimit-reset").unwrap().parse().unwrap();
        assert!((1..=60).contains(&reset));
    }
    let r = emu.get("/api/v2/users/1");
    assert_eq!(r.status, 429);
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(r.header("x-rate-limit-remaining"), Some("0"));
    // The control API is not limited.
    assert_eq!(emu.requests().len(), 4);
}

#[test]
fn endpoint_buckets_from_config() {
    let dir = std::env::temp_dir().join(format!("zdkit-emu-rl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("cfg.json");
    std::fs::write(
        &cfg,
        r#"{"rate_limits": {"incremental_exports": {"limit": 2, "seconds": 3}}}"#,
    )
    .unwrap();
    let emu = Emu::start(&["--config", cfg.to_str().unwrap()]);
    let path = "/api/v2/incremental/tickets/cursor?start_time=0";
    let r = emu.get(path);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("zendesk-ratelimit-incremental-exports"),
        Some("total=2; remaining=1; resets=3")
    );
    assert_eq!(
        r.header("x-rate-limit"),
        Some("1000000"),
        "no account limit configured: the nominal, unenforced budget"
    );
    assert_eq!(emu.get(path).status, 200);
    let r = emu.get(path);
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3).contains(&retry), "{retry}");
    std::thread::sleep(Duration::from_millis(retry * 1000 + 100));
    assert_eq!(emu.get(path).status, 200);
    // Ticket updates: per ticket and user.
    let cfg2 = dir.join("cfg2.toml");
    std::fs::write(
        &cfg2,
        "[rate_limits]\nticket_updates = { limit = 1, seconds = 600 }\n",
    )
    .unwrap();
    let emu = Emu::start(&["--config", cfg2.to_str().unwrap()]);
    let body = json!({"ticket": {"priority": "high"}});
    let new_ticket = || {
        let created = emu.send(
            "POST",
            "/api/v2/tickets",
            &json!({"ticket": {"comment": {"body": "new"}}}),
        );
        format!("/api/v2/tickets/{}", created.json()["ticket"]["id"])
    };
    let first = new_ticket();
    let r = emu.send("PUT", &first, &body);
    assert_eq!(r.status, 200);
    assert!(
        r.header("zendesk-ratelimit-tickets-update")
            .unwrap()
            .starts_with("total=1; remaining=0")
    );
    let r = emu.send("PUT", &first, &body);
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        emu.send("PUT", &new_ticket(), &body).status,
        200,
        "another ticket has its own bucket"
    );
    // With an account limit, the tickets-index bucket shows on list tickets.
    let emu = Emu::start(&["--rate-limit", "100/60"]);
    let r = emu.get("/api/v2/tickets");
    assert!(
        r.header("zendesk-ratelimit-tickets-index")
            .unwrap()
            .starts_with("total=100; remaining=99")
    );
    std::fs::remove_dir_all(&dir).ok();
}
