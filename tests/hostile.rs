//! The hostile-server suite (issue 9), in Rust: every case of `zdkit-hostile` (see
//! `tests/hostile/src/main.rs`) must give a typed error of the right kind, or the right
//! answer, within the call's deadline, without a panic.
//!
//! Each case runs in a child process (this test binary, re-run with `child_entry`
//! selected and the case named in `ZDKIT_HOSTILE_CASE`), so the parent can check what
//! only a whole process shows: nothing was printed on stderr, and the peak resident
//! memory (`VmHWM`) stayed under about twice `max_response_bytes` plus a fixed baseline.

mod common;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use zdkit::iterate::Pager;
use zdkit::{Client, Config, ConfigBuilder, Error, ErrorKind, Request, Response};

/// The clients' `max_response_bytes`.
const LIMIT: u64 = 8 * 1024 * 1024;
/// The clients' deadline (per call).
const DEADLINE: Duration = Duration::from_secs(3);
/// Allowed past the deadline (a debug build, two busy cores).
const SLACK: Duration = Duration::from_secs(2);
/// Peak memory of a child before any hostile answer: the test binary, libcurl, threads.
const BASELINE_KB: u64 = 32 * 1024;
/// Retries of every client (so a retried failure shows as three requests).
const RETRIES: u32 = 2;
/// The static bearer token: a canary that must never travel anywhere unexpected.
const CANARY: &str = "canary-hostile-rs-5e1b";
/// The OAuth client secret of the token cases.
const CANARY_SECRET: &str = "canary-hostile-secret-rs-77c2";
/// The token the server's token cases issue.
const ISSUED_TOKEN: &str = "hostile-access-token";
/// A child case that takes longer than this is killed (and fails).
const CHILD_LIMIT: Duration = Duration::from_secs(90);

const CASE_VAR: &str = "ZDKIT_HOSTILE_CASE";
const URL_VAR: &str = "ZDKIT_HOSTILE_URL";
const HWM_MARK: &str = "HOSTILE-VMHWM-KB";

// ---------------------------------------------------------------------------------
// The server and the child processes.

/// A running `zdkit-hostile`, killed by PID when dropped (and exiting by itself when
/// this process dies: it watches its stdin, a pipe held here).
struct Server {
    child: Child,
    url: String,
}

fn hostile_binary() -> PathBuf {
    common::sibling_binary("zdkit-hostile", "ZDKIT_HOSTILE")
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(hostile_binary())
            .arg("--watch-stdin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start zdkit-hostile");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("zdkit-hostile printed no first line within 20 s");
        };
        let url = line.trim().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "first line {line:?}");
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a pipe to the end on a thread.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// Runs `case` in a child process against a fresh server; checks it passed, printed
/// nothing on stderr and kept its peak memory under the bound.
fn in_child(case: &str) {
    let server = Server::start();
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "child_entry",
            "--exact",
            "--nocapture",
            "--test-threads=1",
            "-q",
        ])
        .env(CASE_VAR, case)
        .env(URL_VAR, &server.url)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the child");
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the child") {
            break status;
        }
        if started.elapsed() > CHILD_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("case {case}: the child was still running after {CHILD_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = stdout.recv().unwrap_or_default();
    let stderr = stderr.recv().unwrap_or_default();
    assert!(
        status.success(),
        "case {case} failed ({status}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(
        stderr.is_empty(),
        "case {case} printed on stderr:\n{stderr}"
    );
    let hwm: u64 = stdout
        .lines()
        .find_map(|line| line.strip_prefix(HWM_MARK))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("case {case}: the child reported no {HWM_MARK}:\n{stdout}"));
    let bound = 2 * LIMIT / 1024 + BASELINE_KB;
    assert!(
        hwm <= bound,
        "case {case}: peak RSS {hwm} kB is over {bound} kB (2 × max_response_bytes + baseline)"
    );
}

