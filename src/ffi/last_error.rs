//! Per-thread detail of the last failing call, readable with `zdk_last_error_*`.
//!
//! Thread-local storage makes it safe for many threads to use one client: each
//! thread sees only its own last error. Strings are built from [`crate::Error`],
//! which never holds a secret.

use super::result::zdk_result;
use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::ptr;

/// Everything kept about one failure, with C strings ready to hand out.
struct LastError {
    code: zdk_result,
    message: CString,
    status: u16,
    zendesk_code: Option<CString>,
    description: Option<CString>,
    details_json: Option<CString>,
    request_id: Option<CString>,
    retry_after_ms: i64,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// A C string from Rust text; interior NUL bytes become spaces.
pub(crate) fn to_cstring(text: &str) -> CString {
    CString::new(text.replace('\0', " ")).unwrap_or_default()
}

/// Forgets the last error (called at the start of every fallible export, never by
/// an accessor).
pub(crate) fn clear() {
    LAST_ERROR.with(|slot| *slot.borrow_mut() = None);
}

/// Records a failure that has only a code and a message.
pub(crate) fn set_simple(code: zdk_result, message: &str) {
    LAST_ERROR.with(|slot| {
        *slot.borrow_mut() = Some(LastError {
            code,
            message: to_cstring(message),
            status: 0,
            zendesk_code: None,
            description: None,
            details_json: None,
            request_id: None,
            retry_after_ms: -1,
        })
    });
}

/// Records a core error with all its detail.
pub(crate) fn set_from_error(error: &crate::Error) {
    let code = zdk_result::from(error.kind());
    LAST_ERROR.with(|slot| {
        *slot.borrow_mut() = Some(LastError {
            code,
            message: to_cstring(&error.to_string()),
            status: error.status().unwrap_or(0),
            zendesk_code: error.code().map(to_cstring),
            description: error.description().map(to_cstring),
            details_json: error.details().map(|d| to_cstring(&d.to_string())),
            request_id: error.request_id().map(to_cstring),
            retry_after_ms: error
                .retry_after()
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(-1),
        })
    });
}

fn with_last<T>(read: impl FnOnce(&LastError) -> T, none: T) -> T {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map(read).unwrap_or(none))
}

fn optional_ptr(text: &Option<CString>) -> *const c_char {
    text.as_ref().map_or(ptr::null(), |t| t.as_ptr())
}

/// ---- Last error: the detail of this thread's last failed call ---------------
///
/// The code of the last failing zdkit call on this thread, or `ZDK_OK` when the
/// most recent call returning `zdk_result` (other than `zdk_response_header_at` and
/// `zdk_response_rate_limit`) succeeded. Accessors do not change it.
///
/// @return the code, or `ZDK_OK`.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_code() -> zdk_result {
    with_last(|e| e.code, zdk_result::ZDK_OK)
}

/// A human-readable message for the last failing call on this thread, or NULL.
///
/// It names the method, the path (never the query string), the HTTP status,
/// Zendesk's error code and description, and the request id when known. It never
/// contains a secret. Do not free.
///
/// Borrowed: valid until the next call on this thread that clears or sets the last
/// error, which is every function returning `zdk_result` except
/// `zdk_response_header_at` and `zdk_response_rate_limit`. Accessors (the
/// `zdk_response_*` functions, `zdk_pager_has_more`, `zdk_pager_after_cursor`,
/// `zdk_export_cursor`, the `zdk_token_set_*` getters, `zdk_strerror`, `zdk_version`,
/// the `zdk_last_error_*` readers) and the `*_free` functions never touch it, so this
/// pattern is safe: read the message, look at the error response's status, headers
/// and body, free the response, then print the message.
///
/// Example:
///
/// ```c
/// zdk_response *response = NULL;
/// if (zdk_client_request(client, "GET", "/api/v2/tickets/42.json", NULL, 0, &response) != ZDK_OK) {
///     const char *message = zdk_last_error_message();  // still valid after the accessors below
///     const char *retry = zdk_response_header(response, "Retry-After");
///     fprintf(stderr, "%s (HTTP %u, Retry-After %s)\n", message, (unsigned)zdk_response_status(response),
///             retry ? retry : "-");
/// }
/// zdk_response_free(response);
/// ```
///
/// @return the borrowed message, or NULL when the last call succeeded.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_message() -> *const c_char {
    with_last(|e| e.message.as_ptr(), ptr::null())
}

/// The HTTP status of the last failure on this thread, or 0 when there was no HTTP
/// answer (transport errors, invalid arguments).
///
/// @return the HTTP status, or 0.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_status() -> u16 {
    with_last(|e| e.status, 0)
}

/// Zendesk's error code of the last failure (`"RecordNotFound"`, `"invalid_grant"`,
/// `"InvalidPaginationDepth"`), or NULL. Borrowed like `zdk_last_error_message`.
///
/// @return the borrowed code, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_zendesk_code() -> *const c_char {
    with_last(|e| optional_ptr(&e.zendesk_code), ptr::null())
}

/// Zendesk's description of the last failure, or NULL. Borrowed like
/// `zdk_last_error_message`.
///
/// @return the borrowed description, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_description() -> *const c_char {
    with_last(|e| optional_ptr(&e.description), ptr::null())
}

/// Zendesk's field-level details of the last failure as JSON text (the `details`
/// map or the `errors` list), or NULL. Borrowed like `zdk_last_error_message`.
///
/// @return the borrowed JSON text, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_details_json() -> *const c_char {
    with_last(|e| optional_ptr(&e.details_json), ptr::null())
}

/// The request id of the last failure (quote it to Zendesk support), or NULL.
/// Borrowed like `zdk_last_error_message`.
///
/// @return the borrowed request id, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_request_id() -> *const c_char {
    with_last(|e| optional_ptr(&e.request_id), ptr::null())
}

/// How long the server asked to wait before retrying the last failure, in
/// milliseconds, or -1 when it did not say.
///
/// @return milliseconds to wait, or -1.
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_last_error_retry_after_ms() -> i64 {
    with_last(|e| e.retry_after_ms, -1)
}
