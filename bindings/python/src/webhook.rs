//! `zdkit.webhooks`: the core's webhook signature check for Python.

use crate::errors::{configuration_error, guard, to_py_err};
use pyo3::prelude::*;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Checks a webhook request (see `zdkit::webhook::verify`): returns None when it is
/// genuine; raises `zdkit.AuthenticationError` (saying why) when it must be rejected,
/// `zdkit.ConfigurationError` for an empty secret or a tolerance or `now` that is
/// negative, NaN or infinite. `now` is Unix seconds (default: the system clock).
#[pyfunction]
#[pyo3(signature = (body, signature, timestamp, secret, tolerance, now=None))]
pub fn verify_webhook(
    py: Python<'_>,
    body: &[u8],
    signature: &str,
    timestamp: &str,
    secret: &str,
    tolerance: f64,
    now: Option<f64>,
) -> PyResult<()> {
    guard(py, || {
        let tolerance = Duration::try_from_secs_f64(tolerance).map_err(|_| {
            configuration_error(
                py,
                "tolerance must be a finite number of seconds, 0 or more",
            )
        })?;
        let now = match now {
            None => SystemTime::now(),
            Some(seconds) => Duration::try_from_secs_f64(seconds)
                .ok()
                .and_then(|since| UNIX_EPOCH.checked_add(since))
                .ok_or_else(|| {
                    configuration_error(py, "now must be Unix seconds, finite and 0 or more")
                })?,
        };
        zdkit::webhook::verify(body, signature, timestamp, secret, tolerance, now)
            .map_err(|e| to_py_err(py, e))
    })
}
