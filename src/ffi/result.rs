//! Result codes. Their numbers are part of the ABI: never renumber or reuse one.

use crate::error::ErrorKind;
use std::ffi::c_char;
use std::os::raw::c_int;

/// The outcome of a zdkit call. `ZDK_OK` is zero; every other value is a failure
/// whose detail `zdk_last_error_message()` describes. The numbers never change.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum zdk_result {
    /// Success.
    ZDK_OK = 0,
    /// An iterator has no more items (not an error).
    ZDK_DONE = 1,
    /// A required pointer argument was NULL.
    ZDK_ERR_NULL_ARGUMENT = 2,
    /// A string argument was not valid UTF-8.
    ZDK_ERR_INVALID_UTF8 = 3,
    /// An argument or setting was invalid (bad URL, two credentials, a password…).
    ZDK_ERR_INVALID_ARGUMENT = 4,
    /// Refused to send credentials over plain HTTP to a host that is not loopback.
    ZDK_ERR_INSECURE_TRANSPORT = 5,
    /// HTTP 401: the credential was not accepted.
    ZDK_ERR_AUTHENTICATION = 6,
    /// HTTP 403: missing permission or OAuth scope.
    ZDK_ERR_PERMISSION = 7,
    /// HTTP 404.
    ZDK_ERR_NOT_FOUND = 8,
    /// HTTP 409: concurrent write or stale `safe_update` stamp.
    ZDK_ERR_CONFLICT = 9,
    /// HTTP 422: validation failed.
    ZDK_ERR_VALIDATION = 10,
    /// HTTP 429: rate limited; see `zdk_last_error_retry_after_ms()`.
    ZDK_ERR_RATE_LIMITED = 11,
    /// HTTP 5xx.
    ZDK_ERR_SERVER = 12,
    /// Any other non-2xx HTTP status (including a redirect that was not followed).
    ZDK_ERR_HTTP = 13,
    /// The connect or total timeout expired.
    ZDK_ERR_TIMEOUT = 14,
    /// DNS, connect, TLS, connection reset or truncated answer.
    ZDK_ERR_TRANSPORT = 15,
    /// A response could not be decoded.
    ZDK_ERR_DECODE = 16,
    /// The transfer was cancelled.
    ZDK_ERR_CANCELLED = 17,
    /// An internal error in zdkit.
    ZDK_ERR_INTERNAL = 18,
    /// zdkit panicked; the call had no effect that can be relied on.
    ZDK_ERR_PANIC = 19,
    /// A background job ended as `failed` or `killed`.
    ZDK_ERR_JOB_FAILED = 20,
    /// The answer was larger than `zdk_config_set_max_response_bytes` allows
    /// (counted after decompression); the transfer was stopped.
    ZDK_ERR_RESPONSE_TOO_LARGE = 21,
}

impl From<ErrorKind> for zdk_result {
    fn from(kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::InvalidArgument => zdk_result::ZDK_ERR_INVALID_ARGUMENT,
            ErrorKind::InsecureTransport => zdk_result::ZDK_ERR_INSECURE_TRANSPORT,
            ErrorKind::Authentication => zdk_result::ZDK_ERR_AUTHENTICATION,
            ErrorKind::Permission => zdk_result::ZDK_ERR_PERMISSION,
            ErrorKind::NotFound => zdk_result::ZDK_ERR_NOT_FOUND,
            ErrorKind::Conflict => zdk_result::ZDK_ERR_CONFLICT,
            ErrorKind::Validation => zdk_result::ZDK_ERR_VALIDATION,
            ErrorKind::RateLimited => zdk_result::ZDK_ERR_RATE_LIMITED,
            ErrorKind::Server => zdk_result::ZDK_ERR_SERVER,
            ErrorKind::Http => zdk_result::ZDK_ERR_HTTP,
            ErrorKind::Timeout => zdk_result::ZDK_ERR_TIMEOUT,
            ErrorKind::Transport => zdk_result::ZDK_ERR_TRANSPORT,
            ErrorKind::Decode => zdk_result::ZDK_ERR_DECODE,
            ErrorKind::Cancelled => zdk_result::ZDK_ERR_CANCELLED,
            ErrorKind::Internal => zdk_result::ZDK_ERR_INTERNAL,
            ErrorKind::JobFailed => zdk_result::ZDK_ERR_JOB_FAILED,
            ErrorKind::ResponseTooLarge => zdk_result::ZDK_ERR_RESPONSE_TOO_LARGE,
        }
    }
}

