//! The core client against a real `zdkit-emulator` on loopback, through libcurl.

mod common;

use base64::Engine as _;
use common::{API_TOKEN, EMAIL, Emulator, OAUTH_TOKEN, logged_header};
use serde_json::json;
use std::collections::HashSet;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zdkit::log::{LogLevel, LogSink};
use zdkit::{Client, Config, ErrorKind, Request};

const CANARY: &str = "canary-secret-7f3e9b";

#[test]
fn api_token_mode_sends_basic_email_slash_token() {
    let emulator = Emulator::start(&[]);
    let me = emulator
        .api_token_client()
        .get("/api/v2/users/me.json")
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["user"]["email"], EMAIL);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}/token:{API_TOKEN}"))
    );
    let logged = emulator.requests_to("/api/v2/users/me");
    assert_eq!(logged.len(), 1);
    assert_eq!(
        logged_header(&logged[0], "authorization"),
        Some(expected.as_str())
    );
    assert_eq!(
        logged_header(&logged[0], "accept"),
        Some("application/json")
    );
    assert!(
        logged_header(&logged[0], "user-agent")
            .unwrap()
            .starts_with("zdkit/")
    );
}

#[test]
fn oauth_mode_sends_bearer_token() {
    let emulator = Emulator::start(&[]);
    let response = emulator.oauth_client().get("/api/v2/users/me").unwrap();
    assert_eq!(response.status, 200);
    assert!(response.json().unwrap()["user"]["id"].is_number());
    let logged = emulator.requests_to("/api/v2/users/me");
    let expected = format!("Bearer {OAUTH_TOKEN}");
    assert_eq!(
        logged_header(&logged[0], "authorization"),
        Some(expected.as_str())
    );
}

#[test]
fn not_found_carries_code_description_request_id_and_response() {
    let emulator = Emulator::start(&[]);
    let err = emulator
        .oauth_client()
        .get("/api/v2/tickets/987654321.json?secret_query=hidden")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("RecordNotFound"));
    assert!(err.request_id().is_some());
    assert_eq!(err.method(), Some("GET"));
    assert_eq!(err.path(), Some("/api/v2/tickets/987654321.json"));
    assert!(
        !err.to_string().contains("hidden"),
        "query values stay out of errors"
    );
    assert_eq!(err.response().unwrap().status, 404);
}

#[test]
fn wrong_credentials_are_authentication_errors_without_the_secret() {
    let emulator = Emulator::start(&[]);
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink_lines = lines.clone();
    for config in [
        Config::builder()
            .base_url(&emulator.url)
            .oauth_token(CANARY),
        Config::builder()
            .base_url(&emulator.url)
            .api_token(EMAIL, CANARY),
    ] {
        let sink = sink_lines.clone();
        let client = Client::new(
            config
                .log_sink(LogSink::new(move |_, line| {
                    sink.lock().unwrap().push(line.to_owned())
                }))
                .build()
                .unwrap(),
        )
        .unwrap();
        let err = client.get("/api/v2/tickets.json").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
        assert_eq!(err.status(), Some(401));
        assert_eq!(err.description(), Some("Couldn't authenticate you"));
        for text in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
            assert!(!text.contains(CANARY), "secret leaked into {text}");
        }
    }
    let lines = lines.lock().unwrap();
    assert!(!lines.is_empty(), "one log line per request");
    assert!(lines.iter().all(|l| !l.contains(CANARY)));
}

#[test]
fn anonymous_users_me_is_200_with_a_null_id() {
    // Zendesk answers /users/me with 200 without credentials: never trust its status alone
    // (docs/zendesk.md, "Credentials").
    use std::io::{Read, Write};
    let emulator = Emulator::start(&[]);
    let address = emulator.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "GET /api/v2/users/me.json HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let me: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    assert!(me["user"]["id"].is_null());
}

#[test]
fn tls_with_the_printed_ca_file() {
    let emulator = Emulator::start(&["--tls"]);
    assert!(emulator.url.starts_with("https://"));
    let ca_file = emulator.ca_file.clone().expect("ca_file with --tls");
    let config = |ca: Option<&str>| {
        let mut builder = Config::builder()
            .base_url(&emulator.url)
            .oauth_token(OAUTH_TOKEN);
        if let Some(ca) = ca {
            builder = builder.ca_file(ca);
        }
        Client::new(builder.build().unwrap()).unwrap()
    };
    let client = config(Some(&ca_file));
    let me = client.get("/api/v2/users/me.json").unwrap();
    assert_eq!(me.status, 200);
    assert_eq!(
        me.http_version, "HTTP/2",
        "HTTP/2 is negotiated when the server offers it"
    );
    // Errors, pages and faults work over HTTP/2 as well.
    let missing = client.get("/api/v2/tickets/987654321.json").unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    assert!(missing.request_id().is_some());
    let plain = Emulator::start(&[]);
    assert_eq!(
        plain
            .oauth_client()
            .get("/api/v2/users/me.json")
            .unwrap()
            .http_version,
        "HTTP/1.1"
    );
    let err = config(None).get("/api/v2/users/me.json").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
}

