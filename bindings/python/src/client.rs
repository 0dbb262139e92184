//! `zdkit._native.Client`: the core client, with the GIL released for every
//! transfer and Ctrl-C able to interrupt one.

use crate::errors::to_py_err;
use crate::response::Response;
use once_cell::sync::OnceCell;
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, RwLock};
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

fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    if !(value.is_finite() && value > 0.0) {
        return Err(crate::errors::configuration_error(
            py,
            &format!("{name} must be a positive number of seconds"),
        ));
    }
    Ok(Duration::from_secs_f64(value))
}

/// Log lines go to `logging.getLogger("zdkit")`.
fn python_log_sink() -> LogSink {
    static LOGGER: OnceCell<Py<PyAny>> = OnceCell::new();
    LogSink::new(|level, line| {
        Python::attach(|py| {
            let logger = LOGGER.get_or_try_init(|| {
                py.import("logging")?
                    .call_method1("getLogger", ("zdkit",))
                    .map(|l| l.unbind())
            });
            let Ok(logger) = logger else { return };
            let level = match level {
                LogLevel::Error => 40,
                LogLevel::Warn => 30,
                LogLevel::Info => 20,
                LogLevel::Debug => 10,
            };
            let logger = logger.bind(py);
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
                        proxy=None, ca_file=None, user_agent=None, from_env=false))]
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
    ) -> PyResult<Self> {
        let mut builder = if from_env {
            ConfigBuilder::from_env().map_err(|e| to_py_err(py, e))?
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
        builder = builder
            .timeout(seconds(py, "timeout", timeout)?)
            .connect_timeout(seconds(py, "connect_timeout", connect_timeout)?)
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
        let interrupted: Arc<Mutex<Option<PyErr>>> = Arc::default();
        request = request.cancel_check(signal_check(interrupted.clone()));
        let outcome = py.detach(|| client.send(&request));
        match outcome {
            Ok(response) => Ok(Response::from(response)),
            Err(error) => {
                if let Some(signal_error) = interrupted.lock().ok().and_then(|mut e| e.take()) {
                    return Err(signal_error);
                }
                Err(to_py_err(py, error))
            }
        }
    }

    /// Closes the client: its connections are released and later calls raise.
    fn close(&self) {
        if let Ok(mut inner) = self.inner.write() {
            inner.take();
        }
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.read().map(|c| c.is_none()).unwrap_or(true)
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.client(py)?.config().base_url().to_string())
    }

    fn __repr__(&self) -> String {
        format!(
            "<zdkit.Client {}{}>",
            self.description,
            if self.closed() { " closed" } else { "" }
        )
    }
}

impl Client {
    fn client(&self, py: Python<'_>) -> PyResult<zdkit::Client> {
        let guard = self.inner.read().map_err(|_| {
            to_py_err(
                py,
                zdkit::Error::new(zdkit::ErrorKind::Internal, "client lock poisoned"),
            )
        })?;
        guard.clone().ok_or_else(|| {
            to_py_err(
                py,
                zdkit::Error::invalid("the client is closed: create a new zdkit.Client"),
            )
        })
    }
}

/// A cancel check that runs Python's signal handlers at most every
/// [`SIGNAL_CHECK_INTERVAL`]; when one raises (Ctrl-C's KeyboardInterrupt), the
/// exception is kept in `interrupted` and the transfer stops.
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
