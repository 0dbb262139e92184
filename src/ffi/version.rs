//! `zdk_version`.

use once_cell::sync::Lazy;
use std::ffi::{CString, c_char};

static VERSION: Lazy<CString> =
    Lazy::new(|| super::last_error::to_cstring(&crate::version_string()));

/// ---- Version ----------------------------------------------------------------
///
/// zdkit's version and the libcurl, TLS library, nghttp2 and zlib it runs on, as in
/// `"zdkit/0.1.0 libcurl/8.22.0 OpenSSL/3.0.19 nghttp2/1.66.0 zlib/1.2.13"`.
///
/// Never NULL; static: do not free. Thread-safe. Compare with the
/// `ZDKIT_VERSION_MAJOR/MINOR/PATCH` macros to detect a header/library mismatch.
///
/// @return a static string (do not free).
/// @since 0.1
#[unsafe(no_mangle)]
pub extern "C" fn zdk_version() -> *const c_char {
    super::boundary::guard_value(c"zdkit".as_ptr(), || VERSION.as_ptr())
}
