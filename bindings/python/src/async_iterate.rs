//! Async pages for `zdkit.AsyncClient`: the core's pagers driven a page at a time
//! through the async engine — the pager says which request comes next, the engine
//! sends it, and the answer goes back to the pager (`accept_page`) on the delivery
//! thread, without the GIL. Same pagers as the blocking iterators, same errors, and
//! the same behaviour after an error: a failed request keeps the position (the next
//! step tries it again); an error a retry cannot cure (a stuck cursor, the search
//! limit) ends the stream.

use crate::async_send::{AsyncCall, Prepare, ToPython, start};
use crate::errors::{guard, to_py_err};
use crate::iterate::{self, Stream, export_page_to_py, page_to_py};
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use zdkit::iterate::{IncrementalExport, Pager, SearchPager};

/// What an [`AsyncStream`] walks.
enum Source {
    /// A list endpoint or a search export: `Page`s.
    Pages(Pager),
    /// A search: `Page`s (the 1,000-result limit enforced).
    Search(SearchPager),
    /// An incremental export: `ExportPage`s.
    Export(IncrementalExport),
}

impl Source {
    /// The request for the next page; `None` at the end.
    fn next_request(&mut self) -> zdkit::Result<Option<zdkit::Request>> {
        match self {
            Source::Pages(pager) => Ok(pager.next_request()),
            Source::Search(pager) => pager.next_request(),
            Source::Export(export) => Ok(export.next_request()),
        }
    }

    /// Takes the answer to that request: the page, as a Python value to build.
    fn accept(&mut self, response: zdkit::Response) -> zdkit::Result<ToPython> {
        Ok(match self {
            Source::Pages(pager) => {
                let page = pager.accept_page(response)?;
                Box::new(move |py| Ok(Py::new(py, page_to_py(py, page)?)?.into_any()))
            }
            Source::Search(pager) => {
                let page = pager.accept_page(response)?;
                Box::new(move |py| Ok(Py::new(py, page_to_py(py, page)?)?.into_any()))
            }
            Source::Export(export) => {
                let page = export.accept_page(response)?;
                Box::new(move |py| Ok(Py::new(py, export_page_to_py(py, page)?)?.into_any()))
            }
        })
    }

    /// The search's total, once known.
    fn count(&self) -> Option<u64> {
        match self {
            Source::Search(pager) => pager.total_count(),
            _ => None,
        }
    }
}

/// A stream's state between steps. The lock is held only to take the source out or
/// put it back, never while a request runs or the GIL is awaited.
enum State {
    Ready(Box<Source>),
    /// A page is being fetched.
    Busy,
    Done,
}

struct Shared {
    state: Mutex<State>,
    count: Mutex<Option<u64>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn put(&self, source: Option<Source>) {
        if let Some(source) = &source {
            *self.count.lock().unwrap_or_else(PoisonError::into_inner) = source.count();
        }
        *self.state() = source.map_or(State::Done, |source| State::Ready(Box::new(source)));
    }
}

/// Pages fetched through the async engine, one at a time.
#[pyclass(module = "zdkit._native", frozen)]
pub struct AsyncStream {
    client: zdkit::Client,
    shared: Arc<Shared>,
}

impl AsyncStream {
    fn new(client: zdkit::Client, source: Source) -> AsyncStream {
        AsyncStream {
            client,
            shared: Arc::new(Shared {
                count: Mutex::new(source.count()),
                state: Mutex::new(State::Ready(Box::new(source))),
            }),
        }
    }
}

#[pymethods]
impl AsyncStream {
    /// Takes over a fresh stream from `Client.pages`, `search`, `export_search` or
    /// `incremental`, to walk it a page at a time through the async engine (a search
    /// yields `Page`s here). The stream given is then over.
    #[new]
    fn new_from(py: Python<'_>, stream: &Stream) -> PyResult<AsyncStream> {
        guard(py, || {
            let (client, source) = stream.take_source().ok_or_else(|| {
                to_py_err(
                    py,
                    zdkit::Error::invalid("the stream is busy or already over"),
                )
            })?;
            let source = match source {
                iterate::Source::Pages(pager) => Source::Pages(pager),
                iterate::Source::Search(results) => Source::Search(results.into_pages()),
                iterate::Source::Export(export) => Source::Export(export),
            };
            Ok(AsyncStream::new(client, source))
        })
    }

    /// Starts fetching the next page; `done(ok, value)` gets the page or the
    /// exception. `None` when the stream is over (nothing is sent).
    fn next(&self, py: Python<'_>, done: Py<PyAny>) -> PyResult<Option<AsyncCall>> {
        guard(py, move || {
            // The lock is released before anything touches Python.
            let taken = {
                let mut state = self.shared.state();
                match std::mem::replace(&mut *state, State::Busy) {
                    State::Ready(source) => Some(*source),
                    other => {
                        *state = other;
                        None
                    }
                }
            };
            let Some(mut source) = taken else {
                if matches!(*self.shared.state(), State::Done) {
                    return Ok(None);
                }
                return Err(to_py_err(
                    py,
                    zdkit::Error::invalid(
                        "this iterator is already fetching a page for another task",
                    ),
                ));
            };
            let request = match source.next_request() {
                Ok(Some(request)) => request,
                Ok(None) => {
                    self.shared.put(None);
                    return Ok(None);
                }
                Err(error) => {
                    self.shared.put(None);
                    return Err(to_py_err(py, error));
                }
            };
            let shared = self.shared.clone();
            let prepare: Prepare = Box::new(move |outcome| {
                let mut source = source;
                match outcome.map(|response| source.accept(response)) {
                    // The answer was read (or could not be, which ends the stream).
                    Ok(Ok(page)) => {
                        shared.put(Some(source));
                        page
                    }
                    Ok(Err(error)) => {
                        shared.put(None);
                        Box::new(move |py| Err(to_py_err(py, error)))
                    }
                    // The request failed: the next step tries it again.
                    Err(error) => {
                        shared.put(Some(source));
                        Box::new(move |py| Err(to_py_err(py, error)))
                    }
                }
            });
            let started = start(py, &self.client, request, done, prepare);
            if started.is_err() {
                // The source went with the call that could not start.
                self.shared.put(None);
            }
            started.map(Some)
        })
    }

    /// Search: the true number of matches (known after the first page); else None.
    #[getter]
    fn count(&self, py: Python<'_>) -> PyResult<Option<u64>> {
        guard(py, || {
            Ok(*self
                .shared
                .count
                .lock()
                .unwrap_or_else(PoisonError::into_inner))
        })
    }
}
