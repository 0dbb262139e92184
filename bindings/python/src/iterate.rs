//! Pages, search results and incremental exports as Python iterators. Each step
//! releases the GIL while it fetches, and holds one page in memory.

use crate::errors::to_py_err;
use crate::json::value_to_py;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::Mutex;

/// One page of a list: `items`, `raw`, `has_more`, `after_cursor`.
#[pyclass(module = "zdkit._native", frozen)]
pub struct Page {
    /// The items of the page (a list; the same objects as in `raw`).
    #[pyo3(get)]
    items: Py<PyList>,
    /// The whole parsed page.
    #[pyo3(get)]
    raw: Py<PyAny>,
    /// Whether another page follows.
    #[pyo3(get)]
    has_more: bool,
    /// The cursor after this page, when the endpoint uses cursors.
    #[pyo3(get)]
    after_cursor: Option<String>,
}

#[pymethods]
impl Page {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "<zdkit.Page items={} has_more={}>",
            self.items.bind(py).len(),
            if self.has_more { "True" } else { "False" }
        )
    }
}

fn page_to_py(py: Python<'_>, page: zdkit::Page) -> PyResult<Page> {
    let raw = value_to_py(py, &page.raw)?;
    let items = match page.items_key.as_deref() {
        Some(key) => raw.get_item(key)?.cast_into::<PyList>()?,
        None => PyList::empty(py),
    };
    Ok(Page {
        items: items.unbind(),
        raw: raw.unbind(),
        has_more: page.has_more,
        after_cursor: page.after_cursor,
    })
}

/// Runs `step` with the GIL released, stopping on Ctrl-C.
pub fn detached<T: Send>(
    py: Python<'_>,
    client: &zdkit::Client,
    step: impl FnOnce(&zdkit::Client) -> zdkit::Result<T> + Send,
) -> PyResult<T> {
    let (client, interrupted) = crate::client::interruptible(client);
    let outcome = py.detach(|| step(&client));
    outcome.map_err(|error| {
        interrupted
            .lock()
            .ok()
            .and_then(|mut e| e.take())
            .unwrap_or_else(|| to_py_err(py, error))
    })
}

/// Pages of a list endpoint.
#[pyclass(module = "zdkit._native")]
pub struct Pages {
    pager: Mutex<Option<zdkit::Pager>>,
    client: zdkit::Client,
}

impl Pages {
    pub fn new(client: zdkit::Client, pager: zdkit::Pager) -> Pages {
        Pages {
            pager: Mutex::new(Some(pager)),
            client,
        }
    }
}

#[pymethods]
impl Pages {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Page>> {
        let mut slot = self.pager.lock().map_err(|_| lock_error(py))?;
        let Some(mut pager) = slot.take() else {
            return Ok(None);
        };
        let result = detached(py, &self.client, |client| {
            pager.set_client(client.clone());
            pager.next_page()
        });
        let page = result?;
        *slot = Some(pager);
        page.map(|p| page_to_py(py, p)).transpose()
    }
}

fn lock_error(py: Python<'_>) -> PyErr {
    to_py_err(
        py,
        zdkit::Error::new(
            zdkit::ErrorKind::Internal,
            "iterator used from two threads at once",
        ),
    )
}

/// Search results (`/api/v2/search`), one item at a time.
#[pyclass(module = "zdkit._native")]
pub struct SearchResults {
    results: Mutex<Option<zdkit::SearchResults>>,
    client: zdkit::Client,
}

impl SearchResults {
    pub fn new(client: zdkit::Client, results: zdkit::SearchResults) -> SearchResults {
        SearchResults {
            results: Mutex::new(Some(results)),
            client,
        }
    }
}

#[pymethods]
impl SearchResults {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let mut slot = self.results.lock().map_err(|_| lock_error(py))?;
        let Some(mut results) = slot.take() else {
            return Ok(None);
        };
        let item = detached(py, &self.client, |client| {
            results.set_client(client.clone());
            results.next().transpose()
        });
        *slot = Some(results);
        match item? {
            Some(value) => Ok(Some(value_to_py(py, &value)?.unbind())),
            None => Ok(None),
        }
    }

    /// The true number of matches (known after the first page).
    #[getter]
    fn count(&self) -> Option<u64> {
        self.results.lock().ok()?.as_ref()?.total_count()
    }
}

/// One page of an incremental export.
#[pyclass(module = "zdkit._native", frozen)]
pub struct ExportPage {
    /// The items (de-duplicated for time-based exports).
    #[pyo3(get)]
    items: Py<PyList>,
    /// The position to resume after this page.
    #[pyo3(get)]
    cursor: Option<String>,
    /// True on the last page of this run.
    #[pyo3(get)]
    end_of_stream: bool,
}

/// The pages of an incremental export.
#[pyclass(module = "zdkit._native")]
pub struct Export {
    export: Mutex<Option<zdkit::IncrementalExport>>,
    client: zdkit::Client,
}

impl Export {
    pub fn new(client: zdkit::Client, export: zdkit::IncrementalExport) -> Export {
        Export {
            export: Mutex::new(Some(export)),
            client,
        }
    }
}

#[pymethods]
impl Export {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<ExportPage>> {
        let mut slot = self.export.lock().map_err(|_| lock_error(py))?;
        let Some(mut export) = slot.take() else {
            return Ok(None);
        };
        let page = detached(py, &self.client, |client| {
            export.set_client(client.clone());
            export.next_page()
        });
        *slot = Some(export);
        let Some(page) = page? else { return Ok(None) };
        let items = PyList::empty(py);
        for item in &page.items {
            items.append(value_to_py(py, item)?)?;
        }
        Ok(Some(ExportPage {
            items: items.unbind(),
            cursor: page.cursor,
            end_of_stream: page.end_of_stream,
        }))
    }

    /// The position to resume from (None before the first page).
    #[getter]
    fn cursor(&self) -> Option<String> {
        self.export.lock().ok()?.as_ref()?.cursor()
    }
}
