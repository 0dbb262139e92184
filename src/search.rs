//! Search: `/api/v2/search` (offset paging, at most 1,000 results served) and the
//! uncapped `/api/v2/search/export` (cursor paging).
//!
//! Zendesk's search answers `count`, the true total, but serves only 1,000 results;
//! asking past them gives a 422. zdkit never truncates silently: when the total is
//! larger, iteration fails with a [`ErrorKind::Validation`] error whose code is
//! [`SEARCH_LIMIT_CODE`] and whose message names `export_search`.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::page_scan::Checking;
use crate::paginate::{Page, Pager};
use crate::request::Request;
use crate::response::Response;
use serde_json::Value;
use std::collections::VecDeque;

/// The most results `/api/v2/search` serves.
pub const SEARCH_RESULT_CAP: u64 = 1000;
/// The error code of the search-limit error.
pub const SEARCH_LIMIT_CODE: &str = "SearchResultLimit";

/// Pages of `/api/v2/search`, with the 1,000-result limit enforced.
#[derive(Debug)]
pub struct SearchPager {
    pager: Pager,
    served: u64,
    count: Option<u64>,
    finished: bool,
}

impl SearchPager {
    /// The true number of matches Zendesk reported (known after the first page).
    pub fn total_count(&self) -> Option<u64> {
        self.count
    }

    /// Continues with another handle on the client (for example one with a
    /// cancel check, [`Client::with_cancel`]).
    pub fn set_client(&mut self, client: Client) {
        self.pager.set_client(client);
    }

    /// How much of each page is checked to be JSON (see [`Pager::set_checking`]).
    /// A search counts the results it served (Zendesk serves at most 1,000), so
    /// [`Checking::Bounds`] (which does not split the items) is taken as
    /// [`Checking::Structure`].
    pub fn set_checking(&mut self, checking: Checking) {
        self.pager.set_checking(match checking {
            Checking::Bounds => Checking::Structure,
            other => other,
        });
    }

    /// The next page; after 1,000 results of a larger search, the
    /// [`SEARCH_LIMIT_CODE`] error; `None` at the end. The request step
    /// ([`SearchPager::next_request`]), the call, then the accept step
    /// ([`SearchPager::accept_page`]).
    pub fn next_page(&mut self) -> Result<Option<Page>> {
        let Some(request) = self.next_request()? else {
            return Ok(None);
        };
        // The pager keeps its position after a failed request (the caller may try
        // again) and ends after an error that a retry cannot cure.
        let response = self.pager.client.send(&request)?;
        self.accept_page(response).map(Some)
    }

    /// The request for the next page; `None` at the end; after 1,000 results of a
    /// larger search, the [`SEARCH_LIMIT_CODE`] error (and the end).
    pub fn next_request(&mut self) -> Result<Option<Request>> {
        if self.finished {
            return Ok(None);
        }
        if self.served >= SEARCH_RESULT_CAP && self.count.is_some_and(|c| c > self.served) {
            self.finished = true;
            let count = self.count.unwrap_or_default();
            return Err(Error::new(
                ErrorKind::Validation,
                format!(
                    "this search matches {count} results but Zendesk serves at most \
                     {SEARCH_RESULT_CAP}: use export_search (GET /api/v2/search/export) to read them all"
                ),
            )
            .with_code(SEARCH_LIMIT_CODE)
            .with_request("GET", "/api/v2/search.json"));
        }
        let request = self.pager.next_request();
        self.finished = request.is_none();
        Ok(request)
    }

    /// Takes the 2xx answer to the request of [`SearchPager::next_request`].
    pub fn accept_page(&mut self, response: Response) -> Result<Page> {
        let page = self.pager.accept_page(response)?;
        if self.count.is_none() {
            self.count = page.count;
        }
        self.served += page.item_count() as u64;
        Ok(page)
    }
}

/// Results of `/api/v2/search`, one page in memory.
#[derive(Debug)]
pub struct SearchResults {
    pages: SearchPager,
    buffer: VecDeque<Value>,
}

impl SearchResults {
    /// The true number of matches Zendesk reported (known after the first page).
    pub fn total_count(&self) -> Option<u64> {
        self.pages.total_count()
    }

    /// Continues with another handle on the client (for example one with a
    /// cancel check, [`Client::with_cancel`]).
    pub fn set_client(&mut self, client: Client) {
        self.pages.set_client(client);
    }

    /// The pages behind these results (results not yet yielded from the current
    /// page are dropped), for a caller that walks them a page at a time.
    pub fn into_pages(self) -> SearchPager {
        self.pages
    }
}

impl Iterator for SearchResults {
    type Item = Result<Value>;

    fn next(&mut self) -> Option<Result<Value>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Some(Ok(item));
            }
            match self.pages.next_page() {
                Ok(Some(page)) => match page.into_items() {
                    Ok(items) => self.buffer.extend(items),
                    Err(error) => return Some(Err(error)),
                },
                Ok(None) => return None,
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

impl Client {
    /// Searches (`GET /api/v2/search`) with a query passed through untouched
    /// (`type:ticket status:open tags:vip`) and extra parameters (`sort_by`, …).
    /// Yields results; more than 1,000 matches end in a [`SEARCH_LIMIT_CODE`] error.
    pub fn search(&self, query: &str, params: Vec<(String, String)>) -> SearchResults {
        SearchResults {
            pages: self.search_pages(query, params),
            buffer: VecDeque::new(),
        }
    }

    /// The pages of a search (see [`Client::search`]).
    pub fn search_pages(&self, query: &str, params: Vec<(String, String)>) -> SearchPager {
        let mut query_params = vec![("query".to_owned(), query.to_owned())];
        query_params.extend(params);
        if !query_params.iter().any(|(n, _)| n == "per_page") {
            query_params.push(("per_page".to_owned(), "100".to_owned()));
        }
        SearchPager {
            pager: Pager::new(self, "/api/v2/search.json", query_params, 0),
            served: 0,
            count: None,
            finished: false,
        }
    }

    /// Exports search results (`GET /api/v2/search/export`): cursor paging with no
    /// cap; `result_type` is Zendesk's required `filter[type]` (`ticket`, `user`,
    /// `organization`, `group`).
    /// `page_size` must be 1 to 1000.
    pub fn export_search(&self, query: &str, result_type: &str, page_size: u32) -> Result<Pager> {
        if !(1..=1000).contains(&page_size) {
            return Err(Error::invalid(format!(
                "the search export page size must be 1 to 1000, not {page_size}"
            )));
        }
        Ok(Pager::new(
            self,
            "/api/v2/search/export.json",
            vec![
                ("query".to_owned(), query.to_owned()),
                ("filter[type]".to_owned(), result_type.to_owned()),
            ],
            page_size,
        ))
    }
}
