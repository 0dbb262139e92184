//! `zdk_async`: requests sent without blocking, completed through a callback.

use super::boundary::{FfiError, arg, free_arg, guard, guard_value};
use super::client::zdk_client;
use super::last_error;
use super::request::zdk_request;
use super::response::zdk_response;
use super::result::zdk_result;
use crate::AsyncCall;
use std::ffi::c_void;
use std::ptr;

/// The completion callback of `zdk_client_send_async`.
///
/// - `result`: `ZDK_OK` for a 2xx answer, else the error code (`ZDK_ERR_CANCELLED`
///   for a cancelled call or one still in flight when its client was freed). Inside
///   the callback, `zdk_last_error_*()` describe the failure (the detail belongs to
///   the calling thread, as always).
/// - `response`: the answer, also for a non-2xx answer (as `zdk_client_send`); NULL
///   when there was none (transport errors, cancellation). The callback owns it:
///   free it with `zdk_response_free`, there or later, on any thread.
/// - `userdata`: the pointer given to `zdk_client_send_async`, untouched.
pub type zdk_async_callback = Option<
    unsafe extern "C" fn(result: zdk_result, response: *mut zdk_response, userdata: *mut c_void),
>;

/// A request in flight, from `zdk_client_send_async`: cancel it with
/// `zdk_async_cancel`, free the handle with `zdk_async_free`. The handle is
/// independent of the call: freeing it does not cancel the call, and it stays
/// valid (and harmless to cancel) after the call has completed.
pub struct zdk_async {
    call: AsyncCall,
}

/// The caller's `userdata`: zdkit only hands it back to the callback, on the
/// client's engine thread, which is what the caller agrees to by passing it.
struct UserData(*mut c_void);

// SAFETY: zdkit never dereferences the pointer; it passes it back to the caller's
// callback on the engine thread, as documented on `zdk_client_send_async`.
unsafe impl Send for UserData {}

/// ---- Asynchronous requests --------------------------------------------------
///
/// Starts sending a request built with `zdk_request_new` and returns at once; the
/// answer comes to `callback`. The request is copied (free or reuse it at once).
/// Same retries, pacing, redirects, OAuth renewal and deadline as `zdk_client_send`.
///
/// - The calls of one client run concurrently on one background thread of that
///   client (started by its first async call), which drives a libcurl multi handle:
///   connections are shared, and HTTP/2 streams are multiplexed on one connection
///   when the server offers it. Retry and rate-limit waits are timers there: they
///   never hold the other calls.
/// - `callback` runs exactly once per started call, **on that background thread**,
///   never inside `zdk_client_send_async`. It must not block for long (the client's
///   other calls wait for it); hand the result to your own thread or event loop.
///   After it returns, zdkit never uses `userdata` again.
/// - `zdk_async_cancel` aborts the call at once; the callback then gets
///   `ZDK_ERR_CANCELLED`, and the call is never retried.
/// - `zdk_client_free` with calls in flight cancels them: each callback runs with
///   `ZDK_ERR_CANCELLED` before `zdk_client_free` returns (when `zdk_client_free` is
///   called from inside a callback, they run right after that callback returns).
/// - After `fork()`, the child never uses its parent's background thread or
///   connections: its first async call starts its own.
///
/// Returns the call's handle (free it with `zdk_async_free`), or NULL when the call
/// could not start: a NULL argument, an invalid request, a client whose thread
/// cannot start. The callback is then never called, and `zdk_last_error_*()`
/// describe why.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_send_async(
    client: *const zdk_client,
    request: *const zdk_request,
    callback: zdk_async_callback,
    userdata: *mut c_void,
) -> *mut zdk_async {
    let mut handle = ptr::null_mut();
    guard(|| {
        let client = arg!(client)?;
        let request = arg!(request)?;
        let callback = callback.ok_or(FfiError::Null("callback"))?;
        let userdata = UserData(userdata);
        let call = client
            .core()
            .send_async(request.request.clone(), move |outcome| {
                let userdata = userdata;
                complete(callback, outcome, userdata.0);
            })?;
        handle = Box::into_raw(Box::new(zdk_async { call }));
        Ok(())
    });
    handle
}

/// Calls the C callback with the outcome, the thread's last error describing a
/// failure.
fn complete(
    callback: unsafe extern "C" fn(zdk_result, *mut zdk_response, *mut c_void),
    outcome: crate::Result<crate::Response>,
    userdata: *mut c_void,
) {
    let (code, response) = match outcome {
        Ok(response) => (zdk_result::ZDK_OK, Some(response)),
        Err(mut error) => {
            last_error::set_from_error(&error);
            (zdk_result::from(error.kind()), error.take_response())
        }
    };
    if code == zdk_result::ZDK_OK {
        last_error::clear();
    }
    let response = response.map_or(ptr::null_mut(), |r| {
        Box::into_raw(Box::new(zdk_response::new(r)))
    });
    // SAFETY: the caller gave this callback to `zdk_client_send_async`, promising it
    // may be called once with these arguments on the engine thread.
    unsafe { callback(code, response, userdata) };
}

/// Cancels a call: a transfer in progress is aborted at once (its connection closed,
/// or its HTTP/2 stream reset), a retry or rate-limit wait is dropped, and the
/// callback runs with `ZDK_ERR_CANCELLED` (on the background thread, maybe before
/// this returns). A call that has already completed is left alone. NULL is a no-op.
/// Safe from any thread, also from inside a callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_async_cancel(call: *const zdk_async) {
    guard_value((), || {
        if let Ok(call) = arg!(call) {
            call.call.cancel();
        }
    });
}

/// True once the call's callback has run (or is running); false for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_async_is_finished(call: *const zdk_async) -> bool {
    guard_value(false, || {
        arg!(call).is_ok_and(|call| call.call.is_finished())
    })
}

/// Frees a call's handle. Does not cancel the call (use `zdk_async_cancel` first for
/// that): its callback still runs once. May be called before or after the callback,
/// also from inside it. NULL is a no-op.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_async_free(call: *mut zdk_async) {
    free_arg!(call);
}
