//! `zdk_pager` and `zdk_export`: lazy pagination and resumable incremental exports.

use super::boundary::{Out, arg, arg_mut, arg_opt_str, arg_str, free_arg, guard, guard_value, out};
use super::client::zdk_client;
use super::last_error::to_cstring;
use super::response::{deliver, zdk_response};
use super::result::zdk_result;
use crate::incremental::{ExportStart, IncrementalExport};
use crate::page_scan::Checking;
use crate::paginate::{Page, Pager};
use crate::search::SearchPager;
use std::ffi::{CString, c_char};
use std::ptr;

/// What a pager walks.
enum Walk {
    List(Pager),
    Search(SearchPager),
}

/// A lazy walk over the pages of a list endpoint (or a search). One page is in
/// memory at a time. Not thread-safe: use one pager from one thread at a time.
pub struct zdk_pager {
    walk: Walk,
    has_more: bool,
    after_cursor: Option<CString>,
}

/// Hands a new pager to C: C gets the bytes and parses the items itself. A list
/// pager only finds where each top-level array ends (`Checking::Bounds`); a search
/// pager counts the results it served (Zendesk serves at most 1,000), so it splits
/// the items and checks them by structure (`Checking::Structure`).
fn hand_out(mut walk: Walk, out: Out<*mut zdk_pager>) {
    match &mut walk {
        Walk::List(pager) => pager.set_checking(Checking::Bounds),
        Walk::Search(pager) => pager.set_checking(Checking::Structure),
    }
    out.put(zdk_pager {
        walk,
        has_more: true,
        after_cursor: None,
    });
}

/// Parses `a=1&b=x%20y` into decoded pairs (the pager encodes them again).
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| {
            url::form_urlencoded::parse(q.trim_start_matches('?').as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// ---- Pagination, search and incremental export ------------------------------
///
/// Creates a pager over `path` (`"/api/v2/tickets.json"`). `query` is NULL or an
/// URL-encoded query string without `?` (`"sort=-updated_at&include=users"`).
/// Cursor pagination with `page[size]=100` is used unless the query picks a paging
/// parameter (`page[size]`, `per_page`, `page`). The pager follows
/// `meta.after_cursor` and stops on `meta.has_more == false` (Support), follows
/// `next_page` (offset endpoints) and `links.next` / the `Link` header (Help
/// Center). A cursor that stops changing fails instead of looping.
///
/// On success `*out` owns the pager: free it with `zdk_pager_free`. The client must
/// outlive nothing: the pager keeps its own reference to the client's connections.
///
/// @param client the client (borrowed for the call; thread-safe). The pager holds its own
///     reference to the client's connections.
/// @param path the list endpoint's path; copied.
/// @param query an URL-encoded query string without `?`, or NULL; copied.
/// @param out receives the new pager, owned by the caller (free with `zdk_pager_free`);
///     written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_pager_new(
    client: *const zdk_client,
    path: *const c_char,
    query: *const c_char,
    out: *mut *mut zdk_pager,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let path = arg_str!(path)?;
        let query = arg_opt_str!(query)?;
        let out = out!(out)?;
        let pager = Pager::new(
            client.core(),
            path,
            query_pairs(query),
            crate::iterate::DEFAULT_PAGE_SIZE,
        );
        hand_out(Walk::List(pager), out);
        Ok(())
    })
}

/// Creates a pager over a search (`GET /api/v2/search?query=…`, 100 per page).
/// Zendesk serves at most 1,000 results: when the search matches more,
/// `zdk_pager_next` fails after them with `ZDK_ERR_VALIDATION` and
/// `zdk_last_error_zendesk_code()` = `"SearchResultLimit"` instead of ending
/// quietly — use `zdk_search_export_new` for such searches.
///
/// @param client the client (borrowed for the call; thread-safe).
/// @param query the search query, unencoded (`"type:ticket status:open"`); copied.
/// @param out receives the new pager, owned by the caller (free with `zdk_pager_free`);
///     written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_search_new(
    client: *const zdk_client,
    query: *const c_char,
    out: *mut *mut zdk_pager,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let query = arg_str!(query)?;
        let out = out!(out)?;
        let pages = client.core().search_pages(query, Vec::new());
        hand_out(Walk::Search(pages), out);
        Ok(())
    })
}

