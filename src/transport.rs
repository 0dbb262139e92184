//! The libcurl layer: a pool of reusable easy handles and one function that performs
//! a transfer.
//!
//! An easy handle keeps its connection cache, TLS session cache and DNS cache across
//! `curl_easy_reset`, so taking handles from a pool gives connection reuse to every
//! thread that shares a client. Redirects are never followed here (the client decides,
//! so credentials can never reach another host) and libcurl never installs signal
//! handlers (`CURLOPT_NOSIGNAL`), which makes it safe in threaded programs.
//!
//! Hostile answers are bounded here: a body is read into memory only up to the
//! configured `max_response_bytes` (counted after decompression, so a gzip bomb stops
//! at the limit too), and libcurl's own limits bound the header block. After `fork()`,
//! a process never takes a pooled handle opened by another process: the child would
//! otherwise share the parent's sockets and read the parent's answers.

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::headers::Headers;
use crate::request::Body;
use crate::secret::Secret;
use curl::easy::{Easy2, Handler, HttpVersion, List, ReadError, WriteError};
use std::io::Read;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use zeroize::{Zeroize, Zeroizing};

/// A function polled during a transfer; returning true aborts it with
/// [`ErrorKind::Cancelled`]. Used to honour Ctrl-C from Python.
pub type CancelCheck = Arc<dyn Fn() -> bool + Send + Sync>;

/// Idle handles kept for reuse; more may exist while more threads transfer at once.
const MAX_IDLE_HANDLES: usize = 32;

/// Capacity reserved up front for answers that may hold secrets (token answers), so
/// the buffer never reallocates and leaves partial copies behind in freed memory.
const SENSITIVE_BODY_CAPACITY: usize = 64 * 1024;

/// Where a request body comes from while libcurl reads it.
enum Upload {
    /// Bytes in memory (zeroed when the transfer ends: they may hold secrets).
    Bytes {
        bytes: Zeroizing<Vec<u8>>,
        position: usize,
    },
    /// A file streamed from disk.
    File(std::fs::File),
}

/// Where the body of a 2xx answer goes in a streamed transfer (a download): a file,
/// written as the bytes arrive, never held in memory and not bound by
/// `max_response_bytes` (other answers, such as redirects and errors, are still read
/// into memory within that bound).
pub(crate) struct FileSink {
    /// The file the body is written to.
    pub file: std::fs::File,
    /// Bytes written so far.
    pub written: u64,
    /// The largest body accepted (`None`: no limit).
    pub max_bytes: Option<u64>,
    /// Set when the body passed `max_bytes` and the transfer was stopped.
    pub over_limit: bool,
    /// A write to the file failed (the transfer was stopped).
    pub io_error: Option<std::io::Error>,
}

impl FileSink {
    /// A sink writing to `file`, accepting at most `max_bytes`.
    pub fn new(file: std::fs::File, max_bytes: Option<u64>) -> FileSink {
        FileSink {
            file,
            written: 0,
            max_bytes,
            over_limit: false,
            io_error: None,
        }
    }

    /// Writes `data`; a short count stops libcurl's transfer.
    fn write(&mut self, data: &[u8]) -> usize {
        use std::io::Write;
        let total = self.written.saturating_add(data.len() as u64);
        if self.max_bytes.is_some_and(|max| total > max) {
            self.over_limit = true;
            return 0;
        }
        if let Err(error) = self.file.write_all(data) {
            self.io_error = Some(error);
            return 0;
        }
        self.written = total;
        data.len()
    }
}

/// Collects one response's headers and body.
#[derive(Default)]
pub(crate) struct Collector {
    /// The protocol of the last status line (`HTTP/2`, `HTTP/1.1`).
    http_version: String,
    /// The status of the last status line.
    status: u16,
    /// In a streamed transfer, where the body of a 2xx answer goes.
    sink: Option<FileSink>,
    headers: Headers,
    body: Vec<u8>,
    /// The largest body accepted (bytes after decompression).
    max_body: u64,
    /// Set when the body passed `max_body` and the transfer was stopped.
    too_large: bool,
    cancel: Option<CancelCheck>,
    /// The request body being sent.
    upload: Option<Upload>,
}

/// libcurl's receive buffer per transfer (its default is 16 KiB).
const RECEIVE_BUFFER: usize = 128 * 1024;

