//! The OAuth lifecycle against the emulator: minting, renewal before expiry, rotation,
//! single-flight, replay after a 401, refused secrets.

mod common;

use common::{Emulator, logged_header};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zdkit::log::LogSink;
use zdkit::oauth::{RotationCallback, TokenSet};
use zdkit::{Client, Config, ConfigBuilder, ErrorKind};

const CANARY: &str = "canary-client-secret-4b7e";

fn emulator_with_tokens() -> (Emulator, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "zdkit-oauth-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("emulator.toml");
    std::fs::write(
        &config,
        r#"
[[oauth_tokens]]
access_token = "start-access"
refresh_token = "start-refresh"
client = "emulator-client"
user = "agent@example.com"
scopes = ["read", "write"]
expires_in = 600

[[oauth_codes]]
code = "the-code"
client = "emulator-client"
scopes = ["read"]
redirect_uri = "http://localhost/cb"
"#,
    )
    .unwrap();
    (
        Emulator::start(&["--config", config.to_str().unwrap()]),
        dir,
    )
}

fn token_posts(emulator: &Emulator) -> usize {
    emulator
        .requests()
        .iter()
        .filter(|r| r["path"] == "/oauth/tokens")
        .count()
}

fn client_credentials(emulator: &Emulator, expires_in: u64) -> ConfigBuilder {
    Config::builder()
        .base_url(&emulator.url)
        .oauth_client_credentials(
            "emulator-client",
            "emulator-client-secret",
            "read write",
            expires_in,
        )
}

#[test]
fn client_credentials_are_renewed_before_expiry_without_401s() {
    let emulator = Emulator::start(&[]);
    let client = Client::new(client_credentials(&emulator, 3).build().unwrap()).unwrap();
    let started = Instant::now();
    let mut calls = 0;
    while started.elapsed() < Duration::from_secs(8) && calls < 400 {
        client
            .get("/api/v2/users/me.json")
            .expect("no error across token expiries");
        calls += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = emulator.requests();
    let api_calls = log
        .iter()
        .filter(|r| r["path"] == "/api/v2/users/me.json")
        .count();
    assert_eq!(
        api_calls, calls,
        "no request was replayed: there was no 401"
    );
    let minted = token_posts(&emulator);
    // A 3 s token is renewed at 80 % of its life: about every 2.4 s over 8 s.
    assert!((3..=5).contains(&minted), "{minted} token requests");
    let body_has_expires_in = log
        .iter()
        .any(|r| r["path"] == "/oauth/tokens" && r["body_len"].as_u64().unwrap_or(0) > 0);
    assert!(body_has_expires_in);
    let token = client.token_set().expect("a token set");
    assert!(token.expires_at.is_some());
    assert!(!format!("{token:?}").contains(token.access_token.expose()));
}

#[test]
fn refresh_tokens_rotate_and_every_rotation_reaches_the_callback() {
    let (emulator, dir) = emulator_with_tokens();
    let seen: Arc<Mutex<Vec<TokenSet>>> = Arc::default();
    let sink = seen.clone();
    let callback: RotationCallback =
        Arc::new(move |t: &TokenSet| sink.lock().unwrap().push(t.clone()));
    let config = Config::builder()
        .base_url(&emulator.url)
        .oauth_refresh_token(
            "emulator-client",
            "emulator-client-secret",
            "start-refresh",
            Some(callback),
        )
        .build()
        .unwrap();
    let client = Client::new(config).unwrap();
    client.get("/api/v2/users/me.json").unwrap();
    let first = seen.lock().unwrap()[0].clone();
    let r1 = first.refresh_token.clone().unwrap();
    assert_ne!(r1.expose(), "start-refresh");
    // The old refresh token is dead now.
    let old = Client::for_token_endpoint(&emulator.url)
        .unwrap()
        .token_request(&json!({
        "grant_type": "refresh_token", "refresh_token": "start-refresh",
        "client_id": "emulator-client", "client_secret": "emulator-client-secret"}));
    let err = old.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.code(), Some("invalid_grant"));
    // A 401 makes the provider rotate again.
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1,
        "fault": {"kind": "status", "status": 401, "body": "{\"error\":\"Couldn't authenticate you\"}"}}));
    client.get("/api/v2/users/me.json").unwrap();
    let rotations = seen.lock().unwrap().clone();
    assert_eq!(rotations.len(), 2);
    let r2 = rotations[1].refresh_token.clone().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(client.token_set().unwrap().refresh_token, Some(r2.clone()));
    // A client rebuilt from the last persisted refresh token carries on.
    drop(client);
    let rebuilt = Client::new(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_refresh_token(
                "emulator-client",
                "emulator-client-secret",
                r2.expose(),
                None,
            )
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(rebuilt.get("/api/v2/users/me.json").unwrap().status, 200);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn sixteen_threads_on_an_expired_token_make_one_token_request() {
    let (emulator, dir) = emulator_with_tokens();
    let client = Client::new(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_refresh_token(
                "emulator-client",
                "emulator-client-secret",
                "start-refresh",
                None,
            )
            .build()
            .unwrap(),
    )
    .unwrap();
    let barrier = Arc::new(std::sync::Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let client = client.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                client.get("/api/v2/users/me.json").map(|r| r.status)
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap().unwrap(), 200);
    }
    assert_eq!(token_posts(&emulator), 1, "single-flight");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_401_renews_once_and_replays_once() {
    let emulator = Emulator::start(&[]);
    let client = Client::new(client_credentials(&emulator, 1800).build().unwrap()).unwrap();
    client.get("/api/v2/users/me.json").unwrap();
    let unauthorized = json!({"kind": "status", "status": 401, "body": "{\"error\":\"Couldn't authenticate you\"}"});
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 1, "fault": unauthorized}));
    assert_eq!(client.get("/api/v2/users/me.json").unwrap().status, 200);
    assert_eq!(token_posts(&emulator), 2, "one renewal");
    let calls = emulator.requests_to("/api/v2/users/me");
    assert_eq!(calls.len(), 3, "the refused request was replayed once");
    assert_ne!(
        logged_header(&calls[1], "authorization"),
        logged_header(&calls[2], "authorization")
    );
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/users/me", "times": 2, "fault": unauthorized}));
    let err = client.get("/api/v2/users/me.json").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(
        emulator.requests_to("/api/v2/users/me").len(),
        5,
        "a second 401 is final"
    );
}

