//! Downloads: a method of `zdkit._native.Client`.

use crate::client::Client;
use crate::errors::guard;
use crate::interrupt::detached;
use pyo3::prelude::*;
use zdkit::download::DownloadSource;

#[pymethods]
impl Client {
    /// Downloads an attachment (`source`: a `content_url`, or an attachment id in
    /// decimal) to the file `path`, atomically; returns the bytes written. The GIL is
    /// released during the transfer.
    #[pyo3(signature = (source, path, max_bytes=None))]
    fn download(
        &self,
        py: Python<'_>,
        source: &str,
        path: std::path::PathBuf,
        max_bytes: Option<u64>,
    ) -> PyResult<u64> {
        guard(py, move || {
            let client = self.client(py)?;
            let source = DownloadSource::parse(source);
            detached(py, &client, |client| {
                client.download(&source, &path, max_bytes)
            })
        })
    }
}