/// The most a `Content-Length` header makes the body buffer reserve before the bytes
/// arrive (a larger body still grows as it comes, within `max_response_bytes`).
const MAX_PRESIZE: u64 = 8 * 1024 * 1024;

/// The value of a `Content-Length` header line, when `line` is one.
fn content_length(line: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"content-length:";
    let value = line
        .get(..NAME.len())
        .filter(|name| name.eq_ignore_ascii_case(NAME))
        .map(|_| &line[NAME.len()..])?;
    std::str::from_utf8(value).ok()?.trim().parse().ok()
}

impl Collector {
    /// Sizes the body buffer for an announced body of `length` bytes (bounded by the
    /// body limit and [`MAX_PRESIZE`]), so a large page is not copied as it grows.
    fn reserve_for(&mut self, length: u64) {
        let wanted = length.min(self.max_body).min(MAX_PRESIZE);
        let wanted = usize::try_from(wanted).unwrap_or(0);
        if self.sink.is_none() && wanted > self.body.capacity() {
            self.body.reserve_exact(wanted - self.body.len());
        }
    }
}

impl Handler for Collector {
    fn write(&mut self, data: &[u8]) -> std::result::Result<usize, WriteError> {
        if let Some(sink) = self
            .sink
            .as_mut()
            .filter(|_| (200..300).contains(&self.status))
        {
            return Ok(sink.write(data));
        }
        let total = (self.body.len() as u64).saturating_add(data.len() as u64);
        if total > self.max_body {
            // A short count makes libcurl stop the transfer with a write error.
            self.too_large = true;
            return Ok(0);
        }
        if total > self.body.capacity() as u64 {
            // Grow by doubling, but never past the limit: the buffer holds at most
            // `max_body` bytes, and at most 1.5 times that while it moves.
            let doubled = (self.body.capacity() as u64)
                .max(16 * 1024)
                .saturating_mul(2);
            let target = doubled.clamp(total, self.max_body.max(total));
            let additional = usize::try_from(target)
                .unwrap_or(usize::MAX)
                .saturating_sub(self.body.len());
            self.body.reserve_exact(additional);
        }
        self.body.extend_from_slice(data);
        Ok(data.len())
    }

    fn header(&mut self, data: &[u8]) -> bool {
        if data.starts_with(b"HTTP/") {
            // A new status line (after `100 Continue` or a proxy CONNECT): start over.
            self.headers.clear();
            let line = String::from_utf8_lossy(data);
            let mut words = line.split_whitespace();
            self.http_version = words.next().unwrap_or("").to_owned();
            self.status = words.next().and_then(|s| s.parse().ok()).unwrap_or(0);
        } else {
            self.headers.push_raw_line(data);
            if let Some(length) = content_length(data) {
                self.reserve_for(length);
            }
        }
        true
    }

    fn read(&mut self, into: &mut [u8]) -> std::result::Result<usize, ReadError> {
        match self.upload.as_mut() {
            Some(Upload::File(file)) => file.read(into).map_err(|_| ReadError::Abort),
            Some(Upload::Bytes { bytes, position }) => {
                let rest = bytes.get(*position..).unwrap_or_default();
                let n = rest.len().min(into.len());
                into[..n].copy_from_slice(&rest[..n]);
                *position += n;
                Ok(n)
            }
            None => Ok(0),
        }
    }

    fn seek(&mut self, whence: std::io::SeekFrom) -> curl::easy::SeekResult {
        use curl::easy::SeekResult;
        use std::io::{Seek, SeekFrom};
        match (self.upload.as_mut(), whence) {
            (Some(Upload::Bytes { position, .. }), SeekFrom::Start(0)) => {
                *position = 0;
                SeekResult::Ok
            }
            (Some(Upload::File(file)), whence) => match file.seek(whence) {
                Ok(_) => SeekResult::Ok,
                Err(_) => SeekResult::Fail,
            },
            _ => SeekResult::CantSeek,
        }
    }

    fn progress(&mut self, _dltotal: f64, _dlnow: f64, _ultotal: f64, _ulnow: f64) -> bool {
        !self.cancel.as_ref().is_some_and(|cancelled| cancelled())
    }
}

