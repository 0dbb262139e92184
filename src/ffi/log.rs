//! Logging from C: the level enum and the callback type (the setter,
//! `zdk_config_set_log_callback`, sits with the other setters in `config.rs`).

use crate::log::{LogLevel, LogSink};
use std::ffi::{c_char, c_void};

/// Severity of a log line given to a `zdk_log_callback`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum zdk_log_level {
    /// Something failed.
    ZDK_LOG_ERROR = 1,
    /// Something the application should know (an API warning, a retry).
    ZDK_LOG_WARN = 2,
    /// A notable event.
    ZDK_LOG_INFO = 3,
    /// One line per request: method, path, status, duration, request id.
    ZDK_LOG_DEBUG = 4,
}

/// Receives log lines. `message` is a NUL-terminated UTF-8 line without a secret or a
/// query string, borrowed for the duration of the call only. The callback may be
/// called from any thread that uses the client, also concurrently, so it must be
/// thread-safe. It must not call back into zdkit with the same client.
pub type zdk_log_callback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, level: zdk_log_level, message: *const c_char),
>;

/// Userdata handed back to C; the caller promises it may be used from any thread.
struct CallbackTarget {
    callback: unsafe extern "C" fn(*mut c_void, zdk_log_level, *const c_char),
    userdata: *mut c_void,
}
impl CallbackTarget {
    fn call(&self, level: LogLevel, line: &str) {
        let level = match level {
            LogLevel::Error => zdk_log_level::ZDK_LOG_ERROR,
            LogLevel::Warn => zdk_log_level::ZDK_LOG_WARN,
            LogLevel::Info => zdk_log_level::ZDK_LOG_INFO,
            LogLevel::Debug => zdk_log_level::ZDK_LOG_DEBUG,
        };
        let line = super::last_error::to_cstring(line);
        // SAFETY: the application registered this function and userdata.
        unsafe { (self.callback)(self.userdata, level, line.as_ptr()) };
    }
}

// SAFETY: zdk_config_set_log_callback documents that the callback and userdata must be
// usable from any thread; zdkit only passes the pointer back.
unsafe impl Send for CallbackTarget {}
// SAFETY: as above.
unsafe impl Sync for CallbackTarget {}

/// The core's log sink for a C callback and its userdata (NULL `callback`: no output).
pub(super) fn sink(callback: zdk_log_callback, userdata: *mut c_void) -> LogSink {
    match callback {
        Some(callback) => {
            let target = CallbackTarget { callback, userdata };
            LogSink::new(move |level, line| target.call(level, line))
        }
        None => LogSink::new(|_, _| {}),
    }
}