fn envelope_fault(
    emulator: &Emulator,
    status: u16,
    content_type: &str,
    body: &str,
) -> zdkit::Error {
    emulator.fault(json!({
        "method": "GET", "path_prefix": "/api/v2/groups", "times": 1,
        "fault": {"kind": "status", "status": status, "headers": {"Retry-After": "7"},
                  "body": body, "content_type": content_type}
    }));
    emulator
        .client_without_retries()
        .get("/api/v2/groups.json")
        .unwrap_err()
}

#[test]
fn every_error_envelope_and_kind() {
    let emulator = Emulator::start(&[]);
    let e = envelope_fault(
        &emulator,
        403,
        "application/json",
        r#"{"error":{"title":"Forbidden","message":"You do not have access to this page"}}"#,
    );
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Permission, Some("Forbidden"))
    );
    assert_eq!(e.description(), Some("You do not have access to this page"));

    let e = envelope_fault(
        &emulator,
        403,
        "application/json",
        r#"{"error":"Forbidden","description":"You are missing the following required scopes: read"}"#,
    );
    assert!(e.description().unwrap().contains("scopes"));

    let e = envelope_fault(
        &emulator,
        422,
        "application/json",
        r#"{"error":"RecordInvalid","description":"Record validation errors","details":{"email":[{"description":"Email: x is already being used","error":"DuplicateValue"}]}}"#,
    );
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.details().unwrap()["email"][0]["error"], "DuplicateValue");

    let e = envelope_fault(
        &emulator,
        400,
        "application/json",
        r#"{"errors":[{"code":"InvalidPaginationDepth","title":"Invalid","detail":"Too deep","status":"400"}]}"#,
    );
    assert_eq!(
        (e.kind(), e.code()),
        (ErrorKind::Http, Some("InvalidPaginationDepth"))
    );

    let e = envelope_fault(
        &emulator,
        409,
        "application/json",
        r#"{"error":"Conflict","description":"stale"}"#,
    );
    assert_eq!(e.kind(), ErrorKind::Conflict);

    let e = envelope_fault(&emulator, 429, "text/plain", "Rate limit exceeded");
    assert_eq!(e.kind(), ErrorKind::RateLimited);
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.description(), Some("Rate limit exceeded"));

    let e = envelope_fault(
        &emulator,
        503,
        "text/html",
        "<html><body>Service Unavailable</body></html>",
    );
    assert_eq!(e.kind(), ErrorKind::Server);
    assert!(e.description().unwrap().contains("Service Unavailable"));
    assert!(e.request_id().is_some(), "errors carry the request id");

    let e = envelope_fault(&emulator, 418, "application/json", "{not json");
    assert_eq!(e.kind(), ErrorKind::Http);
    assert_eq!(e.description(), Some("{not json"));
}

#[test]
fn malformed_json_is_a_decode_error() {
    let emulator = Emulator::start(&[]);
    emulator.fault(
        json!({"method": null, "path_prefix": "/api/v2/users", "times": 1,
                          "fault": {"kind": "malformed_json"}}),
    );
    let response = emulator.oauth_client().get("/api/v2/users.json").unwrap();
    assert_eq!(response.json().unwrap_err().kind(), ErrorKind::Decode);
}

#[test]
fn reset_and_truncated_answers_are_transport_errors() {
    let emulator = Emulator::start(&[]);
    for kind in ["reset", "truncate"] {
        emulator.fault(
            json!({"method": "GET", "path_prefix": "/api/v2/users", "times": 1,
                              "fault": {"kind": kind}}),
        );
        let err = emulator
            .client_without_retries()
            .get("/api/v2/users.json")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Transport, "{kind}: {err}");
        assert_eq!(err.path(), Some("/api/v2/users.json"));
    }
}

#[test]
fn timeout_fires_on_a_delayed_answer() {
    let emulator = Emulator::start(&[]);
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
                          "fault": {"kind": "delay", "ms": 3000}}),
    );
    let client = Client::new(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_token(OAUTH_TOKEN)
            .timeout(Duration::from_millis(500))
            .max_retries(0)
            .build()
            .unwrap(),
    )
    .unwrap();
    let started = Instant::now();
    let err = client.get("/api/v2/users/me.json").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert!(started.elapsed() < Duration::from_millis(2500));
}

#[test]
fn redirect_to_another_host_does_not_carry_the_credential() {
    let emulator = Emulator::start(&[]);
    let other = TcpListener::bind("127.0.0.1:0").unwrap();
    other.set_nonblocking(true).unwrap();
    let other_url = format!(
        "http://localhost:{}/steal",
        other.local_addr().unwrap().port()
    );
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
                          "fault": {"kind": "redirect", "status": 302, "location": other_url}}),
    );
    let err = emulator
        .oauth_client()
        .get("/api/v2/users/me.json")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Http);
    assert_eq!(err.status(), Some(302));
    assert!(err.to_string().contains("not followed"), "{err}");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        other.accept().is_err(),
        "nothing may connect to the other host"
    );
}