/// The peak resident set of this process in kB (`VmHWM` of /proc/self/status).
fn vm_hwm_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// The entry point of the child processes: runs the case named by `ZDKIT_HOSTILE_CASE`
/// and prints its peak memory. Run directly (no case named), it checks that the peak
/// memory can be read.
#[test]
fn child_entry() {
    match (std::env::var(CASE_VAR), std::env::var(URL_VAR)) {
        (Ok(case), Ok(url)) => {
            run_case(&case, &url);
            println!("{HWM_MARK} {}", vm_hwm_kb());
        }
        _ => assert!(vm_hwm_kb() > 0, "VmHWM is readable and positive"),
    }
}

// ---------------------------------------------------------------------------------
// Helpers of the cases (run in the child).

fn base(url: &str, case: &str) -> String {
    format!("{url}/case/{case}/")
}

fn builder(url: &str, case: &str) -> ConfigBuilder {
    Config::builder()
        .base_url(base(url, case))
        .max_response_bytes(LIMIT)
        .deadline(DEADLINE)
        .max_retries(RETRIES)
}

fn build(builder: ConfigBuilder) -> Client {
    Client::new(builder.build().expect("config")).expect("client")
}

/// A client with the canary bearer token.
fn bearer(url: &str, case: &str) -> Client {
    build(builder(url, case).oauth_token(CANARY))
}

/// A client minting tokens with OAuth client credentials at `<base>/oauth/tokens`.
fn minting(url: &str, case: &str) -> Client {
    build(builder(url, case).oauth_client_credentials(
        "hostile-client",
        CANARY_SECRET,
        "read",
        1800,
    ))
}

/// Runs `call`, checks it ended within the deadline (plus slack), returns its result.
fn timed<T>(what: &str, deadline: Duration, call: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = call();
    let took = started.elapsed();
    assert!(
        took <= deadline + SLACK,
        "{what}: took {took:?}, past the deadline {deadline:?} (+ {SLACK:?})"
    );
    result
}

/// The error of `result`, which must be of `kind`.
fn expect_kind<T: std::fmt::Debug>(what: &str, result: zdkit::Result<T>, kind: ErrorKind) -> Error {
    match result {
        Err(error) if error.kind() == kind => error,
        Err(error) => panic!(
            "{what}: expected a {} error, got {}: {error}",
            kind.as_str(),
            error.kind().as_str()
        ),
        Ok(answer) => panic!("{what}: expected a {} error, got {answer:?}", kind.as_str()),
    }
}

/// One GET of the tickets list.
fn get_tickets(client: &Client) -> zdkit::Result<Response> {
    client.send(&Request::get("/api/v2/tickets.json"))
}

/// The server's log of the requests whose target starts with `prefix` (a raw
/// HTTP/1.1 exchange: the log must not depend on the client under test).
fn server_log(url: &str, prefix: &str) -> Vec<Value> {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect to zdkit-hostile");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    write!(
        stream,
        "GET /__hostile/requests?prefix={prefix} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("ask for the log");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the log");
    let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let log: Value = serde_json::from_str(body).expect("the log is JSON");
    log["requests"].as_array().expect("a request list").clone()
}

fn case_log(url: &str, case: &str) -> Vec<Value> {
    server_log(url, &format!("/case/{case}/"))
}

