//! The libcurl layer: a pool of reusable easy handles and one function that performs
//! a transfer.
//!
//! An easy handle keeps its connection cache, TLS session cache and DNS cache across
//! `curl_easy_reset`, so taking handles from a pool gives connection reuse to every
//! thread that shares a client. Redirects are never followed here (the client decides,
//! so credentials can never reach another host) and libcurl never installs signal
//! handlers (`CURLOPT_NOSIGNAL`), which makes it safe in threaded programs.

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::headers::Headers;
use crate::request::Body;
use crate::secret::Secret;
use curl::easy::{Easy2, Handler, HttpVersion, List, ReadError, WriteError};
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A function polled during a transfer; returning true aborts it with
/// [`ErrorKind::Cancelled`]. Used to honour Ctrl-C from Python.
pub type CancelCheck = Arc<dyn Fn() -> bool + Send + Sync>;

/// Idle handles kept for reuse; more may exist while more threads transfer at once.
const MAX_IDLE_HANDLES: usize = 32;

/// Collects one response's headers and body.
#[derive(Default)]
struct Collector {
    /// The protocol of the last status line (`HTTP/2`, `HTTP/1.1`).
    http_version: String,
    headers: Headers,
    body: Vec<u8>,
    cancel: Option<CancelCheck>,
    /// A file being streamed as the request body.
    upload: Option<std::fs::File>,
}

impl Handler for Collector {
    fn write(&mut self, data: &[u8]) -> std::result::Result<usize, WriteError> {
        self.body.extend_from_slice(data);
        Ok(data.len())
    }

    fn header(&mut self, data: &[u8]) -> bool {
        if data.starts_with(b"HTTP/") {
            // A new status line (after `100 Continue` or a proxy CONNECT): start over.
            self.headers.clear();
            let line = String::from_utf8_lossy(data);
            self.http_version = line.split_whitespace().next().unwrap_or("").to_owned();
        } else {
            self.headers.push_raw_line(data);
        }
        true
    }

    fn read(&mut self, into: &mut [u8]) -> std::result::Result<usize, ReadError> {
        match self.upload.as_mut() {
            Some(file) => file.read(into).map_err(|_| ReadError::Abort),
            None => Ok(0),
        }
    }

    fn progress(&mut self, _dltotal: f64, _dlnow: f64, _ultotal: f64, _ulnow: f64) -> bool {
        !self.cancel.as_ref().is_some_and(|cancelled| cancelled())
    }
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
}

