//! Headers on every `/api/v2` answer: the account rate-limit headers (enforced or nominal)
//! and `ETag` with `If-None-Match` → 304 on GETs.

mod common;

use common::{BEARER, Emu, raw_request};
use serde_json::json;

const ACCOUNT_HEADERS: [&str; 5] = [
    "x-rate-limit",
    "x-rate-limit-remaining",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
];

#[test]
fn every_api_answer_carries_the_rate_limit_headers() {
    let emu = Emu::start(&["--tickets", "5"]);
    let answers = [
        emu.get("/api/v2/tickets/1.json"),
        emu.get("/api/v2/tickets/999"),
        emu.get("/api/v2/no_such_thing"),
        emu.call("GET", "/api/v2/tickets", None, None),
        emu.send(
            "PUT",
            "/api/v2/tickets/1",
            &json!({"ticket": {"status": "open"}}),
        ),
    ];
    for r in &answers {
        for h in ACCOUNT_HEADERS {
            let v = r
                .header(h)
                .unwrap_or_else(|| panic!("{h} missing on {}", r.status));
            assert!(v.parse::<u64>().is_ok(), "{h}: {v}");
        }
        // Without --rate-limit the budget is nominal: large, never exhausted.
        assert_eq!(r.header("x-rate-limit"), Some("1000000"));
    }
    let a: u64 = answers[0]
        .header("ratelimit-remaining")
        .unwrap()
        .parse()
        .unwrap();
    let b: u64 = answers[1]
        .header("ratelimit-remaining")
        .unwrap()
        .parse()
        .unwrap();
    assert!(b < a, "remaining counts down: {a} then {b}");
    // The control API is not part of the account.
    let r = emu.call("GET", "/__emulator/state", None, None);
    assert!(r.header("x-rate-limit").is_none());
}

#[test]
fn enforced_budget_reports_the_configured_limit() {
    let emu = Emu::start(&["--tickets", "5", "--rate-limit", "3/60"]);
    for expected in ["2", "1", "0"] {
        let r = emu.get("/api/v2/tickets/1");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-rate-limit"), Some("3"));
        assert_eq!(r.header("x-rate-limit-remaining"), Some(expected));
    }
    let r = emu.get("/api/v2/tickets/1");
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some());
    assert_eq!(r.header("ratelimit-remaining"), Some("0"));
}

#[test]
fn etag_and_if_none_match_answer_304() {
    let emu = Emu::start(&["--tickets", "5"]);
    let r = emu.get("/api/v2/tickets/2");
    let tag = r.header("etag").expect("etag").to_string();
    assert!(tag.starts_with("W/\"") && tag.ends_with('"'), "{tag}");
    assert_eq!(
        emu.get("/api/v2/tickets/2").header("etag"),
        Some(tag.as_str()),
        "stable"
    );
    assert_ne!(
        emu.get("/api/v2/tickets/3").header("etag"),
        Some(tag.as_str())
    );
    let cond = |t: &str| {
        raw_request(
            &emu.addr,
            "GET",
            "/api/v2/tickets/2",
            &[("Authorization", BEARER), ("If-None-Match", t)],
            b"",
        )
        .unwrap()
    };
    let r = cond(&tag);
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("etag"), Some(tag.as_str()));
    assert!(r.header("x-rate-limit").is_some());
    assert_eq!(cond(&format!("\"x\", {tag}")).status, 304, "a list of tags");
    assert_eq!(
        cond(&tag[2..]).status,
        304,
        "the strong form matches weakly"
    );
    assert_eq!(cond("W/\"0000\"").status, 200);
    // A change makes the old tag stale.
    emu.send(
        "PUT",
        "/api/v2/tickets/2",
        &json!({"ticket": {"priority": "urgent"}}),
    );
    let r = cond(&tag);
    assert_eq!(r.status, 200);
    assert_ne!(r.header("etag"), Some(tag.as_str()));
    // Errors and writes carry no ETag.
    assert!(emu.get("/api/v2/tickets/999").header("etag").is_none());
    let r = emu.send(
        "PUT",
        "/api/v2/tickets/2",
        &json!({"ticket": {"priority": "low"}}),
    );
    assert!(r.header("etag").is_none());
}