#[test]
fn same_origin_redirect_is_followed_with_the_credential() {
    let emulator = Emulator::start(&[]);
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
                          "fault": {"kind": "redirect", "status": 301,
                                    "location": format!("{}/api/v2/users/me.json", emulator.url)}}),
    );
    let me = emulator
        .oauth_client()
        .get("/api/v2/users/me")
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["user"]["email"], EMAIL);
    let logged = emulator.requests_to("/api/v2/users/me");
    assert_eq!(logged.len(), 2);
    assert!(
        logged
            .iter()
            .all(|r| logged_header(r, "authorization").is_some())
    );
}

#[test]
fn full_urls_must_stay_on_the_origin() {
    let emulator = Emulator::start(&[]);
    let err = emulator
        .oauth_client()
        .get("http://127.0.0.2:9/api/v2/users/me.json")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let protocol_relative = emulator
        .oauth_client()
        .get("//127.0.0.2:9/api/v2/users/me.json")
        .unwrap_err();
    assert!(
        protocol_relative.to_string().contains("protocol-relative"),
        "{protocol_relative}"
    );
    let backslashes = emulator
        .oauth_client()
        .get(r"\\127.0.0.2:9/api/v2/users/me.json")
        .unwrap_err();
    assert_eq!(backslashes.kind(), ErrorKind::InvalidArgument);
    assert!(emulator.requests_to("/api").is_empty());
    // A colon in the first segment is a path, not a scheme.
    let odd = emulator.oauth_client().get("a:b/c").unwrap_err();
    assert_eq!(odd.kind(), ErrorKind::NotFound);
}

#[test]
fn plain_http_to_a_remote_host_is_refused_before_any_request() {
    let err = Config::builder()
        .base_url("http://example.com")
        .oauth_token(CANARY)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InsecureTransport);
    assert!(!err.to_string().contains(CANARY));
}

#[test]
fn query_parameters_are_encoded_and_custom_headers_sent() {
    let emulator = Emulator::start(&[]);
    let request = Request::get("/api/v2/search.json")
        .query("query", "type:ticket status:open tags:vip&x")
        .header("X-Custom", "yes");
    emulator.oauth_client().send(&request).unwrap();
    let logged = emulator.requests_to("/api/v2/search");
    let query = logged[0]["query"].as_str().unwrap();
    assert!(
        query.contains("query=type%3Aticket+status%3Aopen+tags%3Avip%26x"),
        "{query}"
    );
    assert_eq!(logged_header(&logged[0], "x-custom"), Some("yes"));
    let refused = Request::get("/x").header("X-Evil", "a\r\nInjected: 1");
    assert_eq!(
        emulator.oauth_client().send(&refused).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn api_warning_is_surfaced_and_logged() {
    let emulator = Emulator::start(&[]);
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let sink = warnings.clone();
    let client = Client::new(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_token(OAUTH_TOKEN)
            .log_sink(LogSink::new(move |level, line| {
                if level == LogLevel::Warn {
                    sink.lock().unwrap().push(line.to_owned());
                }
            }))
            .build()
            .unwrap(),
    )
    .unwrap();
    let body = json!({"ticket": {"subject": "hi", "comment": {"body": "x"}, "no_such_field": 1}});
    let response = client
        .send(&Request::post("/api/v2/tickets.json").json(&body))
        .unwrap();
    assert_eq!(response.status, 201);
    assert!(
        response.api_warning().is_some(),
        "X-Zendesk-API-Warn expected"
    );
    assert_eq!(warnings.lock().unwrap().len(), 1);
}

#[test]
fn cursor_walk_over_25000_tickets_through_links_next() {
    let emulator = Emulator::start(&["--tickets", "25000"]);
    let client = emulator.api_token_client();
    let mut seen = HashSet::new();
    let mut next = Some(format!(
        "{}/api/v2/tickets.json?page[size]=100",
        emulator.url
    ));
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        assert!(pages <= 260, "the walk must end");
        let page = client.get(&url).unwrap().json().unwrap();
        for ticket in page["tickets"].as_array().unwrap() {
            assert!(seen.insert(ticket["id"].as_u64().unwrap()), "duplicate id");
        }
        let link = page["links"]["next"].as_str().map(str::to_owned);
        if page["meta"]["has_more"] == json!(true) {
            next = link;
        } else {
            assert!(link.is_some(), "links.next is still a URL on the last page");
        }
    }
    assert_eq!(seen.len(), 25000);
    assert_eq!(pages, 250);
}

#[test]
fn one_client_shared_by_many_threads() {
    let emulator = Emulator::start(&[]);
    let client = emulator.oauth_client();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || {
                for _ in 0..20 {
                    let me = client.get("/api/v2/users/me.json").unwrap();
                    assert_eq!(me.status, 200);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(emulator.requests_to("/api/v2/users/me").len(), 160);
}

#[test]
fn rate_limit_headers_are_parsed() {
    let emulator = Emulator::start(&["--rate-limit", "700/60"]);
    let response = emulator
        .oauth_client()
        .get("/api/v2/users/me.json")
        .unwrap();
    let rl = response.rate_limit();
    assert_eq!(rl.limit, Some(700));
    assert!(rl.remaining.unwrap() < 700);
}
