//! `zdk_request`: a request with query parameters, headers and a body, for when
//! `zdk_client_request` is not enough.

use super::boundary::{arg_bytes, arg_mut, arg_opt_str, arg_str, free_arg, guard, out};
use super::result::zdk_result;
use crate::request::Request;
use std::ffi::c_char;
use std::time::Duration;

/// A request under construction. Not thread-safe to modify; once built it may be
/// sent by several threads (`zdk_client_send` only reads it).
pub struct zdk_request {
    pub(crate) request: Request,
}

/// ---- Built requests: method, path, query, headers, body, timeout ------------
///
/// Creates a request. `method` is any HTTP method (case is normalised); `path` is
/// relative to the base URL (`/api/v2/tickets.json`, may carry a query string) or a
/// full URL on the client's origin (such as a `links.next` URL).
///
/// On success `*out` owns a new request: free it with `zdk_request_free`.
///
/// @param method the HTTP method; copied.
/// @param path the path or full URL on the client's origin; copied.
/// @param out receives the new request, owned by the caller (free with `zdk_request_free`);
///     written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_new(
    method: *const c_char,
    path: *const c_char,
    out: *mut *mut zdk_request,
) -> zdk_result {
    guard(|| {
        let method = arg_str!(method)?;
        let path = arg_str!(path)?;
        let out = out!(out)?;
        let request = Request::new(method, path);
        request.validate()?;
        out.put(zdk_request { request });
        Ok(())
    })
}

/// Appends a query parameter; name and value are percent-encoded when sent (pass
/// them unencoded: `"page[size]"`, `"type:ticket status:open"`). Copied.
///
/// @param request the request to change.
/// @param name the parameter's name, unencoded; copied.
/// @param value its value, unencoded; copied.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_add_query(
    request: *mut zdk_request,
    name: *const c_char,
    value: *const c_char,
) -> zdk_result {
    guard(|| {
        let request = arg_mut!(request)?;
        let name = arg_str!(name)?;
        let value = arg_str!(value)?;
        request
            .request
            .query
            .push((name.to_owned(), value.to_owned()));
        Ok(())
    })
}

/// Adds a request header (`"Idempotency-Key"`, …). A name that is not an HTTP token,
/// a value with CR, LF or NUL, and `Authorization` (which comes from the credential)
/// fail with `ZDK_ERR_INVALID_ARGUMENT`. Copied.
///
/// @param request the request to change.
/// @param name the header's name; copied.
/// @param value its value; copied.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_add_header(
    request: *mut zdk_request,
    name: *const c_char,
    value: *const c_char,
) -> zdk_result {
    guard(|| {
        let request = arg_mut!(request)?;
        let name = arg_str!(name)?;
        let value = arg_str!(value)?;
        let mut candidate = request.request.clone();
        candidate.headers.push((name.to_owned(), value.to_owned()));
        candidate.validate()?;
        request.request = candidate;
        Ok(())
    })
}

/// Sets the body (copied). `content_type` NULL means `application/json`. `body` may
/// be NULL only when `body_len` is 0 (an empty body).
///
/// @param request the request to change.
/// @param content_type the body's MIME type, or NULL for `application/json`; copied.
/// @param body the body bytes (copied), or NULL when `body_len` is 0.
/// @param body_len the number of bytes in `body`.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_set_body(
    request: *mut zdk_request,
    content_type: *const c_char,
    body: *const u8,
    body_len: usize,
) -> zdk_result {
    guard(|| {
        let request = arg_mut!(request)?;
        let content_type = arg_opt_str!(content_type)?.unwrap_or("application/json");
        let bytes = arg_bytes!(body, body_len)?;
        let candidate = request.request.clone().body(content_type, bytes.to_vec());
        candidate.validate()?;
        request.request = candidate;
        Ok(())
    })
}

/// Overrides the client's transfer timeout (`zdk_config_set_timeout_ms`) for this
/// request, in milliseconds: each attempt may take this long, while the call's
/// deadline still bounds the whole call. More than 0 and at most one day (86400000);
/// otherwise `ZDK_ERR_INVALID_ARGUMENT` and the request is unchanged.
///
/// @param request the request to change.
/// @param ms the timeout in milliseconds (1 to 86400000).
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_set_timeout_ms(
    request: *mut zdk_request,
    ms: u64,
) -> zdk_result {
    guard(|| {
        let request = arg_mut!(request)?;
        let candidate = request.request.clone().timeout(Duration::from_millis(ms));
        candidate.validate()?;
        request.request = candidate;
        Ok(())
    })
}

/// Frees a request. NULL is a no-op.
///
/// @param request the request to free, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_free(request: *mut zdk_request) {
    free_arg!(request);
}
