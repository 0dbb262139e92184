//! `Client(on_event=callback)`: core events as `zdkit.Event` objects handed to a
//! Python callable.

use crate::errors::guard;
use pyo3::prelude::*;
use std::sync::Arc;
use zdkit::events::EventSink;

/// One thing the client did (an answer, a retry, a pacing wait, a token request).
/// Never holds a secret or a query string.
#[pyclass(module = "zdkit._native", frozen, name = "Event")]
pub struct Event(zdkit::events::Event);

#[pymethods]
impl Event {
    /// `"response"`, `"retry"`, `"wait"` or `"token"`.
    #[getter]
    fn kind(&self, py: Python<'_>) -> PyResult<&'static str> {
        guard(py, || Ok(self.0.kind.as_str()))
    }
    /// The request method, upper case.
    #[getter]
    fn method(&self, py: Python<'_>) -> PyResult<&str> {
        guard(py, || Ok(self.0.method.as_str()))
    }
    /// The URL path, without the query string.
    #[getter]
    fn path(&self, py: Python<'_>) -> PyResult<&str> {
        guard(py, || Ok(self.0.path.as_str()))
    }
    /// The HTTP status; None for a transport failure and for a wait.
    #[getter]
    fn status(&self, py: Python<'_>) -> PyResult<Option<u16>> {
        guard(py, || Ok(self.0.status))
    }
    /// Seconds: how long the attempt took (response, token) or the client waits
    /// (retry, wait).
    #[getter]
    fn duration(&self, py: Python<'_>) -> PyResult<f64> {
        guard(py, || Ok(self.0.duration.as_secs_f64()))
    }
    /// The attempt number, 0 for the first try.
    #[getter]
    fn attempt(&self, py: Python<'_>) -> PyResult<u32> {
        guard(py, || Ok(self.0.attempt))
    }
    /// Zendesk's request id, when the answer had one.
    #[getter]
    fn request_id(&self, py: Python<'_>) -> PyResult<Option<&str>> {
        guard(py, || Ok(self.0.request_id.as_deref()))
    }
    /// The `Retry-After` the server asked for, in seconds.
    #[getter]
    fn retry_after(&self, py: Python<'_>) -> PyResult<Option<f64>> {
        guard(py, || Ok(self.0.retry_after.map(|d| d.as_secs_f64())))
    }
    /// Account requests left in the rate-limit window.
    #[getter]
    fn rate_limit_remaining(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        guard(py, || Ok(self.0.rate_limit_remaining))
    }
    /// Account requests allowed per window.
    #[getter]
    fn rate_limit_limit(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        guard(py, || Ok(self.0.rate_limit_limit))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            let e = &self.0;
            let status = e
                .status
                .map_or_else(|| "None".to_owned(), |s| s.to_string());
            Ok(format!(
                "<zdkit.Event {} {} {} status={status} attempt={} duration={:.3}>",
                e.kind.as_str(),
                e.method,
                e.path,
                e.attempt,
                e.duration.as_secs_f64()
            ))
        })
    }
}

/// The core sink for a Python callable. It takes the GIL (the client holds none of
/// its locks while it emits) and calls `callable(event)`; an exception is logged on
/// the `zdkit` logger and ignored, so an observer never breaks a request. Events of
/// an async engine's thread, which must never wait for the GIL, go to the async
/// delivery thread (in order with the calls' completions) instead.
pub fn sink(callable: Py<PyAny>) -> EventSink {
    let callable = Arc::new(callable);
    EventSink::new(move |event| {
        if zdkit::on_engine_thread() {
            crate::async_send::event_later(Arc::clone(&callable), event.clone());
            return;
        }
        Python::attach(|py| deliver(py, &callable, event))
    })
}

/// Calls `callable(event)` with the GIL held; an exception is logged and ignored,
/// but for Ctrl-C's `KeyboardInterrupt`, which is passed on to the call.
pub fn deliver(py: Python<'_>, callable: &Py<PyAny>, event: &zdkit::events::Event) {
    let outcome =
        Py::new(py, Event(event.clone())).and_then(|event| callable.bind(py).call1((event,)));
    if let Err(error) = outcome {
        if crate::interrupt::pass_on_if_interrupt(py, &error) {
            return;
        }
        let then = "ignored, the request goes on";
        crate::log::callback_raised(py, &error, "on_event callback", then, true);
    }
}
