//! Async calls for `zdkit.AsyncClient`: the core's async engine, with completions
//! handed to the asyncio event loop.
//!
//! A call starts with the `*_async` methods of `zdkit._native.Client`, given `done`
//! (a callable made by `_async.py`: `loop.call_soon_threadsafe` bound to the call's
//! future). The engine's driver thread never takes the GIL: it queues the outcome
//! for one **delivery thread** per process, which does what needs no GIL first
//! (reading a page, say), then takes the GIL — holding no Rust lock — and calls
//! `done(ok, value)` for every completion it has, so the loop wakes once per batch.
//! No thread per request, no polling.

use crate::client::Client;
use crate::errors::{guard, to_py_err};
use crate::json::value_to_py;
use crate::response::Response;
use pyo3::prelude::*;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use zdkit::log::LogLevel;

/// The second stage of a completion: builds the Python value, GIL held.
pub type ToPython = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// The first stage of a completion: runs on the delivery thread without the GIL.
pub type Prepare = Box<dyn FnOnce(zdkit::Result<zdkit::Response>) -> ToPython + Send>;

/// One finished call on its way to the event loop.
struct Delivery {
    done: Py<PyAny>,
    outcome: zdkit::Result<zdkit::Response>,
    prepare: Prepare,
}

/// What the delivery thread does.
enum Work {
    Deliver(Delivery),
    /// A line the engine's thread logged (it must not wait for the GIL itself).
    Log(LogLevel, String),
    /// An event of the engine's thread, for a client's `on_event` callable.
    Event(Arc<Py<PyAny>>, zdkit::events::Event),
}

struct Queue {
    deliveries: Vec<Work>,
    /// The process whose delivery thread runs (0: none yet).
    pid: u32,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue {
    deliveries: Vec::new(),
    pid: 0,
});
static READY: Condvar = Condvar::new();

/// Completions delivered per hold of the GIL.
const DELIVERIES_PER_GIL_HOLD: usize = 8;

/// Queues a log line of an engine thread for the delivery thread, which hands it
/// to the `zdkit` logger with the GIL.
pub fn log_later(level: LogLevel, line: &str) {
    dispatch(Work::Log(level, line.to_owned()));
}

/// Queues an event of an engine thread for the delivery thread, which hands it to
/// `callable` with the GIL (before any completion queued after it).
pub fn event_later(callable: Arc<Py<PyAny>>, event: zdkit::events::Event) {
    dispatch(Work::Event(callable, event));
}

/// Queues work, starting the delivery thread of this process if needed (a child
/// after `fork()` starts its own: its parent's does not exist there).
fn dispatch(delivery: Work) {
    let mut queue = QUEUE.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if queue.pid != pid {
        // Deliveries queued in the parent belong to the parent's event loop.
        std::mem::forget(std::mem::take(&mut queue.deliveries));
        if std::thread::Builder::new()
            .name("zdkit-asyncio".into())
            .spawn(deliver_forever)
            .is_err()
        {
            // Nothing can deliver: drop it (its future stays pending until
            // cancelled), rather than block the engine.
            return;
        }
        queue.pid = pid;
    }
    queue.deliveries.push(delivery);
    READY.notify_one();
}

/// Work whose part without the GIL is done.
enum Ready {
    Deliver(Py<PyAny>, ToPython),
    Log(LogLevel, String),
    Event(Arc<Py<PyAny>>, zdkit::events::Event),
}

