//! The hostile answers, one function per case (see the crate documentation for the
//! list). Each case answers every path under `/case/<name>/`, so a client whose base
//! URL is that prefix meets it on its API calls and on its token endpoint alike.

use crate::http::{self, Request};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::{self, Write};
use std::net::TcpStream;
use std::time::{Duration, SystemTime};

/// Bytes of the oversized bodies (streamed, never held).
const BIG_BODY: u64 = 256 * 1024 * 1024;
/// What the gzip bomb inflates to.
const BOMB_INFLATED: u64 = 2 * 1024 * 1024 * 1024;
/// Nesting depth of the deep JSON.
const DEEP: usize = 100_000;
/// Number of headers of `many-headers`.
const MANY_HEADERS: usize = 100_000;
/// Length of the single header of `huge-header`.
const HUGE_HEADER: usize = 1024 * 1024;
/// Pause between the bytes of the slow answers.
const TRICKLE: Duration = Duration::from_millis(100);
/// The slow answers stop after this many bytes (about 10 minutes).
const TRICKLE_MAX: usize = 6000;
/// How long the slow token endpoint sleeps before answering.
const SLOW_TOKEN: Duration = Duration::from_secs(20);
/// The access token the token cases issue (when they issue one).
pub const ISSUED_TOKEN: &str = "hostile-access-token";

/// What a case handler knows about the request.
pub struct Ctx<'a> {
    /// The request.
    pub request: &'a Request,
    /// `/case/<segment>`: where this case lives.
    pub prefix: String,
    /// The `Host` header (`127.0.0.1:PORT`).
    pub host: String,
    /// Requests to the same case segment before this one.
    pub seen_before: usize,
}

impl Ctx<'_> {
    fn is_token_request(&self) -> bool {
        self.request.method == "POST" && self.request.path().ends_with("/oauth/tokens")
    }
}

/// Answers `ctx.request` as case `name`. I/O errors (the client hung up) end it.
pub fn answer(name: &str, stream: &mut TcpStream, ctx: &Ctx<'_>) -> io::Result<()> {
    match name {
        "big-body" => big_body(stream, false),
        "big-body-chunked" => big_body(stream, true),
        "gzip-bomb" => gzip_bomb(stream),
        "many-headers" => many_headers(stream),
        "huge-header" => huge_header(stream),
        "slowloris" => trickle(stream, b"HTTP/1.1 200 OK\r\nX-Slow: "),
        "slow-body" => trickle(
            stream,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n",
        ),
        "deep-json" => http::json(
            stream,
            format!("{{\"tickets\":{}{}}}", "[".repeat(DEEP), "]".repeat(DEEP)),
        ),
        "bad-utf8" => http::json(
            stream,
            b"{\"tickets\":[{\"id\":1,\"subject\":\"\xff\xfe\xc3\x28\"}]}".as_slice(),
        ),
        "nan" => http::json(stream, "{\"tickets\":[{\"id\":1,\"score\":NaN}]}"),
        "huge-numbers" => http::json(
            stream,
            "{\"tickets\":[{\"id\":123456789012345678901234567890,\"score\":1e400}]}",
        ),
        "huge-int" => http::json(
            stream,
            "{\"tickets\":[{\"id\":123456789012345678901234567890}]}",
        ),
        "redirect-loop" => redirect(
            stream,
            format!("{}/loop?n={}", ctx.prefix, ctx.seen_before + 1),
        ),
        "redirect-off-origin" => {
            let port = ctx.host.rsplit(':').next().unwrap_or("80");
            redirect(
                stream,
                format!("http://localhost:{port}/case/off-origin-landing/api/v2/tickets.json"),
            )
        }
        "off-origin-landing" => http::json(stream, "{\"landed\":true}"),
        "retry-after-1e300" => refuse(stream, 429, "Retry-After", "1e300"),
        "retry-after-u64" => refuse(stream, 429, "Retry-After", "18446744073709551615"),
        "retry-after-1e300-503" => refuse(stream, 503, "Retry-After", "1e300"),
        "retry-after-u64-503" => refuse(stream, 503, "Retry-After", "18446744073709551615"),
        "reset-u64-429" => refuse(stream, 429, "ratelimit-reset", "18446744073709551615"),
        "retry-after-date" if ctx.seen_before == 0 => {
            let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
            refuse(stream, 429, "Retry-After", &when)
        }
        "ratelimit-day" => ok_with(
            stream,
            &[
                ("ratelimit-limit", "700"),
                ("ratelimit-remaining", "0"),
                ("ratelimit-reset", "86400"),
            ],
        ),
        "bucket-huge" => ok_with(
            stream,
            &[(
                "zendesk-ratelimit-tickets-index",
                "total=18446744073709551615; remaining=4294967295; resets=60",
            )],
        ),
        "bucket-huge-resets" => ok_with(
            stream,
            &[(
                "zendesk-ratelimit-tickets-index",
                "total=100; remaining=0; resets=18446744073709551615",
            )],
        ),
        "bucket-zero-total" => ok_with(
            stream,
            &[(
                "zendesk-ratelimit-tickets-index",
                "total=0; remaining=0; resets=4294967295",
            )],
        ),
        "cursor-cycle" => cursor_cycle(stream, ctx),
        "link-comma" => link_comma(stream, ctx),
        "truncated" => {
            let mut out = http::head(200, &[("Content-Length", "1000".to_owned())]);
            out.extend_from_slice(b"{\"tickets\"");
            stream.write_all(&out)
        }
        "close" => Ok(()),
        "attachment" | "attachment-cut" => attachment(name, stream, ctx),
        "content" => content(stream, ctx, false),
        "content-cut" => content(stream, ctx, true),
        name if name.starts_with("token-") => token_case(name, stream, ctx),
        "retry-after-date" => ok_with(stream, &[]),
        _ => http::respond(stream, 404, &[], b"no such hostile case"),
    }
}

