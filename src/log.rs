//! The log sink: where zdkit reports what it does (one line per request, retries,
//! warnings). Lines never contain a secret or a query string.

use std::fmt;
use std::sync::Arc;

/// How important a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Something failed.
    Error = 1,
    /// Something the application should know about (an API warning, a retry).
    Warn = 2,
    /// Notable events.
    Info = 3,
    /// One line per request.
    Debug = 4,
}

/// A function that receives log lines. It is called from whichever thread made the
/// request, so it must be thread-safe.
#[derive(Clone)]
pub struct LogSink(Arc<SinkFn>);

/// The function behind a [`LogSink`].
type SinkFn = dyn Fn(LogLevel, &str) + Send + Sync;

impl LogSink {
    /// Wraps a function as a log sink.
    pub fn new(sink: impl Fn(LogLevel, &str) + Send + Sync + 'static) -> Self {
        LogSink(Arc::new(sink))
    }

    /// Sends one line to the sink.
    pub fn log(&self, level: LogLevel, line: &str) {
        (self.0)(level, line)
    }
}

impl fmt::Debug for LogSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LogSink(..)")
    }
}
