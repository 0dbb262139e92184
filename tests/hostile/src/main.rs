//! zdkit-hostile: a deliberately hostile HTTP/1.1 server on loopback, for zdkit's
//! hardening tests in Rust (`tests/hostile.rs`), C (`tests/c/test_hostile.c`) and
//! Python (`bindings/python/tests/test_hostile.py`).
//!
//! ```text
//! zdkit-hostile [--host 127.0.0.1] [--port 0] [--json] [--watch-stdin]
//! ```
//!
//! It prints `http://127.0.0.1:PORT` as its first stdout line (with `--json`:
//! `{"url": "http://127.0.0.1:PORT"}`, the emulator's shape, so the C tests' emulator
//! launcher can start it too), serves each connection on its own thread (one request
//! per connection), and runs until killed (SIGTERM) or, with `--watch-stdin`, until
//! its standard input closes. It listens on loopback addresses only.
//!
//! # Cases
//!
//! A case is chosen by the path prefix `/case/<name>/`: use
//! `http://127.0.0.1:PORT/case/<name>/` as a client's base URL, and its API calls and
//! its OAuth token endpoint (`<base>/oauth/tokens`) both meet the case. A tag after a
//! dot (`/case/retry-after-date.t2/`) is ignored for the choice of the case but keeps
//! the request counts of stateful cases apart.
//!
//! | name | answer |
//! | --- | --- |
//! | `big-body` | 200 with a 256 MiB body and its `Content-Length`, streamed |
//! | `big-body-chunked` | the same, chunked (no length announced) |
//! | `gzip-bomb` | `Content-Encoding: gzip`, ~2 MB on the wire inflating to 2 GiB, compressed as it is read |
//! | `many-headers` | 100,000 header lines |
//! | `huge-header` | one 1 MiB header line |
//! | `slowloris` | a status line, then a header one byte every 100 ms |
//! | `slow-body` | a complete head, then the body one byte every 100 ms |
//! | `deep-json` | `{"tickets": [[[…]]]}` nested 100,000 deep |
//! | `bad-utf8` | a JSON string with invalid UTF-8 |
//! | `nan` | `NaN` as a JSON value |
//! | `huge-numbers` | `123456789012345678901234567890` and `1e400` |
//! | `huge-int` | `123456789012345678901234567890` only |
//! | `redirect-loop` | 302 to itself (same origin), for ever |
//! | `redirect-off-origin` | 302 to `http://localhost:PORT/case/off-origin-landing/…` (another origin, same server: the log shows whether it was followed) |
//! | `retry-after-1e300`, `retry-after-u64` | 429 with `Retry-After: 1e300` / `18446744073709551615` |
//! | `retry-after-1e300-503`, `retry-after-u64-503` | the same with 503 |
//! | `reset-u64-429` | 429 with `ratelimit-reset: 18446744073709551615` and no `Retry-After` |
//! | `retry-after-date` | first request: 429 with `Retry-After` an HTTP date 3 s ahead; then 200 |
//! | `ratelimit-day` | 200 with `ratelimit-remaining: 0`, `ratelimit-reset: 86400` |
//! | `bucket-huge` | 200 with `zendesk-ratelimit-tickets-index: total=18446744073709551615; remaining=4294967295; resets=60` (remaining + 1 overflows 32 bits while pacing) |
//! | `bucket-huge-resets` | the same bucket with `remaining=0; resets=18446744073709551615` |
//! | `bucket-zero-total` | the same bucket with `total=0; remaining=0; resets=4294967295` |
//! | `cursor-cycle` | cursor pages whose `after_cursor` goes A → B → A … with `has_more` true |
//! | `link-comma` | page 1 has `Link: <…?page=2&sort=a,b>; rel="next", <…>; rel="first"`; page 2 answers only if the comma arrived |
//! | `truncated` | `Content-Length: 1000`, 10 bytes, then the connection closes |
//! | `close` | the connection closes without an answer |
//! | `attachment` | a download: `api/v2/attachments/{N}.json` gives a `content_url` on this origin that redirects (302) to `http://localhost:PORT/case/content/{N}/f.bin?sig=…` (the content origin), which serves N bytes (byte i = (31 i + 7) mod 256) |
//! | `attachment-cut` | the same, but the content origin (`content-cut`) closes after half the bytes it announced |
//! | `reset` | the connection is reset (RST) without an answer |
//! | `token-garbage` | the token endpoint answers 200 with binary garbage |
//! | `token-html` | … with an HTML page |
//! | `token-crlf` | … with an `access_token` containing CR/LF and an injected header |
//! | `token-nul` | … with an `access_token` containing NUL |
//! | `token-expires-1e300`, `-negative`, `-string`, `-missing`, `-u64` | … a valid token whose `expires_in` is `1e300`, `-5`, `"abc"`, absent, `18446744073709551615` |
//! | `token-slow` | … only after 20 s |
//!
//! In the `token-*` cases every other request answers 200 `{"user": …}`.
//!
//! # Request log
//!
//! `GET /__hostile/requests[?prefix=/case/name/]` answers
//! `{"count": N, "requests": [{"method", "target", "headers": ["Name: value", …]}]}`
//! for the requests (to cases) whose target starts with `prefix`, oldest first.

