//! The panic boundary and argument checks every export goes through.

use super::last_error;
use super::result::zdk_result;
use crate::Error;
use std::ffi::{CStr, c_char};
use std::ptr::NonNull;
use std::time::Duration;

/// Why an export failed before or while calling the core.
pub(crate) enum FfiError {
    /// A NULL pointer for the named argument.
    Null(&'static str),
    /// A string argument that is not UTF-8.
    Utf8(&'static str),
    /// An error from the core.
    Core(crate::Error),
}

impl From<crate::Error> for FfiError {
    fn from(error: crate::Error) -> Self {
        FfiError::Core(error)
    }
}

impl FfiError {
    /// The result code this failure is reported with.
    fn code(&self) -> zdk_result {
        match self {
            FfiError::Null(_) => zdk_result::ZDK_ERR_NULL_ARGUMENT,
            FfiError::Utf8(_) => zdk_result::ZDK_ERR_INVALID_UTF8,
            FfiError::Core(error) => zdk_result::from(error.kind()),
        }
    }
}

/// A duration given in milliseconds from C, checked like every timeout setting of
/// the core: more than zero and at most [`crate::MAX_CONFIGURED_DURATION`], so no
/// value can overflow later arithmetic.
pub(crate) fn duration_ms(name: &str, ms: u64) -> Result<Duration, Error> {
    let duration = Duration::from_millis(ms);
    crate::config::check_duration_setting(name, duration)?;
    Ok(duration)
}

/// Records `error` as this thread's last error and returns its code.
pub(crate) fn record(error: FfiError) -> zdk_result {
    let code = error.code();
    match error {
        FfiError::Null(name) => last_error::set_simple(code, &format!("argument `{name}` is NULL")),
        FfiError::Utf8(name) => {
            last_error::set_simple(code, &format!("argument `{name}` is not valid UTF-8"))
        }
        FfiError::Core(error) => {
            last_error::set_from_error(&error);
        }
    }
    code
}

/// The message recorded for a panic caught at the boundary.
const PANIC_MESSAGE: &str = "zdkit panicked (a bug); the call did not complete";

/// Runs the body of a fallible export (one that returns a `zdk_result`): clears the
/// thread's last error, runs `body` inside [`crate::panic::catch`] (a panic prints
/// nothing and becomes `ZDK_ERR_PANIC`), and records a failure as the last error.
pub(crate) fn guard(body: impl FnOnce() -> Result<(), FfiError>) -> zdk_result {
    last_error::clear();
    match crate::panic::catch(body) {
        Ok(Ok(())) => zdk_result::ZDK_OK,
        Ok(Err(error)) => record(error),
        Err(_) => {
            let code = zdk_result::ZDK_ERR_PANIC;
            last_error::set_simple(code, PANIC_MESSAGE);
            code
        }
    }
}

/// Runs the body of an accessor that reports a code but never touches the thread's
/// last error (the `zdk_response_*` family): a failure or a panic (printing nothing)
/// is only returned.
pub(crate) fn guard_quiet(body: impl FnOnce() -> Result<(), FfiError>) -> zdk_result {
    match crate::panic::catch(body) {
        Ok(Ok(())) => zdk_result::ZDK_OK,
        Ok(Err(error)) => error.code(),
        Err(_) => zdk_result::ZDK_ERR_PANIC,
    }
}

/// Runs the body of an infallible accessor, giving `fallback` on a panic (which
/// prints nothing). Never touches the thread's last error.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    crate::panic::catch(body).unwrap_or(fallback)
}

// The argument macros below read the parameters of an export. Each takes the
// parameter itself (an identifier) and names it in the error from `stringify!`, so a
// name is never written twice, and each holds the one `unsafe` block its check needs.
//
// Why that `unsafe` is sound: the macros are used only in the bodies of the exported
// `unsafe extern "C" fn`s, on those functions' own pointer parameters, and the one
// contract all exports share (stated in the preamble of `include/zdkit.h`, from
// `cbindgen.toml`, and in `ffi/mod.rs`) makes the C caller promise that each pointer
// parameter is NULL or valid for the whole call — a live zdkit handle (not used from another
// thread while it is changed), a NUL-terminated string, `len` readable bytes, or a
// writable out-pointer. NULL is checked here; the rest is that promise, which no code
// can check. The borrowed values live no longer than the call (the `guard` body).

/// Borrows a handle argument: `arg!(client)?` gives `&zdk_client`, or fails with
/// `ZDK_ERR_NULL_ARGUMENT` naming `client`.
macro_rules! arg {
    ($p:ident) => {{
        let ptr = $p;
        // SAFETY: see the comment above the argument macros in ffi/boundary.rs.
        unsafe { $crate::ffi::boundary::borrow(ptr, stringify!($p)) }
    }};
}

/// Borrows a handle argument mutably: `arg_mut!(config)?`.
macro_rules! arg_mut {
    ($p:ident) => {{
        let ptr = $p;
        // SAFETY: see the comment above the argument macros in ffi/boundary.rs.
        unsafe { $crate::ffi::boundary::borrow_mut(ptr, stringify!($p)) }
    }};
}

/// Reads a NUL-terminated UTF-8 string argument: `arg_str!(path)?` gives `&str`;
/// NULL is `ZDK_ERR_NULL_ARGUMENT`, bad UTF-8 `ZDK_ERR_INVALID_UTF8`.
macro_rules! arg_str {
    ($p:ident) => {{
        let ptr = $p;
        // SAFETY: see the comment above the argument macros in ffi/boundary.rs.
        unsafe { $crate::ffi::boundary::read_str(ptr, stringify!($p)) }
    }};
}

/// Reads an optional string argument: NULL gives `None`.
macro_rules! arg_opt_str {
    ($p:ident) => {{
        let ptr = $p;
        if ptr.is_null() {
            Ok(None)
        } else {
            // SAFETY: see the comment above the argument macros in ffi/boundary.rs.
            unsafe { $crate::ffi::boundary::read_str(ptr, stringify!($p)) }.map(Some)
        }
    }};
}

/// Borrows `len` bytes: `arg_bytes!(body, body_len)?`; NULL is allowed only when the
/// length is 0.
macro_rules! arg_bytes {
    ($p:ident, $len:expr) => {{
        let (ptr, len): (*const u8, usize) = ($p, $len);
        // SAFETY: see the comment above the argument macros in ffi/boundary.rs.
        unsafe { $crate::ffi::boundary::read_bytes(ptr, len, stringify!($p)) }
    }};
}

/// Checks an out-pointer argument: `out!(out)?` gives an [`Out`] to write the result
/// through once the call has succeeded, or fails naming `out` when it is NULL.
macro_rules! out {
    ($p:ident) => {{
        let ptr = $p;
        // SAFETY: see the comment above the argument macros in ffi/boundary.rs.
        unsafe { $crate::ffi::boundary::Out::new(ptr, stringify!($p)) }
    }};
}

/// Frees a handle argument of a `zdk_*_free` export (NULL is a no-op), through
/// [`free_box`].
macro_rules! free_arg {
    ($p:ident) => {{
        let ptr = $p;
        // SAFETY: see the comment above the argument macros in ffi/boundary.rs; a
        // `_free` export's contract adds that the handle came from zdkit, freed once.
        unsafe { $crate::ffi::boundary::free_box(ptr) }
    }};
}

pub(crate) use {arg, arg_bytes, arg_mut, arg_opt_str, arg_str, free_arg, out};

/// Borrows a pointer, or fails with `Null(name)`. Use [`arg!`].
///
/// # Safety
/// `ptr` must be NULL or point to a live `T` for the returned lifetime.
pub(crate) unsafe fn borrow<'a, T>(ptr: *const T, name: &'static str) -> Result<&'a T, FfiError> {
    // SAFETY: the caller promises `ptr` is NULL or valid.
    unsafe { ptr.as_ref() }.ok_or(FfiError::Null(name))
}

