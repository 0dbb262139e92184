//! Incremental exports that resume exactly where they stopped and never loop.
//!
//! - Cursor-based (`tickets`, `users`): `/api/v2/incremental/{resource}/cursor` with
//!   `start_time`, then `cursor=after_cursor`. The last `after_cursor` stays valid after
//!   `end_of_stream`, so saving it lets the next run pick up exactly the changes since.
//! - Time-based (`organizations`, `ticket_events`, …): `/api/v2/incremental/{resource}`
//!   with `start_time`, then `start_time=end_time`. Items sharing the boundary
//!   timestamp repeat across pages; they are removed here (by id and timestamp).
//! - A cursor or `end_time` that does not advance raises instead of looping forever.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::page_scan::{Checking, Field, item_identity};
use crate::paginate::{
    SeenMarkers, item_slices, malformed, raw_item_methods, scan_page, scanned_items,
};
use crate::request::Request;
use crate::response::Response;
use std::collections::HashSet;
use std::ops::Range;

/// Resources Zendesk exports with cursors; the others are time-based.
pub const CURSOR_RESOURCES: [&str; 2] = ["tickets", "users"];

/// Default and largest page size of incremental exports.
pub const DEFAULT_EXPORT_PAGE_SIZE: u32 = 1000;

/// Where an export starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStart {
    /// From a Unix time (at least 60 s in the past, as Zendesk requires).
    StartTime(i64),
    /// From a cursor saved by an earlier run ([`IncrementalExport::cursor`]). For
    /// time-based resources the cursor is the next start time, in decimal.
    Cursor(String),
}

impl ExportStart {
    /// The start of an export from what a caller gave: a saved cursor, or a start
    /// time (none means 0, the beginning). Both at once is an error: which one was
    /// meant cannot be known.
    pub fn from_options(start_time: Option<i64>, cursor: Option<String>) -> Result<ExportStart> {
        match (start_time, cursor) {
            (Some(_), Some(_)) => Err(Error::invalid(
                "pass a start time or a cursor to resume from, not both",
            )),
            (_, Some(cursor)) => Ok(ExportStart::Cursor(cursor)),
            (start_time, None) => Ok(ExportStart::StartTime(start_time.unwrap_or(0))),
        }
    }
}

/// One page of an export, already de-duplicated. The page bytes are kept as the
/// server sent them; the items are ranges into them (no JSON tree is built).
#[derive(Debug, Clone)]
pub struct ExportPage {
    /// The byte range in `response.body` of each item kept (repeats dropped).
    pub item_ranges: Vec<Range<usize>>,
    /// The position to resume after this page.
    pub cursor: Option<String>,
    /// True on the last page of this run.
    pub end_of_stream: bool,
    /// The HTTP response (headers, request id; its body is the raw page).
    pub response: Response,
}

impl ExportPage {
    raw_item_methods!("kept on this page");

    /// Writes the items kept on this page to `out` as JSON Lines — the bytes of
    /// [`ExportPage::json_lines`] — and returns how many bytes were written. It takes
    /// the page so that, in Zendesk's compact layout, the lines are made in place in
    /// the page's bytes and written with no copy.
    pub fn write_json_lines(mut self, out: &mut impl std::io::Write) -> std::io::Result<u64> {
        crate::paginate::write_json_lines(&mut self.response.body, &self.item_ranges, out)
    }
}

/// A lazy, resumable incremental export.
#[derive(Debug)]
pub struct IncrementalExport {
    client: Client,
    resource: String,
    cursor_based: bool,
    per_page: u32,
    position: ExportStart,
    done: bool,
    /// Keys (id + timestamp) of items at the end of the previous page(s), to drop
    /// the repeats of time-based exports.
    recent_keys: [HashSet<String>; 2],
    /// Every cursor of this run, so a server leading it in a circle is caught.
    seen_cursors: SeenMarkers,
    /// How much of each page is checked to be JSON.
    checking: Checking,
}

/// The identity of an item for de-duplication: its `id` and its timestamp
/// (`updated_at`, else `timestamp`, else `created_at`), as their JSON text. Only those
/// fields are read from the item's bytes.
fn item_key(item: &[u8]) -> Option<String> {
    let identity = item_identity(item)?;
    Some(format!(
        "{}@{}",
        identity.id,
        identity.time.unwrap_or_default()
    ))
}