/// The delivery thread.
fn deliver_forever() {
    loop {
        let batch = {
            let mut queue = QUEUE.lock().unwrap_or_else(PoisonError::into_inner);
            while queue.deliveries.is_empty() {
                queue = READY.wait(queue).unwrap_or_else(PoisonError::into_inner);
            }
            std::mem::take(&mut queue.deliveries)
        };
        let mut ready: std::collections::VecDeque<Ready> = batch
            .into_iter()
            .map(|work| match work {
                Work::Deliver(Delivery {
                    done,
                    outcome,
                    prepare,
                }) => {
                    let to_python = zdkit::panic::catch(move || prepare(outcome))
                        .unwrap_or_else(|error| error_to_python(error));
                    Ready::Deliver(done, to_python)
                }
                Work::Log(level, line) => Ready::Log(level, line),
                Work::Event(callable, event) => Ready::Event(callable, event),
            })
            .collect();
        while !ready.is_empty() {
            // The GIL is taken for a few completions at a time, so that a burst of them
            // never keeps the event loop's thread waiting long.
            let delivered = Python::try_attach(|py| {
                let chunk = ready.len().min(DELIVERIES_PER_GIL_HOLD);
                for work in ready.drain(..chunk) {
                    match work {
                        Ready::Deliver(done, to_python) => {
                            let (ok, value) = match to_python(py) {
                                Ok(value) => (true, value),
                                Err(error) => (false, error.into_value(py).into_any()),
                            };
                            // Fails only when the loop is closed: nobody waits any more.
                            let _ = done.call1(py, (ok, value));
                        }
                        Ready::Log(level, line) => crate::log::emit(py, level, &line),
                        Ready::Event(callable, event) => {
                            crate::events::deliver(py, &callable, &event)
                        }
                    }
                }
            });
            if delivered.is_none() {
                // The interpreter is gone: nothing may touch Python objects now.
                std::mem::forget(ready);
                return;
            }
            // Let a thread waiting for the GIL (the event loop's) take it now.
            std::thread::yield_now();
        }
    }
}

/// A completion that raises `error`.
fn error_to_python(error: zdkit::Error) -> ToPython {
    Box::new(move |py| Err(to_py_err(py, error)))
}

/// The result of a request: a `zdkit.Response`, or the exception.
fn response_to_python(outcome: zdkit::Result<zdkit::Response>) -> ToPython {
    match outcome {
        Ok(response) => Box::new(move |py| Ok(Py::new(py, Response::from(response))?.into_any())),
        Err(error) => error_to_python(error),
    }
}

/// The result of a request as `Response.json()` gives it (parsed here, on the
/// delivery thread, so the event loop's thread does not parse), or the exception.
fn json_to_python(outcome: zdkit::Result<zdkit::Response>) -> ToPython {
    match outcome {
        Ok(response) => Box::new(move |py| {
            let response = Py::new(py, Response::from(response))?;
            Ok(response.bind(py).call_method0("json")?.unbind())
        }),
        Err(error) => error_to_python(error),
    }
}

/// Starts `request` on `client`'s engine; `prepare` turns its outcome into what
/// `done` gets.
pub fn start(
    py: Python<'_>,
    client: &zdkit::Client,
    request: zdkit::Request,
    done: Py<PyAny>,
    prepare: Prepare,
) -> PyResult<AsyncCall> {
    let call = client
        .send_async(request, move |outcome| {
            dispatch(Work::Deliver(Delivery {
                done,
                outcome,
                prepare,
            }))
        })
        .map_err(|e| to_py_err(py, e))?;
    Ok(AsyncCall { call })
}

/// A call in flight: `cancel()` aborts it at once (the connection is closed or the
/// HTTP/2 stream reset; it is never retried).
#[pyclass(module = "zdkit._native", frozen)]
pub struct AsyncCall {
    call: zdkit::AsyncCall,
}

#[pymethods]
impl AsyncCall {
    /// Aborts the call (a no-op once it has completed).
    fn cancel(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, || {
            self.call.cancel();
            Ok(())
        })
    }

    /// True once the call has completed (or been cancelled).
    #[getter]
    fn finished(&self, py: Python<'_>) -> PyResult<bool> {
        guard(py, || Ok(self.call.is_finished()))
    }
}

/// Waits for a background job, a poll at a time (see `zdkit::JobWait`).
#[pyclass(module = "zdkit._native", frozen)]
pub struct JobWaiter {
    client: zdkit::Client,
    wait: std::sync::Arc<Mutex<zdkit::JobWait>>,
}

#[pymethods]
impl JobWaiter {
    /// Sends the next poll; `done` gets `(True, (True, job_status))` once the job
    /// completed, `(True, (False, seconds))` to poll again after a pause, or
    /// `(False, exception)` (a failed job, a timeout, an HTTP error).
    fn poll(&self, py: Python<'_>, done: Py<PyAny>) -> PyResult<AsyncCall> {
        guard(py, move || {
            let request = self
                .wait
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .request();
            let wait = self.wait.clone();
            let prepare: Prepare = Box::new(move |outcome| {
                let step = outcome.and_then(|response| {
                    wait.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .accept(response)
                });
                match step {
                    Ok(zdkit::JobPoll::Finished(response)) => match response.json() {
                        Ok(mut answer) => {
                            let job = answer["job_status"].take();
                            Box::new(move |py| {
                                Ok((true, value_to_py(py, &job)?)
                                    .into_pyobject(py)?
                                    .into_any()
                                    .unbind())
                            })
                        }
                        Err(error) => error_to_python(error),
                    },
                    Ok(zdkit::JobPoll::Again(pause)) => Box::new(move |py| {
                        Ok((false, pause.as_secs_f64())
                            .into_pyobject(py)?
                            .into_any()
                            .unbind())
                    }),
                    Err(error) => error_to_python(error),
                }
            });
            start(py, &self.client, request, done, prepare)
        })
    }
}

