//! `zdkit._native.Client`: the core client, with the GIL released for every
//! transfer and Ctrl-C able to interrupt one.

use crate::errors::{guard, seconds, to_py_err};
use crate::iterate::{Export, Pages, SearchResults, detached};
use crate::json::value_to_py;
use crate::response::Response;
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};
use zdkit::{CancelCheck, ConfigBuilder, LogLevel, LogSink, Request};

/// How often a running transfer checks for Ctrl-C.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// The native client. Thread-safe; `close()` makes later calls raise.
#[pyclass(module = "zdkit._native", frozen)]
pub struct Client {
    inner: RwLock<Option<zdkit::Client>>,
    description: String,
}

/// `logging.getLogger("zdkit")`, created when the module is imported (the GIL is held
/// then). Log lines and callbacks only read it: creating it lazily in a once-cell made
/// the first concurrent requests deadlock (a thread initialising the cell waited for
/// the GIL while the thread holding the GIL waited for the cell).
static LOGGER: OnceLock<Py<PyAny>> = OnceLock::new();

/// Creates the `zdkit` logger; called by the module initialiser.
pub fn init_logger(py: Python<'_>) -> PyResult<()> {
    let logger = py
        .import("logging")?
        .call_method1("getLogger", ("zdkit",))?;
    // A second initialisation (a re-imported module) keeps the first logger.
    let _ = LOGGER.set(logger.unbind());
    Ok(())
}