/// The error of a libcurl option that could not be set.
fn option_error(e: curl::Error) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!("libcurl refused an option: {}", e.description()),
    )
}

/// Why a streamed transfer stopped on zdkit's side: the body passed `max_bytes`, or
/// the file could not be written.
fn sink_failure(sink: &FileSink) -> Option<Error> {
    if sink.over_limit {
        let max = sink.max_bytes.unwrap_or(0);
        return Some(Error::new(
            ErrorKind::ResponseTooLarge,
            format!(
                "the download is larger than max_bytes ({max} bytes); the transfer was stopped"
            ),
        ));
    }
    sink.io_error
        .as_ref()
        .map(|e| Error::invalid(format!("cannot write the downloaded file: {e}")))
}

/// What one transfer needs.
pub(crate) struct Transfer<'a> {
    /// Upper-case method.
    pub method: &'a str,
    /// The absolute URL.
    pub url: &'a url::Url,
    /// The `Authorization` header value (none for token requests).
    pub authorization: Option<&'a Secret>,
    /// Extra headers, already validated.
    pub headers: &'a [(String, String)],
    /// The body and its content type.
    pub body: Option<(&'a str, &'a Body)>,
    /// The time allowed for this transfer (the client's timeout, or less when the
    /// call's deadline is near).
    pub timeout: Duration,
    /// Polled to abort the transfer.
    pub cancel: Option<CancelCheck>,
    /// The answer may hold secrets (a token answer): its buffer never reallocates,
    /// so no partial copy is left behind in freed memory.
    pub sensitive: bool,
}