#[test]
fn a_wrong_client_secret_is_an_authentication_error_without_the_secret() {
    let emulator = Emulator::start(&[]);
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    let client = Client::new(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_client_credentials("emulator-client", CANARY, "read", 1800)
            .log_sink(LogSink::new(move |_, l| {
                sink.lock().unwrap().push(l.to_owned())
            }))
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = client.get("/api/v2/users/me.json").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.code(), Some("invalid_client"));
    assert!(err.description().is_some());
    for text in [
        err.to_string(),
        format!("{err:?}"),
        format!("{client:?}"),
        lines.lock().unwrap().join("\n"),
    ] {
        assert!(!text.contains(CANARY), "{text}");
    }
    assert!(
        client.get("/api/v2/users/me.json").is_err(),
        "the next call tries again"
    );
    assert_eq!(token_posts(&emulator), 2);
}

#[test]
fn authorization_code_exchange_with_pkce() {
    let (emulator, dir) = emulator_with_tokens();
    let (verifier, challenge) = zdkit::oauth::pkce_pair().unwrap();
    let base = url::Url::parse(&format!("{}/", emulator.url)).unwrap();
    let url = zdkit::oauth::authorize_url(
        &base,
        "emulator-client",
        "http://localhost/cb",
        "read",
        Some("st"),
        Some(&challenge),
    );
    assert!(url.contains(&challenge));
    let answer = Client::for_token_endpoint(&emulator.url)
        .unwrap()
        .token_request(&zdkit::oauth::exchange_code_body(
            "emulator-client",
            &zdkit::Secret::new("emulator-client-secret"),
            "the-code",
            "http://localhost/cb",
            Some(verifier.expose()),
        ))
        .unwrap();
    let tokens = TokenSet::from_answer(&answer).unwrap();
    assert!(tokens.refresh_token.is_some());
    let client = Client::new(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_token(tokens.access_token.expose())
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(client.get("/api/v2/users/me.json").unwrap().status, 200);
    std::fs::remove_dir_all(dir).unwrap();
}
