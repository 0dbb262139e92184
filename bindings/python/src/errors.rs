//! The one mapping from core errors to the Python exception classes defined in
//! `zdkit/errors.py`; the classes are looked up once, when the module is imported.

use crate::json;
use crate::response::Response;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};
use zdkit::ErrorKind;

/// The exception classes of `zdkit.errors` by name (its `__all__`), filled once when
/// the extension is imported. A `PyOnceLock` never holds a Rust lock while the GIL is
/// awaited.
static CLASSES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// Looks the exception classes up; called by the module initialiser.
pub fn init(py: Python<'_>) -> PyResult<()> {
    classes(py).map(|_| ())
}

fn classes(py: Python<'_>) -> PyResult<&Bound<'_, PyDict>> {
    let classes = CLASSES.get_or_try_init(py, || -> PyResult<_> {
        let module = py.import("zdkit.errors")?;
        let classes = PyDict::new(py);
        for name in module.getattr("__all__")?.try_iter()? {
            let name = name?.cast_into::<PyString>()?;
            classes.set_item(&name, module.getattr(&name)?)?;
        }
        Ok(classes.unbind())
    })?;
    Ok(classes.bind(py))
}

/// The class of `zdkit.errors` that stands for a core error.
fn class_name(error: &zdkit::Error) -> &'static str {
    match error.kind() {
        ErrorKind::Validation if error.code() == Some(zdkit::iterate::SEARCH_LIMIT_CODE) => {
            "SearchLimitError"
        }
        ErrorKind::InvalidArgument => "ConfigurationError",
        ErrorKind::InsecureTransport => "InsecureTransportError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::Permission => "PermissionDeniedError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::Conflict => "ConflictError",
        ErrorKind::Validation => "ValidationError",
        ErrorKind::RateLimited => "RateLimitError",
        ErrorKind::Server => "ServerError",
        ErrorKind::Http => "HTTPError",
        ErrorKind::Timeout => "TimeoutError",
        ErrorKind::Transport => "TransportError",
        ErrorKind::ResponseTooLarge => "ResponseTooLargeError",
        ErrorKind::Decode => "DecodeError",
        ErrorKind::Cancelled => "CancelledError",
        ErrorKind::Internal => "InternalError",
        ErrorKind::JobFailed => "JobFailedError",
        _ => "ZendeskError",
    }
}

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
    let class = classes(py)?
        .get_item(class_name(error))?
        .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("zdkit.errors is incomplete"))?;
    Ok(PyErr::from_value(class.call((message,), Some(&fields))?))
}

/// `zdkit.DecodeError` for JSON the Python converter refused (`what` says why).
pub fn decode_error(py: Python<'_>, what: &str) -> PyErr {
    to_py_err(
        py,
        zdkit::Error::new(zdkit::ErrorKind::Decode, format!("invalid JSON: {what}")),
    )
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