/// Creates a pager over a search export (`GET /api/v2/search/export`, cursor
/// paging, no cap). `result_type` is Zendesk's required `filter[type]`
/// (`"ticket"`, `"user"`, `"organization"`, `"group"`); `page_size` 1 to 1000
/// (else `ZDK_ERR_INVALID_ARGUMENT`).
///
/// @param client the client (borrowed for the call; thread-safe).
/// @param query the search query, unencoded; copied.
/// @param result_type the `filter[type]` value; copied.
/// @param page_size results per page, 1 to 1000.
/// @param out receives the new pager, owned by the caller (free with `zdk_pager_free`);
///     written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_search_export_new(
    client: *const zdk_client,
    query: *const c_char,
    result_type: *const c_char,
    page_size: u32,
    out: *mut *mut zdk_pager,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let query = arg_str!(query)?;
        let result_type = arg_str!(result_type)?;
        let out = out!(out)?;
        let pager = client.core().export_search(query, result_type, page_size)?;
        hand_out(Walk::List(pager), out);
        Ok(())
    })
}

/// Fetches the next page. `ZDK_OK` with `*out` set to the page's response (its body
/// is the page JSON; free it with `zdk_response_free`); `ZDK_DONE` after the last
/// page (`*out` not written); an error code otherwise (for an HTTP error `*out` is
/// set, as with `zdk_client_request`). After an error the same page may be asked
/// for again.
///
/// The page is checked as far as paging needs: its top-level object, keys, paging
/// fields and top-level values other than arrays are checked to be JSON (UTF-8
/// included); a truncated page, a wrong-typed paging field or an items key that is
/// not an array fails with `ZDK_ERR_DECODE`. Inside the items the JSON parser that
/// reads them does the checking:
///
/// - a pager from `zdk_pager_new` or `zdk_search_export_new` only finds where each
///   top-level array (the items) ends: it follows the strings (a quote after an odd
///   run of backslashes does not end one) and counts the brackets outside strings.
///   Nesting deeper than 127 levels (the page's own object included) and a page that
///   ends inside the array fail; the kinds of the brackets, the tokens, the
///   characters and UTF-8 inside the array are not checked.
/// - a pager from `zdk_search_new` counts the results (Zendesk serves at most
///   1,000), so it splits the items: each item that is an object or an array is
///   checked for its structure (strings, brackets of matching kinds, at most 127
///   levels of nesting in all), its characters (outside strings only JSON's, so `NaN`
///   fails; no control character inside strings) and UTF-8, but not for the order
///   of its tokens, the spelling of its literals and numbers, or its escapes; other
///   items are checked fully.
///
/// Example:
///
/// ```c
/// zdk_pager *pager = NULL;
/// zdk_response *page = NULL;
/// zdk_result rc = zdk_pager_new(client, "/api/v2/tickets.json", "page[size]=100", &pager);
/// while (rc == ZDK_OK && (rc = zdk_pager_next(pager, &page)) == ZDK_OK) {
///     size_t len = 0;
///     const uint8_t *json = zdk_response_body(page, &len);  // one page of tickets
///     printf("%zu bytes\n", len);
///     (void)json;
///     zdk_response_free(page);
///     page = NULL;
/// }
/// if (rc != ZDK_DONE) fprintf(stderr, "%s\n", zdk_last_error_message());
/// zdk_response_free(page);  // set when an HTTP error stopped the walk
/// zdk_pager_free(pager);
/// ```
///
/// @param pager the pager (one thread at a time).
/// @param out receives the page's response, owned by the caller (free with
///     `zdk_response_free`); set with `ZDK_OK` and for an HTTP error, not written
///     otherwise.
/// @return `ZDK_OK` with a page; `ZDK_DONE` after the last page; another code for a failure
///     (the thread's last error describes it).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_pager_next(
    pager: *mut zdk_pager,
    out: *mut *mut zdk_response,
) -> zdk_result {
    let mut done = false;
    let result = guard(|| {
        let pager = arg_mut!(pager)?;
        let out = out!(out)?;
        let next = match &mut pager.walk {
            Walk::List(p) => p.next_page(),
            Walk::Search(p) => p.next_page(),
        };
        match next {
            Ok(Some(page)) => {
                let Page {
                    response,
                    has_more,
                    after_cursor,
                    ..
                } = page;
                pager.has_more = has_more;
                pager.after_cursor = after_cursor.as_deref().map(to_cstring);
                out.put(zdk_response::new(response));
                Ok(())
            }
            Ok(None) => {
                pager.has_more = false;
                done = true;
                Ok(())
            }
            Err(error) => deliver(Err(error), out),
        }
    });
    if done && result == zdk_result::ZDK_OK {
        zdk_result::ZDK_DONE
    } else {
        result
    }
}

