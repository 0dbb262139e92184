//! `zdkit.Response`: one HTTP answer.

use crate::errors::guard;
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
    fn status(&self, py: Python<'_>) -> PyResult<u16> {
        guard(py, || Ok(self.inner.status))
    }

    /// The protocol of the answer: `"HTTP/2"` (negotiated over TLS when the server
    /// offers it) or `"HTTP/1.1"`.
    #[getter]
    fn http_version(&self, py: Python<'_>) -> PyResult<&str> {
        guard(py, || Ok(self.inner.http_version.as_str()))
    }

    /// The body bytes.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(py, || Ok(PyBytes::new(py, &self.inner.body)))
    }

    /// The body as text (UTF-8; invalid bytes replaced).
    #[getter]
    fn text(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(String::from_utf8_lossy(&self.inner.body).into_owned())
        })
    }

    /// The body parsed as JSON, or None for an empty body. Raises
    /// `zdkit.DecodeError` for malformed JSON.
    fn json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
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
        })
    }

    /// The headers as a case-insensitive mapping (`zdkit.Headers`).
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || {
            let items = PyList::empty(py);
            for (name, value) in self.inner.headers.iter() {
                items.append((name, value))?;
            }
            py.import("zdkit._headers")?
                .getattr("Headers")?
                .call1((items,))
        })
    }

    /// Zendesk's request id, or None.
    #[getter]
    fn request_id(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        guard(py, || Ok(self.inner.request_id()))
    }

    /// The `X-Zendesk-API-Warn` text (Zendesk dropped some parameters), or None.
    #[getter]
    fn api_warning(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        guard(py, || Ok(self.inner.api_warning()))
    }

    /// The rate-limit state: a dict with `limit`, `remaining`, `reset` (None when
    /// unknown) and `endpoints` (a list of dicts with `name`, `total`, `remaining`,
    /// `resets`).
    #[getter]
    fn rate_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        guard(py, || {
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
        })
    }

    /// The request method.
    #[getter]
    fn method(&self, py: Python<'_>) -> PyResult<&str> {
        guard(py, || Ok(self.inner.method.as_str()))
    }

    /// The request path, without its query string.
    #[getter]
    fn path(&self, py: Python<'_>) -> PyResult<&str> {
        guard(py, || Ok(self.inner.path.as_str()))
    }

    /// Seconds the transfer took.
    #[getter]
    fn elapsed(&self, py: Python<'_>) -> PyResult<f64> {
        guard(py, || Ok(self.inner.elapsed.as_secs_f64()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "<zdkit.Response [{}] {} {}>",
                self.inner.status, self.inner.method, self.inner.path
            ))
        })
    }

    fn __bool__(&self, py: Python<'_>) -> PyResult<bool> {
        guard(py, || Ok(self.inner.is_success()))
    }
}
