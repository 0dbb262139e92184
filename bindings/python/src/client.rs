//! `zdkit._native.Client`: the core client, with the GIL released for every
//! transfer and Ctrl-C able to interrupt one. Its iteration methods are in
//! `iterate.rs`, uploads and jobs in `jobs.rs`, OAuth token sets in `oauth.rs`.

use crate::errors::{guard, to_py_err};
use crate::interrupt::detached;
use crate::response::Response;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::{PoisonError, RwLock};
use zdkit::Request;

/// The native client. Thread-safe; `close()` makes later calls raise.
#[pyclass(module = "zdkit._native", frozen)]
pub struct Client {
    inner: RwLock<Option<zdkit::Client>>,
    description: String,
}

#[pymethods]
impl Client {
    /// Builds a client from keyword arguments, each a setting of the core (see
    /// `settings.rs`); exactly one of `subdomain`/`base_url`, and exactly one
    /// credential.
    #[new]
    #[pyo3(signature = (subdomain=None, **options))]
    fn new(
        py: Python<'_>,
        subdomain: Option<String>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        guard(py, move || {
            let config = crate::settings::builder(py, subdomain, options)?
                .build()
                .map_err(|e| to_py_err(py, e))?;
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
    /// `timeout` (seconds) replaces the client's transfer timeout for this request.
    #[pyo3(signature = (method, path, params=None, body=None, content_type=None, headers=None, timeout=None))]
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
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        guard(py, move || {
            let client = self.client(py)?;
            let request = build_request(
                py,
                method,
                path,
                params,
                body,
                content_type,
                headers,
                timeout,
            )?;
            let response = detached(py, &client, |client| client.send(&request))?;
            Ok(Response::from(response))
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

    /// A handle on the core client; a `ConfigurationError` once closed.
    pub fn client(&self, py: Python<'_>) -> PyResult<zdkit::Client> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        inner.clone().ok_or_else(|| {
            to_py_err(
                py,
                zdkit::Error::invalid("the client is closed: create a new zdkit.Client"),
            )
        })
    }
}

/// A core request from the arguments of `request` (shared with the async methods).
/// `timeout` (seconds) replaces the client's transfer timeout for this request.
#[allow(clippy::too_many_arguments)]
pub fn build_request(
    py: Python<'_>,
    method: &str,
    path: &str,
    params: Option<Vec<(String, String)>>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
    headers: Option<Vec<(String, String)>>,
    timeout: Option<&Bound<'_, PyAny>>,
) -> PyResult<Request> {
    let mut request = Request::new(method, path);
    if let Some(timeout) = timeout {
        request = request.timeout(crate::settings::duration(py, "timeout", timeout)?);
    }
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
    Ok(request)
}
