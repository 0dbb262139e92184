//! `zdkit._native.Client`: the core client, with the GIL released for every
//! transfer and Ctrl-C able to interrupt one.

use crate::errors::{guard, to_py_err};
use crate::interrupt::detached;
use crate::iterate::{Source, Stream};
use crate::json::value_to_py;
use crate::response::Response;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;
use zdkit::Request;

/// How long `wait_for_job` polls by default.
const JOB_TIMEOUT: Duration = Duration::from_secs(300);

/// The native client. Thread-safe; `close()` makes later calls raise.
#[pyclass(module = "zdkit._native", frozen)]
pub struct Client {
    inner: RwLock<Option<zdkit::Client>>,
    description: String,
}

#[pymethods]
impl Client {
    /// Builds a client from keyword arguments, each a setting of the core (see
    /// `settings.rs`); exactly one of `subdomain`/`base_url`, and exactly one
    /// credential.
    #[new]
    #[pyo3(signature = (subdomain=None, **options))]
    fn new(
        py: Python<'_>,
        subdomain: Option<String>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        guard(py, move || {
            let config = crate::settings::builder(py, subdomain, options)?
                .build()
                .map_err(|e| to_py_err(py, e))?;
            let description = format!(
                "base_url={:?}, credentials={:?}",
                config.base_url().as_str(),
                config.credentials().describe()
            );
            let client = zdkit::Client::new(config).map_err(|e| to_py_err(py, e))?;
            Ok(Client {
                inner: RwLock::new(Some(client)),
                description,
            })
        })
    }

    /// Sends one request; returns the response of a 2xx answer, raises the
    /// matching `zdkit.ZendeskError` subclass otherwise. The GIL is released during
    /// the transfer.
    /// `timeout` (seconds) replaces the client's transfer timeout for this request.
    #[pyo3(signature = (method, path, params=None, body=None, content_type=None, headers=None, timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn request(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        params: Option<Vec<(String, String)>>,
        body: Option<Vec<u8>>,
        content_type: Option<String>,
        headers: Option<Vec<(String, String)>>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        guard(py, move || {
            let client = self.client(py)?;
            let mut request = Request::new(method, path);
            if let Some(timeout) = timeout {
                request = request.timeout(crate::settings::duration(py, "timeout", timeout)?);
            }
            for (name, value) in params.unwrap_or_default() {
                request = request.query(name, value);
            }
            for (name, value) in headers.unwrap_or_default() {
                request = request.header(name, value);
            }
            if let Some(body) = body {
                request = request.body(
                    content_type.unwrap_or_else(|| "application/json".into()),
                    body,
                );
            }
            let response = detached(py, &client, |client| client.send(&request))?;
            Ok(Response::from(response))
        })
    }

    /// Pages of a list endpoint (cursor, offset or Help Center style).
    #[pyo3(signature = (path, params=None, page_size=100))]
    fn pages(
        &self,
        py: Python<'_>,
        path: &str,
        params: Option<Vec<(String, String)>>,
        page_size: u32,
    ) -> PyResult<Stream> {
        guard(py, move || {
            let client = self.client(py)?;
            let pager = zdkit::Pager::new(&client, path, params.unwrap_or_default(), page_size);
            Ok(Stream::new(client, Source::Pages(pager)))
        })
    }

    /// Search results; more than 1,000 matches raise `SearchLimitError`.
    #[pyo3(signature = (query, params=None))]
    fn search(
        &self,
        py: Python<'_>,
        query: &str,
        params: Option<Vec<(String, String)>>,
    ) -> PyResult<Stream> {
        guard(py, move || {
            let client = self.client(py)?;
            let results = client.search(query, params.unwrap_or_default());
            Ok(Stream::new(client, Source::Search(results)))
        })
    }

    /// Pages of a search export (no cap).
    #[pyo3(signature = (query, result_type, page_size=1000))]
    fn export_search(
        &self,
        py: Python<'_>,
        query: &str,
        result_type: &str,
        page_size: u32,
    ) -> PyResult<Stream> {
        guard(py, move || {
            let client = self.client(py)?;
            let pager = client
                .export_search(query, result_type, page_size)
                .map_err(|e| to_py_err(py, e))?;
            Ok(Stream::new(client, Source::Pages(pager)))
        })
    }

    /// Pages of an incremental export, from `start_time` or a saved `cursor`.
    #[pyo3(signature = (resource, start_time=None, cursor=None, per_page=1000, time_based=false))]
    fn incremental(
        &self,
        py: Python<'_>,
        resource: &str,
        start_time: Option<i64>,
        cursor: Option<String>,
        per_page: u32,
        time_based: bool,
    ) -> PyResult<Stream> {
        guard(py, move || {
            let client = self.client(py)?;
            let start = zdkit::ExportStart::from_options(start_time, cursor)
                .map_err(|e| to_py_err(py, e))?;
            let export = match (&start, time_based) {
                (zdkit::ExportStart::StartTime(t), true) => {
                    zdkit::IncrementalExport::new_time_based(&client, resource, *t, per_page)
                }
                _ => zdkit::IncrementalExport::new(&client, resource, start, per_page),
            }
            .map_err(|e| to_py_err(py, e))?;
            Ok(Stream::new(client, Source::Export(export)))
        })
    }

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
                    (Some(bytes), None) => zdkit::UploadSource::Bytes(bytes),
                    (None, Some(path)) => zdkit::UploadSource::Path(path),
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

    /// The current OAuth token set (`zdkit.oauth.TokenSet`), or None.
    #[getter]
    fn token_set<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, move || {
            self.client(py)?
                .token_set()
                .map(|t| crate::oauth::token_set_to_py(py, &t))
                .transpose()
        })
    }

    /// The current OAuth token set, minted or refreshed first when due.
    fn fetch_token_set<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        guard(py, move || {
            let client = self.client(py)?;
            let token = detached(py, &client, |client| client.fetch_token_set())?;
            token
                .map(|t| crate::oauth::token_set_to_py(py, &t))
                .transpose()
        })
    }

    /// Closes the client: its connections are released and later calls raise.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        guard(py, move || {
            let closed = self
                .inner
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            // The connections are released after the lock, with the GIL released.
            py.detach(move || drop(closed));
            Ok(())
        })
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> PyResult<bool> {
        guard(py, move || Ok(self.is_closed()))
    }

    /// The base URL requests go to.
    #[getter]
    fn base_url(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, move || {
            Ok(self.client(py)?.config().base_url().to_string())
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, move || {
            Ok(format!(
                "<zdkit.Client {}{}>",
                self.description,
                if self.is_closed() { " closed" } else { "" }
            ))
        })
    }
}

impl Client {
    fn is_closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    fn client(&self, py: Python<'_>) -> PyResult<zdkit::Client> {
        let inner = self.inner.read().unwrap_or_else(PoisonError::into_inner);
        inner.clone().ok_or_else(|| {
            to_py_err(
                py,
                zdkit::Error::invalid("the client is closed: create a new zdkit.Client"),
            )
        })
    }
}
