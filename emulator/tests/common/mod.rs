//! Test harness: start the built emulator on port 0 and talk plain HTTP/1.1 to it.
#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running emulator, killed on drop.
pub struct Emu {
    child: Child,
    /// Base URL from the first stdout line.
    pub url: String,
    /// `host:port`.
    pub addr: String,
    /// The CA file (with --tls).
    pub ca_file: Option<String>,
}

impl Emu {
    /// Starts `zdkit-emulator --port 0 ARGS…` and reads its first line.
    pub fn start(args: &[&str]) -> Emu {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zdkit-emulator"))
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn emulator");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("first line");
        let v: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("first line {line:?}: {e}"));
        let url = v["url"].as_str().expect("url").to_string();
        let addr = url.split("://").nth(1).expect("authority").to_string();
        let ca_file = v["ca_file"].as_str().map(String::from);
        Emu {
            child,
            url,
            addr,
            ca_file,
        }
    }

    /// Process id (for signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`-TERM`, `-INT`) through the shell's `kill` builtin.
    pub fn signal(&self, sig: &str) {
        let cmd = format!("kill {sig} {}", self.pid());
        let ok = Command::new("sh").args(["-c", &cmd]).status().expect("sh");
        assert!(ok.success(), "{cmd}");
    }

    /// Waits for the process to exit (bounded), returning its exit status.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = std::time::Instant::now() + limit;
        while std::time::Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// A request with the given Authorization (if any) and JSON body (if any).
    pub fn call(&self, method: &str, path: &str, auth: Option<&str>, body: Option<&Value>) -> Resp {
        let mut headers = vec![("Accept", "application/json".to_string())];
        if let Some(a) = auth {
            headers.push(("Authorization", a.to_string()));
        }
        let body = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        if !body.is_empty() {
            headers.push(("Content-Type", "application/json".into()));
        }
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        raw_request(&self.addr, method, path, &h, &body).expect("request")
    }

    /// GET as the admin with the static bearer token.
    pub fn get(&self, path: &str) -> Resp {
        self.call("GET", path, Some(BEARER), None)
    }

    /// Sends `method` with a JSON body as the admin (bearer).
    pub fn send(&self, method: &str, path: &str, body: &Value) -> Resp {
        self.call(method, path, Some(BEARER), Some(body))
    }

    /// The request log.
    pub fn requests(&self) -> Vec<Value> {
        self.call("GET", "/__emulator/requests", None, None)
            .json()
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Every item of a cursor-paged list, following `links.next` while `meta.has_more`
    /// (at most 1000 pages).
    pub fn walk_cursor(&self, first: &str, key: &str) -> Vec<Value> {
        let mut out = Vec::new();
        let mut next = first.to_string();
        for _ in 0..1000 {
            let v = self.get(&next).json();
            out.extend(
                v[key]
                    .as_array()
                    .unwrap_or_else(|| panic!("no {key}: {v}"))
                    .iter()
                    .cloned(),
            );
            if v["meta"]["has_more"] != true {
                return out;
            }
            let url = v["links"]["next"].as_str().expect("links.next");
            next = url
                .strip_prefix(&self.url)
                .expect("same origin")
                .to_string();
        }
        panic!("more than 1000 pages");
    }

    /// How many audits tickets `1..=tickets` have, each counted through its own list.
    pub fn audit_total(&self, tickets: u64) -> usize {
        (1..=tickets)
            .map(|t| {
                self.get(&format!("/api/v2/tickets/{t}/audits")).json()["audits"]
                    .as_array()
                    .map_or(0, Vec::len)
            })
            .sum()
    }

    /// Queues a fault.
    pub fn fault(&self, rule: Value) {
        let r = self.call("POST", "/__emulator/faults", None, Some(&rule));
        assert_eq!(r.status, 201, "{}", r.text());
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `id`s of the records listed under `key` in an answer.
pub fn ids(v: &Value, key: &str) -> Vec<u64> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|x| x["id"].as_u64().unwrap())
        .collect()
}

/// The static OAuth bearer header.
pub const BEARER: &str = "Bearer emulator-oauth-token";

/// `Basic base64(user:secret)`.
pub fn basic(user: &str, secret: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{secret}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

/// The built-in API token header.
pub fn api_token() -> String {
    basic("agent@example.com/token", "emulator-api-token")
}

/// A parsed response.
#[derive(Debug, Clone)]
pub struct Resp {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Body bytes received.
    pub body: Vec<u8>,
    /// Whether the body was as long as Content-Length promised.
    pub complete: bool,
}

impl Resp {
    /// First header value by (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Parses a full HTTP/1.1 response read until EOF.
pub fn parse_response(buf: &[u8]) -> std::io::Result<Resp> {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no complete header")
        })?;
    let head = String::from_utf8_lossy(&buf[..end]);
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let body = buf[end + 4..].to_vec();
    let complete = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .is_none_or(|n| n == body.len());
    Ok(Resp {
        status,
        headers,
        body,
        complete,
    })
}

/// One request on a fresh connection (`Connection: close`), read until EOF (10 s timeout).
pub fn raw_request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    parse_response(&buf)
}