/// true when another page may follow (before the first page, and while
/// `meta.has_more` or a next link says so), false at the end or for NULL.
///
/// @param pager the pager, or NULL.
/// @return whether another page may follow.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_pager_has_more(pager: *const zdk_pager) -> bool {
    guard_value(false, || arg!(pager).is_ok_and(|p| p.has_more))
}

/// The `meta.after_cursor` of the last page, or NULL (offset endpoints, NULL
/// pager). Borrowed: valid until the next `zdk_pager_next` or `zdk_pager_free`.
///
/// @param pager the pager, or NULL.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_pager_after_cursor(pager: *const zdk_pager) -> *const c_char {
    guard_value(ptr::null(), || {
        arg!(pager)
            .ok()
            .and_then(|p| p.after_cursor.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// Frees a pager. NULL is a no-op.
///
/// @param pager the pager to free, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_pager_free(pager: *mut zdk_pager) {
    free_arg!(pager);
}

/// A resumable incremental export. Not thread-safe: one thread at a time.
pub struct zdk_export {
    export: IncrementalExport,
    cursor: Option<CString>,
}

/// Starts an incremental export of `resource` (`"tickets"`, `"users"` use Zendesk's
/// cursors; `"organizations"`, `"ticket_events"`, … are time-based, de-duplicated
/// across pages). Give `cursor` (a value saved from `zdk_export_cursor`) to resume,
/// with `start_time` 0, or NULL to start at `start_time` (Unix time, at least 60 s ago;
/// 0 = everything). A cursor and a non-zero `start_time` together fail with
/// `ZDK_ERR_INVALID_ARGUMENT`.
/// `per_page` 1 to 1000 (else `ZDK_ERR_INVALID_ARGUMENT`). A cursor or `end_time` that stops advancing fails with
/// `ZDK_ERR_DECODE` instead of looping.
///
/// On success `*out` owns the export: free it with `zdk_export_free`.
///
/// @param client the client (borrowed for the call; thread-safe).
/// @param resource the resource name (`"tickets"`, `"users"`, …); copied.
/// @param start_time Unix time to start from, or 0.
/// @param cursor a saved position from `zdk_export_cursor` to resume from, or NULL; copied.
/// @param per_page items per page, 1 to 1000.
/// @param out receives the new export, owned by the caller (free with `zdk_export_free`);
///     written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_export_new(
    client: *const zdk_client,
    resource: *const c_char,
    start_time: i64,
    cursor: *const c_char,
    per_page: u32,
    out: *mut *mut zdk_export,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let resource = arg_str!(resource)?;
        let cursor = arg_opt_str!(cursor)?;
        let out = out!(out)?;
        let start_time = (start_time != 0).then_some(start_time);
        let start = ExportStart::from_options(start_time, cursor.map(str::to_owned))?;
        let mut export = IncrementalExport::new(client.core(), resource, start, per_page)?;
        // As the pager: the items are handed over as bytes, for the caller to parse.
        export.set_checking(Checking::Structure);
        let cursor = export.cursor().as_deref().map(to_cstring);
        out.put(zdk_export { export, cursor });
        Ok(())
    })
}

/// How `zdk_export_next*` hand out a page's items.
#[derive(Clone, Copy)]
enum ItemsAs {
    /// A JSON array: `[item,item,…]`.
    Array,
    /// JSON Lines: `item\nitem\n…`.
    Lines,
}

/// The kept items of `page` in `form`, copied from the page bytes (never re-serialised).
fn export_body(page: &crate::incremental::ExportPage, form: ItemsAs) -> Vec<u8> {
    match form {
        ItemsAs::Lines => page.json_lines(),
        ItemsAs::Array => {
            let size: usize = page.item_ranges.iter().map(|r| r.len() + 1).sum();
            let mut body = Vec::with_capacity(size + 2);
            body.push(b'[');
            for (i, item) in page.item_bytes().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                body.extend_from_slice(item);
            }
            body.push(b']');
            body
        }
    }
}

