//! Pages, search results and incremental exports as one Python iterator type,
//! [`Stream`]. Each step releases the GIL while it fetches, and holds one page in
//! memory.
//!
//! One error behaviour for all: after an error the stream keeps its position, so the
//! next `next()` tries the same fetch again (a 5xx, a 429 with `never_wait`, a
//! timeout, a cut connection: whatever a retry may cure); an error that a retry
//! cannot cure (a stuck cursor, the search limit) ends the stream, which then raises
//! `StopIteration`.
//!
//! No Rust lock is held while a step runs: the iterator's state is taken out of its
//! [`Slot`] first and put back afterwards (a step waits for the GIL in its Ctrl-C
//! check and its log lines, so holding a lock across it would deadlock with a thread
//! that holds the GIL and wants the same lock).

use crate::client::Client;
use crate::errors::decode_error;
use crate::errors::{guard, to_py_err};
use crate::interrupt::detached;
use crate::json::{GcPause, loads, loads_each};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyList};
use std::collections::VecDeque;
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

/// A core page as a Python `Page`, built from its bytes in one pass (the items are
/// the same objects as in `raw`); shared with the async streams.
pub fn page_to_py(py: Python<'_>, page: zdkit::iterate::Page) -> PyResult<Page> {
    let pause = GcPause::new(py);
    let raw = loads(py, &page.response.body).map_err(|e| decode_error(py, &e))?;
    drop(pause);
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

/// One page of an incremental export. Its items become Python objects only when
/// `items` is first read; `jsonl` hands them out as JSON Lines straight from the page
/// bytes, with no Python objects at all.
#[pyclass(module = "zdkit._native", frozen)]
pub struct ExportPage {
    page: zdkit::iterate::ExportPage,
    items: PyOnceLock<Py<PyList>>,
    /// The position to resume after this page.
    #[pyo3(get)]
    cursor: Option<String>,
    /// True on the last page of this run.
    #[pyo3(get)]
    end_of_stream: bool,
}

/// A core export page as a Python `ExportPage` (its items are built on first use);
/// shared with the async streams.
pub fn export_page_to_py(page: zdkit::iterate::ExportPage) -> ExportPage {
    ExportPage {
        cursor: page.cursor.clone(),
        end_of_stream: page.end_of_stream,
        items: PyOnceLock::new(),
        page,
    }
}

#[pymethods]
impl ExportPage {
    /// The items (de-duplicated for time-based exports), parsed on first use.
    #[getter]
    fn items(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        guard(py, || {
            self.items
                .get_or_try_init(py, || {
                    let _pause = GcPause::new(py);
                    loads_each(py, self.page.item_bytes())
                        .map(Bound::unbind)
                        .map_err(|e| decode_error(py, &e))
                })
                .map(|items| items.clone_ref(py))
        })
    }

    /// The items as JSON Lines (`bytes`: one item per line, each ending in a newline),
    /// copied from the page as the server sent them.
    #[getter]
    fn jsonl<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guard(py, || Ok(PyBytes::new(py, &self.page.json_lines())))
    }

    /// The number of items.
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        guard(py, || Ok(self.page.item_count()))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        guard(py, || {
            Ok(format!(
                "<zdkit.ExportPage items={} end_of_stream={}>",
                self.page.item_count(),
                if self.end_of_stream { "True" } else { "False" }
            ))
        })
    }
}

/// What a [`Stream`] walks.
pub enum Source {
    /// Pages of a list endpoint or of a search export: yields `Page`s.
    Pages(zdkit::iterate::Pager),
    /// Search results: yields the results one at a time (a page's results are
    /// converted together, then handed out one by one).
    Search(zdkit::iterate::SearchPager, VecDeque<Py<PyAny>>),
    /// An incremental export: yields `ExportPage`s.
    Export(zdkit::iterate::IncrementalExport),
}

/// What one step of a [`Source`] fetched.
enum Item {
    Page(zdkit::iterate::Page),
    /// A page of search results.
    Results(zdkit::iterate::Page),
    Export(zdkit::iterate::ExportPage),
}

/// Where a stream stands, as of its last step.
#[derive(Default)]
struct Position {
    count: Option<u64>,
    cursor: Option<String>,
}

impl Source {
    /// Fetches the next item with `client` (a handle that stops on Ctrl-C).
    fn step(&mut self, client: &zdkit::Client) -> zdkit::Result<Option<Item>> {
        Ok(match self {
            Source::Pages(pager) => {
                pager.set_client(client.clone());
                pager.next_page()?.map(Item::Page)
            }
            Source::Search(pages, _) => {
                pages.set_client(client.clone());
                pages.next_page()?.map(Item::Results)
            }
            Source::Export(export) => {
                export.set_client(client.clone());
                export.next_page()?.map(Item::Export)
            }
        })
    }

    fn position(&self) -> Position {
        match self {
            Source::Pages(_) => Position::default(),
            Source::Search(pages, _) => Position {
                count: pages.total_count(),
                cursor: None,
            },
            Source::Export(export) => Position {
                count: None,
                cursor: export.cursor(),
            },
        }
    }
}

