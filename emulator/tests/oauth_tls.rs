//! OAuth minting, scopes, expiry and refresh rotation; HTTPS with the printed CA file.

mod common;

use common::{BEARER, Emu, basic};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

fn config(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zdkit-emu-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(if text.trim_start().starts_with('{') {
        "cfg.json"
    } else {
        "cfg.toml"
    });
    std::fs::write(&path, text).unwrap();
    path
}

fn token(emu: &Emu, body: Value) -> common::Resp {
    emu.call("POST", "/oauth/tokens", None, Some(&body))
}

fn bearer(t: &str) -> String {
    format!("Bearer {t}")
}

#[test]
fn client_credentials_minting_scopes_and_expiry() {
    let emu = Emu::start(&[]);
    let r = token(
        &emu,
        json!({"grant_type": "client_credentials", "client_id": "emulator-client",
        "client_secret": "emulator-client-secret", "scope": "read", "expires_in": 2}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["scope"], "read");
    assert_eq!(v["expires_in"], 2);
    assert!(
        v.get("refresh_token").is_none(),
        "client credentials carry no refresh token"
    );
    let access = v["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        emu.call("GET", "/api/v2/tickets/1", Some(&bearer(&access)), None)
            .status,
        200
    );
    // Read-only token may not write.
    let r = emu.call(
        "POST",
        "/api/v2/tickets",
        Some(&bearer(&access)),
        Some(&json!({"ticket": {"comment": {"body": "x"}}})),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({"error": "Forbidden", "description": "You are missing the following required scopes: write"})
    );
    // tokens/current describes it.
    let cur = emu.call(
        "GET",
        "/api/v2/oauth/tokens/current",
        Some(&bearer(&access)),
        None,
    );
    assert_eq!(cur.status, 200);
    assert_eq!(cur.json()["token"]["scopes"], json!(["read"]));
    // Expired after two seconds.
    std::thread::sleep(Duration::from_millis(2100));
    let r = emu.call("GET", "/api/v2/tickets/1", Some(&bearer(&access)), None);
    assert_eq!(r.status, 401);
    assert_eq!(r.json(), json!({"error": "Couldn't authenticate you"}));

    // An invalid scope still yields a token, which gets 403 everywhere.
    let r = token(
        &emu,
        json!({"grant_type": "client_credentials", "client_id": "emulator-client",
        "client_secret": "emulator-client-secret", "scope": "bogus"}),
    );
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["expires_in"], 1800, "default lifetime");
    let t = r.json()["access_token"].as_str().unwrap().to_string();
    let r = emu.call("GET", "/api/v2/tickets/1", Some(&bearer(&t)), None);
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["description"],
        "You are missing the following required scopes: read"
    );

    // Admin API for long-lived tokens.
    let r = emu.send(
        "POST",
        "/api/v2/oauth/tokens",
        &json!({"token": {"client_id": 1, "scopes": ["read"]}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let full = r.json()["token"]["full_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        emu.call("GET", "/api/v2/users/me", Some(&bearer(&full)), None)
            .json()["user"]["id"],
        1
    );
    assert_eq!(
        emu.send(
            "POST",
            "/api/v2/oauth/tokens",
            &json!({"token": {"client_id": 99, "scopes": ["read"]}})
        )
        .status,
        422
    );

    // Client errors.
    let r = token(
        &emu,
        json!({"grant_type": "client_credentials", "client_id": "emulator-client", "client_secret": "wrong"}),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"], "invalid_client");
    assert!(r.json()["error_description"].is_string());
    let r = token(
        &emu,
        json!({"grant_type": "password", "client_id": "emulator-client", "client_secret": "emulator-client-secret"}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "unsupported_grant_type");

    // Token requests are visible in the request log.
    let n = emu
        .requests()
        .iter()
        .filter(|r| r["path"] == "/oauth/tokens")
        .count();
    assert_eq!(n, 4);
    let state = emu.call("GET", "/__emulator/state", None, None).json();
    assert_eq!(state["oauth_tokens_minted"], 2);
}

#[test]
fn refresh_tokens_rotate() {
    let cfg = config(
        "refresh",
        r#"
[[oauth_tokens]]
access_token = "start-access"
refresh_token = "start-refresh"
scopes = ["read", "write"]

[[oauth_codes]]
code = "the-code"
redirect_uri = "http://localhost/cb"
"#,
    );
    let emu = Emu::start(&["--config", cfg.to_str().unwrap()]);
    assert_eq!(
        emu.call("GET", "/api/v2/users/me", Some("Bearer start-access"), None)
            .json()["user"]["id"],
        1
    );
    let refresh = |rt: &str| {
        token(
            &emu,
            json!({"grant_type": "refresh_token", "refresh_token": rt, "client_id": "emulator-client",
            "client_secret": "emulator-client-secret", "expires_in": 600}),
        )
    };
    let r = refresh("start-refresh");
    assert_eq!(r.status, 201, "{}", r.text());
    let v = r.json();
    let new_access = v["access_token"].as_str().unwrap().to_string();
    let new_refresh = v["refresh_token"].as_str().unwrap().to_string();
    assert_eq!(v["expires_in"], 600);
    assert!(v["refresh_token_expires_in"].as_u64().unwrap() > 0);
    assert_ne!(new_refresh, "start-refresh");
    // The old access token and the old refresh token are dead.
    assert_eq!(
        emu.call(
            "GET",
            "/api/v2/tickets/1",
            Some("Bearer start-access"),
            None
        )
        .status,
        401
    );
    let r = refresh("start-refresh");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"], "invalid_grant");
    assert!(r.json()["error_description"].is_string());
    // The new ones work.
    assert_eq!(
        emu.call("GET", "/api/v2/tickets/1", Some(&bearer(&new_access)), None)
            .status,
        200
    );
    assert_eq!(refresh(&new_refresh).status, 201);

    // authorization_code: single use, redirect_uri checked.
    let code = |uri: &str| {
        token(
            &emu,
            json!({"grant_type": "authorization_code", "code": "the-code", "client_id": "emulator-client",
            "client_secret": "emulator-client-secret", "redirect_uri": uri}),
        )
    };
    assert_eq!(code("http://evil/cb").status, 400);
    let r = code("http://localhost/cb");
    assert_eq!(r.status, 201);
    assert!(r.json()["refresh_token"].is_string());
    assert_eq!(code("http://localhost/cb").status, 400);
    std::fs::remove_dir_all(cfg.parent().unwrap()).ok();
}

#[test]
fn config_adds_users_tokens_and_clients() {
    let cfg = config(
        "users",
        r#"{"users": [{"name": "Eve End", "email": "eve@example.org", "role": "end-user"},
                      {"name": "Ann Agent", "email": "ann@example.org", "role": "agent"}],
            "api_tokens": ["second-token"],
            "oauth_clients": [{"identifier": "mine", "secret": "s3cret", "user": "ann@example.org", "default_expires_in": 0}],
            "tickets": 3}"#,
    );
    let emu = Emu::start(&["--config", cfg.to_str().unwrap(), "--users", "5"]);
    let me = emu.call(
        "GET",
        "/api/v2/users/me",
        Some(&basic("ann@example.org/token", "second-token")),
        None,
    );
    assert_eq!(me.json()["user"]["id"], 7);
    assert_eq!(me.json()["user"]["role"], "agent");
    assert_eq!(emu.get("/api/v2/tickets?per_page=10").json()["count"], 3);
    let r = token(
        &emu,
        json!({"grant_type": "client_credentials", "client_id": "mine", "client_secret": "s3cret", "scope": "read write"}),
    );
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json()["expires_in"],
        Value::Null,
        "no expiry for this client"
    );
    let t = r.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(
        emu.call("GET", "/api/v2/users/me", Some(&bearer(&t)), None)
            .json()["user"]["email"],
        "ann@example.org"
    );
    let users = emu
        .get("/api/v2/incremental/users/cursor?start_time=0")
        .json();
    assert_eq!(
        users["users"].as_array().unwrap().len(),
        7,
        "config users are exported too"
    );
    let eve = emu.call(
        "GET",
        "/api/v2/tickets",
        Some(&basic("eve@example.org/token", "emulator-api-token")),
        None,
    );
    assert_eq!(eve.status, 403);
    std::fs::remove_dir_all(cfg.parent().unwrap()).ok();
}

#[test]
fn tls_with_the_printed_ca_file() {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use std::io::{Read, Write};
    use std::sync::Arc;

    let mut emu = Emu::start(&["--tls"]);
    assert!(emu.url.starts_with("https://127.0.0.1:"), "{}", emu.url);
    let ca = emu.ca_file.clone().expect("ca_file");
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&ca).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let config = Arc::new(config);
    for name in ["127.0.0.1", "localhost"] {
        let server = ServerName::try_from(name.to_string()).unwrap();
        let conn = rustls::ClientConnection::new(config.clone(), server).unwrap();
        let sock = std::net::TcpStream::connect(&emu.addr).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut tls = rustls::StreamOwned::new(conn, sock);
        write!(tls, "GET /api/v2/tickets/1.json HTTP/1.1\r\nHost: {}\r\nAuthorization: {BEARER}\r\nConnection: close\r\n\r\n", emu.addr).unwrap();
        let mut buf = Vec::new();
        let _ = tls.read_to_end(&mut buf);
        let r = common::parse_response(&buf).unwrap();
        assert_eq!(r.status, 200);
        assert!(
            r.json()["ticket"]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
    }
    // Clean exit removes the CA file.
    emu.signal("-TERM");
    assert!(emu.wait_exit(Duration::from_secs(5)).unwrap().success());
    assert!(!std::path::Path::new(&ca).exists());
}
