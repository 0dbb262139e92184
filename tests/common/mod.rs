//! Shared helpers for the integration tests: start `zdkit-emulator` on a free
//! loopback port and stop it by PID when the test ends.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use zdkit::{Client, Config, ConfigBuilder, Request};

/// The emulator's built-in API token account.
pub const EMAIL: &str = "agent@example.com";
/// The emulator's built-in API token.
pub const API_TOKEN: &str = "emulator-api-token";
/// The emulator's built-in OAuth bearer token.
pub const OAUTH_TOKEN: &str = "emulator-oauth-token";

/// A running emulator, killed when dropped.
pub struct Emulator {
    child: Child,
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The CA file when started with `--tls`.
    pub ca_file: Option<String>,
}

/// A binary built beside the test binaries (`target/<profile>/<name>`), or the path in
/// the environment variable `var` when it is set.
pub fn sibling_binary(name: &str, var: &str) -> PathBuf {
    if let Ok(path) = std::env::var(var) {
        return PathBuf::from(path);
    }
    // target/debug/deps/<test> -> target/debug/<name>
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build -p {name}` (make test does)",
        path.display()
    );
    path
}

fn emulator_binary() -> PathBuf {
    sibling_binary("zdkit-emulator", "ZDKIT_EMULATOR")
}

/// A client from a builder that must be valid.
pub fn client(builder: ConfigBuilder) -> Client {
    Client::new(builder.build().expect("config")).expect("client")
}

impl Emulator {
    /// A configuration for the emulator with its OAuth bearer token, to adjust.
    pub fn oauth_builder(&self) -> ConfigBuilder {
        Config::builder()
            .base_url(&self.url)
            .oauth_token(OAUTH_TOKEN)
    }

    /// Starts the emulator with extra arguments on port 0 and waits (at most 20 s)
    /// for its first line.
    pub fn start(args: &[&str]) -> Emulator {
        let mut child = Command::new(emulator_binary())
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start zdkit-emulator");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the emulator never blocks on a full pipe.
            let mut sink = String::new();
            while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("the emulator printed no first line within 20 s");
            }
        };
        let info: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("first line {line:?} is not JSON: {e}"));
        Emulator {
            child,
            url: info["url"]
                .as_str()
                .expect("url")
                .trim_end_matches('/')
                .to_owned(),
            ca_file: info["ca_file"].as_str().map(str::to_owned),
        }
    }

    /// An API-token client for this emulator.
    pub fn api_token_client(&self) -> Client {
        Client::new(
            Config::builder()
                .base_url(&self.url)
                .api_token(EMAIL, API_TOKEN)
                .build()
                .expect("config"),
        )
        .expect("client")
    }

    /// An OAuth client for this emulator.
    pub fn oauth_client(&self) -> Client {
        client(self.oauth_builder())
    }

    /// An OAuth client that never retries (to observe single answers).
    pub fn client_without_retries(&self) -> Client {
        Client::new(
            Config::builder()
                .base_url(&self.url)
                .oauth_token(OAUTH_TOKEN)
                .max_retries(0)
                .build()
                .expect("config"),
        )
        .expect("client")
    }

    /// The request log (`GET /__emulator/requests`).
    pub fn requests(&self) -> Vec<serde_json::Value> {
        let log = self
            .oauth_client()
            .send(&Request::get("/__emulator/requests"))
            .expect("request log")
            .json()
            .expect("log is JSON");
        log.as_array().expect("log is a list").clone()
    }

    /// Requests to paths starting with `prefix`, oldest first.
    pub fn requests_to(&self, prefix: &str) -> Vec<serde_json::Value> {
        self.requests()
            .into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with(prefix)))
            .collect()
    }

    /// Queues a fault (`POST /__emulator/faults`).
    pub fn fault(&self, spec: serde_json::Value) {
        self.oauth_client()
            .send(&Request::post("/__emulator/faults").json(&spec))
            .expect("queue fault");
    }

    /// Clears faults, the log and the store (`POST /__emulator/reset`).
    pub fn reset(&self) {
        self.oauth_client()
            .send(&Request::post("/__emulator/reset"))
            .expect("reset");
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a header in a logged request, case-insensitively.
pub fn logged_header<'a>(request: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    request["headers"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str().or_else(|| v.as_array()?.first()?.as_str()))
}