impl Item {
    fn into_py(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(match self {
            Item::Page(page) => Py::new(py, page_to_py(py, page)?)?.into_any(),
            Item::Results(page) => {
                let _pause = GcPause::new(py);
                loads_each(py, page.item_bytes())
                    .map_err(|e| decode_error(py, &e))?
                    .into_any()
                    .unbind()
            }
            Item::Export(page) => Py::new(py, export_page_to_py(page))?.into_any(),
        })
    }
}

/// Pages, search results or export pages, fetched lazily (see the module's docs for
/// what happens after an error).
#[pyclass(module = "zdkit._native", frozen)]
pub struct Stream {
    source: Slot<Source>,
    position: Mutex<Position>,
    client: zdkit::Client,
}

impl Stream {
    /// A stream over `source`, fetching with `client`.
    pub fn new(client: zdkit::Client, source: Source) -> Stream {
        Stream {
            position: Mutex::new(source.position()),
            source: Slot::new(source),
            client,
        }
    }

    /// Takes the source and the client out, for an async stream that walks it
    /// instead; the stream is then over. `None` when it is over or busy already, or
    /// when it is a search with results fetched but not yet handed out (they would
    /// be lost).
    pub fn take_source(&self) -> Option<(zdkit::Client, Source)> {
        let holds_results =
            |source: &Source| matches!(source, Source::Search(_, buffer) if !buffer.is_empty());
        let mut state = self
            .source
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match std::mem::replace(&mut *state, State::Done) {
            State::Ready(source) if !holds_results(&source) => Some((self.client.clone(), source)),
            other => {
                *state = other;
                None
            }
        }
    }

    fn position(&self) -> std::sync::MutexGuard<'_, Position> {
        self.position.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `run` on the incremental export this stream walks, and its client; the
    /// export is taken out meanwhile (another thread stepping the stream gets an
    /// error) and put back after, with the stream's position updated. Other streams
    /// raise `TypeError`.
    pub fn with_export<T>(
        &self,
        py: Python<'_>,
        run: impl FnOnce(&mut zdkit::iterate::IncrementalExport, &zdkit::Client) -> PyResult<T>,
    ) -> PyResult<T> {
        let Some(mut source) = self.source.take(py)? else {
            return Err(to_py_err(py, zdkit::Error::invalid("the export is over")));
        };
        let Source::Export(export) = &mut source else {
            self.source.put(Some(source));
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "only an incremental export can be written to a file",
            ));
        };
        let result = run(export, &self.client);
        *self.position() = source.position();
        self.source.put(Some(source));
        result
    }
}

#[pymethods]
impl Stream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        guard(slf.py(), || Ok(slf))
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        guard(py, || {
            let Some(mut source) = self.source.take(py)? else {
                return Ok(None);
            };
            loop {
                if let Source::Search(_, buffer) = &mut source {
                    if let Some(result) = buffer.pop_front() {
                        self.source.put(Some(source));
                        return Ok(Some(result));
                    }
                }
                let step = detached(py, &self.client, |client| source.step(client));
                *self.position() = source.position();
                // Kept after an error, so that the next call tries again.
                let ended = matches!(step, Ok(None));
                let item = match step {
                    Ok(Some(item)) => item.into_py(py),
                    Ok(None) => {
                        self.source.put(None);
                        return Ok(None);
                    }
                    Err(error) => {
                        self.source.put((!ended).then_some(source));
                        return Err(error);
                    }
                };
                let item = match item {
                    Ok(item) => item,
                    Err(error) => {
                        self.source.put(Some(source));
                        return Err(error);
                    }
                };
                match &mut source {
                    Source::Search(_, buffer) => {
                        // A page of results: hand them out one at a time.
                        for result in item.bind(py).cast::<PyList>()?.iter() {
                            buffer.push_back(result.unbind());
                        }
                    }
                    _ => {
                        self.source.put(Some(source));
                        return Ok(Some(item));
                    }
                }
            }
        })
    }

    /// Search: the true number of matches (known after the first page); else None.
    #[getter]
    fn count(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        guard(py, || Ok(self.position().count))
    }

    /// Export: the position to resume from (None before the first page); else None.
    #[getter]
    fn cursor(&self, py: Python<'_>) -> PyResult<Option<String>> {
        guard(py, || Ok(self.position().cursor.clone()))
    }
}

/// The iteration methods of `zdkit._native.Client`.
#[pymethods]
impl Client {
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
            let pager =
                zdkit::iterate::Pager::new(&client, path, params.unwrap_or_default(), page_size);
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
            let pages = client.search_pages(query, params.unwrap_or_default());
            Ok(Stream::new(client, Source::Search(pages, VecDeque::new())))
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
            let export = zdkit::iterate::IncrementalExport::from_options(
                &client, resource, start_time, cursor, per_page, time_based,
            )
            .map_err(|e| to_py_err(py, e))?;
            Ok(Stream::new(client, Source::Export(export)))
        })
    }
}
