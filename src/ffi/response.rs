//! `zdk_response`: status, headers and body of an answer.
//!
//! Every `zdk_response_*` function is an accessor: none of them touches the thread's
//! last error, so an error response can be read while `zdk_last_error_*` still
//! describes the failure that produced it.

use super::boundary::{FfiError, Out, arg, arg_str, free_arg, guard_quiet, guard_value, out};
use super::last_error::to_cstring;
use super::result::zdk_result;
use crate::response::Response;
use std::ffi::{CString, c_char};
use std::ptr;

/// An HTTP answer. Immutable: may be read from several threads at once; free it
/// once with `zdk_response_free`. Every pointer read from it lives until then.
pub struct zdk_response {
    status: u16,
    /// The body followed by one NUL byte, so JSON can be read as a C string.
    body_nul: Vec<u8>,
    headers: Vec<(CString, CString)>,
    request_id: Option<CString>,
    api_warning: Option<CString>,
    rate_limit: zdk_rate_limit,
}

impl zdk_response {
    pub(crate) fn new(mut response: Response) -> zdk_response {
        let rate = response.rate_limit();
        let known = |v: Option<u64>| v.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let mut body_nul = std::mem::take(&mut response.body);
        body_nul.push(0);
        zdk_response {
            status: response.status,
            body_nul,
            headers: response
                .headers
                .iter()
                .map(|(n, v)| (to_cstring(n), to_cstring(v)))
                .collect(),
            request_id: response.request_id().map(to_cstring),
            api_warning: response.api_warning().map(to_cstring),
            rate_limit: zdk_rate_limit {
                limit: known(rate.limit),
                remaining: known(rate.remaining),
                reset_seconds: known(rate.reset),
            },
        }
    }
}

/// Hands an outcome to C: a response goes to `*out` — also the response inside an
/// HTTP error, so the caller can read a non-2xx answer — and an error is returned.
pub(crate) fn deliver(
    outcome: crate::Result<Response>,
    out: Out<*mut zdk_response>,
) -> Result<(), FfiError> {
    let (response, error) = match outcome {
        Ok(response) => (Some(response), None),
        Err(mut error) => (error.take_response(), Some(error)),
    };
    if let Some(response) = response {
        out.put(zdk_response::new(response));
    }
    error.map_or(Ok(()), |e| Err(FfiError::Core(e)))
}

/// The account rate-limit state an answer reported; -1 in a field means the
/// answer did not say.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct zdk_rate_limit {
    /// Requests allowed per window (`X-Rate-Limit` / `ratelimit-limit`).
    pub limit: i64,
    /// Requests left in this window.
    pub remaining: i64,
    /// Seconds until the window resets (`ratelimit-reset`).
    pub reset_seconds: i64,
}

/// ---- Responses --------------------------------------------------------------
///
/// The HTTP status code, or 0 when `response` is NULL.
///
/// @param response the response, or NULL.
/// @return the status code, or 0.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_status(response: *const zdk_response) -> u16 {
    guard_value(0, || arg!(response).map_or(0, |r| r.status))
}

/// The body bytes (decompressed), with their length in `*len_out` (which may be
/// NULL). The bytes are followed by a NUL byte not counted in the length, so a JSON
/// body can be used as a C string. Borrowed: valid until `zdk_response_free`.
/// Returns NULL (and length 0) when `response` is NULL; an empty body gives a
/// pointer to an empty string.
///
/// @param response the response, or NULL.
/// @param len_out receives the body's length in bytes, or NULL.
/// @return the borrowed body bytes (do not free), or NULL for a NULL response.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_body(
    response: *const zdk_response,
    len_out: *mut usize,
) -> *const u8 {
    guard_value(ptr::null(), || {
        let (ptr, len) = match arg!(response) {
            Ok(r) => (r.body_nul.as_ptr(), r.body_nul.len() - 1),
            Err(_) => (ptr::null(), 0),
        };
        if let Ok(len_out) = out!(len_out) {
            len_out.write(len);
        }
        ptr
    })
}

