//! `zdk_request`: a request with query parameters, headers and a body, for when
//! `zdk_client_request` is not enough.

use super::boundary::{arg_bytes, arg_mut, arg_str, check_out, free_box, guard, write_out};
use super::result::zdk_result;
use crate::request::Request;
use std::ffi::c_char;

/// A request under construction. Not thread-safe to modify; once built it may be
/// sent by several threads (`zdk_client_send` only reads it).
pub struct zdk_request {
    pub(crate) request: Request,
}

/// Creates a request. `method` is any HTTP method (case is normalised); `path` is
/// relative to the base URL (`/api/v2/tickets.json`, may carry a query string) or a
/// full URL on the client's origin (such as a `links.next` URL).
///
/// On success `*out` owns a new request: free it with `zdk_request_free`.
///
/// # Safety
/// `method` and `path` NULL or NUL-terminated; `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_new(
    method: *const c_char,
    path: *const c_char,
    out: *mut *mut zdk_request,
) -> zdk_result {
    guard(|| {
        // SAFETY: per the contract.
        let method = unsafe { arg_str(method, "method") }?;
        // SAFETY: per the contract.
        let path = unsafe { arg_str(path, "path") }?;
        check_out(out, "out")?;
        let request = Request::new(method, path);
        request.validate()?;
        // SAFETY: checked non-NULL.
        unsafe { write_out(out, zdk_request { request }) };
        Ok(())
    })
}

/// Appends a query parameter; name and value are percent-encoded when sent (pass
/// them unencoded: `"page[size]"`, `"type:ticket status:open"`). Copied.
///
/// # Safety
/// `request` NULL or live; strings NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_add_query(
    request: *mut zdk_request,
    name: *const c_char,
    value: *const c_char,
) -> zdk_result {
    guard(|| {
        // SAFETY: per the contract.
        let request = unsafe { arg_mut(request, "request") }?;
        // SAFETY: per the contract.
        let name = unsafe { arg_str(name, "name") }?;
        // SAFETY: per the contract.
        let value = unsafe { arg_str(value, "value") }?;
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
/// # Safety
/// `request` NULL or live; strings NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_add_header(
    request: *mut zdk_request,
    name: *const c_char,
    value: *const c_char,
) -> zdk_result {
    guard(|| {
        // SAFETY: per the contract.
        let request = unsafe { arg_mut(request, "request") }?;
        // SAFETY: per the contract.
        let name = unsafe { arg_str(name, "name") }?;
        // SAFETY: per the contract.
        let value = unsafe { arg_str(value, "value") }?;
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
/// # Safety
/// `request` NULL or live; `content_type` NULL or NUL-terminated; `body` NULL or
/// `body_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_set_body(
    request: *mut zdk_request,
    content_type: *const c_char,
    body: *const u8,
    body_len: usize,
) -> zdk_result {
    guard(|| {
        // SAFETY: per the contract.
        let request = unsafe { arg_mut(request, "request") }?;
        let content_type = if content_type.is_null() {
            "application/json"
        } else {
            // SAFETY: per the contract.
            unsafe { arg_str(content_type, "content_type") }?
        };
        // SAFETY: per the contract.
        let bytes = unsafe { arg_bytes(body, body_len, "body") }?;
        let candidate = request.request.clone().body(content_type, bytes.to_vec());
        candidate.validate()?;
        request.request = candidate;
        Ok(())
    })
}

/// Frees a request. NULL is a no-op.
///
/// # Safety
/// `request` NULL or from `zdk_request_new`, not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_request_free(request: *mut zdk_request) {
    // SAFETY: per the contract.
    unsafe { free_box(request) };
}
