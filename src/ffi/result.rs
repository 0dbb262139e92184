//! Result codes. Their numbers are part of the ABI: never renumber or reuse one.

use crate::error::ErrorKind;
use std::ffi::{CStr, c_char};
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

/// The one table of result codes: each code, its `zdk_strerror` text (starting with
/// its name) and the core [`ErrorKind`] reported with it. The enum above stays literal
/// for cbindgen; a unit test checks that every value is here exactly once.
#[rustfmt::skip]
const CODES: &[(zdk_result, &CStr, Option<ErrorKind>)] = {
    use ErrorKind as K;
    use zdk_result::*;
    &[
        (ZDK_OK, c"ZDK_OK: success", None),
        (ZDK_DONE, c"ZDK_DONE: no more items", None),
        (ZDK_ERR_NULL_ARGUMENT, c"ZDK_ERR_NULL_ARGUMENT: a required pointer argument was NULL", None),
        (ZDK_ERR_INVALID_UTF8, c"ZDK_ERR_INVALID_UTF8: a string argument was not valid UTF-8", None),
        (ZDK_ERR_INVALID_ARGUMENT, c"ZDK_ERR_INVALID_ARGUMENT: an argument or setting was invalid", Some(K::InvalidArgument)),
        (ZDK_ERR_INSECURE_TRANSPORT, c"ZDK_ERR_INSECURE_TRANSPORT: refused to send credentials over plain HTTP", Some(K::InsecureTransport)),
        (ZDK_ERR_AUTHENTICATION, c"ZDK_ERR_AUTHENTICATION: the credential was not accepted (HTTP 401)", Some(K::Authentication)),
        (ZDK_ERR_PERMISSION, c"ZDK_ERR_PERMISSION: permission or OAuth scope missing (HTTP 403)", Some(K::Permission)),
        (ZDK_ERR_NOT_FOUND, c"ZDK_ERR_NOT_FOUND: not found (HTTP 404)", Some(K::NotFound)),
        (ZDK_ERR_CONFLICT, c"ZDK_ERR_CONFLICT: conflicting write (HTTP 409)", Some(K::Conflict)),
        (ZDK_ERR_VALIDATION, c"ZDK_ERR_VALIDATION: validation failed (HTTP 422)", Some(K::Validation)),
        (ZDK_ERR_RATE_LIMITED, c"ZDK_ERR_RATE_LIMITED: rate limited (HTTP 429)", Some(K::RateLimited)),
        (ZDK_ERR_SERVER, c"ZDK_ERR_SERVER: server error (HTTP 5xx)", Some(K::Server)),
        (ZDK_ERR_HTTP, c"ZDK_ERR_HTTP: unexpected HTTP status", Some(K::Http)),
        (ZDK_ERR_TIMEOUT, c"ZDK_ERR_TIMEOUT: timed out", Some(K::Timeout)),
        (ZDK_ERR_TRANSPORT, c"ZDK_ERR_TRANSPORT: network or TLS failure", Some(K::Transport)),
        (ZDK_ERR_DECODE, c"ZDK_ERR_DECODE: the response could not be decoded", Some(K::Decode)),
        (ZDK_ERR_CANCELLED, c"ZDK_ERR_CANCELLED: the transfer was cancelled", Some(K::Cancelled)),
        (ZDK_ERR_INTERNAL, c"ZDK_ERR_INTERNAL: internal error", Some(K::Internal)),
        (ZDK_ERR_PANIC, c"ZDK_ERR_PANIC: internal panic caught at the C boundary", None),
        (ZDK_ERR_JOB_FAILED, c"ZDK_ERR_JOB_FAILED: the background job failed", Some(K::JobFailed)),
        (ZDK_ERR_RESPONSE_TOO_LARGE, c"ZDK_ERR_RESPONSE_TOO_LARGE: the answer exceeded max_response_bytes", Some(K::ResponseTooLarge)),
    ]
};

impl From<ErrorKind> for zdk_result {
    /// The code `CODES` lists for `kind` (every kind is there: a unit test checks).
    fn from(kind: ErrorKind) -> Self {
        CODES
            .iter()
            .find(|(_, _, k)| *k == Some(kind))
            .map_or(zdk_result::ZDK_ERR_INTERNAL, |(code, _, _)| *code)
    }
}

/// How C passes a `zdk_result` in: as a plain integer, so an out-of-range value is
/// not undefined behaviour in Rust. cbindgen writes it as `zdk_result` in the header.
#[repr(transparent)]
#[derive(Debug, Clone, Copy)]
pub struct ZdkResultArg(c_int);