/// The `zdkit` logger (None only if the module initialiser did not run).
pub fn logger(py: Python<'_>) -> Option<&Bound<'_, PyAny>> {
    LOGGER.get().map(|logger| logger.bind(py))
}

/// Log lines go to `logging.getLogger("zdkit")`. No Rust lock is held while this
/// waits for the GIL.
fn python_log_sink() -> LogSink {
    LogSink::new(|level, line| {
        Python::attach(|py| {
            let Some(logger) = logger(py) else { return };
            let level = match level {
                LogLevel::Error => 40,
                LogLevel::Warn => 30,
                LogLevel::Info => 20,
                LogLevel::Debug => 10,
            };
            if logger
                .call_method1("isEnabledFor", (level,))
                .and_then(|enabled| enabled.is_truthy())
                .unwrap_or(false)
            {
                let _ = logger.call_method1("log", (level, "%s", line));
            }
        })
    })
}

#[pymethods]
impl Client {
    /// Builds a client; exactly one of `subdomain`/`base_url`, and exactly one
    /// credential (`email` + `api_token`, or `oauth_token`).
    #[new]
    #[pyo3(signature = (subdomain=None, *, base_url=None, email=None, api_token=None,
                        oauth_token=None, password=None, timeout=60.0, connect_timeout=10.0,
                        proxy=None, ca_file=None, user_agent=None, from_env=false,
                        max_retries=3, deadline=120.0, never_wait=false, pacing=true,
                        oauth_client_id=None, oauth_client_secret=None, oauth_scope=None,
                        oauth_expires_in=1800, oauth_refresh_token=None, on_rotate=None,
                        max_response_bytes=zdkit::DEFAULT_MAX_RESPONSE_BYTES))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        subdomain: Option<String>,
        base_url: Option<String>,
        email: Option<String>,
        api_token: Option<String>,
        oauth_token: Option<String>,
        password: Option<String>,
        timeout: f64,
        connect_timeout: f64,
        proxy: Option<String>,
        ca_file: Option<String>,
        user_agent: Option<String>,
        from_env: bool,
        max_retries: u32,
        deadline: f64,
        never_wait: bool,
        pacing: bool,
        oauth_client_id: Option<String>,
        oauth_client_secret: Option<String>,
        oauth_scope: Option<String>,
        oauth_expires_in: u64,
        oauth_refresh_token: Option<String>,
        on_rotate: Option<Py<PyAny>>,
        max_response_bytes: u64,
    ) -> PyResult<Self> {
        guard(py, move || {
            let (mut subdomain, mut base_url, mut email, mut api_token, mut oauth_token) =
                (subdomain, base_url, email, api_token, oauth_token);
            let mut builder = if from_env {
                // The core reads the environment; arguments given here stand in for the
                // matching variables (a target given here replaces both target variables).
                let target_given = subdomain.is_some() || base_url.is_some();
                let given = |name: &str| -> Option<Option<String>> {
                    match name {
                        "ZENDESK_URL" if target_given => Some(base_url.clone()),
                        "ZENDESK_SUBDOMAIN" if target_given => Some(subdomain.clone()),
                        "ZENDESK_EMAIL" if email.is_some() => Some(email.clone()),
                        "ZENDESK_API_TOKEN" if api_token.is_some() => Some(api_token.clone()),
                        "ZENDESK_OAUTH_TOKEN" if oauth_token.is_some() => Some(oauth_token.clone()),
                        _ => None,
                    }
                };
                let builder = ConfigBuilder::from_lookup(|name| {
                    given(name)
                        .unwrap_or_else(|| std::env::var(name).ok().filter(|v| !v.is_empty()))
                })
                .map_err(|e| to_py_err(py, e))?;
                (subdomain, base_url, email, api_token, oauth_token) =
                    (None, None, None, None, None);
                builder
            } else {
                ConfigBuilder::default()
            };
            if let Some(subdomain) = subdomain {
                builder = builder.subdomain(subdomain);
            }
            if let Some(url) = base_url {
                builder = builder.base_url(url);
            }
            match (email, api_token, password) {
                (_, _, Some(password)) => builder = builder.password("", password),
                (Some(email), Some(token), None) => builder = builder.api_token(email, token),
                (Some(_), None, None) => {
                    return Err(crate::errors::configuration_error(
                        py,
                        "an email needs an api_token (Zendesk no longer accepts passwords); \
                         or pass oauth_token instead",
                    ));
                }
                (None, Some(_), None) => {
                    return Err(crate::errors::configuration_error(
                        py,
                        "an api_token needs the email of its user: pass email=",
                    ));
                }
                (None, None, None) => {}
            }
            if let Some(token) = oauth_token {
                builder = builder.oauth_token(token);
            }
            match (oauth_client_id, oauth_client_secret, oauth_refresh_token) {
                (Some(id), Some(secret), Some(refresh)) => {
                    builder = builder.oauth_refresh_token(
                        &id,
                        &secret,
                        &refresh,
                        on_rotate.map(crate::oauth::rotation_callback),
                    );
                }
                (Some(id), Some(secret), None) => {
                    let scope = oauth_scope.unwrap_or_else(|| "read".to_owned());
                    builder =
                        builder.oauth_client_credentials(&id, &secret, &scope, oauth_expires_in);
                }
                (None, None, None) => {}
                _ => {
                    return Err(crate::errors::configuration_error(
                        py,
                        "OAuth needs a client id and a client secret",
                    ));
                }
            }
            builder = builder
                .timeout(seconds(py, "timeout", timeout)?)
                .connect_timeout(seconds(py, "connect_timeout", connect_timeout)?)
                .deadline(seconds(py, "deadline", deadline)?)
                .max_retries(max_retries)
                .never_wait(never_wait)
                .pacing(pacing)
                .max_response_bytes(max_response_bytes)
                .log_sink(python_log_sink());
            if let Some(proxy) = proxy {
                builder = builder.proxy(proxy);
            }
            if let Some(ca_file) = ca_file {
                builder = builder.ca_file(ca_file);
            }
            if let Some(agent) = user_agent {
                builder = builder.user_agent(agent);
            }
            let config = builder.build().map_err(|e| to_py_err(py, e))?;
            let description = format!(
                "base_url={:?}, credentials={:?}",
                config.base_url().as_str(),
                config.credentials().describe()
            );
            let client = zdkit::Client::new(config).map_err(|e| to_py_err(py, e))?;
            Ok(Client {
                inner: RwLock::new(Some(client)),
                description,
            })
        })
    }

    /// Sends one request; returns the response of a 2xx answer, raises the
    /// matching `zdkit.ZendeskError` subclass otherwise. The GIL is released during
    /// the transfer.
    #[pyo3(signature = (method, path, params=None, body=None, content_type=None, headers=None))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        params: Option<Vec<(String, String)>>,
        body: Option<Vec<u8>>,
        content_type: Option<String>,
        headers: Option<Vec<(String, String)>>,
    ) -> PyResult<Response> {
        guard(py, move || {
            let client = self.client(py)?;
            let mut request = Request::new(method, path);
            for (name, value) in params.unwrap_or_default() {
                request = request.query(name, value);
            }
            for (name, value) in headers.unwrap_or_default() {
                request = request.header(name, value);
            }
            if let Some(body) = body {
                request = request.body(
                    content_type.unwrap_or_else(|| "application/json".into()),
                    body,
                );
            }
            let response = detached(py, &client, |client| client.send(&request))?;
            Ok(Response::from(response))
        })
    }

    /// Pages of a list endpoint (cursor, offset or Help Center style).
    #[pyo3(signature = (path, params=None, page_size=100))]
    fn pages(
        &self,
        py: Python<'_>,
        path: &str,
        params: Option<Vec<(String, String)>>,
        page_size: u32,
    ) -> PyResult<Pages> {
        guard(py, move || {
            let client = self.client(py)?;
            let pager = zdkit::Pager::new(&client, path, params.unwrap_or_default(), page_size);
            Ok(Pages::new(client, pager))
        })
    }

    /// Search results; more than 1,000 matches raise `SearchLimitError`.
    #[pyo3(signature = (query, params=None))]
    fn search(
        &self,
        py: Python<'_>,
        query: &str,
        params: Option<Vec<(String, String)>>,
    ) -> PyResult<SearchResults> {
        guard(py, move || {
            let client = self.client(py)?;
            let results = client.search(query, params.unwrap_or_default());
            Ok(SearchResults::new(client, results))
        })
    }

    /// Pages of a search export (no cap).
    #[pyo3(signature = (query, result_type, page_size=1000))]
    fn export_search(
        &self,
        py: Python<'_>,
        query: &str,
        result_type: &str,
        page_size: u32,
    ) -> PyResult<Pages> {
        guard(py, move || {
            let client = self.client(py)?;
            let pager = client
                .export_search(query, result_type, page_size)
                .map_err(|e| to_py_err(py, e))?;
            Ok(Pages::new(client, pager))
        })
    }

    /// Pages of an incremental export, from `start_time` or a saved `cursor`.
    #[pyo3(signature = (resource, start_time=None, cursor=None, per_page=1000, time_based=false))]
    fn incremental(
        &self,
        py: Python<'_>,
        resource: &str,
        start_time: Option<i64>,
        cursor: Option<String>,
        per_page: u32,
        time_based: bool,
    ) -> PyResult<Export> {
        guard(py, move || {
            let client = self.client(py)?;
            let start = match (start_time, cursor) {
                (Some(_), Some(_)) => {
                    return Err(crate::errors::configuration_error(
                        py,
                        "pass start_time or cursor, not both",
                    ));
                }
                (_, Some(cursor)) => zdkit::ExportStart::Cursor(cursor),
                (start, None) => zdkit::ExportStart::StartTime(start.unwrap_or(0)),
            };
            let export = match (&start, time_based) {
                (zdkit::ExportStart::StartTime(t), true) => {
                    zdkit::IncrementalExport::new_time_based(&client, resource, *t, per_page)
                }
                _ => zdkit::IncrementalExport::new(&client, resource, start, per_page),
            }
            .map_err(|e| to_py_err(py, e))?;
            Ok(Export::new(client, export))
        })
    }

    /// Uploads bytes or a file (streamed from disk); returns the `upload` object.
    #[pyo3(signature = (filename, data=None, path=None, content_type=None, token=None))]
    fn upload<'py>(
        &self,
        py: Python<'py>,
        filename: &str,
        data: Option<Vec<u8>>,
        path: Option<std::path::PathBuf>,
        content_type: Option<String>,
        token: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, move || {
            let client = self.client(py)?;
            let upload = detached(py, &client, |client| {
                let source = match (&data, &path) {
                    (Some(bytes), None) => zdkit::UploadSource::Bytes(bytes),
                    (None, Some(path)) => zdkit::UploadSource::Path(path),
                    _ => return Err(zdkit::Error::invalid("pass the data or a path, not both")),
                };
                client.upload(filename, source, content_type.as_deref(), token.as_deref())
            })?;
            value_to_py(py, &upload)
        })
    }

    /// Polls a background job until it completes (returns its status) or fails.
    #[pyo3(signature = (job_id, timeout=300.0))]
    fn wait_for_job<'py>(
        &self,
        py: Python<'py>,
        job_id: &str,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, move || {
            let client = self.client(py)?;
            let timeout = seconds(py, "timeout", timeout)?;
            let job = detached(py, &client, |client| client.wait_for_job(job_id, timeout))?;
            value_to_py(py, &job)
        })
    }

    /// The current OAuth token set (`zdkit.oauth.TokenSet`), or None.
    #[getter]
    fn token_set<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, move || {
            self.client(py)?
                .token_set()
                .map(|t| crate::oauth::token_set_to_py(py, &t))
                .transpose()
        })
    }

    /// The current OAuth token set, minted or refreshed first when due.
    fn fetch_token_set<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, move || {
            let client = self.client(py)?;
            let token = detached(py, &client, |client| client.fetch_token_set())?;
            token
                .map(|t| crate::oauth::token_set_to_py(py, &t))
                .transpose()
        })
    }

    /// Closes the client: its connections are released and later calls raise.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, move || {
            let closed = self
                .inner
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            // The connections are released after the lock, with the GIL released.
            py.detach(move || drop(closed));
            Ok(())
        })
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyResult<bool> {
        guard(py, move || Ok(self.is_closed()))
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, move || {
            Ok(self.client(py)?.config().base_url().to_string())
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, move || {
            Ok(format!(
                "<zdkit.Client {}{}>",
                self.description,
                if self.is_closed() { " closed" } else { "" }
            ))
        })
    }
}