/// The largest attachment the `attachment` cases serve (64 MiB).
const MAX_ATTACHMENT: u64 = 64 * 1024 * 1024;

/// Byte `i` of every served attachment (the tests compute the same pattern).
pub fn attachment_byte(i: u64) -> u8 {
    (i.wrapping_mul(31).wrapping_add(7) % 256) as u8
}

/// The account side of a download: `api/v2/attachments/{N}.json` describes an
/// attachment of N bytes whose `content_url` is `attachments/token/t{N}/?name=f.bin`
/// on this origin, and that URL redirects (302) to the content origin
/// (`http://localhost:PORT/case/content/{N}/f.bin?sig=…`, another origin on the same
/// server: the log shows what reached it). `attachment-cut` sends to `content-cut`.
fn attachment(name: &str, stream: &mut TcpStream, ctx: &Ctx<'_>) -> io::Result<()> {
    let path = ctx.request.path();
    let rest = path.strip_prefix(ctx.prefix.as_str()).unwrap_or("");
    let size = |text: &str| text.parse::<u64>().ok().filter(|n| *n <= MAX_ATTACHMENT);
    if let Some(id) = rest
        .strip_prefix("/api/v2/attachments/")
        .map(|r| r.trim_end_matches(".json"))
        .and_then(size)
    {
        let content_url = format!(
            "http://{}{}/attachments/token/t{id}/?name=f.bin",
            ctx.host, ctx.prefix
        );
        return http::json(
            stream,
            format!(
                "{{\"attachment\":{{\"id\":{id},\"file_name\":\"f.bin\",\"size\":{id},\"content_url\":{}}}}}",
                http::json_string(&content_url)
            ),
        );
    }
    if let Some(id) = rest
        .strip_prefix("/attachments/token/t")
        .map(|r| r.trim_end_matches('/'))
        .and_then(size)
    {
        let port = ctx.host.rsplit(':').next().unwrap_or("80");
        let landing = if name == "attachment-cut" {
            "content-cut"
        } else {
            "content"
        };
        return redirect(
            stream,
            format!("http://localhost:{port}/case/{landing}/{id}/f.bin?sig=signed-{id}"),
        );
    }
    http::respond(stream, 404, &[], b"{\"error\":\"RecordNotFound\"}")
}