/// The first value of the header `name` (case-insensitive), or NULL when absent.
/// Use `zdk_response_header_at` to see repeated headers. Borrowed: valid until
/// `zdk_response_free`. NULL or non-UTF-8 arguments give NULL. Never touches the
/// thread's last error.
///
/// @param response the response, or NULL.
/// @param name the header name, any case.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_header(
    response: *const zdk_response,
    name: *const c_char,
) -> *const c_char {
    guard_value(ptr::null(), || {
        let (Ok(response), Ok(name)) = (arg!(response), arg_str!(name)) else {
            return ptr::null();
        };
        response
            .headers
            .iter()
            .find(|(n, _)| n.to_bytes().eq_ignore_ascii_case(name.as_bytes()))
            .map_or(ptr::null(), |(_, v)| v.as_ptr())
    })
}

/// The number of headers, repeated names counted separately (0 for NULL).
///
/// @param response the response, or NULL.
/// @return the number of headers.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_header_count(response: *const zdk_response) -> usize {
    guard_value(0, || arg!(response).map_or(0, |r| r.headers.len()))
}

/// Reads header number `index` (0-based, in the order received) into `*name_out`
/// and `*value_out`, both borrowed until `zdk_response_free`.
/// `ZDK_ERR_INVALID_ARGUMENT` when `index` is out of range, `ZDK_ERR_NULL_ARGUMENT`
/// for a NULL argument; outputs untouched then. The code is only returned: this
/// accessor never touches the thread's last error.
///
/// Example:
///
/// ```c
/// size_t count = zdk_response_header_count(response);
/// for (size_t i = 0; i < count; i++) {
///     const char *name = NULL, *value = NULL;
///     if (zdk_response_header_at(response, i, &name, &value) == ZDK_OK) printf("%s: %s\n", name, value);
/// }
/// ```
///
/// @param response the response.
/// @param index the header's position, from 0.
/// @param name_out receives the borrowed header name.
/// @param value_out receives the borrowed header value.
/// @return `ZDK_OK`, `ZDK_ERR_INVALID_ARGUMENT` (index out of range) or
///     `ZDK_ERR_NULL_ARGUMENT`.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_header_at(
    response: *const zdk_response,
    index: usize,
    name_out: *mut *const c_char,
    value_out: *mut *const c_char,
) -> zdk_result {
    guard_quiet(|| {
        let response = arg!(response)?;
        let name_out = out!(name_out)?;
        let value_out = out!(value_out)?;
        let (name, value) = response.headers.get(index).ok_or_else(|| {
            crate::Error::invalid(format!(
                "header index {index} is out of range (the response has {})",
                response.headers.len()
            ))
        })?;
        name_out.write(name.as_ptr());
        value_out.write(value.as_ptr());
        Ok(())
    })
}

/// Zendesk's request id (`X-Zendesk-Request-Id`, else the first token of
/// `X-Request-Id`), or NULL when absent. Borrowed until `zdk_response_free`.
///
/// @param response the response, or NULL.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_request_id(response: *const zdk_response) -> *const c_char {
    guard_value(ptr::null(), || {
        arg!(response)
            .ok()
            .and_then(|r| r.request_id.as_ref())
            .map_or(ptr::null(), |id| id.as_ptr())
    })
}

/// The `X-Zendesk-API-Warn` text (Zendesk ignored some parameters), or NULL.
/// Borrowed until `zdk_response_free`.
///
/// @param response the response, or NULL.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_api_warning(response: *const zdk_response) -> *const c_char {
    guard_value(ptr::null(), || {
        arg!(response)
            .ok()
            .and_then(|r| r.api_warning.as_ref())
            .map_or(ptr::null(), |w| w.as_ptr())
    })
}

/// Copies the account rate-limit state the answer reported into `*out`.
/// `ZDK_ERR_NULL_ARGUMENT` for a NULL argument (`*out` untouched). The code is only
/// returned: this accessor never touches the thread's last error.
///
/// @param response the response.
/// @param out receives the rate-limit state (caller-allocated).
/// @return `ZDK_OK` or `ZDK_ERR_NULL_ARGUMENT`.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_rate_limit(
    response: *const zdk_response,
    out: *mut zdk_rate_limit,
) -> zdk_result {
    guard_quiet(|| {
        let response = arg!(response)?;
        out!(out)?.write(response.rate_limit);
        Ok(())
    })
}

/// Frees a response and every pointer read from it. NULL is a no-op.
///
/// @param response the response to free, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_response_free(response: *mut zdk_response) {
    free_arg!(response);
}
