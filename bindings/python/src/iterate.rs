//! Pages, search results and incremental exports as Python iterators. Each step
//! releases the GIL while it fetches, and holds one page in memory.
//!
//! No Rust lock is held while a step runs: the iterator's state is taken out of its
//! [`Slot`] first and put back afterwards (a step waits for the GIL in its Ctrl-C
//! check and its log lines, so holding a lock across it would deadlock with a thread
//! that holds the GIL and wants the same lock).

use crate::errors::{guard, to_py_err};
use crate::interrupt::detached;
use crate::json::value_to_py;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::{Mutex, PoisonError};

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
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "<zdkit.Page items={} has_more={}>",
                self.items.bind(py).len(),
                if self.has_more { "True" } else { "False" }
            ))
        })
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

/// The state of an iterator between steps.
enum State<T> {
    /// Ready for the next step.
    Ready(T),
    /// A step is running (in another thread, or this one re-entered).
    Busy,
    /// Exhausted (or ended by an error).
    Done,
}

/// An iterator's state behind a lock that is held only to take it out or put it
/// back, never while a step runs or the GIL is awaited.
struct Slot<T> {
    state: Mutex<State<T>>,
}

impl<T> Slot<T> {
    fn new(value: T) -> Slot<T> {
        Slot {
            state: Mutex::new(State::Ready(value)),
        }
    }

    /// Takes the state out for a step: None when exhausted; an error while another
    /// thread is stepping the same iterator (as Python's "generator already executing").
    fn take(&self, py: Python<'_>) -> PyResult<Option<T>> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        match std::mem::replace(&mut *state, State::Busy) {
            State::Ready(value) => Ok(Some(value)),
            State::Done => {
                *state = State::Done;
                Ok(None)
            }
            State::Busy => Err(to_py_err(
                py,
                zdkit::Error::invalid("iterator used from two threads at once"),
            )),
        }
    }

    /// Puts the state back after a step (`None`: the iteration is over).
    fn put(&self, value: Option<T>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        *state = value.map_or(State::Done, State::Ready);
    }
}

/// Pages of a list endpoint.
#[pyclass(module = "zdkit._native", frozen)]
pub struct Pages {
    pager: Slot<zdkit::Pager>,
    client: zdkit::Client,
}

impl Pages {
    pub fn new(client: zdkit::Client, pager: zdkit::Pager) -> Pages {
        Pages {
            pager: Slot::new(pager),
            client,
        }
    }
}

#[pymethods]
impl Pages {
    fn __iter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        guard(slf.py(), || Ok(slf))
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Page>> {
        guard(py, || {
            let Some(mut pager) = self.pager.take(py)? else {
                return Ok(None);
            };
            let result = detached(py, &self.client, |client| {
                pager.set_client(client.clone());
                pager.next_page()
            });
            // An error ends the iteration.
            let page = match result {
                Ok(page) => {
                    self.pager.put(Some(pager));
                    page
                }
                Err(error) => {
                    self.pager.put(None);
                    return Err(error);
                }
            };
            page.map(|p| page_to_py(py, p)).transpose()
        })
    }
}

/// Search results (`/api/v2/search`), one item at a time.
#[pyclass(module = "zdkit._native", frozen)]
pub struct SearchResults {
    results: Slot<zdkit::SearchResults>,
    /// The true number of matches, as of the last step.
    count: Mutex<Option<u64>>,
    client: zdkit::Client,
}

impl SearchResults {
    pub fn new(client: zdkit::Client, results: zdkit::SearchResults) -> SearchResults {
        SearchResults {
            count: Mutex::new(results.total_count()),
            results: Slot::new(results),
            client,
        }
    }
}

#[pymethods]
impl SearchResults {
    fn __iter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        guard(slf.py(), || Ok(slf))
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        guard(py, || {
            let Some(mut results) = self.results.take(py)? else {
                return Ok(None);
            };
            let item = detached(py, &self.client, |client| {
                results.set_client(client.clone());
                results.next().transpose()
            });
            *self.count.lock().unwrap_or_else(PoisonError::into_inner) = results.total_count();
            self.results.put(Some(results));
            match item? {
                Some(value) => Ok(Some(value_to_py(py, &value)?.unbind())),
                None => Ok(None),
            }
        })
    }

    /// The true number of matches (known after the first page).
    #[getter]
    fn count(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        guard(py, || {
            Ok(*self.count.lock().unwrap_or_else(PoisonError::into_inner))
        })
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
#[pyclass(module = "zdkit._native", frozen)]
pub struct Export {
    export: Slot<zdkit::IncrementalExport>,
    /// The position to resume from, as of the last step.
    cursor: Mutex<Option<String>>,
    client: zdkit::Client,
}

impl Export {
    pub fn new(client: zdkit::Client, export: zdkit::IncrementalExport) -> Export {
        Export {
            cursor: Mutex::new(export.cursor()),
            export: Slot::new(export),
            client,
        }
    }
}

#[pymethods]
impl Export {
    fn __iter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        guard(slf.py(), || Ok(slf))
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<ExportPage>> {
        guard(py, || {
            let Some(mut export) = self.export.take(py)? else {
                return Ok(None);
            };
            let page = detached(py, &self.client, |client| {
                export.set_client(client.clone());
                export.next_page()
            });
            *self.cursor.lock().unwrap_or_else(PoisonError::into_inner) = export.cursor();
            self.export.put(Some(export));
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
        })
    }

    /// The position to resume from (None before the first page).
    #[getter]
    fn cursor(&self, py: Python<'_>) -> PyResult<Option<String>> {
        guard(py, || {
            Ok(self
                .cursor
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone())
        })
    }
}