/// The content origin: `/case/content/{N}/…` answers N bytes of [`attachment_byte`]
/// with their length; `content-cut` announces N and closes after half of them.
fn content(stream: &mut TcpStream, ctx: &Ctx<'_>, cut: bool) -> io::Result<()> {
    let rest = ctx
        .request
        .path()
        .strip_prefix(ctx.prefix.as_str())
        .unwrap_or("");
    let Some(size) = rest
        .trim_start_matches('/')
        .split('/')
        .next()
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| *n <= MAX_ATTACHMENT)
    else {
        return http::respond(stream, 404, &[], b"no such content");
    };
    let head = http::head(
        200,
        &[
            ("Content-Type", "application/octet-stream".to_owned()),
            ("Content-Length", size.to_string()),
        ],
    );
    stream.write_all(&head)?;
    let send = if cut { size / 2 } else { size };
    let mut chunk = Vec::with_capacity(64 * 1024);
    let mut i = 0;
    while i < send {
        chunk.clear();
        let end = (i + 64 * 1024).min(send);
        chunk.extend((i..end).map(attachment_byte));
        stream.write_all(&chunk)?;
        i = end;
    }
    stream.flush()
}

/// `size` bytes of `a`, with or without a `Content-Length`.
fn big_body(stream: &mut TcpStream, chunked: bool) -> io::Result<()> {
    let framing = if chunked {
        ("Transfer-Encoding", "chunked".to_owned())
    } else {
        ("Content-Length", BIG_BODY.to_string())
    };
    stream.write_all(&http::head(
        200,
        &[("Content-Type", "application/json".to_owned()), framing],
    ))?;
    let block = vec![b'a'; 64 * 1024];
    let mut sent = 0u64;
    while sent < BIG_BODY {
        if chunked {
            http::write_chunk(stream, &block)?;
        } else {
            stream.write_all(&block)?;
        }
        sent += block.len() as u64;
    }
    if chunked {
        stream.write_all(b"0\r\n\r\n")?;
    }
    Ok(())
}

/// A `Write` that frames what it is given as HTTP chunks.
struct Chunked<'a>(&'a mut TcpStream);

impl Write for Chunked<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        http::write_chunk(self.0, data)?;
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// 2 GiB of zeros, gzip-compressed as the client reads them (about 2 MB on the wire).
fn gzip_bomb(stream: &mut TcpStream) -> io::Result<()> {
    stream.write_all(&http::head(
        200,
        &[
            ("Content-Type", "application/json".to_owned()),
            ("Content-Encoding", "gzip".to_owned()),
            ("Transfer-Encoding", "chunked".to_owned()),
        ],
    ))?;
    let zeros = vec![0u8; 1024 * 1024];
    let mut encoder = GzEncoder::new(Chunked(stream), Compression::best());
    for _ in 0..BOMB_INFLATED / zeros.len() as u64 {
        encoder.write_all(&zeros)?;
    }
    let Chunked(stream) = encoder.finish()?;
    stream.write_all(b"0\r\n\r\n")
}

fn many_headers(stream: &mut TcpStream) -> io::Result<()> {
    let mut out = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..MANY_HEADERS {
        out.extend_from_slice(format!("X-Filler-{i}: {i}\r\n").as_bytes());
    }
    out.extend_from_slice(b"Content-Length: 2\r\nConnection: close\r\n\r\n{}");
    stream.write_all(&out)
}

fn huge_header(stream: &mut TcpStream) -> io::Result<()> {
    let mut out = b"HTTP/1.1 200 OK\r\nX-Huge: ".to_vec();
    out.resize(out.len() + HUGE_HEADER, b'a');
    out.extend_from_slice(b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
    stream.write_all(&out)
}

/// Sends `start`, then one byte every [`TRICKLE`] until the client gives up.
fn trickle(stream: &mut TcpStream, start: &[u8]) -> io::Result<()> {
    stream.set_nodelay(true)?;
    stream.write_all(start)?;
    for _ in 0..TRICKLE_MAX {
        std::thread::sleep(TRICKLE);
        stream.write_all(b"a")?;
    }
    Ok(())
}

fn redirect(stream: &mut TcpStream, location: String) -> io::Result<()> {
    http::respond(stream, 302, &[("Location", location)], b"")
}

/// A refusal (`status`) carrying one absurd header.
fn refuse(stream: &mut TcpStream, status: u16, name: &str, value: &str) -> io::Result<()> {
    http::respond(
        stream,
        status,
        &[
            ("Content-Type", "application/json".to_owned()),
            (name, value.to_owned()),
        ],
        b"{\"error\":\"TooManyRequests\",\"description\":\"hostile\"}",
    )
}

/// A small successful list answer with extra headers.
fn ok_with(stream: &mut TcpStream, headers: &[(&str, &str)]) -> io::Result<()> {
    let mut all = vec![("Content-Type", "application/json".to_owned())];
    all.extend(headers.iter().map(|(n, v)| (*n, (*v).to_owned())));
    http::respond(
        stream,
        200,
        &all,
        b"{\"tickets\":[{\"id\":1}],\"meta\":{\"has_more\":false}}",
    )
}

/// The value of query parameter `name` (its name percent-decoded for `[` and `]`).
fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let (n, v) = pair.split_once('=')?;
        let n = n
            .replace("%5B", "[")
            .replace("%5D", "]")
            .replace("%5b", "[")
            .replace("%5d", "]");
        (n == name).then_some(v)
    })
}

