//! `Client(on_event=callback)`: core events as `zdkit.Event` objects handed to a
//! Python callable.

use pyo3::prelude::*;
use zdkit::events::EventSink;

/// One thing the client did (an answer, a retry, a pacing wait, a token request).
/// Never holds a secret or a query string.
#[pyclass(module = "zdkit._native", frozen, name = "Event")]
pub struct Event(zdkit::events::Event);

#[pymethods]
impl Event {
    /// `"response"`, `"retry"`, `"wait"` or `"token"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }
    /// The request method, upper case.
    #[getter]
    fn method(&self) -> &str {
        &self.0.method
    }
    /// The URL path, without the query string.
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }
    /// The HTTP status; None for a transport failure and for a wait.
    #[getter]
    fn status(&self) -> Option<u16> {
        self.0.status
    }
    /// Seconds: how long the attempt took (response, token) or the client waits
    /// (retry, wait).
    #[getter]
    fn duration(&self) -> f64 {
        self.0.duration.as_secs_f64()
    }
    /// The attempt number, 0 for the first try.
    #[getter]
    fn attempt(&self) -> u32 {
        self.0.attempt
    }
    /// Zendesk's request id, when the answer had one.
    #[getter]
    fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The `Retry-After` the server asked for, in seconds.
    #[getter]
    fn retry_after(&self) -> Option<f64> {
        self.0.retry_after.map(|d| d.as_secs_f64())
    }
    /// Account requests left in the rate-limit window.
    #[getter]
    fn rate_limit_remaining(&self) -> Option<u64> {
        self.0.rate_limit_remaining
    }
    /// Account requests allowed per window.
    #[getter]
    fn rate_limit_limit(&self) -> Option<u64> {
        self.0.rate_limit_limit
    }

    fn __repr__(&self) -> String {
        let e = &self.0;
        let status = e
            .status
            .map_or_else(|| "None".to_owned(), |s| s.to_string());
        format!(
            "<zdkit.Event {} {} {} status={status} attempt={} duration={:.3}>",
            e.kind.as_str(),
            e.method,
            e.path,
            e.attempt,
            e.duration.as_secs_f64()
        )
    }
}

/// The core sink for a Python callable. It takes the GIL (the client holds none of
/// its locks while it emits) and calls `callable(event)`; an exception is logged on
/// the `zdkit` logger and ignored, so an observer never breaks a request.
pub fn sink(callable: Py<PyAny>) -> EventSink {
    EventSink::new(move |event| {
        Python::attach(|py| {
            let outcome = Py::new(py, Event(event.clone()))
                .and_then(|event| callable.bind(py).call1((event,)));
            if let Err(error) = outcome {
                let then = "ignored, the request goes on";
                crate::log::callback_raised(py, &error, "on_event callback", then, true);
            }
        })
    })
}
