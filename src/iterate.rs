//! Walking lists: pages of a list endpoint ([`Pager`]), search results with
//! Zendesk's 1,000-result limit ([`SearchResults`]), search exports, and resumable
//! incremental exports ([`IncrementalExport`]). Each keeps one page in memory and
//! fails instead of looping when the server leads it in a circle.

pub use crate::incremental::{
    CURSOR_RESOURCES, DEFAULT_EXPORT_PAGE_SIZE, ExportPage, ExportStart, IncrementalExport,
};
pub use crate::paginate::{DEFAULT_PAGE_SIZE, Page, Pager, find_items_key, parse_link_next};
pub use crate::search::{SEARCH_LIMIT_CODE, SEARCH_RESULT_CAP, SearchPager, SearchResults};