/// Borrows a pointer mutably, or fails with `Null(name)`. Use [`arg_mut!`].
///
/// # Safety
/// `ptr` must be NULL or point to a live `T` not aliased for the returned lifetime.
pub(crate) unsafe fn borrow_mut<'a, T>(
    ptr: *mut T,
    name: &'static str,
) -> Result<&'a mut T, FfiError> {
    // SAFETY: the caller promises `ptr` is NULL or valid and unaliased.
    unsafe { ptr.as_mut() }.ok_or(FfiError::Null(name))
}

/// Reads a NUL-terminated UTF-8 string. Use [`arg_str!`].
///
/// # Safety
/// `ptr` must be NULL or point to a NUL-terminated string alive for the lifetime.
pub(crate) unsafe fn read_str<'a>(
    ptr: *const c_char,
    name: &'static str,
) -> Result<&'a str, FfiError> {
    if ptr.is_null() {
        return Err(FfiError::Null(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's promise.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|_| FfiError::Utf8(name))
}

/// Borrows `len` bytes at `ptr`; NULL is allowed only when `len` is 0. Use
/// [`arg_bytes!`].
///
/// # Safety
/// `ptr` must be NULL or point to `len` readable bytes.
pub(crate) unsafe fn read_bytes<'a>(
    ptr: *const u8,
    len: usize,
    name: &'static str,
) -> Result<&'a [u8], FfiError> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(FfiError::Null(name))
        };
    }
    // SAFETY: the caller promises `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A checked, writable out-pointer (see [`out!`]): writing through it is safe.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Checks `ptr` for NULL. Use [`out!`].
    ///
    /// # Safety
    /// `ptr` must be NULL or valid for writing a `T` until the export returns.
    pub(crate) unsafe fn new(ptr: *mut T, name: &'static str) -> Result<Out<T>, FfiError> {
        NonNull::new(ptr).map(Out).ok_or(FfiError::Null(name))
    }

    /// Writes `value` (the old contents, C's, are not dropped).
    pub(crate) fn write(self, value: T) {
        // SAFETY: non-NULL and writable, promised when the `Out` was made.
        unsafe { self.0.as_ptr().write(value) }
    }
}

