//! Log lines of the core go to Python's `logging.getLogger("zdkit")`.

use pyo3::prelude::*;
use std::sync::OnceLock;
use zdkit::log::{LogLevel, LogSink};

/// `logging.getLogger("zdkit")`, created when the module is imported (the GIL is held
/// then). Log lines and callbacks only read it: creating it lazily in a once-cell made
/// the first concurrent requests deadlock (a thread initialising the cell waited for
/// the GIL while the thread holding the GIL waited for the cell).
static LOGGER: OnceLock<Py<PyAny>> = OnceLock::new();

/// Creates the `zdkit` logger; called by the module initialiser.
pub fn init(py: Python<'_>) -> PyResult<()> {
    let logger = py
        .import("logging")?
        .call_method1("getLogger", ("zdkit",))?;
    // A second initialisation (a re-imported module) keeps the first logger.
    let _ = LOGGER.set(logger.unbind());
    Ok(())
}

/// The `zdkit` logger (None only if the module initialiser did not run).
pub fn logger(py: Python<'_>) -> Option<&Bound<'_, PyAny>> {
    LOGGER.get().map(|logger| logger.bind(py))
}

/// The sink every Python client logs to. No Rust lock is held while it waits for
/// the GIL.
/// Lines logged on an async engine's thread, which must never wait for the GIL, go
/// to the async delivery thread instead.
pub fn sink() -> LogSink {
    LogSink::new(|level, line| {
        if zdkit::on_engine_thread() {
            crate::async_send::log_later(level, line);
            return;
        }
        Python::attach(|py| emit(py, level, line))
    })
}

/// Logs, on the `zdkit` logger at ERROR, that the user callback `name` raised, and
/// `then`, what happens next; `detail` adds the exception's text when it is safe to show
/// (it never is when the callback received a secret). The exception is then dropped: a
/// callback never breaks a request.
pub fn callback_raised(py: Python<'_>, error: &PyErr, name: &str, then: &str, detail: bool) {
    let kind = error
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    let text = if detail {
        error
            .value(py)
            .str()
            .map(|s| format!(": {s}"))
            .unwrap_or_default()
    } else {
        String::new()
    };
    if let Some(logger) = logger(py) {
        if let Err(error) =
            logger.call_method1("error", ("%s raised %s%s; %s", name, kind, text, then))
        {
            dropped(py, &error);
        }
    }
}

/// Hands one line to the `zdkit` logger (when it is enabled for that level).
pub fn emit(py: Python<'_>, level: LogLevel, line: &str) {
    let Some(logger) = logger(py) else { return };
    let level = match level {
        LogLevel::Error => 40,
        LogLevel::Warn => 30,
        LogLevel::Info => 20,
        LogLevel::Debug => 10,
    };
    let logged = logger
        .call_method1("isEnabledFor", (level,))
        .and_then(|enabled| enabled.is_truthy())
        .and_then(|enabled| match enabled {
            true => logger.call_method1("log", (level, "%s", line)).map(drop),
            false => Ok(()),
        });
    if let Err(error) = logged {
        dropped(py, &error);
    }
}

/// A failure of logging itself is dropped (a log line never breaks a request), but
/// for Ctrl-C: Python runs a pending SIGINT handler in whatever Python code runs next,
/// a logging handler included, and that `KeyboardInterrupt` belongs to the call.
fn dropped(py: Python<'_>, error: &PyErr) {
    crate::interrupt::pass_on_if_interrupt(py, error);
}