/// The raw result of a transfer.
pub(crate) struct RawResponse {
    pub status: u16,
    pub http_version: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

/// A pool of curl easy handles configured from one [`Config`].
pub(crate) struct Transport {
    idle: Mutex<Vec<Easy2<Collector>>>,
    config: Config,
}

impl Transport {
    pub(crate) fn new(config: Config) -> Transport {
        curl::init();
        Transport {
            idle: Mutex::new(Vec::new()),
            config,
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    fn take_handle(&self) -> Easy2<Collector> {
        let reused = self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
        reused.unwrap_or_else(|| Easy2::new(Collector::default()))
    }

    fn return_handle(&self, mut handle: Easy2<Collector>) {
        let collector = handle.get_mut();
        collector.body = Vec::new();
        collector.headers = Headers::new();
        collector.cancel = None;
        collector.upload = None;
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < MAX_IDLE_HANDLES {
                idle.push(handle);
            }
        }
    }

    /// Performs one transfer. Any HTTP answer, whatever its status, is `Ok`.
    pub(crate) fn perform(&self, transfer: &Transfer<'_>) -> Result<RawResponse> {
        let mut handle = self.take_handle();
        let started = Instant::now();
        let outcome = self
            .configure(&mut handle, transfer)
            .and_then(|()| handle.perform().map_err(|e| self.map_curl_error(&e)));
        let result = match outcome {
            Ok(()) => {
                let status = handle.response_code().unwrap_or(0) as u16;
                let collector = handle.get_mut();
                Ok(RawResponse {
                    status,
                    http_version: std::mem::take(&mut collector.http_version),
                    headers: std::mem::take(&mut collector.headers),
                    body: std::mem::take(&mut collector.body),
                    elapsed: started.elapsed(),
                })
            }
            Err(e) => Err(e),
        };
        // Clear the handle's options and drop its header list (with the Authorization
        // value) now: `reset` alone keeps the list until the next transfer replaces it.
        handle.reset();
        let _ = handle.http_headers(List::new());
        self.return_handle(handle);
        result
    }

    fn configure(&self, handle: &mut Easy2<Collector>, t: &Transfer<'_>) -> Result<()> {
        let curl = |e: curl::Error| {
            Error::new(
                ErrorKind::Internal,
                format!("libcurl refused an option: {}", e.description()),
            )
        };
        let config = &self.config;
        // The handle is fresh or was reset by `perform` when it was last used.
        handle.get_mut().cancel = t.cancel.clone();
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
        handle.progress(t.cancel.is_some()).map_err(curl)?;
        if let Some(proxy) = &config.proxy {
            handle.proxy(proxy).map_err(curl)?;
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

        match (t.method, t.body) {
            ("GET", None) => handle.get(true).map_err(curl)?,
            ("HEAD", None) => handle.nobody(true).map_err(curl)?,
            ("POST", None) => {
                handle.post(true).map_err(curl)?;
                handle.post_field_size(0).map_err(curl)?;
            }
            (method, None) => handle.custom_request(method).map_err(curl)?,
            (method, Some((_, Body::Bytes(bytes)))) => {
                handle.post(true).map_err(curl)?;
                handle.post_fields_copy(bytes).map_err(curl)?;
                if method != "POST" {
                    handle.custom_request(method).map_err(curl)?;
                }
            }
            (method, Some((_, Body::File(path)))) => {
                let file = std::fs::File::open(path)
                    .map_err(|e| Error::invalid(format!("cannot read {}: {e}", path.display())))?;
                let len = file
                    .metadata()
                    .map_err(|e| Error::invalid(format!("cannot read {}: {e}", path.display())))?
                    .len();
                handle.get_mut().upload = Some(file);
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
            append(&format!("Authorization: {}", authorization.expose()))?;
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

    fn map_curl_error(&self, e: &curl::Error) -> Error {
        let detail = match e.extra_description() {
            Some(extra) => format!("{}: {extra}", e.description()),
            None => e.description().to_owned(),
        };
        let (kind, what) = if e.is_operation_timedout() {
            (
                ErrorKind::Timeout,
                format!(
                    "timed out (connect timeout {:?}, transfer timeout at most {:?})",
                    self.config.connect_timeout, self.config.timeout
                ),
            )
        } else if e.is_aborted_by_callback() {
            (
                ErrorKind::Cancelled,
                "the transfer was cancelled".to_owned(),
            )
        } else if e.is_couldnt_resolve_host() || e.is_couldnt_resolve_proxy() {
            (ErrorKind::Transport, "DNS lookup failed".to_owned())
        } else if e.is_couldnt_connect() {
            (ErrorKind::Transport, "could not connect".to_owned())
        } else if e.is_ssl_connect_error()
            || e.is_peer_failed_verification()
            || e.is_ssl_certproblem()
            || e.is_ssl_cacert_badfile()
            || e.is_ssl_cipher()
        {
            (ErrorKind::Transport, "TLS failure".to_owned())
        } else if e.is_partial_file()
            || e.is_got_nothing()
            || e.is_recv_error()
            || e.is_send_error()
        {
            (
                ErrorKind::Transport,
                "the connection was cut before the answer was complete".to_owned(),
            )
        } else {
            (ErrorKind::Transport, "transfer failed".to_owned())
        };
        Error::new(kind, format!("{what} ({detail})"))
    }
}
