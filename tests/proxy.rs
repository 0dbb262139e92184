//! The proxy setting routes HTTPS through a CONNECT tunnel, and the credential is not
//! sent to the proxy in clear text.

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