impl Client {
    fn is_closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    fn client(&self, py: Python<'_>) -> PyResult<zdkit::Client> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        inner.clone().ok_or_else(|| {
            to_py_err(
                py,
                zdkit::Error::invalid("the client is closed: create a new zdkit.Client"),
            )
        })
    }
}

/// A handle on `client` whose transfers stop on Ctrl-C, and the slot where the
/// signal's exception (KeyboardInterrupt) is kept.
pub fn interruptible(client: &zdkit::Client) -> (zdkit::Client, Arc<Mutex<Option<PyErr>>>) {
    let interrupted: Arc<Mutex<Option<PyErr>>> = Arc::default();
    let handle = client.with_cancel(signal_check(interrupted.clone()));
    (handle, interrupted)
}

/// A cancel check that runs Python's signal handlers at most every
/// [`SIGNAL_CHECK_INTERVAL`]; when one raises (Ctrl-C's KeyboardInterrupt), the
/// exception is kept in `interrupted` and the transfer stops. The `last` lock is
/// released before the GIL is awaited, and `interrupted` is only ever locked with the
/// GIL held, for a moment.
fn signal_check(interrupted: Arc<Mutex<Option<PyErr>>>) -> CancelCheck {
    let last = Mutex::new(Instant::now());
    Arc::new(move || {
        let due = last
            .lock()
            .map(|mut last| {
                if last.elapsed() >= SIGNAL_CHECK_INTERVAL {
                    *last = Instant::now();
                    true
                } else {
                    false
                }
            })
            .unwrap_or(false);
        if !due {
            return false;
        }
        Python::attach(|py| match py.check_signals() {
            Ok(()) => false,
            Err(error) => {
                if let Ok(mut slot) = interrupted.lock() {
                    *slot = Some(error);
                }
                true
            }
        })
    })
}
