//! Just enough HTTP/1.1 to be hostile: read one request head (and its body), write
//! answers whole or piece by piece. Every connection serves one request and closes.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The longest request head read (a client never sends more; the limit keeps a
/// misbehaving one from growing the server).
const MAX_HEAD: usize = 1024 * 1024;
/// The longest request body read (token requests are a few hundred bytes).
const MAX_BODY: usize = 1024 * 1024;

/// One parsed request.
pub struct Request {
    /// `GET`, `POST`, …
    pub method: String,
    /// The request target as sent: path and query.
    pub target: String,
    /// The header lines as received, without their CR/LF.
    pub header_lines: Vec<String>,
    /// The body (read up to `Content-Length`).
    pub body: Vec<u8>,
}

impl Request {
    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query string without `?` (empty when none).
    pub fn query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// The first value of a header, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_lines.iter().find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Finds the end of the head (`\r\n\r\n`) in `buf`: the index just past it.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

/// Parses a request head (request line and header lines).
fn parse_head(head: &[u8]) -> Option<(String, String, Vec<String>)> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let header_lines = lines
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    Some((method, target, header_lines))
}

/// Reads one request: its head, then `Content-Length` bytes of body.
pub fn read_request(stream: &mut TcpStream) -> io::Result<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(end) = head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(io::Error::other("request head too long"));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let (method, target, header_lines) =
        parse_head(&buf[..end]).ok_or_else(|| io::Error::other("bad request line"))?;
    let mut request = Request {
        method,
        target,
        header_lines,
        body: buf[end..].to_vec(),
    };
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    while request.body.len() < length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        request.body.extend_from_slice(&chunk[..n]);
    }
    Ok(request)
}

/// Reads one request head without consuming it (`peek`), so that closing the socket
/// afterwards resets the connection (unread data makes the kernel send RST).
pub fn peek_request(stream: &TcpStream) -> io::Result<Request> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut buf = vec![0u8; 64 * 1024];
    for _ in 0..100 {
        let n = stream.peek(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        if let Some(end) = head_end(&buf[..n]) {
            let (method, target, header_lines) =
                parse_head(&buf[..end]).ok_or_else(|| io::Error::other("bad request line"))?;
            return Ok(Request {
                method,
                target,
                header_lines,
                body: Vec::new(),
            });
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(io::Error::other("no complete request head"))
}

/// The reason phrase of a status.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

/// The status line and headers (and the blank line), without a body.
pub fn head(status: u16, headers: &[(&str, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status)).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out
}

/// A whole answer: status, headers, `Content-Length` and the body.
pub fn respond(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &[u8],
) -> io::Result<()> {
    let mut all = headers.to_vec();
    all.push(("Content-Length", body.len().to_string()));
    let mut out = head(status, &all);
    out.extend_from_slice(body);
    stream.write_all(&out)?;
    stream.flush()
}

/// A JSON answer with status 200.
pub fn json(stream: &mut TcpStream, body: impl AsRef<[u8]>) -> io::Result<()> {
    respond(
        stream,
        200,
        &[("Content-Type", "application/json".to_owned())],
        body.as_ref(),
    )
}

/// Writes `data` as one chunk of a chunked body.
pub fn write_chunk(stream: &mut impl Write, data: &[u8]) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    stream.write_all(format!("{:x}\r\n", data.len()).as_bytes())?;
    stream.write_all(data)?;
    stream.write_all(b"\r\n")
}

/// `text` as a JSON string literal.
pub fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
