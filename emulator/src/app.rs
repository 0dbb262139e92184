//! Shared state of a running emulator and the parsed request handed to the routes.

use crate::config::{Config, parse_rate};
use crate::faults::Faults;
use crate::http::Resp;
use crate::oauth::OAuth;
use crate::ratelimit::Limiter;
use crate::store::Store;
use bytes::Bytes;
use hyper::{HeaderMap, Method};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A bulk job's progress.
#[derive(Debug, Clone)]
pub struct Job {
    /// `create_many`, `update_many`, …
    pub job_type: String,
    /// Item count.
    pub total: u64,
    /// Results, shown once completed.
    pub results: Value,
    /// How many times it has been polled.
    pub polls: u32,
}

/// One entry of the request log.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// Method.
    pub method: String,
    /// Path as sent.
    pub path: String,
    /// Raw query string ("" when none).
    pub query: String,
    /// Headers verbatim (repeated names joined with ", ").
    pub headers: Vec<(String, String)>,
    /// Body length in bytes.
    pub body_len: usize,
}

/// A bounded log of requests (oldest dropped first).
#[derive(Debug)]
pub struct RequestLog {
    /// Entries, oldest first.
    pub entries: VecDeque<LoggedRequest>,
    /// Capacity.
    pub cap: usize,
}

impl RequestLog {
    /// Appends, dropping the oldest entry when full.
    pub fn push(&mut self, r: LoggedRequest) {
        if self.entries.len() >= self.cap {
            self.entries.pop_front();
        }
        self.entries.push_back(r);
    }
}

/// Everything behind the listening socket.
pub struct App {
    /// Start-up configuration.
    pub cfg: Config,
    /// Records.
    pub store: RwLock<Store>,
    /// OAuth clients and tokens.
    pub oauth: Mutex<OAuth>,
    /// Queued faults.
    pub faults: Mutex<Faults>,
    /// Request log.
    pub log: Mutex<RequestLog>,
    /// Rate limits.
    pub limits: Mutex<Limiter>,
    /// Bulk jobs by id.
    pub jobs: Mutex<HashMap<String, Job>>,
    /// Upload tokens and their attachments.
    pub uploads: Mutex<HashMap<String, Vec<Value>>>,
    /// Uploaded files and the content URL signing key.
    pub files: Mutex<crate::attachments::Files>,
    /// `scheme://host:port` of the content origin (set once it listens).
    pub content_origin: std::sync::OnceLock<String>,
    /// Idempotency keys: key → (body hash, ticket id).
    pub idempotency: Mutex<HashMap<String, (u64, u64)>>,
    /// Monotonic counter for ids.
    pub counter: AtomicU64,
    /// Mixed into request ids so that two runs do not repeat each other's ids.
    pub id_salt: u64,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// `host:port` we listen on (fallback when a request has no Host header).
    pub authority: String,
}

impl App {
    /// Builds the state from the config.
    pub fn new(cfg: Config, scheme: &'static str, authority: String) -> App {
        App {
            store: RwLock::new(Store::new(&cfg)),
            oauth: Mutex::new(OAuth::new(&cfg)),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(RequestLog {
                entries: VecDeque::new(),
                cap: cfg.request_log_size.unwrap_or(10_000).max(1),
            }),
            limits: Mutex::new(Self::limiter(&cfg)),
            jobs: Mutex::new(HashMap::new()),
            uploads: Mutex::new(HashMap::new()),
            files: Mutex::new(crate::attachments::Files::default()),
            content_origin: std::sync::OnceLock::new(),
            idempotency: Mutex::new(HashMap::new()),
            counter: AtomicU64::new(1),
            id_salt: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0x7EA5_EED0, |d| d.as_nanos() as u64),
            scheme,
            authority,
            cfg,
        }
    }

    fn limiter(cfg: &Config) -> Limiter {
        let account = cfg.rate_limit.as_deref().and_then(|s| parse_rate(s).ok());
        Limiter::new(account, &cfg.rate_limits)
    }

    /// Back to the seed: store, OAuth tokens, faults, log, limits, jobs, uploads.
    pub fn reset(&self) {
        *write(&self.store) = Store::new(&self.cfg);
        *lock(&self.oauth) = OAuth::new(&self.cfg);
        lock(&self.faults).clear();
        lock(&self.log).entries.clear();
        *lock(&self.limits) = Self::limiter(&self.cfg);
        lock(&self.jobs).clear();
        lock(&self.uploads).clear();
        lock(&self.files).clear();
        lock(&self.idempotency).clear();
    }

    /// The next value of the shared counter.
    pub fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed)
    }
}

/// Locks a mutex, ignoring poisoning (a panicked handler must not wedge the server).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Read access to the store (many readers at once: GETs run in parallel).
pub fn read<T>(m: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(|e| e.into_inner())
}

/// Write access to the store.
pub fn write<T>(m: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(|e| e.into_inner())
}

/// A parsed request.
pub struct Req {
    /// Method.
    pub method: Method,
    /// Path with any `.json` suffix removed.
    pub path: String,
    /// Decoded query parameters.
    pub query: Vec<(String, String)>,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
    /// `scheme://host[:port]` as the client addressed us.
    pub base: String,
}

impl Req {
    /// The first value of query parameter `k`.
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// Path segments after `/api/v2/`.
    pub fn api_segments(&self) -> Vec<&str> {
        self.path
            .trim_start_matches("/api/v2")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as a JSON object, or a 400 answer.
    pub fn json(&self) -> Result<serde_json::Map<String, Value>, Resp> {
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(m)) => Ok(m),
            _ => Err(Resp::error(
                400,
                "InvalidJSON",
                "The request body is not a valid JSON object",
            )),
        }
    }

    /// `base` + `path` + `?query` built from pairs.
    pub fn url(&self, path: &str, pairs: &[(&str, String)]) -> String {
        let mut s = format!("{}{}", self.base, path);
        for (i, (k, v)) in pairs.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(&crate::util::percent_encode(k));
            s.push('=');
            s.push_str(&crate::util::percent_encode(v));
        }
        s
    }
}