/// The static name and meaning of a result code, from [`CODES`].
fn describe(code: c_int) -> &'static CStr {
    CODES
        .iter()
        .find(|(c, _, _)| *c as c_int == code)
        .map_or(c"unknown zdk_result code", |(_, text, _)| text)
}

/// ---- Results: zdk_strerror --------------------------------------------------
///
/// A static description of `code`, such as `"ZDK_ERR_NOT_FOUND: not found (HTTP 404)"`.
///
/// Never NULL; an unknown code gives `"unknown zdk_result code"`. The string is static:
/// do not free it. Thread-safe.
///
/// @param code any `zdk_result` value, also one this header does not know.
/// @return a static string (do not free).
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_strerror(code: ZdkResultArg) -> *const c_char {
    describe(code.0).as_ptr().cast()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The table holds every code once, in numeric order from 0, each text starting
    /// with the code's name; the match below stops compiling when a code is added to
    /// the enum, as a reminder to add it to [`CODES`] too.
    #[test]
    fn the_table_lists_every_code_once() {
        let newest = |code: zdk_result| match code {
            zdk_result::ZDK_OK
            | zdk_result::ZDK_DONE
            | zdk_result::ZDK_ERR_NULL_ARGUMENT
            | zdk_result::ZDK_ERR_INVALID_UTF8
            | zdk_result::ZDK_ERR_INVALID_ARGUMENT
            | zdk_result::ZDK_ERR_INSECURE_TRANSPORT
            | zdk_result::ZDK_ERR_AUTHENTICATION
            | zdk_result::ZDK_ERR_PERMISSION
            | zdk_result::ZDK_ERR_NOT_FOUND
            | zdk_result::ZDK_ERR_CONFLICT
            | zdk_result::ZDK_ERR_VALIDATION
            | zdk_result::ZDK_ERR_RATE_LIMITED
            | zdk_result::ZDK_ERR_SERVER
            | zdk_result::ZDK_ERR_HTTP
            | zdk_result::ZDK_ERR_TIMEOUT
            | zdk_result::ZDK_ERR_TRANSPORT
            | zdk_result::ZDK_ERR_DECODE
            | zdk_result::ZDK_ERR_CANCELLED
            | zdk_result::ZDK_ERR_INTERNAL
            | zdk_result::ZDK_ERR_PANIC
            | zdk_result::ZDK_ERR_JOB_FAILED => false,
            zdk_result::ZDK_ERR_RESPONSE_TOO_LARGE => true,
        };
        for (index, (code, text, _)) in CODES.iter().enumerate() {
            assert_eq!(*code as usize, index, "{code:?} out of order or repeated");
            let text = text.to_str().unwrap();
            assert!(text.starts_with(&format!("{code:?}: ")), "{text}");
            assert_eq!(describe(*code as c_int).to_str().unwrap(), text);
        }
        assert!(
            newest(CODES.last().unwrap().0),
            "the newest code is missing"
        );
    }

    /// Every core error kind has its own code (the match stops compiling when the core
    /// adds a kind), and no kind is listed twice.
    #[test]
    fn every_error_kind_maps_to_its_code() {
        let kinds = |kind: ErrorKind| match kind {
            ErrorKind::InvalidArgument
            | ErrorKind::InsecureTransport
            | ErrorKind::Authentication
            | ErrorKind::Permission
            | ErrorKind::NotFound
            | ErrorKind::Conflict
            | ErrorKind::Validation
            | ErrorKind::RateLimited
            | ErrorKind::Server
            | ErrorKind::Http
            | ErrorKind::Timeout
            | ErrorKind::Transport
            | ErrorKind::Decode
            | ErrorKind::Cancelled
            | ErrorKind::Internal
            | ErrorKind::JobFailed
            | ErrorKind::ResponseTooLarge => (),
        };
        let listed: Vec<ErrorKind> = CODES.iter().filter_map(|(_, _, k)| *k).collect();
        assert_eq!(
            listed.len(),
            17,
            "update the match above and the table together"
        );
        for (i, kind) in listed.iter().enumerate() {
            kinds(*kind);
            assert!(!listed[i + 1..].contains(kind), "{kind:?} listed twice");
            let code = zdk_result::from(*kind);
            let (_, _, k) = CODES[code as usize];
            assert_eq!(k, Some(*kind));
        }
        assert_eq!(
            zdk_result::from(ErrorKind::NotFound),
            zdk_result::ZDK_ERR_NOT_FOUND
        );
    }
}