/// The raw result of a transfer.
pub(crate) struct RawResponse {
    pub status: u16,
    pub http_version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

impl RawResponse {
    /// The [`crate::Response`] to `method` on `path` (the URL path, no query).
    pub(crate) fn into_response(self, method: &str, path: &str) -> crate::Response {
        crate::Response {
            status: self.status,
            http_version: self.http_version,
            headers: self.headers,
            body: self.body,
            method: method.to_owned(),
            path: path.to_owned(),
            elapsed: self.elapsed,
        }
    }
}

/// An easy handle and the process that opened it (its connections belong to it).
pub(crate) struct PooledHandle {
    pub(crate) pid: u32,
    pub(crate) easy: Easy2<Collector>,
}

/// Handles a child process inherited from its parent after `fork()`: never used and
/// never cleaned up (their sockets and TLS state belong to the parent), but kept
/// reachable, so leak checkers (valgrind, LeakSanitizer) see them as held on purpose.
static INHERITED: Mutex<Vec<PooledHandle>> = Mutex::new(Vec::new());

/// Parks a handle opened by another process in [`INHERITED`]. If that lock is taken
/// (a thread of the parent held it at the fork), the handle is forgotten instead.
fn park_inherited(handle: PooledHandle) {
    match INHERITED.try_lock() {
        Ok(mut parked) => parked.push(handle),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner().push(handle),
        Err(std::sync::TryLockError::WouldBlock) => std::mem::forget(handle),
    }
}

/// Idle handles, and the process they belong to.
struct Pool {
    pid: u32,
    idle: Vec<PooledHandle>,
}

/// A pool of curl easy handles configured from one [`Config`].
pub(crate) struct Transport {
    pool: Mutex<Pool>,
    /// The pool's process id, readable without the lock (see [`Transport::with_pool`]).
    pool_pid: AtomicU32,
    config: Config,
}

impl Transport {
    pub(crate) fn new(config: Config) -> Transport {
        curl::init();
        let pid = std::process::id();
        Transport {
            pool: Mutex::new(Pool {
                pid,
                idle: Vec::new(),
            }),
            pool_pid: AtomicU32::new(pid),
            config,
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    /// Runs `f` on the pool of this process. In a child after `fork()`, the handles
    /// inherited from the parent are forgotten, never used nor cleaned up: their
    /// sockets (and TLS state) are shared with the parent, and closing them here would
    /// break its connections. The child only tries the lock, because a thread of the
    /// parent may have held it at the moment of the fork; it then works unpooled.
    fn with_pool<T>(&self, f: impl FnOnce(&mut Vec<PooledHandle>) -> T) -> Option<T> {
        let pid = std::process::id();
        let mut pool = match self.pool.try_lock() {
            Ok(pool) => pool,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                // Contended. In the parent (the common case) wait for it; in a child,
                // peek at the pid without blocking: the holder may not exist here.
                if self.pool_pid.load(Ordering::Acquire) != pid {
                    return None;
                }
                self.pool.lock().unwrap_or_else(PoisonError::into_inner)
            }
        };
        if pool.pid != pid {
            for inherited in pool.idle.drain(..) {
                park_inherited(inherited);
            }
            pool.pid = pid;
            self.pool_pid.store(pid, Ordering::Release);
        }
        Some(f(&mut pool.idle))
    }

    fn take_handle(&self) -> PooledHandle {
        let reused = self.with_pool(|idle| idle.pop()).flatten();
        reused.unwrap_or_else(new_handle)
    }

    fn return_handle(&self, handle: PooledHandle) {
        if handle.pid != std::process::id() {
            // Opened by the parent before a fork: never reuse it, never close it.
            park_inherited(handle);
            return;
        }
        let _ = self.with_pool(|idle| {
            if idle.len() < MAX_IDLE_HANDLES {
                idle.push(handle);
            }
        });
    }

    /// Performs one transfer. Any HTTP answer, whatever its status, is `Ok`.
    pub(crate) fn perform(&self, transfer: &Transfer<'_>) -> Result<RawResponse> {
        self.perform_streaming(transfer, None).0
    }

    /// Performs one transfer, writing the body of a 2xx answer to `sink` when one is
    /// given (the body of the returned response is then empty), and hands the sink
    /// back. A streamed transfer has no total timeout: it fails when no byte arrives
    /// for the transfer's timeout instead, so a large file may take as long as it needs.
    pub(crate) fn perform_streaming(
        &self,
        transfer: &Transfer<'_>,
        sink: Option<FileSink>,
    ) -> (Result<RawResponse>, Option<FileSink>) {
        let mut pooled = self.take_handle();
        let started = Instant::now();
        let streaming = sink.is_some();
        let outcome = self
            .configure(&mut pooled.easy, transfer)
            .and_then(|()| {
                if streaming {
                    self.stream_limits(&mut pooled.easy, transfer.timeout)?;
                }
                pooled.easy.get_mut().sink = sink;
                Ok(())
            })
            .and_then(|()| {
                pooled
                    .easy
                    .perform()
                    .map_err(|e| self.curl_failure(&pooled.easy, &e, transfer.timeout))
            });
        let result = outcome.map(|()| collect(&mut pooled.easy, started));
        let sink = pooled.easy.get_mut().sink.take();
        clean(&mut pooled.easy, transfer.sensitive);
        self.return_handle(pooled);
        (result, sink)
    }

    /// A streamed transfer: no total timeout, but at least one byte per `stall`.
    fn stream_limits(&self, handle: &mut Easy2<Collector>, stall: Duration) -> Result<()> {
        let curl = option_error;
        handle.timeout(Duration::ZERO).map_err(curl)?;
        handle.low_speed_limit(1).map_err(curl)?;
        handle
            .low_speed_time(stall.max(Duration::from_secs(1)))
            .map_err(curl)?;
        Ok(())
    }

    /// The error for a transfer of `handle` that libcurl ended with `e`: why a
    /// streamed transfer's sink stopped it, when it did.
    pub(crate) fn curl_failure(
        &self,
        handle: &Easy2<Collector>,
        e: &curl::Error,
        timeout: Duration,
    ) -> Error {
        let collector = handle.get_ref();
        match collector.sink.as_ref().and_then(sink_failure) {
            Some(error) => error,
            None => self.map_curl_error(e, collector.too_large, timeout),
        }
    }

    /// Configures `handle` for transfer `t` (the handle is fresh or was cleaned by
    /// [`clean`]). Shared by the blocking [`Transport::perform`] and the async engine,
    /// which runs the handle in its multi handle.
    pub(crate) fn configure(&self, handle: &mut Easy2<Collector>, t: &Transfer<'_>) -> Result<()> {
        let curl = option_error;
        let config = &self.config;
        let collector = handle.get_mut();
        collector.cancel = t.cancel.clone();
        collector.max_body = config.max_response_bytes;
        if t.sensitive {
            collector.body = Vec::with_capacity(SENSITIVE_BODY_CAPACITY);
        }
        handle.signal(false).map_err(curl)?;
        handle.url(t.url.as_str()).map_err(curl)?;
        handle.follow_location(false).map_err(curl)?;
        handle.useragent(&config.user_agent).map_err(curl)?;
        handle
            .connect_timeout(config.connect_timeout)
            .map_err(curl)?;
        handle
            .timeout(t.timeout.max(Duration::from_millis(1)))
            .map_err(curl)?;
        handle.accept_encoding("").map_err(curl)?;
        // HTTP/2 over TLS when the server offers it via ALPN; HTTP/1.1 otherwise.
        if handle.http_version(HttpVersion::V2TLS).is_err() {
            handle.http_version(HttpVersion::V11).map_err(curl)?;
        }
        handle.tcp_keepalive(true).map_err(curl)?;
        // A larger receive buffer than libcurl's 16 KiB: a list page (~200 KB) then
        // takes a few reads and write callbacks instead of a dozen (~2 % of W2).
        handle.buffer_size(RECEIVE_BUFFER).map_err(curl)?;
        handle.progress(t.cancel.is_some()).map_err(curl)?;
        match &config.proxy {
            Some(proxy) => handle.proxy(proxy).map_err(curl)?,
            // Plain HTTP is only allowed to loopback: an `http_proxy` from the
            // environment must not receive those requests and their Authorization.
            // (An empty proxy string turns the environment's proxy off.)
            None if t.url.scheme() == "http" => handle.proxy("").map_err(curl)?,
            None => {}
        }
        if let Some(no_proxy) = &config.no_proxy {
            handle.noproxy(no_proxy).map_err(curl)?;
        }
        if let Some(ca_file) = &config.ca_file {
            handle.cainfo(ca_file).map_err(curl)?;
        }
        if let Some(ca_dir) = &config.ca_dir {
            handle.capath(ca_dir).map_err(curl)?;
        }
        if let Some((cert, key)) = &config.client_cert {
            handle.ssl_cert(cert).map_err(curl)?;
            handle.ssl_key(key).map_err(curl)?;
        }

        let upload = match t.body {
            None => None,
            Some((_, Body::Bytes(bytes))) => Some((
                Upload::Bytes {
                    bytes: Zeroizing::new(bytes.clone()),
                    position: 0,
                },
                bytes.len() as u64,
            )),
            Some((_, Body::File(path))) => {
                let unreadable = |e: std::io::Error| {
                    Error::invalid(format!("cannot read {}: {e}", path.display()))
                };
                let file = std::fs::File::open(path).map_err(unreadable)?;
                let len = file.metadata().map_err(unreadable)?.len();
                Some((Upload::File(file), len))
            }
        };
        match (t.method, upload) {
            ("GET", None) => handle.get(true).map_err(curl)?,
            ("HEAD", None) => handle.nobody(true).map_err(curl)?,
            ("POST", None) => {
                handle.post(true).map_err(curl)?;
                handle.post_field_size(0).map_err(curl)?;
            }
            (method, None) => handle.custom_request(method).map_err(curl)?,
            (method, Some((upload, len))) => {
                // The body is read through the callback: libcurl keeps no copy of it
                // beyond its reused upload buffer.
                handle.get_mut().upload = Some(upload);
                handle.post(true).map_err(curl)?;
                handle.post_field_size(len).map_err(curl)?;
                if method != "POST" {
                    handle.custom_request(method).map_err(curl)?;
                }
            }
        }

        let mut list = List::new();
        let mut append = |line: &str| list.append(line).map_err(curl);
        if let Some(authorization) = t.authorization {
            let line = Zeroizing::new(format!("Authorization: {}", authorization.expose()));
            append(&line)?;
        }
        append("Accept: application/json")?;
        // No `Expect: 100-continue` round trip for bodies.
        append("Expect:")?;
        if let Some((content_type, _)) = t.body {
            append(&format!("Content-Type: {content_type}"))?;
        }
        for (name, value) in t.headers {
            append(&format!("{name}: {value}"))?;
        }
        handle.http_headers(list).map_err(curl)?;
        Ok(())
    }

    /// Turns a libcurl failure into an error. Only failures a new attempt can cure
    /// are marked transient (see [`Error::is_transient`]): a refused or reset
    /// connection, a timeout, an answer cut short. A certificate that fails
    /// verification, a bad URL, an unknown host or an unsupported protocol stays as
    /// it is however often it is tried.
    fn map_curl_error(&self, e: &curl::Error, too_large: bool, timeout: Duration) -> Error {
        if too_large || e.is_filesize_exceeded() {
            return Error::new(
                ErrorKind::ResponseTooLarge,
                format!(
                    "the answer is larger than max_response_bytes ({} bytes after decompression); \
                     the transfer was stopped",
                    self.config.max_response_bytes
                ),
            );
        }
        let detail = match e.extra_description() {
            Some(extra) => format!("{}: {extra}", e.description()),
            None => e.description().to_owned(),
        };
        let (kind, what, transient) = if e.is_operation_timedout() {
            (
                ErrorKind::Timeout,
                format!(
                    "timed out (connect timeout {:?}, transfer timeout {:?})",
                    self.config.connect_timeout, timeout
                ),
                true,
            )
        } else if e.is_aborted_by_callback() {
            (
                ErrorKind::Cancelled,
                "the transfer was cancelled".to_owned(),
                false,
            )
        } else if e.is_couldnt_resolve_host() || e.is_couldnt_resolve_proxy() {
            (ErrorKind::Transport, "DNS lookup failed".to_owned(), false)
        } else if e.is_couldnt_connect() {
            (ErrorKind::Transport, "could not connect".to_owned(), true)
        } else if e.is_ssl_connect_error() {
            // A handshake cut by the network (reset mid-handshake) heals; a refused
            // certificate is reported by the checks below instead.
            (
                ErrorKind::Transport,
                "TLS handshake failed".to_owned(),
                true,
            )
        } else if e.is_peer_failed_verification()
            || e.is_ssl_certproblem()
            || e.is_ssl_cacert_badfile()
            || e.is_ssl_cipher()
            || e.is_ssl_engine_notfound()
            || e.is_ssl_engine_setfailed()
            || e.is_ssl_crl_badfile()
            || e.is_ssl_issuer_error()
        {
            (
                ErrorKind::Transport,
                "TLS failure (certificate or TLS setup)".to_owned(),
                false,
            )
        } else if e.is_partial_file()
            || e.is_got_nothing()
            || e.is_recv_error()
            || e.is_send_error()
            || e.is_http2_error()
            || e.is_http2_stream_error()
        {
            (
                ErrorKind::Transport,
                "the connection was cut before the answer was complete".to_owned(),
                true,
            )
        } else if e.is_unsupported_protocol() || e.is_url_malformed() {
            (ErrorKind::Transport, "unusable URL".to_owned(), false)
        } else {
            (ErrorKind::Transport, "transfer failed".to_owned(), false)
        };
        let error = Error::new(kind, format!("{what} ({detail})")).with_source(e.clone());
        if transient { error.transient() } else { error }
    }
}

/// A fresh easy handle owned by this process.
pub(crate) fn new_handle() -> PooledHandle {
    PooledHandle {
        pid: std::process::id(),
        easy: Easy2::new(Collector::default()),
    }
}

/// The answer a finished transfer of `handle` collected.
pub(crate) fn collect(handle: &mut Easy2<Collector>, started: Instant) -> RawResponse {
    let status = handle.response_code().unwrap_or(0) as u16;
    let collector = handle.get_mut();
    RawResponse {
        status,
        http_version: std::mem::take(&mut collector.http_version),
        headers: std::mem::take(&mut collector.headers),
        body: std::mem::take(&mut collector.body),
        elapsed: started.elapsed(),
    }
}

/// Makes `handle` ready for another transfer: its options cleared, its header list
/// (with the Authorization value) dropped now (`reset` alone keeps the list until the
/// next transfer replaces it), and what it collected or was uploading released
/// (zeroed first when the answer may hold secrets).
pub(crate) fn clean(handle: &mut Easy2<Collector>, sensitive: bool) {
    handle.reset();
    let _ = handle.http_headers(List::new());
    let collector = handle.get_mut();
    if sensitive {
        collector.body.zeroize();
    }
    collector.body = Vec::new();
    collector.headers = Headers::new();
    collector.http_version = String::new();
    collector.cancel = None;
    collector.upload = None;
    collector.sink = None;
    collector.status = 0;
    collector.too_large = false;
}
