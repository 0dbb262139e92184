//! The proxy setting routes HTTPS through a CONNECT tunnel, and the credential is not
//! sent to the proxy in clear text; proxies from the environment never see plain-HTTP
//! loopback requests. (A test binary of its own: it sets proxy variables.)

mod common;

use common::{Emulator, OAUTH_TOKEN};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::time::Duration;
use zdkit::{Client, Config, ErrorKind};

const CANARY: &str = "canary-proxy-secret-51c2";

#[test]
fn explicit_proxy_gets_a_connect_without_the_credential() {
    let proxy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = proxy.local_addr().unwrap().port();
    let seen = std::thread::spawn(move || {
        let (stream, _) = proxy.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        head // dropping the stream refuses the tunnel
    });
    let client = Client::new(
        Config::builder()
            .subdomain("acme")
            .oauth_token(CANARY)
            .proxy(format!("http://127.0.0.1:{port}"))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = client.get("/api/v2/users/me.json").unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Transport | ErrorKind::Http),
        "{err}"
    );
    let head = seen.join().unwrap();
    assert!(head.starts_with("CONNECT acme.zendesk.com:443"), "{head}");
    assert!(
        !head.contains(CANARY),
        "the credential must travel inside TLS only"
    );
}

#[test]
fn environment_proxies_never_see_plain_http_loopback_requests() {
    let emulator = Emulator::start(&[]);
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    proxy.set_nonblocking(true).unwrap();
    // SAFETY (of the test): set once, before this test's client exists; the other test in
    // this binary sets an explicit proxy, which the variables do not change.
    unsafe {
        std::env::set_var("http_proxy", &proxy_url);
        std::env::set_var("HTTP_PROXY", &proxy_url);
        std::env::set_var("ALL_PROXY", &proxy_url);
    }
    let answer = Client::new(
        Config::builder()
            .base_url(&emulator.url)
            .oauth_token(OAUTH_TOKEN)
            .deadline(Duration::from_secs(10))
            .build()
            .unwrap(),
    )
    .unwrap()
    .get("/api/v2/users/me.json");
    unsafe {
        std::env::remove_var("http_proxy");
        std::env::remove_var("HTTP_PROXY");
        std::env::remove_var("ALL_PROXY");
    }
    assert_eq!(answer.unwrap().status, 200);
    assert!(
        proxy.accept().is_err(),
        "the proxy from the environment got a connection"
    );
}