fn header_lines(request: &Value) -> Vec<&str> {
    request["headers"]
        .as_array()
        .map(|lines| lines.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------
// The cases.

fn run_case(case: &str, url: &str) {
    match case {
        "big-body" | "big-body-chunked" | "gzip-bomb" => {
            let client = bearer(url, case);
            let result = timed(case, DEADLINE, || get_tickets(&client));
            expect_kind(case, result, ErrorKind::ResponseTooLarge);
        }
        "many-headers" | "huge-header" => {
            let client = bearer(url, case);
            let result = timed(case, DEADLINE, || get_tickets(&client));
            expect_kind(case, result, ErrorKind::Transport);
        }
        "truncated" | "close" | "reset" => cut_connection(case, url),
        "slowloris" | "slow-body" => {
            let client = bearer(url, case);
            let result = timed(case, DEADLINE, || get_tickets(&client));
            expect_kind(case, result, ErrorKind::Timeout);
        }
        "deep-json" | "bad-utf8" | "nan" => undecodable(case, url),
        "huge-numbers" | "huge-int" => {
            let client = bearer(url, case);
            let response = timed(case, DEADLINE, || get_tickets(&client)).expect("raw answer");
            match response.json() {
                Ok(value) => assert!(value["tickets"].is_array(), "{case}: {value}"),
                Err(error) => assert_eq!(error.kind(), ErrorKind::Decode, "{case}: {error}"),
            }
        }
        "redirect-loop" => {
            let client = bearer(url, case);
            let result = timed(case, DEADLINE, || get_tickets(&client));
            expect_kind(case, result, ErrorKind::Http);
        }
        "redirect-off-origin" => {
            let client = bearer(url, case);
            let result = timed(case, DEADLINE, || get_tickets(&client));
            expect_kind(case, result, ErrorKind::Http);
            let landed = server_log(url, "/case/off-origin-landing/");
            assert!(landed.is_empty(), "the redirect was followed: {landed:?}");
        }
        "retry-after-1e300" | "retry-after-u64" | "reset-u64-429" => {
            refused_at_once(case, url, ErrorKind::RateLimited);
        }
        "retry-after-1e300-503" | "retry-after-u64-503" => {
            refused_at_once(case, url, ErrorKind::Server);
        }
        "retry-after-date" => retry_after_date(case, url),
        "ratelimit-day" => ratelimit_day(case, url),
        "bucket-huge" | "bucket-huge-resets" | "bucket-zero-total" => {
            let client = bearer(url, case);
            for call in 0..2 {
                let response = timed(case, DEADLINE, || get_tickets(&client))
                    .unwrap_or_else(|e| panic!("{case}: call {call}: {e}"));
                assert_eq!(response.status, 200);
            }
            assert_eq!(case_log(url, case).len(), 2, "{case}: both calls sent");
        }
        "token-garbage" | "token-html" | "token-crlf" | "token-nul" => token_refused(case, url),
        "token-expires-1e300"
        | "token-expires-negative"
        | "token-expires-string"
        | "token-expires-missing"
        | "token-expires-u64" => token_tolerated(case, url),
        "token-slow" => {
            let client = minting(url, case);
            let result = timed(case, DEADLINE, || client.get("/api/v2/users/me.json"));
            expect_kind(case, result, ErrorKind::Timeout);
        }
        "cursor-cycle" => cursor_cycle(case, url),
        "link-comma" => link_comma(case, url),
        "attachment" => download(case, url),
        "attachment-cut" => download_cut(case, url),
        other => panic!("no such case in the suite: {other}"),
    }
}

/// A body cut short, an empty reply or a reset: a transport error after the retries
/// a GET is allowed.
fn cut_connection(case: &str, url: &str) {
    let client = bearer(url, case);
    let result = timed(case, DEADLINE, || get_tickets(&client));
    expect_kind(case, result, ErrorKind::Transport);
    assert_eq!(
        case_log(url, case).len(),
        1 + RETRIES as usize,
        "{case}: a GET cut short is retried"
    );
}

/// The raw request succeeds; decoding the body (and paging over it) is a decode error.
fn undecodable(case: &str, url: &str) {
    let client = bearer(url, case);
    let response = timed(case, DEADLINE, || get_tickets(&client)).expect("raw answer");
    assert_eq!(response.status, 200);
    expect_kind(case, response.json(), ErrorKind::Decode);
    let mut pager = Pager::new(&client, "/api/v2/tickets.json", Vec::new(), 100);
    let page = timed(case, DEADLINE, || pager.next_page());
    expect_kind(case, page.map(|p| p.is_some()), ErrorKind::Decode);
}

/// An absurd wait is never started: the error comes at once, after one request, with
/// a usable retry-after.
fn refused_at_once(case: &str, url: &str, kind: ErrorKind) {
    let client = bearer(url, case);
    let started = Instant::now();
    let error = expect_kind(case, get_tickets(&client), kind);
    assert!(
        started.elapsed() < DEADLINE,
        "{case}: the error must come before the deadline, not after waiting for it"
    );
    let retry_after = error
        .retry_after()
        .unwrap_or_else(|| panic!("{case}: no retry_after on {error}"));
    assert!(
        !retry_after.is_zero(),
        "{case}: retry_after {retry_after:?}"
    );
    assert_eq!(
        case_log(url, case).len(),
        1,
        "{case}: one request, no retry"
    );
}

/// `Retry-After` as an HTTP date 3 s ahead is honoured (not replaced by a back-off of
/// a fraction of a second).
fn retry_after_date(case: &str, url: &str) {
    let deadline = Duration::from_secs(10);
    let client = build(builder(url, case).deadline(deadline).oauth_token(CANARY));
    let started = Instant::now();
    let response = timed(case, deadline, || get_tickets(&client)).expect("the retry succeeds");
    assert_eq!(response.status, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "{case}: waited only {:?}, not until the date",
        started.elapsed()
    );
    assert_eq!(case_log(url, case).len(), 2, "{case}: one retry");
}

/// After `ratelimit-remaining: 0` with a reset a day away, later calls still reach the
/// server: pacing delays, it never refuses.
fn ratelimit_day(case: &str, url: &str) {
    let client = bearer(url, case);
    for call in 0..3 {
        let response = timed(case, DEADLINE, || get_tickets(&client))
            .unwrap_or_else(|e| panic!("{case}: call {call} refused: {e}"));
        assert_eq!(response.status, 200);
    }
    assert_eq!(case_log(url, case).len(), 3, "{case}: every call was sent");
}

/// A token answer that cannot be used is an authentication error, and no API request
/// is sent (nor any injected header).
fn token_refused(case: &str, url: &str) {
    let client = minting(url, case);
    let result = timed(case, DEADLINE, || client.get("/api/v2/users/me.json"));
    expect_kind(case, result, ErrorKind::Authentication);
    let log = case_log(url, case);
    assert!(!log.is_empty(), "{case}: the token endpoint was asked");
    for request in &log {
        let target = request["target"].as_str().unwrap_or("");
        assert!(
            target.ends_with("/oauth/tokens"),
            "{case}: an API request was sent: {request}"
        );
        for line in header_lines(request) {
            assert!(
                !line.to_ascii_lowercase().starts_with("x-injected"),
                "{case}: injected header arrived: {line}"
            );
            assert!(
                !line.to_ascii_lowercase().starts_with("authorization"),
                "{case}: a token request carried {line}"
            );
        }
    }
}

/// An absurd or missing `expires_in` either works (clamped, or no expiry) or is an
/// authentication error; never a panic or a hang.
fn token_tolerated(case: &str, url: &str) {
    let client = minting(url, case);
    for call in 0..2 {
        match timed(case, DEADLINE, || client.get("/api/v2/users/me.json")) {
            Ok(response) => assert_eq!(response.status, 200, "{case}: call {call}"),
            Err(error) => assert_eq!(
                error.kind(),
                ErrorKind::Authentication,
                "{case}: call {call}: {error}"
            ),
        }
    }
    for request in case_log(url, case) {
        if request["target"]
            .as_str()
            .is_some_and(|t| t.ends_with("/oauth/tokens"))
        {
            continue;
        }
        let expected = format!("Authorization: Bearer {ISSUED_TOKEN}");
        assert!(
            header_lines(&request).contains(&expected.as_str()),
            "{case}: an API request without the issued token: {request}"
        );
    }
}

/// Cursors A → B → A: an error (decode) after a few pages, not an endless walk.
fn cursor_cycle(case: &str, url: &str) {
    let client = bearer(url, case);
    let mut pager = Pager::new(&client, "/api/v2/tickets.json", Vec::new(), 100);
    for _ in 0..10 {
        match timed(case, DEADLINE, || pager.next_page()) {
            Ok(Some(_)) => {}
            Ok(None) => panic!("{case}: the walk ended although every page has more"),
            Err(error) => {
                assert_eq!(error.kind(), ErrorKind::Decode, "{case}: {error}");
                assert!(pager.pages_fetched() <= 4, "{case}: {pager:?}");
                return;
            }
        }
    }
    panic!("{case}: 10 pages of a cycle A → B → A without an error");
}

/// A `Link` URL with a comma is followed whole.
fn link_comma(case: &str, url: &str) {
    let client = bearer(url, case);
    let pager = Pager::new(&client, "/api/v2/help_center/articles.json", Vec::new(), 0);
    let mut ids = Vec::new();
    for page in pager.take(5) {
        let page = page.unwrap_or_else(|e| panic!("{case}: {e}"));
        ids.extend(
            page.items()
                .unwrap()
                .iter()
                .filter_map(|item| item["id"].as_u64()),
        );
    }
    assert_eq!(ids, [1, 2], "{case}: both pages, in order");
}

/// The first `size` bytes of every attachment the server serves.
fn attachment_bytes(size: u64) -> Vec<u8> {
    (0..size).map(attachment_byte).collect()
}

/// Byte `i` of every attachment the server serves (`attachment_byte` in its cases).
fn attachment_byte(i: u64) -> u8 {
    (i.wrapping_mul(31).wrapping_add(7) % 256) as u8
}

/// True when the file at `path` holds exactly the `size` bytes the server serves
/// (compared a block at a time: the peak-memory bound covers the test too).
fn same_as_attachment(path: &std::path::Path, size: u64) -> bool {
    let mut file = std::fs::File::open(path).expect("the downloaded file");
    let mut block = vec![0u8; 64 * 1024];
    let mut offset = 0u64;
    loop {
        let n = file.read(&mut block).expect("read the file");
        if n == 0 {
            return offset == size;
        }
        let expected = (offset..offset + n as u64).map(attachment_byte);
        if !block[..n].iter().copied().eq(expected) {
            return false;
        }
        offset += n as u64;
    }
}

/// A fresh directory for one case's downloads.
fn download_dir(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zdkit-download-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// The names in `dir`.
fn names_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read the directory")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Downloads through the account origin's redirect to the content origin: the bytes
/// arrive intact (three times `max_response_bytes`, within the memory bound), the
/// content origin never sees the credential, an ordinary call still refuses that
/// redirect, and `max_bytes` stops a larger file leaving nothing behind.
fn download(case: &str, url: &str) {
    use zdkit::download::DownloadSource;
    let client = bearer(url, case);
    let dir = download_dir(case);
    let big = 3 * LIMIT;
    let dest = dir.join("big.bin");
    let written = client
        .download(&DownloadSource::Attachment(big), &dest, None)
        .expect("download by attachment id");
    assert_eq!(written, big);
    assert!(
        same_as_attachment(&dest, big),
        "the downloaded bytes differ"
    );

    let content_url = format!("{}attachments/token/t1000/?name=f.bin", base(url, case));
    let small = dir.join("small.bin");
    let source = DownloadSource::parse(&content_url);
    assert_eq!(
        client
            .download(&source, &small, Some(1000))
            .expect("download by URL"),
        1000
    );
    assert_eq!(
        std::fs::read(&small).expect("the file"),
        attachment_bytes(1000)
    );

    let content = server_log(url, "/case/content/");
    assert_eq!(content.len(), 2, "{content:?}");
    for request in &content {
        for line in header_lines(request) {
            assert!(
                !line.to_ascii_lowercase().starts_with("authorization") && !line.contains(CANARY),
                "a credential reached the content origin: {line}"
            );
        }
    }
    let account = case_log(url, case);
    assert!(
        account
            .iter()
            .all(|r| header_lines(r).contains(&format!("Authorization: Bearer {CANARY}").as_str())),
        "the account origin gets the credential on every hop"
    );

    // An ordinary call still refuses the cross-origin redirect.
    let refused = client.send(&Request::get(&content_url));
    expect_kind(case, refused, ErrorKind::Http);
    assert_eq!(
        server_log(url, "/case/content/").len(),
        2,
        "an ordinary call followed it"
    );

    // max_bytes: nothing written, the old file kept, no temporary file left.
    std::fs::write(&small, b"old").expect("write");
    let over = client.download(&DownloadSource::Attachment(5000), &small, Some(4096));
    expect_kind(case, over, ErrorKind::ResponseTooLarge);
    assert_eq!(std::fs::read(&small).expect("the file"), b"old");
    assert_eq!(names_in(&dir), ["big.bin", "small.bin"]);

    // A destination that cannot be written is an invalid argument, sent nowhere.
    let before = server_log(url, "/case/").len();
    let nowhere = client.download(&source, &dir.join("missing/dir/x.bin"), None);
    expect_kind(case, nowhere, ErrorKind::InvalidArgument);
    expect_kind(
        case,
        client.download(&source, &dir, None),
        ErrorKind::InvalidArgument,
    );
    assert_eq!(server_log(url, "/case/").len(), before);
    std::fs::remove_dir_all(&dir).expect("clean up");
}

/// A transfer cut halfway: retried from the start like any GET, then a transport
/// error; the destination keeps its old content and no partial file is left.
fn download_cut(case: &str, url: &str) {
    use zdkit::download::DownloadSource;
    let client = bearer(url, case);
    let dir = download_dir(case);
    let dest = dir.join("cut.bin");
    std::fs::write(&dest, b"previous").expect("write");
    let result = client.download(&DownloadSource::Attachment(200_000), &dest, None);
    expect_kind(case, result, ErrorKind::Transport);
    assert_eq!(std::fs::read(&dest).expect("the file"), b"previous");
    assert_eq!(names_in(&dir), ["cut.bin"]);
    let content = server_log(url, "/case/content-cut/");
    assert_eq!(content.len(), 1 + RETRIES as usize, "{content:?}");
    std::fs::remove_dir_all(&dir).expect("clean up");
}

// ---------------------------------------------------------------------------------
// One test per case, each in its own child process.

macro_rules! hostile_cases {
    ($($test:ident => $case:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                in_child($case);
            }
        )*
    };
}

hostile_cases! {
    body_over_the_limit => "big-body",
    chunked_body_over_the_limit => "big-body-chunked",
    gzip_bomb => "gzip-bomb",
    hundred_thousand_headers => "many-headers",
    one_megabyte_header_line => "huge-header",
    slowloris_head => "slowloris",
    slowloris_body => "slow-body",
    deeply_nested_json => "deep-json",
    invalid_utf8_json => "bad-utf8",
    nan_in_json => "nan",
    huge_numbers_in_json => "huge-numbers",
    huge_integer_in_json => "huge-int",
    redirect_loop => "redirect-loop",
    redirect_to_another_origin => "redirect-off-origin",
    retry_after_1e300 => "retry-after-1e300",
    retry_after_u64_max => "retry-after-u64",
    retry_after_1e300_on_503 => "retry-after-1e300-503",
    retry_after_u64_max_on_503 => "retry-after-u64-503",
    ratelimit_reset_u64_max_on_429 => "reset-u64-429",
    retry_after_http_date => "retry-after-date",
    ratelimit_reset_a_day_away => "ratelimit-day",
    endpoint_bucket_u32_max => "bucket-huge",
    endpoint_bucket_huge_resets => "bucket-huge-resets",
    endpoint_bucket_zero_total => "bucket-zero-total",
    token_endpoint_garbage => "token-garbage",
    token_endpoint_html => "token-html",
    token_with_crlf => "token-crlf",
    token_with_nul => "token-nul",
    token_expires_in_1e300 => "token-expires-1e300",
    token_expires_in_negative => "token-expires-negative",
    token_expires_in_string => "token-expires-string",
    token_expires_in_missing => "token-expires-missing",
    token_expires_in_u64_max => "token-expires-u64",
    slow_token_endpoint => "token-slow",
    cursor_cycle_a_b_a => "cursor-cycle",
    link_header_with_a_comma => "link-comma",
    truncated_body => "truncated",
    empty_reply => "close",
    connection_reset => "reset",
    download_through_the_content_origin => "attachment",
    download_cut_halfway => "attachment-cut",
}
