//! `zdkit._native`: the Python extension over the zdkit core. It only translates:
//! arguments in, responses and exceptions out. The pure-Python package `zdkit`
//! wraps it.

#![warn(missing_docs)]

mod async_iterate;
mod async_send;
mod client;
mod download;
mod errors;
mod events;
mod export_file;
mod interrupt;
mod iterate;
mod jobs;
mod json;
mod log;
mod oauth;
mod response;
mod settings;
mod webhook;

use pyo3::prelude::*;

/// zdkit's version and the libcurl it runs on.
#[pyfunction]
fn version(py: Python<'_>) -> PyResult<String> {
    errors::guard(py, || Ok(zdkit::version_string()))
}

/// Parses JSON bytes into Python objects with the same parser `Response.json()` uses.
#[pyfunction]
fn loads<'py>(py: Python<'py>, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    errors::guard(py, || {
        json::loads(py, data).map_err(|e| errors::decode_error(py, &e))
    })
}

/// Private, for the tests: panics inside the entry-point guard, which must raise
/// `zdkit.InternalError` (never `PanicException`) and print nothing.
#[pyfunction]
fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    errors::guard(py, || panic!("deliberate panic for the test suite"))
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    log::init(m.py())?;
    errors::init(m.py())?;
    m.add_class::<client::Client>()?;
    m.add_class::<response::Response>()?;
    m.add_class::<events::Event>()?;
    m.add_class::<iterate::Page>()?;
    m.add_class::<iterate::Stream>()?;
    m.add_class::<iterate::ExportPage>()?;
    m.add_class::<export_file::ExportProgress>()?;
    m.add_class::<async_send::AsyncCall>()?;
    m.add_class::<async_send::JobWaiter>()?;
    m.add_class::<async_iterate::AsyncStream>()?;
    m.add_function(wrap_pyfunction!(version, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(oauth::pkce_pair, m)?)?;
    m.add_function(wrap_pyfunction!(oauth::authorize_url, m)?)?;
    m.add_function(wrap_pyfunction!(oauth::exchange_code, m)?)?;
    m.add_function(wrap_pyfunction!(webhook::verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add("__version__", zdkit::VERSION)?;
    m.add("SEARCH_LIMIT_CODE", zdkit::iterate::SEARCH_LIMIT_CODE)?;
    m.add(
        "SETTINGS",
        pyo3::types::PyTuple::new(m.py(), zdkit::config::SETTINGS)?,
    )?;
    m.add(
        "DEFAULT_MAX_RESPONSE_BYTES",
        zdkit::config::DEFAULT_MAX_RESPONSE_BYTES,
    )?;
    Ok(())
}