/// The async methods of `zdkit._native.Client`.
#[pymethods]
impl Client {
    /// Starts a request (arguments as `request`); `done(ok, value)` gets the
    /// `Response` (its parsed JSON with `parse_json`) or the exception, on the delivery
    /// thread.
    #[pyo3(signature = (done, method, path, params=None, body=None, content_type=None, headers=None, timeout=None, parse_json=false))]
    #[allow(clippy::too_many_arguments)]
    fn send_async(
        &self,
        py: Python<'_>,
        done: Py<PyAny>,
        method: &str,
        path: &str,
        params: Option<Vec<(String, String)>>,
        body: Option<Vec<u8>>,
        content_type: Option<String>,
        headers: Option<Vec<(String, String)>>,
        timeout: Option<&Bound<'_, PyAny>>,
        parse_json: bool,
    ) -> PyResult<AsyncCall> {
        guard(py, move || {
            let client = self.client(py)?;
            let request = crate::client::build_request(
                py,
                method,
                path,
                params,
                body,
                content_type,
                headers,
                timeout,
            )?;
            let prepare: Prepare = if parse_json {
                Box::new(json_to_python)
            } else {
                Box::new(response_to_python)
            };
            start(py, &client, request, done, prepare)
        })
    }

    /// Starts an upload of bytes or a file (streamed from disk); `done` gets the
    /// `upload` object.
    #[pyo3(signature = (done, filename, data=None, path=None, content_type=None, token=None))]
    #[allow(clippy::too_many_arguments)]
    fn upload_async(
        &self,
        py: Python<'_>,
        done: Py<PyAny>,
        filename: &str,
        data: Option<Vec<u8>>,
        path: Option<std::path::PathBuf>,
        content_type: Option<String>,
        token: Option<String>,
    ) -> PyResult<AsyncCall> {
        guard(py, move || {
            let client = self.client(py)?;
            let source = match (&data, &path) {
                (Some(bytes), None) => zdkit::upload::UploadSource::Bytes(bytes),
                (None, Some(path)) => zdkit::upload::UploadSource::Path(path),
                _ => {
                    return Err(to_py_err(
                        py,
                        zdkit::Error::invalid("pass the data or a path, not both"),
                    ));
                }
            };
            let request = zdkit::upload::upload_request(
                filename,
                source,
                content_type.as_deref(),
                token.as_deref(),
            )
            .map_err(|e| to_py_err(py, e))?;
            let prepare: Prepare = Box::new(|outcome| {
                match outcome.and_then(|response| zdkit::upload::upload_object(&response)) {
                    Ok(upload) => Box::new(move |py| Ok(value_to_py(py, &upload)?.unbind())),
                    Err(error) => error_to_python(error),
                }
            });
            start(py, &client, request, done, prepare)
        })
    }

    /// A waiter for a background job (`timeout` in seconds, default 300).
    #[pyo3(signature = (job_id, timeout=None))]
    fn job_waiter(
        &self,
        py: Python<'_>,
        job_id: &str,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<JobWaiter> {
        guard(py, move || {
            let client = self.client(py)?;
            let timeout = match timeout {
                Some(value) => crate::settings::duration(py, "timeout", value)?,
                None => crate::jobs::JOB_TIMEOUT,
            };
            let wait = zdkit::JobWait::new(job_id, timeout).map_err(|e| to_py_err(py, e))?;
            Ok(JobWaiter {
                client,
                wait: std::sync::Arc::new(Mutex::new(wait)),
            })
        })
    }

    /// Cancels every async call in flight (they raise `zdkit.CancelledError`) and
    /// stops the client's async engine; blocking calls are not affected.
    fn close_async(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, move || {
            let client = self.client(py)?;
            // Waits for the engine thread, which never waits for the GIL.
            py.detach(move || client.close_async());
            Ok(())
        })
    }
}