/// Cursor pages whose cursors go A → B → A → B … (`has_more` always true).
fn cursor_cycle(stream: &mut TcpStream, ctx: &Ctx<'_>) -> io::Result<()> {
    let (id, next) = match query_param(ctx.request.query(), "page[after]") {
        None => (1, "A"),
        Some("A") => (2, "B"),
        Some("B") => (3, "A"),
        Some(_) => return http::respond(stream, 400, &[], b"{\"error\":\"unknown cursor\"}"),
    };
    http::json(
        stream,
        format!(
            "{{\"tickets\":[{{\"id\":{id}}}],\"meta\":{{\"has_more\":true,\"after_cursor\":\"{next}\",\"before_cursor\":null}}}}"
        ),
    )
}

/// Page 1 links to page 2 through a `Link` header whose URL holds a comma; page 2
/// answers only when the comma arrived.
fn link_comma(stream: &mut TcpStream, ctx: &Ctx<'_>) -> io::Result<()> {
    let query = ctx.request.query();
    if query_param(query, "page") == Some("2") {
        return match query_param(query, "sort") {
            Some("a,b" | "a%2Cb" | "a%2cb") => http::json(stream, "{\"articles\":[{\"id\":2}]}"),
            _ => http::respond(stream, 400, &[], b"{\"error\":\"the URL lost its comma\"}"),
        };
    }
    let base = format!(
        "http://{}{}/api/v2/help_center/articles.json",
        ctx.host, ctx.prefix
    );
    let link = format!("<{base}?page=2&sort=a,b>; rel=\"next\", <{base}?page=1>; rel=\"first\"");
    http::respond(
        stream,
        200,
        &[
            ("Content-Type", "application/json".to_owned()),
            ("Link", link),
        ],
        b"{\"articles\":[{\"id\":1}]}",
    )
}

/// Token cases: the token endpoint answers badly (or slowly); API calls succeed.
fn token_case(name: &str, stream: &mut TcpStream, ctx: &Ctx<'_>) -> io::Result<()> {
    if !ctx.is_token_request() {
        return http::json(stream, "{\"user\":{\"id\":1,\"name\":\"hostile\"}}");
    }
    let token = |expires: &str| {
        format!(
            "{{\"access_token\":\"{ISSUED_TOKEN}\",\"token_type\":\"bearer\",\"scope\":\"read\"{expires}}}"
        )
    };
    let body = match name {
        "token-garbage" => {
            return http::respond(
                stream,
                200,
                &[("Content-Type", "application/json".to_owned())],
                b"\x00\xff\xfe garbage \x01\x02{{{",
            );
        }
        "token-html" => {
            return http::respond(
                stream,
                200,
                &[("Content-Type", "text/html".to_owned())],
                b"<html><body><h1>Welcome to the captive portal</h1></body></html>",
            );
        }
        "token-crlf" => "{\"access_token\":\"abc\\r\\nX-Injected: yes\",\"token_type\":\"bearer\",\"expires_in\":1800}".to_owned(),
        "token-nul" => "{\"access_token\":\"abc\\u0000def\",\"token_type\":\"bearer\",\"expires_in\":1800}".to_owned(),
        "token-expires-1e300" => token(",\"expires_in\":1e300"),
        "token-expires-negative" => token(",\"expires_in\":-5"),
        "token-expires-string" => token(",\"expires_in\":\"abc\""),
        "token-expires-missing" => token(""),
        "token-expires-u64" => token(",\"expires_in\":18446744073709551615"),
        "token-slow" => {
            std::thread::sleep(SLOW_TOKEN);
            token(",\"expires_in\":1800")
        }
        _ => return http::respond(stream, 404, &[], b"no such token case"),
    };
    http::json(stream, body)
}
