//! Uploads and background jobs: methods of `zdkit._native.Client`.

use crate::client::Client;
use crate::errors::guard;
use crate::interrupt::detached;
use crate::json::value_to_py;
use pyo3::prelude::*;
use std::time::Duration;

/// How long `wait_for_job` polls by default.
pub const JOB_TIMEOUT: Duration = Duration::from_secs(300);

#[pymethods]
impl Client {
    /// Uploads bytes or a file (streamed from disk); returns the `upload` object.
    #[pyo3(signature = (filename, data=None, path=None, content_type=None, token=None))]
    fn upload<'py>(
        &self,
        py: Python<'py>,
        filename: &str,
        data: Option<Vec<u8>>,
        path: Option<std::path::PathBuf>,
        content_type: Option<String>,
        token: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, move || {
            let client = self.client(py)?;
            let upload = detached(py, &client, |client| {
                let source = match (&data, &path) {
                    (Some(bytes), None) => zdkit::upload::UploadSource::Bytes(bytes),
                    (None, Some(path)) => zdkit::upload::UploadSource::Path(path),
                    _ => return Err(zdkit::Error::invalid("pass the data or a path, not both")),
                };
                client.upload(filename, source, content_type.as_deref(), token.as_deref())
            })?;
            value_to_py(py, &upload)
        })
    }

    /// Polls a background job until it completes (returns its status) or fails.
    /// `timeout` is in seconds (default 300).
    #[pyo3(signature = (job_id, timeout=None))]
    fn wait_for_job<'py>(
        &self,
        py: Python<'py>,
        job_id: &str,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, move || {
            let client = self.client(py)?;
            let timeout = match timeout {
                Some(value) => crate::settings::duration(py, "timeout", value)?,
                None => JOB_TIMEOUT,
            };
            let job = detached(py, &client, |client| client.wait_for_job(job_id, timeout))?;
            value_to_py(py, &job)
        })
    }
}
