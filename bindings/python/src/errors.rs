//! The one mapping from core errors to the Python exception classes defined in
//! `zdkit/errors.py`.

use crate::json;
use crate::response::Response;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Builds the Python exception for a core error: the class follows the error kind,
/// and every field (status, Zendesk code, description, details, request id,
/// retry-after, method, path, response) becomes an attribute.
pub fn to_py_err(py: Python<'_>, mut error: zdkit::Error) -> PyErr {
    match build(py, &mut error) {
        Ok(err) => err,
        Err(err) => err,
    }
}

fn build(py: Python<'_>, error: &mut zdkit::Error) -> PyResult<PyErr> {
    let module = py.import("zdkit.errors")?;
    let fields = PyDict::new(py);
    fields.set_item("status", error.status())?;
    fields.set_item("code", error.code())?;
    fields.set_item("description", error.description())?;
    let details = error.details().map(|d| json::from_value(py, d));
    fields.set_item("details", details)?;
    fields.set_item("request_id", error.request_id())?;
    fields.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    fields.set_item("method", error.method())?;
    fields.set_item("path", error.path())?;
    let message = error.to_string();
    let response = error.take_response().map(Response::from);
    if let Some(response) = response {
        fields.set_item("response", Py::new(py, response)?)?;
    }
    let exception = module
        .getattr("_error_for_kind")?
        .call((error.kind().as_str(), message), Some(&fields))?;
    Ok(PyErr::from_value(exception))
}

/// A configuration error raised before any core call (bad argument types).
pub fn configuration_error(py: Python<'_>, message: &str) -> PyErr {
    to_py_err(py, zdkit::Error::invalid(message))
}

/// Runs the body of an entry point (every `#[pymethods]` and `#[pyfunction]` body goes
/// through here): a Rust panic inside it becomes `zdkit.InternalError` — never
/// pyo3's `PanicException`, which `except Exception` does not catch — and nothing is
/// printed to stderr (see `zdkit::panic::catch`).
pub fn guard<T>(py: Python<'_>, body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    zdkit::panic::catch(body).unwrap_or_else(|error| Err(to_py_err(py, error)))
}