impl IncrementalExport {
    /// Starts an export of `resource` (`tickets`, `users`, `organizations`,
    /// `ticket_events`, …). `per_page` is 1 to 1,000 (anything else is an invalid argument).
    pub fn new(client: &Client, resource: &str, start: ExportStart, per_page: u32) -> Result<Self> {
        if resource.is_empty()
            || !resource
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(Error::invalid(format!(
                "invalid export resource {resource:?}"
            )));
        }
        if !(1..=DEFAULT_EXPORT_PAGE_SIZE).contains(&per_page) {
            return Err(Error::invalid(format!(
                "the export page size must be 1 to {DEFAULT_EXPORT_PAGE_SIZE}, not {per_page}"
            )));
        }
        let cursor_based = CURSOR_RESOURCES.contains(&resource);
        if let ExportStart::Cursor(cursor) = &start {
            if cursor.is_empty() {
                return Err(Error::invalid("the export cursor is empty"));
            }
            if !cursor_based && cursor.parse::<i64>().is_err() {
                return Err(Error::invalid(format!(
                    "{resource} is exported by time: its cursor is a Unix time, not {cursor:?}"
                )));
            }
        }
        Ok(IncrementalExport {
            client: client.clone(),
            resource: resource.to_owned(),
            cursor_based,
            per_page,
            position: start,
            done: false,
            recent_keys: Default::default(),
            seen_cursors: SeenMarkers::default(),
            checking: Checking::Full,
        })
    }

    /// How much of each page is checked to be JSON (default [`Checking::Full`]).
    /// With [`Checking::Structure`] the items are only followed by their structure, so
    /// [`ExportPage::json_lines`] may write an item that is not valid JSON. An export
    /// needs each item's bytes, so [`Checking::Bounds`] (which does not split the
    /// items) is taken as [`Checking::Structure`].
    pub fn set_checking(&mut self, checking: Checking) {
        self.checking = match checking {
            Checking::Bounds => Checking::Structure,
            other => other,
        };
    }

    /// Like [`IncrementalExport::new`], but always with the time-based endpoint
    /// (`/api/v2/incremental/{resource}`), also for tickets and users.
    pub fn new_time_based(
        client: &Client,
        resource: &str,
        start_time: i64,
        per_page: u32,
    ) -> Result<Self> {
        let mut export = IncrementalExport::new(
            client,
            resource,
            ExportStart::StartTime(start_time),
            per_page,
        )?;
        export.cursor_based = false;
        Ok(export)
    }

    /// An export from a start time or a saved cursor (see
    /// [`ExportStart::from_options`]); `time_based` picks the time-based endpoint
    /// (`/api/v2/incremental/{resource}`) for tickets and users too when starting from
    /// a time.
    pub fn from_options(
        client: &Client,
        resource: &str,
        start_time: Option<i64>,
        cursor: Option<String>,
        per_page: u32,
        time_based: bool,
    ) -> Result<Self> {
        match ExportStart::from_options(start_time, cursor)? {
            ExportStart::StartTime(t) if time_based => {
                IncrementalExport::new_time_based(client, resource, t, per_page)
            }
            start => IncrementalExport::new(client, resource, start, per_page),
        }
    }

    /// The position to resume from: the latest `after_cursor` (cursor-based) or the
    /// next start time (time-based). Valid after the last page too; `None` before
    /// the first page.
    pub fn cursor(&self) -> Option<String> {
        match &self.position {
            ExportStart::Cursor(cursor) => Some(cursor.clone()),
            ExportStart::StartTime(_) => None,
        }
    }

    /// Continues with another handle on the client (for example one with a
    /// cancel check, [`Client::with_cancel`]).
    pub fn set_client(&mut self, client: Client) {
        self.client = client;
    }

    /// True when the export uses Zendesk's cursors (tickets, users).
    pub fn is_cursor_based(&self) -> bool {
        self.cursor_based
    }

    /// True after the page with `end_of_stream`.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The request for the next page, or `None` after the end of the stream.
    /// Nothing moves until [`IncrementalExport::accept_page`] takes its answer.
    pub fn next_request(&self) -> Option<Request> {
        if self.done {
            return None;
        }
        let per_page = ("per_page".to_owned(), self.per_page.to_string());
        if self.cursor_based {
            let mut request =
                Request::get(format!("/api/v2/incremental/{}/cursor.json", self.resource));
            request.query = vec![
                match &self.position {
                    ExportStart::StartTime(t) => ("start_time".to_owned(), t.to_string()),
                    ExportStart::Cursor(c) => ("cursor".to_owned(), c.clone()),
                },
                per_page,
            ];
            Some(request)
        } else {
            let start = match &self.position {
                ExportStart::StartTime(t) => t.to_string(),
                ExportStart::Cursor(c) => c.clone(),
            };
            let mut request = Request::get(format!("/api/v2/incremental/{}.json", self.resource));
            request.query = vec![("start_time".to_owned(), start), per_page];
            Some(request)
        }
    }

    /// Fetches the next page, or `None` after the last one.
    pub fn next_page(&mut self) -> Result<Option<ExportPage>> {
        let Some(request) = self.next_request() else {
            return Ok(None);
        };
        let response = self.client.send(&request)?;
        self.accept_page(response).map(Some)
    }

    /// Takes the 2xx answer to the request of [`IncrementalExport::next_request`]:
    /// the page's items (repeats of a time-based export dropped) and the new
    /// position. A stuck export ends with an error.
    pub fn accept_page(&mut self, response: Response) -> Result<ExportPage> {
        let mut scan = scan_page(&response, self.checking)?;
        let stuck = |what: &str| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the {} export is stuck: {what}; stopping instead of looping",
                    self.resource
                ),
            )
            .with_request("GET", &response.path)
        };
        let end_of_stream = match scan.end_of_stream {
            Field::Is(flag) => flag,
            Field::Wrong => {
                return Err(malformed(
                    &response,
                    "the page's end_of_stream is not a boolean",
                ));
            }
            Field::Absent | Field::Null => false,
        };
        let (key, mut item_ranges) =
            scanned_items(&response.path, &mut scan).map_err(|e| malformed(&response, &e))?;
        if key.is_none() {
            if let Some((_, ranges)) = scan.keys.iter_mut().find(|(k, _)| *k == self.resource) {
                item_ranges = ranges.take().unwrap_or_default();
            }
        }
        if self.cursor_based {
            let after = match &scan.after_cursor {
                Field::Is(cursor) if !cursor.is_empty() => Some(cursor.as_str()),
                Field::Wrong => {
                    return Err(malformed(
                        &response,
                        "the page's after_cursor is not a string",
                    ));
                }
                _ => None,
            };
            match after {
                Some(after) => {
                    if let ExportStart::Cursor(sent) = &self.position {
                        self.seen_cursors.first_time(sent);
                    }
                    if !end_of_stream && !self.seen_cursors.first_time(after) {
                        return Err(stuck("after_cursor points back to a page already read"));
                    }
                    self.position = ExportStart::Cursor(after.to_owned());
                }
                None if !end_of_stream => {
                    return Err(stuck("no after_cursor before the end of the stream"));
                }
                None => {}
            }
        } else {
            let end_time = match scan.end_time {
                Field::Is(end) => Some(end),
                Field::Wrong => {
                    return Err(malformed(
                        &response,
                        "the page's end_time is not an integer",
                    ));
                }
                Field::Absent | Field::Null => None,
            };
            let sent = match &self.position {
                ExportStart::StartTime(t) => *t,
                ExportStart::Cursor(c) => c.parse().unwrap_or_default(),
            };
            match end_time {
                Some(end) if end > sent || end_of_stream => {
                    self.position = ExportStart::Cursor(end.max(sent).to_string());
                }
                Some(_) => return Err(stuck("end_time did not advance")),
                None if end_of_stream => self.position = ExportStart::Cursor(sent.to_string()),
                None => return Err(stuck("no end_time before the end of the stream")),
            }
            let body = &response.body;
            let keys: Vec<Option<String>> = item_slices(body, &item_ranges).map(item_key).collect();
            let mut kept = Vec::with_capacity(item_ranges.len());
            for (range, key) in item_ranges.into_iter().zip(&keys) {
                let repeated = key
                    .as_ref()
                    .is_some_and(|k| self.recent_keys.iter().any(|seen| seen.contains(k)));
                if !repeated {
                    kept.push(range);
                }
            }
            item_ranges = kept;
            self.recent_keys.rotate_left(1);
            self.recent_keys[1] = keys.into_iter().flatten().collect();
        }
        self.done = end_of_stream;
        Ok(ExportPage {
            item_ranges,
            cursor: self.cursor(),
            end_of_stream,
            response,
        })
    }
}

impl Iterator for IncrementalExport {
    type Item = Result<ExportPage>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_page().transpose()
    }
}

impl Client {
    /// An incremental export of `resource`; see [`IncrementalExport`].
    pub fn incremental(
        &self,
        resource: &str,
        start: ExportStart,
        per_page: u32,
    ) -> Result<IncrementalExport> {
        IncrementalExport::new(self, resource, start, per_page)
    }
}
