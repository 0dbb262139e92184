//! `Stream.write_jsonl`: the rest of an incremental export written to a JSON Lines
//! file by Rust, a page at a time, with the GIL released: each page's items go from
//! the page bytes to the file (no Python object, no copy in Zendesk's compact layout;
//! each item checked for its structure, characters and UTF-8, not parsed),
//! the file is synced, then a checkpoint is saved beside it (written to a temporary
//! file, synced, renamed over the old one). An `ExportProgress` counts the items saved
//! so far, for a progress display that reads it from another thread; Python does
//! nothing per page. This is what `zdkit export` runs.

use crate::interrupt::detached;
use crate::iterate::Stream;
use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The number of items an export has saved so far (in the file and its checkpoint),
/// updated by `Stream.write_jsonl` after each page; readable from any thread.
#[pyclass(module = "zdkit._native", frozen)]
#[derive(Default)]
pub struct ExportProgress {
    items: AtomicU64,
}

#[pymethods]
impl ExportProgress {
    #[new]
    fn new(py: Python<'_>) -> PyResult<ExportProgress> {
        crate::errors::guard(py, || Ok(ExportProgress::default()))
    }

    /// Items saved so far.
    #[getter]
    fn items(&self, py: Python<'_>) -> PyResult<u64> {
        crate::errors::guard(py, || Ok(self.items.load(Ordering::Acquire)))
    }
}

/// What the checkpoint beside the file says after a page.
struct Saved<'a> {
    resource: &'a str,
    cursor: Option<&'a str>,
    items: u64,
    bytes: u64,
    end_of_stream: bool,
}

/// Writes the checkpoint: to `path.tmp`, synced, then renamed over `path`.
fn save_checkpoint(path: &Path, saved: &Saved<'_>) -> std::io::Result<()> {
    let state = serde_json::json!({
        "resource": saved.resource,
        "cursor": saved.cursor,
        "items": saved.items,
        "bytes": saved.bytes,
        "end_of_stream": saved.end_of_stream,
    });
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let mut file = File::create(&temporary)?;
    file.write_all(state.to_string().as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// How a run of the export ended, when the API did not fail.
enum Ended {
    /// The end of the stream: the items saved and the last cursor.
    Done(u64, Option<String>),
    /// Writing the file or the checkpoint failed.
    WriteFailed(std::io::Error),
}

/// `OSError(errno, strerror)` for an I/O error (a plain `OSError` without an errno).
fn os_error(error: &std::io::Error) -> PyErr {
    match error.raw_os_error() {
        Some(code) => {
            let text = std::io::Error::from_raw_os_error(code).to_string();
            let suffix = format!(" (os error {code})");
            let text = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
            PyOSError::new_err((code, text))
        }
        None => PyOSError::new_err(error.to_string()),
    }
}

#[pymethods]
impl Stream {
    /// Writes the rest of this incremental export to `out` (appended) as JSON Lines,
    /// saving `checkpoint` after each page; `items` is the count already in the file
    /// (when resuming) and `progress` counts on from it. Returns the items saved and
    /// the last cursor. API errors raise as usual, a failed write raises `OSError`
    /// (the checkpoint then holds the last complete page), Ctrl-C `KeyboardInterrupt`.
    #[pyo3(signature = (out, checkpoint, resource, items, progress))]
    fn write_jsonl(
        &self,
        py: Python<'_>,
        out: PathBuf,
        checkpoint: PathBuf,
        resource: String,
        items: u64,
        progress: Py<ExportProgress>,
    ) -> PyResult<(u64, Option<String>)> {
        crate::errors::guard(py, || {
            progress.get().items.store(items, Ordering::Release);
            let ended = self.with_export(py, |export, client| {
                let mut cursor = export.cursor();
                let progress = progress.get();
                detached(py, client, |client| {
                    export.set_client(client.clone());
                    // The items go to the file as bytes: checked for their structure,
                    // characters and UTF-8, as the C export does (src/json_structure.rs).
                    export.set_checking(zdkit::page_scan::Checking::Structure);
                    let mut file = match OpenOptions::new().append(true).create(true).open(&out) {
                        Ok(file) => file,
                        Err(error) => return Ok(Ended::WriteFailed(error)),
                    };
                    let mut bytes = match file.metadata() {
                        Ok(metadata) => metadata.len(),
                        Err(error) => return Ok(Ended::WriteFailed(error)),
                    };
                    let mut items = items;
                    while let Some(page) = export.next_page()? {
                        if let Some(next) = page.cursor.as_deref().filter(|c| !c.is_empty()) {
                            cursor = Some(next.to_owned());
                        }
                        let end_of_stream = page.end_of_stream;
                        let count = page.item_count() as u64;
                        let written = page
                            .write_json_lines(&mut file)
                            .and_then(|written| file.sync_all().map(|()| written));
                        let saved = written.and_then(|written| {
                            bytes += written;
                            let saved = Saved {
                                resource: &resource,
                                cursor: cursor.as_deref(),
                                items: items + count,
                                bytes,
                                end_of_stream,
                            };
                            save_checkpoint(&checkpoint, &saved)
                        });
                        if let Err(error) = saved {
                            return Ok(Ended::WriteFailed(error));
                        }
                        items += count;
                        progress.items.store(items, Ordering::Release);
                    }
                    Ok(Ended::Done(items, cursor))
                })
            })?;
            match ended {
                Ended::Done(items, cursor) => Ok((items, cursor)),
                Ended::WriteFailed(error) => Err(os_error(&error)),
            }
        })
    }
}