impl<T> Out<*mut T> {
    /// Moves `value` to the heap and hands C the pointer; C frees it with the
    /// matching `_free` export (which goes through [`free_box`]).
    pub(crate) fn put(self, value: T) {
        self.write(Box::into_raw(Box::new(value)));
    }
}

/// Frees a box handed to C earlier; NULL is a no-op. A panic in a destructor is
/// caught (printing nothing), so nothing unwinds into C. Never touches the thread's
/// last error.
///
/// # Safety
/// `ptr` must be NULL or come from [`Out::put`] for the same `T`, freed once.
pub(crate) unsafe fn free_box<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: allocated by Box::into_raw in Out::put, freed once per the contract.
        let boxed = unsafe { Box::from_raw(ptr) };
        let _ = crate::panic::catch(move || drop(boxed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    /// Set in the child process of `panics_print_nothing_to_stderr`.
    const CHILD_ENV: &str = "ZDKIT_FFI_PANIC_CHILD";
    const CANARY: &str = "ffi-panic-canary";

    /// A value whose destructor panics.
    struct PanicsOnDrop;
    impl Drop for PanicsOnDrop {
        fn drop(&mut self) {
            panic!("{CANARY} in a destructor");
        }
    }

    fn last_message() -> Option<String> {
        let message = last_error::zdk_last_error_message();
        // SAFETY: NULL or a live NUL-terminated string owned by this thread's slot.
        (!message.is_null()).then(|| unsafe { CStr::from_ptr(message) }.to_string_lossy().into())
    }

    /// Every boundary turns a panic into its documented outcome.
    fn panic_everywhere() {
        let code = guard(|| panic!("{CANARY} in guard"));
        assert_eq!(code, zdk_result::ZDK_ERR_PANIC);
        assert_eq!(last_error::zdk_last_error_code(), zdk_result::ZDK_ERR_PANIC);
        assert_eq!(last_message().as_deref(), Some(PANIC_MESSAGE));

        // Accessors give their fallback and leave the last error as it was.
        let before = last_error::zdk_last_error_message();
        assert_eq!(
            guard_value(7, || -> i32 { panic!("{CANARY} in guard_value") }),
            7
        );
        let code = guard_quiet(|| panic!("{CANARY} in guard_quiet"));
        assert_eq!(code, zdk_result::ZDK_ERR_PANIC);
        // SAFETY: from Box::into_raw, freed once.
        unsafe { free_box(Box::into_raw(Box::new(PanicsOnDrop))) };
        assert_eq!(last_error::zdk_last_error_message(), before);
        assert_eq!(last_error::zdk_last_error_code(), zdk_result::ZDK_ERR_PANIC);

        // The boundary still works normally afterwards.
        assert_eq!(guard(|| Ok(())), zdk_result::ZDK_OK);
        assert!(last_message().is_none());
    }

    #[test]
    fn a_panic_becomes_its_code_or_fallback_and_nothing_unwinds() {
        panic_everywhere();
    }

    /// Runs only in the child process started by `panics_print_nothing_to_stderr`.
    #[test]
    fn panic_child() {
        if std::env::var_os(CHILD_ENV).is_some() {
            panic_everywhere();
            println!("panic child done");
        }
    }

    /// A panic caught at the C boundary prints nothing to the host's stderr: this test
    /// runs `panic_child` in a child process of this test binary and reads its stderr.
    #[test]
    fn panics_print_nothing_to_stderr() {
        let exe = std::env::current_exe().expect("the test binary");
        let output = std::process::Command::new(exe)
            .args([
                "ffi::boundary::tests::panic_child",
                "--exact",
                "--nocapture",
            ])
            .args(["--test-threads", "1"])
            .env(CHILD_ENV, "1")
            .output()
            .expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stdout}\n{stderr}");
        assert!(
            stdout.contains("panic child done"),
            "the child did not run: {stdout}"
        );
        assert!(!stderr.contains(CANARY), "a panic reached stderr: {stderr}");
        assert!(
            !stderr.contains("panicked"),
            "a panic reached stderr: {stderr}"
        );
        assert!(stderr.trim().is_empty(), "stderr: {stderr}");
    }
}
