//! Transfers run with the GIL released and stop on Ctrl-C.

use crate::errors::to_py_err;
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use zdkit::CancelCheck;

/// How often a running transfer checks for Ctrl-C.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(100);

/// Runs `step` with the GIL released, stopping on Ctrl-C (which raises
/// `KeyboardInterrupt`); a panic in it becomes an internal error.
pub fn detached<T: Send>(
    py: Python<'_>,
    client: &zdkit::Client,
    step: impl FnOnce(&zdkit::Client) -> zdkit::Result<T> + Send,
) -> PyResult<T> {
    let interrupted: Arc<Mutex<Option<PyErr>>> = Arc::default();
    let client = client.with_cancel(signal_check(interrupted.clone()));
    let outcome = py.detach(|| zdkit::panic::catch(|| step(&client)).and_then(|r| r));
    outcome.map_err(|error| {
        interrupted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .unwrap_or_else(|| to_py_err(py, error))
    })
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

/// A callback zdkit calls in the middle of a transfer (`on_event`, `on_rotate`) runs
/// Python code, and Python runs pending signal handlers there: Ctrl-C's
/// `KeyboardInterrupt` can surface inside the callback although it is meant for the
/// whole call. It is not the callback's to swallow, so the interrupt is raised again:
/// the transfer's next signal check stops it and the caller gets `KeyboardInterrupt`.
/// Returns whether `error` was such an interrupt.
pub fn pass_on_if_interrupt(py: Python<'_>, error: &PyErr) -> bool {
    if !error.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py) {
        return false;
    }
    // SAFETY: PyErr_SetInterrupt only marks SIGINT as pending (what the signal itself
    // does); the GIL is held, and Python runs the handler at its next signal check.
    unsafe { pyo3::ffi::PyErr_SetInterrupt() };
    true
}