/// One step of an export, its items handed out in `form`.
fn export_step(export: *mut zdk_export, out: *mut *mut zdk_response, form: ItemsAs) -> zdk_result {
    let mut done = false;
    let result = guard(|| {
        let export = arg_mut!(export)?;
        let out = out!(out)?;
        match export.export.next_page()? {
            Some(page) => {
                export.cursor = page.cursor.as_deref().map(to_cstring);
                // The raw page of a time-based export repeats items across pages, so the
                // body handed out holds the de-duplicated items, copied byte for byte.
                let body = export_body(&page, form);
                let mut response = page.response;
                response.body = body;
                out.put(zdk_response::new(response));
            }
            None => done = true,
        }
        Ok(())
    });
    if done && result == zdk_result::ZDK_OK {
        zdk_result::ZDK_DONE
    } else {
        result
    }
}

/// Fetches the next page of the export. `ZDK_OK` with `*out` set to a response whose
/// body is a JSON array of this page's items (de-duplicated; each item's bytes exactly
/// as the server sent them); `ZDK_DONE` after the page with `end_of_stream` (`*out` not
/// written). Read the position to resume from with `zdk_export_cursor` after each page.
///
/// Example:
///
/// ```c
/// zdk_export *export_ = NULL;
/// zdk_response *page = NULL;
/// const char *saved = NULL;  // a cursor saved by the previous run, or NULL
/// zdk_result rc = zdk_export_new(client, "tickets", saved ? 0 : 1700000000, saved, 1000, &export_);
/// while (rc == ZDK_OK && (rc = zdk_export_next(export_, &page)) == ZDK_OK) {
///     size_t len = 0;
///     zdk_response_body(page, &len);  // a JSON array of this page's tickets
///     zdk_response_free(page);
///     page = NULL;
///     printf("resume from %s\n", zdk_export_cursor(export_));  // save it after each page
/// }
/// if (rc != ZDK_DONE) fprintf(stderr, "%s\n", zdk_last_error_message());
/// zdk_response_free(page);
/// zdk_export_free(export_);
/// ```
///
/// @param export_ the export (one thread at a time).
/// @param out receives the page's response, owned by the caller (free with
///     `zdk_response_free`); set with `ZDK_OK` and for an HTTP error, not written
///     otherwise.
/// @return `ZDK_OK` with a page; `ZDK_DONE` at the end of the stream; another code for a
///     failure (the thread's last error describes it).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_export_next(
    export: *mut zdk_export,
    out: *mut *mut zdk_response,
) -> zdk_result {
    export_step(export, out, ItemsAs::Array)
}

/// Like `zdk_export_next`, but the body is JSON Lines: each item on its own line,
/// ending in `\n` (an empty body for a page with no items), ready to append to a
/// `.jsonl` file as it is. The items are copied from the page bytes, never parsed
/// and written again, so numbers and strings keep their exact text.
///
/// @param export_ the export (one thread at a time).
/// @param out receives the page's response, owned by the caller (free with
///     `zdk_response_free`); set with `ZDK_OK` and for an HTTP error, not written
///     otherwise.
/// @return `ZDK_OK` with a page; `ZDK_DONE` at the end of the stream; another code for a
///     failure (the thread's last error describes it).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_export_next_jsonl(
    export: *mut zdk_export,
    out: *mut *mut zdk_response,
) -> zdk_result {
    export_step(export, out, ItemsAs::Lines)
}

/// The position to resume from: the latest `after_cursor` (cursor-based) or the
/// next start time in decimal (time-based); valid after `ZDK_DONE` too, so saving it
/// lets the next run pick up exactly the changes since. NULL before the first page.
/// Borrowed: valid until the next `zdk_export_next` or `zdk_export_free`.
///
/// @param export_ the export, or NULL.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_export_cursor(export: *const zdk_export) -> *const c_char {
    guard_value(ptr::null(), || {
        arg!(export)
            .ok()
            .and_then(|e| e.cursor.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// Frees an export. NULL is a no-op.
///
/// @param export_ the export to free, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_export_free(export: *mut zdk_export) {
    free_arg!(export);
}
