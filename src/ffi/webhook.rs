//! `zdk_webhook_verify`: checks the signature of a Zendesk webhook request.

use super::boundary::{arg_bytes, arg_str, guard};
use super::result::zdk_result;
use crate::error::Error;
use std::ffi::c_char;
use std::time::{Duration, SystemTime};

/// ---- Webhooks ----------------------------------------------------------------
///
/// Verifies a webhook request Zendesk sent: `ZDK_OK` when `signature` (the
/// `X-Zendesk-Webhook-Signature` header) is the base64 HMAC-SHA256 of `timestamp`
/// (the `X-Zendesk-Webhook-Signature-Timestamp` header, exactly as received) followed
/// by the raw request body, keyed with the webhook's signing `secret`, and the
/// timestamp is at most `tolerance_s` seconds before or after now.
///
/// "Now" is the system's real-time clock (`CLOCK_REALTIME`, the clock `time()` reads)
/// at the moment of the call. Tags are compared in constant time.
///
/// - `ZDK_ERR_AUTHENTICATION`: the request must be rejected (signature does not
///   match the body, timestamp and secret; not base64; the timestamp is not an
///   RFC 3339 time such as `2026-06-09T16:42:11Z` or is outside the tolerance). The
///   last error says which; it never contains the secret.
/// - `ZDK_ERR_INVALID_ARGUMENT`: an empty `secret`, or `tolerance_s` negative, NaN or
///   infinite (use 300 for Zendesk's usual five minutes).
/// - `body` may be NULL only when `body_len` is 0. Thread-safe; sends nothing.
///
/// @param body the raw request body, as received (not re-serialised JSON).
/// @param body_len its length in bytes.
/// @param signature the `X-Zendesk-Webhook-Signature` header's value.
/// @param timestamp the `X-Zendesk-Webhook-Signature-Timestamp` header's value.
/// @param secret the webhook's signing secret.
/// @param tolerance_s how far, in seconds, the timestamp may be from now.
/// @return `ZDK_OK` for a genuine request; `ZDK_ERR_AUTHENTICATION` for one to reject;
///     `ZDK_ERR_INVALID_ARGUMENT` for an empty secret or a bad tolerance.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_webhook_verify(
    body: *const u8,
    body_len: usize,
    signature: *const c_char,
    timestamp: *const c_char,
    secret: *const c_char,
    tolerance_s: f64,
) -> zdk_result {
    guard(|| {
        let body = arg_bytes!(body, body_len)?;
        let signature = arg_str!(signature)?;
        let timestamp = arg_str!(timestamp)?;
        let secret = arg_str!(secret)?;
        let tolerance = Duration::try_from_secs_f64(tolerance_s).map_err(|_| {
            Error::invalid("tolerance_s must be a finite number of seconds, 0 or more")
        })?;
        crate::webhook::verify(
            body,
            signature,
            timestamp,
            secret,
            tolerance,
            SystemTime::now(),
        )?;
        Ok(())
    })
}