#![warn(missing_docs)]

mod cases;
mod http;
mod log;

use log::RequestLog;
use std::io::{Read, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::Arc;

const USAGE: &str = "usage: zdkit-hostile [--host 127.0.0.1] [--port 0] [--json] [--watch-stdin]";

/// The command line.
struct Args {
    host: IpAddr,
    port: u16,
    json: bool,
    watch_stdin: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        host: IpAddr::from([127, 0, 0, 1]),
        port: 0,
        json: false,
        watch_stdin: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--host" => {
                let text = it.next().ok_or("--host needs a value")?;
                args.host = text.parse().map_err(|e| format!("--host {text}: {e}"))?;
                if !args.host.is_loopback() {
                    return Err(format!("--host {text}: only loopback addresses"));
                }
            }
            "--port" => {
                let text = it.next().ok_or("--port needs a value")?;
                args.port = text.parse().map_err(|e| format!("--port {text}: {e}"))?;
            }
            "--json" => args.json = true,
            "--watch-stdin" => args.watch_stdin = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn main() {
    let args = parse_args().unwrap_or_else(|e| {
        eprintln!("zdkit-hostile: {e}\n{USAGE}");
        std::process::exit(2)
    });
    let listener = TcpListener::bind((args.host, args.port)).unwrap_or_else(|e| {
        eprintln!("zdkit-hostile: cannot listen: {e}");
        std::process::exit(1)
    });
    let address = listener.local_addr().expect("bound address");
    let url = format!("http://{address}");
    let line = if args.json {
        format!("{{\"url\": \"{url}\"}}")
    } else {
        url
    };
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        std::process::exit(1);
    }
    if args.watch_stdin {
        std::thread::spawn(|| {
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    let log = Arc::new(RequestLog::default());
    for stream in listener.incoming().flatten() {
        let log = log.clone();
        std::thread::spawn(move || serve(stream, &log));
    }
}

/// Serves the one request of a connection. Errors (the client hung up, as the
/// hostile cases intend) end the connection quietly.
fn serve(mut stream: TcpStream, log: &RequestLog) {
    let Ok(peeked) = http::peek_request(&stream) else {
        return;
    };
    let segment = log::case_segment(peeked.path()).to_owned();
    let name = segment.split('.').next().unwrap_or("").to_owned();
    if name == "reset" {
        log.record(&peeked);
        return; // the request is unread: closing resets the connection
    }
    let Ok(request) = http::read_request(&mut stream) else {
        return;
    };
    if request.path() == "/__hostile/requests" {
        let prefix = request
            .query()
            .split('&')
            .find_map(|p| p.strip_prefix("prefix="))
            .unwrap_or("");
        let _ = http::json(&mut stream, log.to_json(prefix));
        return;
    }
    let seen_before = log.record(&request);
    let ctx = cases::Ctx {
        request: &request,
        prefix: format!("/case/{segment}"),
        host: request.header("host").unwrap_or("127.0.0.1").to_owned(),
        seen_before,
    };
    let _ = cases::answer(&name, &mut stream, &ctx);
}