/// How C passes a `zdk_result` in: as a plain integer, so an out-of-range value is
/// not undefined behaviour in Rust. cbindgen writes it as `zdk_result` in the header.
#[repr(transparent)]
#[derive(Debug, Clone, Copy)]
pub struct ZdkResultArg(c_int);

/// The static, NUL-terminated name and meaning of a result code.
fn describe(code: c_int) -> &'static [u8] {
    match code {
        0 => b"ZDK_OK: success\0",
        1 => b"ZDK_DONE: no more items\0",
        2 => b"ZDK_ERR_NULL_ARGUMENT: a required pointer argument was NULL\0",
        3 => b"ZDK_ERR_INVALID_UTF8: a string argument was not valid UTF-8\0",
        4 => b"ZDK_ERR_INVALID_ARGUMENT: an argument or setting was invalid\0",
        5 => b"ZDK_ERR_INSECURE_TRANSPORT: refused to send credentials over plain HTTP\0",
        6 => b"ZDK_ERR_AUTHENTICATION: the credential was not accepted (HTTP 401)\0",
        7 => b"ZDK_ERR_PERMISSION: permission or OAuth scope missing (HTTP 403)\0",
        8 => b"ZDK_ERR_NOT_FOUND: not found (HTTP 404)\0",
        9 => b"ZDK_ERR_CONFLICT: conflicting write (HTTP 409)\0",
        10 => b"ZDK_ERR_VALIDATION: validation failed (HTTP 422)\0",
        11 => b"ZDK_ERR_RATE_LIMITED: rate limited (HTTP 429)\0",
        12 => b"ZDK_ERR_SERVER: server error (HTTP 5xx)\0",
        13 => b"ZDK_ERR_HTTP: unexpected HTTP status\0",
        14 => b"ZDK_ERR_TIMEOUT: timed out\0",
        15 => b"ZDK_ERR_TRANSPORT: network or TLS failure\0",
        16 => b"ZDK_ERR_DECODE: the response could not be decoded\0",
        17 => b"ZDK_ERR_CANCELLED: the transfer was cancelled\0",
        18 => b"ZDK_ERR_INTERNAL: internal error\0",
        19 => b"ZDK_ERR_PANIC: internal panic caught at the C boundary\0",
        20 => b"ZDK_ERR_JOB_FAILED: the background job failed\0",
        21 => b"ZDK_ERR_RESPONSE_TOO_LARGE: the answer exceeded max_response_bytes\0",
        _ => b"unknown zdk_result code\0",
    }
}

/// A static description of `code`, such as `"ZDK_ERR_NOT_FOUND: not found (HTTP 404)"`.
///
/// Never NULL; an unknown code gives `"unknown zdk_result code"`. The string is static:
/// do not free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn zdk_strerror(code: ZdkResultArg) -> *const c_char {
    describe(code.0).as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_code_has_a_description_naming_it() {
        for code in 0..=21 {
            let text = unsafe { CStr::from_ptr(zdk_strerror(ZdkResultArg(code))) };
            assert!(text.to_str().unwrap().starts_with("ZDK_"), "{code}");
        }
        let unknown = unsafe { CStr::from_ptr(zdk_strerror(ZdkResultArg(-7))) };
        assert_eq!(unknown.to_str().unwrap(), "unknown zdk_result code");
        assert_eq!(zdk_result::ZDK_ERR_PANIC as i32, 19);
    }
}
