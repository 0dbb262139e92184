//! `zdkit.Response`: one HTTP answer.

use crate::json;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

/// One HTTP answer: status, headers, body and what zdkit read from them.
#[pyclass(module = "zdkit._native", frozen)]
pub struct Response {
    inner: zdkit::Response,
}

impl From<zdkit::Response> for Response {
    fn from(inner: zdkit::Response) -> Self {
        Response { inner }
    }
}

#[pymethods]
impl Response {
    /// The HTTP status code.
    #[getter]
    fn status(&self) -> u16 {
        self.inner.status
    }

    /// The protocol of the answer: `"HTTP/2"` (negotiated over TLS when the server
    /// offers it) or `"HTTP/1.1"`.
    #[getter]
    fn http_version(&self) -> &str {
        &self.inner.http_version
    }

    /// The body bytes.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.body)
    }

    /// The body as text (UTF-8; invalid bytes replaced).
    #[getter]
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.inner.body).into_owned()
    }

    /// The body parsed as JSON, or None for an empty body. Raises
    /// `zdkit.DecodeError` for malformed JSON.
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.inner.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(py.None().into_bound(py));
        }
        json::loads(py, &self.inner.body).map_err(|e| {
            let error = self
                .inner
                .json()
                .err()
                .unwrap_or_else(|| zdkit::Error::new(zdkit::ErrorKind::Decode, e));
            crate::errors::to_py_err(py, error)
        })
    }

    /// The headers as a case-insensitive mapping (`zdkit.Headers`).
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let items = PyList::empty(py);
        for (name, value) in self.inner.headers.iter() {
            items.append((name, value))?;
        }
        py.import("zdkit._headers")?
            .getattr("Headers")?
            .call1((items,))
    }

    /// Zendesk's request id, or None.
    #[getter]
    fn request_id(&self) -> Option<&str> {
        self.inner.request_id()
    }

    /// The `X-Zendesk-API-Warn` text (Zendesk dropped some parameters), or None.
    #[getter]
    fn api_warning(&self) -> Option<&str> {
        self.inner.api_warning()
    }

    /// The rate-limit state: a dict with `limit`, `remaining`, `reset` (None when
    /// unknown) and `endpoints` (a list of dicts with `name`, `total`, `remaining`,
    /// `resets`).
    #[getter]
    fn rate_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rl = self.inner.rate_limit();
        let dict = PyDict::new(py);
        dict.set_item("limit", rl.limit)?;
        dict.set_item("remaining", rl.remaining)?;
        dict.set_item("reset", rl.reset)?;
        let endpoints = PyList::empty(py);
        for bucket in &rl.endpoints {
            let b = PyDict::new(py);
            b.set_item("name", &bucket.name)?;
            b.set_item("total", bucket.total)?;
            b.set_item("remaining", bucket.remaining)?;
            b.set_item("resets", bucket.resets)?;
            endpoints.append(b)?;
        }
        dict.set_item("endpoints", endpoints)?;
        Ok(dict)
    }

    /// The request method.
    #[getter]
    fn method(&self) -> &str {
        &self.inner.method
    }

    /// The request path, without its query string.
    #[getter]
    fn path(&self) -> &str {
        &self.inner.path
    }

    /// Seconds the transfer took.
    #[getter]
    fn elapsed(&self) -> f64 {
        self.inner.elapsed.as_secs_f64()
    }

    fn __repr__(&self) -> String {
        format!(
            "<zdkit.Response [{}] {} {}>",
            self.inner.status, self.inner.method, self.inner.path
        )
    }

    fn __bool__(&self) -> bool {
        self.inner.is_success()
    }
}
