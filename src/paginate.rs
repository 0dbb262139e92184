//! Pagination: one lazy loop over Zendesk's three paging styles, one page in memory.
//!
//! - Cursor (Support): `page[size]`, then `page[after]=meta.after_cursor`; stops on
//!   `meta.has_more == false` — `links.next` is still a URL on the last page.
//! - Help Center: `links.next` (absent on the last page) or a `Link: <…>; rel="next"`
//!   header.
//! - Offset: `next_page` (a URL, or null on the last page).
//!
//! A cursor or next URL that does not change raises instead of looping forever.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::page_scan::{Checking, Field, PageScan};
use crate::request::Request;
use crate::response::Response;
use serde_json::Value;
use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::ops::Range;

/// Default page size of cursor pagination.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Keys of a list answer that are never the items: the paging fields.
const NOT_ITEMS: [&str; 7] = crate::page_scan::PAGING_KEYS;

/// One page of a paginated answer: the response, untouched, and where its items are.
/// No JSON tree is built: [`Page::item_bytes`] hands out each item's bytes and
/// [`Page::items`] parses them into `serde_json::Value`s on demand.
#[derive(Debug, Clone)]
pub struct Page {
    /// The HTTP response (its body is the raw page, as the server sent it).
    pub response: Response,
    /// The key holding the items (`tickets`, `users`, `results`, …), when found.
    pub items_key: Option<String>,
    /// Whether another page follows.
    pub has_more: bool,
    /// The cursor to resume after this page (`meta.after_cursor`), when given.
    pub after_cursor: Option<String>,
    /// The byte range of each item in `response.body`.
    pub item_ranges: Vec<Range<usize>>,
    /// The top-level `count` (the true total of a search), when the page has one.
    pub count: Option<u64>,
}

/// The item methods of a page type with `response` and `item_ranges` fields.
macro_rules! raw_item_methods {
    ($what:literal) => {
        #[doc = concat!("The number of items ", $what, ".")]
        pub fn item_count(&self) -> usize {
            self.item_ranges.len()
        }

        #[doc = concat!("The JSON text of each item ", $what, ", exactly as the server sent it.")]
        pub fn item_bytes(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
            $crate::paginate::item_slices(&self.response.body, &self.item_ranges)
        }

        #[doc = concat!("The items ", $what, " parsed into `serde_json::Value`s (on demand).")]
        pub fn items(&self) -> $crate::Result<Vec<serde_json::Value>> {
            $crate::paginate::decode_items(&self.response, &self.item_ranges)
        }

        #[doc = concat!("The items ", $what, " as JSON Lines: each item's bytes on one line, ")]
        /// ending in `\n`, copied from the page without parsing them again.
        pub fn json_lines(&self) -> Vec<u8> {
            $crate::paginate::json_lines(&self.response.body, &self.item_ranges)
        }
    };
}
pub(crate) use raw_item_methods;

impl Page {
    raw_item_methods!("on this page");

    /// Takes the items out of the page (see [`Page::items`]).
    pub fn into_items(self) -> Result<Vec<Value>> {
        self.items()
    }

    /// The whole page parsed as a `serde_json::Value` (built on demand).
    pub fn raw(&self) -> Result<Value> {
        self.response.json()
    }
}

/// The slices of `body` at `ranges`.
pub(crate) fn item_slices<'a>(
    body: &'a [u8],
    ranges: &'a [Range<usize>],
) -> impl ExactSizeIterator<Item = &'a [u8]> + 'a {
    ranges.iter().map(move |range| &body[range.clone()])
}

/// Parses the items of `response` at `ranges` into `Value`s. An item serde_json's
/// `Value` refuses (nesting deeper than 128, a number beyond the float range) fails
/// with a decode error.
pub(crate) fn decode_items(response: &Response, ranges: &[Range<usize>]) -> Result<Vec<Value>> {
    item_slices(&response.body, ranges)
        .map(|bytes| {
            serde_json::from_slice(bytes).map_err(|e| {
                Error::new(
                    ErrorKind::Decode,
                    format!("an item of the page cannot be read as JSON: {e}"),
                )
                .with_source(e)
                .with_response_context(response)
            })
        })
        .collect()
}

/// The items of `body` at `ranges` as JSON Lines, copied byte for byte. A line break
/// inside an item can only be whitespace between tokens (JSON strings cannot hold a
/// raw one), so it becomes a space and every item stays on its own line.
pub(crate) fn json_lines(body: &[u8], ranges: &[Range<usize>]) -> Vec<u8> {
    let total: usize = ranges.iter().map(|r| r.len() + 1).sum();
    let mut out = Vec::with_capacity(total);
    for item in item_slices(body, ranges) {
        let start = out.len();
        out.extend_from_slice(item);
        if memchr::memchr2(b'\n', b'\r', item).is_some() {
            for byte in &mut out[start..] {
                if matches!(*byte, b'\n' | b'\r') {
                    *byte = b' ';
                }
            }
        }
        out.push(b'\n');
    }
    out
}

/// Writes the items of `body` at `ranges` to `out` as JSON Lines, the bytes
/// [`json_lines`] makes, and returns how many were written. When the items follow one
/// another separated by single commas (as Zendesk sends them), the lines are made in
/// place — each comma, and the byte after the last item, becomes a line break — and
/// written in one piece with no copy; otherwise they are copied first. `body` is
/// changed either way only between and inside the ranges (line breaks in items become
/// spaces).
pub(crate) fn write_json_lines(
    body: &mut [u8],
    ranges: &[Range<usize>],
    out: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    let (Some(first), Some(last)) = (ranges.first(), ranges.last()) else {
        return Ok(0);
    };
    let adjacent = ranges
        .windows(2)
        .all(|pair| pair[0].end + 1 == pair[1].start && body[pair[0].end] == b',');
    if !adjacent || last.end >= body.len() {
        let lines = json_lines(body, ranges);
        out.write_all(&lines)?;
        return Ok(lines.len() as u64);
    }
    let span = first.start..last.end + 1;
    let mut from = first.start;
    while let Some(at) = memchr::memchr2(b'\n', b'\r', &body[from..last.end]) {
        body[from + at] = b' ';
        from += at + 1;
    }
    for range in ranges {
        body[range.end] = b'\n';
    }
    out.write_all(&body[span.clone()])?;
    Ok(span.len() as u64)
}

/// The key of the items in a list answer: the resource named by the path's last
/// meaningful segment when present (`/api/v2/tickets.json` → `tickets`), else
/// `results` (search), else the only array-valued key. The paging fields (`meta`,
/// `links`, `next_page`, `count`, …) are never the items.
pub fn find_items_key(path: &str, page: &Value) -> Option<String> {
    let object = page.as_object()?;
    let is_list =
        |key: &str| !NOT_ITEMS.contains(&key) && object.get(key).is_some_and(Value::is_array);
    choose_items_key(
        path,
        is_list,
        object
            .iter()
            .filter(|(_, value)| value.is_array())
            .map(|(key, _)| key.as_str()),
    )
}

/// The resource a list path names (its last segment that is not an id, `cursor`,
/// `export` or `show_many`, without `.json`).
fn resource_of(path: &str) -> Option<&str> {
    path.trim_end_matches('/')
        .rsplit('/')
        .map(|segment| segment.trim_end_matches(".json"))
        .find(|segment| {
            !segment.is_empty()
                && !segment.chars().all(|c| c.is_ascii_digit())
                && !matches!(*segment, "cursor" | "export" | "show_many")
        })
}

/// [`find_items_key`] over any page representation: `is_list(key)` tells whether a
/// key holds an array, `array_keys` lists those that do.
fn choose_items_key<'k>(
    path: &str,
    is_list: impl Fn(&str) -> bool,
    array_keys: impl Iterator<Item = &'k str>,
) -> Option<String> {
    if let Some(name) = resource_of(path).filter(|name| is_list(name)) {
        return Some(name.to_owned());
    }
    if is_list("results") {
        return Some("results".to_owned());
    }
    let mut lists = array_keys.filter(|key| !NOT_ITEMS.contains(key));
    match (lists.next(), lists.next()) {
        (Some(key), None) => Some(key.to_owned()),
        _ => None,
    }
}

/// The items of a scanned page: the key that holds them (see [`find_items_key`]) and
/// their byte ranges. A page whose path names its items (`/tickets.json`) but holds
/// something else than an array under that key is refused.
pub(crate) fn scanned_items(
    path: &str,
    scan: &mut PageScan,
) -> std::result::Result<(Option<String>, Vec<Range<usize>>), String> {
    if let Some(name) = resource_of(path).filter(|name| !NOT_ITEMS.contains(name)) {
        if let Some(None) = scan.array(name) {
            return Err(format!("the page's `{name}` is not an array"));
        }
    }
    let key = choose_items_key(
        path,
        |key| matches!(scan.array(key), Some(Some(_))),
        scan.array_keys(),
    );
    let ranges = key
        .as_deref()
        .and_then(|key| scan.keys.iter_mut().find(|(name, _)| name == key))
        .and_then(|(_, ranges)| ranges.take())
        .unwrap_or_default();
    Ok((key, ranges))
}

/// Scans a page's body (see [`PageScan`]), checking it as `checking` says; a body
/// that is not JSON is a decode error.
pub(crate) fn scan_page(response: &Response, checking: Checking) -> Result<PageScan> {
    PageScan::scan_with(&response.body, checking).map_err(|e| malformed(response, &e.0))
}

/// A decode error about a malformed page.
pub(crate) fn malformed(response: &Response, what: &str) -> Error {
    Error::new(ErrorKind::Decode, what.to_owned())
        .with_response_context(response)
        .with_request("GET", &response.path)
}

/// Remembers every cursor or next-page URL of one walk, so a server that leads the
/// walk in a circle (A → B → A) is caught, not only one that repeats the last page.
/// Keeps a 64-bit keyed hash per page, not the cursors themselves.
#[derive(Debug, Default)]
pub(crate) struct SeenMarkers {
    hashes: HashSet<u64>,
    keys: RandomState,
}

impl SeenMarkers {
    /// Records `marker`; false when it was seen before in this walk.
    pub(crate) fn first_time(&mut self, marker: &str) -> bool {
        self.hashes.insert(self.keys.hash_one(marker))
    }
}

/// A lazy walk over the pages of a list endpoint.
pub struct Pager {
    pub(crate) client: Client,
    path: String,
    query: Vec<(String, String)>,
    next: Option<Next>,
    seen: SeenMarkers,
    pages: u64,
    checking: Checking,
}

enum Next {
    /// The first request.
    First,
    /// The next request carries `page[after]=cursor`.
    Cursor(String),
    /// The next request is this full URL.
    Url(String),
}

impl std::fmt::Debug for Pager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager")
            .field("path", &self.path)
            .field("pages", &self.pages)
            .field("done", &self.next.is_none())
            .finish()
    }
}

fn has_param(query: &[(String, String)], name: &str) -> bool {
    query.iter().any(|(n, _)| n == name)
}

impl Pager {
    /// A pager over `path` (which may carry a query string) with extra `query`
    /// parameters. `page_size` is sent as `page[size]` unless the caller chose a
    /// paging parameter (`page[size]`, `per_page` or `page`) or passes 0.
    pub fn new(
        client: &Client,
        path: &str,
        mut query: Vec<(String, String)>,
        page_size: u32,
    ) -> Pager {
        let chosen = ["page[size]", "per_page", "page"].iter().any(|p| {
            has_param(&query, p)
                || path.contains(&format!("{p}="))
                || path.contains(&format!("{}=", p.replace('[', "%5B").replace(']', "%5D")))
        });
        if !chosen && page_size > 0 {
            query.push(("page[size]".to_owned(), page_size.to_string()));
        }
        Pager {
            client: client.clone(),
            path: path.to_owned(),
            query,
            next: Some(Next::First),
            seen: SeenMarkers::default(),
            pages: 0,
            checking: Checking::Full,
        }
    }

    /// How much of each page is checked to be JSON (default [`Checking::Full`]).
    /// With [`Checking::Structure`] the items are only followed by their structure:
    /// [`Page::items`] still parses (and so checks) them, but [`Page::item_bytes`] may
    /// then hand out an item that is not valid JSON. With [`Checking::Bounds`] the
    /// items are not split at all: each [`Page`] has no items ([`Page::item_count`]
    /// is 0, [`Page::items`] empty) and only its bytes ([`Page::response`]) and paging
    /// fields are of use — for a caller that parses the page itself, as the C pager.
    pub fn set_checking(&mut self, checking: Checking) {
        self.checking = checking;
    }

    /// Continues with another handle on the client (for example one with a
    /// cancel check, [`Client::with_cancel`]).
    pub fn set_client(&mut self, client: Client) {
        self.client = client;
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.pages
    }

    /// True once the last page was returned.
    pub fn is_done(&self) -> bool {
        self.next.is_none()
    }

    /// Fetches the next page, or `None` after the last one: the request step
    /// ([`Pager::next_request`]), the call, then the accept step ([`Pager::accept_page`]).
    /// After a failed request the pager keeps its position (the caller may try again).
    pub fn next_page(&mut self) -> Result<Option<Page>> {
        let Some(request) = self.next_request() else {
            return Ok(None);
        };
        let response = self.client.send(&request)?;
        self.accept_page(response).map(Some)
    }

    /// The request for the next page, or `None` after the last one. Nothing moves
    /// until [`Pager::accept_page`] takes its answer, so a failed request can be sent
    /// again. Callers that send requests themselves (the async client) pair the two.
    pub fn next_request(&self) -> Option<Request> {
        let request = match self.next.as_ref()? {
            Next::First => {
                let mut request = Request::get(&self.path);
                request.query = self.query.clone();
                request
            }
            Next::Cursor(cursor) => {
                let mut request = Request::get(&self.path);
                request.query = self
                    .query
                    .iter()
                    .filter(|(n, _)| n != "page[after]" && n != "page[before]")
                    .cloned()
                    .collect();
                request
                    .query
                    .push(("page[after]".to_owned(), cursor.clone()));
                request
            }
            Next::Url(url) => Request::get(url),
        };
        Some(request)
    }

    /// Takes the 2xx answer to the request of [`Pager::next_request`]: scans the
    /// page and moves to the next one. An answer that cannot be read, or a page that
    /// leads back to one already fetched, ends the walk with an error.
    pub fn accept_page(&mut self, response: Response) -> Result<Page> {
        self.next = None;
        let mut scan = scan_page(&response, self.checking)?;
        let (items_key, item_ranges) =
            scanned_items(&response.path, &mut scan).map_err(|e| malformed(&response, &e))?;
        let (has_more, after_cursor, following) =
            follow(&response, &scan).map_err(|e| malformed(&response, &e))?;
        self.pages += 1;
        if let Some(marker) = following.as_ref().map(|n| match n {
            Next::Cursor(c) => format!("cursor:{c}"),
            Next::Url(u) => format!("url:{u}"),
            Next::First => String::new(),
        }) {
            if !self.seen.first_time(&marker) {
                return Err(Error::new(
                    ErrorKind::Decode,
                    format!(
                        "pagination of {} is stuck: the next page is one already fetched \
                         (a cursor or URL came back); stopping instead of looping",
                        response.path
                    ),
                )
                .with_request("GET", &response.path));
            }
        }
        self.next = following;
        Ok(Page {
            count: scan.count.value().copied(),
            response,
            items_key,
            has_more,
            after_cursor,
            item_ranges,
        })
    }
}

/// Reads the paging style of a page: whether more follow, the cursor, and how to ask
/// for the next page. When more follow, the way to get them is always known. Paging
/// fields of the wrong type (`has_more: "yes"`, a numeric cursor) are refused rather
/// than guessed at: guessing could end a walk early and lose data quietly.
fn follow(
    response: &Response,
    scan: &PageScan,
) -> std::result::Result<(bool, Option<String>, Option<Next>), String> {
    let text = |field: &Field<String>, name: &str| match field {
        Field::Is(text) if !text.is_empty() => Ok(Some(text.clone())),
        Field::Wrong => Err(format!("the page's {name} is not a string")),
        _ => Ok(None),
    };
    if let Some(meta) = scan.meta.as_ref().filter(|m| m.has_more.is_present()) {
        let has_more = match meta.has_more {
            Field::Is(flag) => flag,
            Field::Null => false,
            _ => return Err("the page's meta.has_more is not a boolean".to_owned()),
        };
        let cursor = text(&meta.after_cursor, "meta.after_cursor")?;
        let next = match (&cursor, has_more) {
            (Some(cursor), true) => Some(Next::Cursor(cursor.clone())),
            (None, true) => text(&scan.links_next, "links.next")?.map(Next::Url),
            _ => None,
        };
        return Ok((next.is_some(), cursor, next));
    }
    if scan.next_page.is_present() {
        let next = text(&scan.next_page, "next_page")?.map(Next::Url);
        return Ok((next.is_some(), None, next));
    }
    if let Some(next) = text(&scan.links_next, "links.next")? {
        return Ok((true, None, Some(Next::Url(next))));
    }
    if let Some(next) = link_header_next(response) {
        return Ok((true, None, Some(Next::Url(next))));
    }
    Ok((false, None, None))
}

/// The `rel="next"` target of a response's `Link` headers.
fn link_header_next(response: &Response) -> Option<String> {
    response.headers.get_all("link").find_map(parse_link_next)
}

/// The target of the first link with relation `next` in a `Link` header value
/// (RFC 8288): `<https://…/x?a=1,2>; rel="next", <…>; rel="prev"`. Targets are
/// delimited by `<…>`, so commas and semicolons inside them are kept; parameter values
/// may be tokens or quoted strings (with `\` escapes); `rel` may list several
/// relation types. Malformed input gives `None`, never a panic.
pub fn parse_link_next(value: &str) -> Option<String> {
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_ascii_whitespace());
        let after_open = rest.strip_prefix('<')?;
        let close = after_open.find('>')?;
        let target = &after_open[..close];
        rest = &after_open[close + 1..];
        let mut is_next = false;
        // Parameters, up to the comma that ends this link-value.
        loop {
            rest = rest.trim_start();
            let Some(after_semicolon) = rest.strip_prefix(';') else {
                break;
            };
            let (name, value, remainder) = parse_link_param(after_semicolon);
            rest = remainder;
            if name.eq_ignore_ascii_case("rel")
                && value
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
            {
                is_next = true;
            }
        }
        if is_next {
            return Some(target.trim().to_owned());
        }
        // Skip anything malformed up to the next link-value.
        match rest.find(',') {
            Some(comma) => rest = &rest[comma..],
            None => return None,
        }
    }
}

/// One `name[=value]` parameter of a link-value: its name, its value (unquoted) and
/// the text after it.
fn parse_link_param(text: &str) -> (&str, String, &str) {
    let text = text.trim_start();
    let name_end = text
        .find(|c: char| matches!(c, '=' | ';' | ',') || c.is_ascii_whitespace())
        .unwrap_or(text.len());
    let name = &text[..name_end];
    let rest = text[name_end..].trim_start();
    let Some(rest) = rest.strip_prefix('=') else {
        return (name, String::new(), rest);
    };
    let rest = rest.trim_start();
    if let Some(quoted) = rest.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return (name, value, &quoted[i + 1..]),
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                c => value.push(c),
            }
        }
        return (name, value, ""); // unterminated: the rest was the value
    }
    let end = rest.find([';', ',']).unwrap_or(rest.len());
    (name, rest[..end].trim().to_owned(), &rest[end..])
}

impl Iterator for Pager {
    type Item = Result<Page>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_page().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_lines_written_in_place_are_the_copied_ones() {
        let pages: [&[u8]; 5] = [
            br#"{"tickets":[{"id":1},{"id":2,"s":"a,b"},[3]],"after_cursor":"x"}"#,
            b"{\"tickets\":[{\"id\":1,\n\"x\":2},\r\n{\"id\":2}]}",
            b"{\"tickets\":[{\"id\":1,\n\"x\":2},{\"id\":2\r}]}",
            br#"{"tickets":[]}"#,
            br#"{"tickets":[{"id":1}]}"#,
        ];
        for page in pages {
            let scan = PageScan::scan(page).unwrap();
            let ranges = scan.array("tickets").unwrap().unwrap().to_vec();
            for kept in [ranges.clone(), ranges.iter().skip(1).cloned().collect()] {
                let expected = json_lines(page, &kept);
                let mut body = page.to_vec();
                let mut out = Vec::new();
                let written = write_json_lines(&mut body, &kept, &mut out).unwrap();
                assert_eq!(out, expected, "{}", String::from_utf8_lossy(page));
                assert_eq!(written, out.len() as u64);
            }
        }
    }

    #[test]
    fn link_header_targets_keep_commas_and_semicolons() {
        assert_eq!(
            parse_link_next(r#"<https://x.test/a?ids=1,2;3>; rel="next""#).as_deref(),
            Some("https://x.test/a?ids=1,2;3")
        );
        assert_eq!(
            parse_link_next(
                r#"<https://x.test/p>; rel="prev"; title="a, b; c", <https://x.test/n>; REL=next"#
            )
            .as_deref(),
            Some("https://x.test/n")
        );
        assert_eq!(
            parse_link_next(r#"<https://x.test/n>; rel="prev next""#).as_deref(),
            Some("https://x.test/n")
        );
        assert_eq!(parse_link_next(r#"<https://x.test/p>; rel="prev""#), None);
        assert_eq!(parse_link_next("garbage; rel=next"), None);
        assert_eq!(parse_link_next("<unterminated; rel=next"), None);
        assert_eq!(parse_link_next(r#"<a>; title="unterminated"#), None);
    }

    fn page_response(link: Option<&str>) -> Response {
        let pairs: Vec<(&str, &str)> = link.map(|l| ("Link", l)).into_iter().collect();
        crate::response::tests::response_with(&pairs)
    }

    /// Any JSON up to a few levels deep, with the paging keys likely to appear.
    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-z:/.?=&%0-9]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            let key = prop_oneof![
                Just("meta".to_owned()),
                Just("has_more".to_owned()),
                Just("after_cursor".to_owned()),
                Just("next_page".to_owned()),
                Just("links".to_owned()),
                Just("next".to_owned()),
                "[a-z]{1,6}",
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Paging metadata never panics, and "more follow" always comes with a way
        /// to fetch them.
        #[test]
        fn paging_metadata_is_consistent(raw in arbitrary_json(), link in proptest::option::of(".{0,40}")) {
            let scan = PageScan::scan(raw.to_string().as_bytes()).unwrap();
            let Ok((has_more, cursor, next)) = follow(&page_response(link.as_deref()), &scan) else {
                return Ok(());
            };
            proptest::prop_assert_eq!(has_more, next.is_some());
            if let Some(Next::Cursor(c)) = &next {
                proptest::prop_assert_eq!(Some(c), cursor.as_ref());
                proptest::prop_assert!(!c.is_empty());
            }
            let _ = find_items_key("/api/v2/tickets.json", &raw);
        }
    }

    #[test]
    fn seen_markers_catch_any_repeat() {
        let mut seen = SeenMarkers::default();
        assert!(seen.first_time("cursor:A"));
        assert!(seen.first_time("cursor:B"));
        assert!(!seen.first_time("cursor:A"));
    }

    #[test]
    fn items_key_from_path_results_or_only_list() {
        let page = json!({"tickets": [], "users": [], "meta": {}});
        assert_eq!(
            find_items_key("/api/v2/tickets.json", &page).as_deref(),
            Some("tickets")
        );
        assert_eq!(
            find_items_key("/api/v2/search", &json!({"results": [], "facets": null})).as_deref(),
            Some("results")
        );
        assert_eq!(
            find_items_key(
                "/api/v2/incremental/tickets/cursor",
                &json!({"tickets": []})
            )
            .as_deref(),
            Some("tickets")
        );
        assert_eq!(
            find_items_key(
                "/api/v2/tickets/5/comments",
                &json!({"comments": [], "users": []})
            )
            .as_deref(),
            Some("comments")
        );
        assert_eq!(
            find_items_key("/api/v2/x", &json!({"a": [], "b": []})),
            None
        );
    }

    /// A response to `GET path` with `body`.
    fn page_at(path: &str, body: &str) -> Response {
        let mut response = page_response(None);
        response.path = path.to_owned();
        response.body = body.as_bytes().to_vec();
        response
    }

    /// What the pager reads from one page: items (as text), has_more, cursor, next.
    fn read(
        path: &str,
        body: &str,
    ) -> std::result::Result<(Vec<String>, bool, Option<String>), String> {
        let response = page_at(path, body);
        let mut scan = scan_page(&response, Checking::Full).map_err(|e| e.to_string())?;
        let (_, ranges) = scanned_items(path, &mut scan)?;
        let (has_more, cursor, _) = follow(&response, &scan)?;
        let items = item_slices(&response.body, &ranges)
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
            .collect();
        Ok((items, has_more, cursor))
    }

    #[test]
    fn cursor_offset_and_links_pages_on_the_scan() {
        let cursor = r#"{"tickets":[{"id":1},{"id":2}],"meta":{"has_more":true,"after_cursor":"A"},"links":{"next":"https://x/n"}}"#;
        assert_eq!(
            read("/api/v2/tickets.json", cursor).unwrap(),
            (
                vec![r#"{"id":1}"#.to_owned(), r#"{"id":2}"#.to_owned()],
                true,
                Some("A".to_owned())
            )
        );
        let last = r#"{"tickets":[],"meta":{"has_more":false,"after_cursor":"B"},"links":{"next":"https://x/n"}}"#;
        assert!(
            !read("/api/v2/tickets.json", last).unwrap().1,
            "links.next is ignored"
        );
        let offset =
            r#"{"users":[{"id":1}],"next_page":"https://x/api/v2/users.json?page=2","count":3}"#;
        assert!(read("/api/v2/users.json", offset).unwrap().1);
        let offset_last = r#"{"users":[{"id":1}],"next_page":null}"#;
        assert!(!read("/api/v2/users.json", offset_last).unwrap().1);
        let help_center = r#"{"articles":[{"id":1}],"links":{"next":"https://x/hc?page=2"}}"#;
        assert!(
            read("/api/v2/help_center/articles.json", help_center)
                .unwrap()
                .1
        );
    }

    #[test]
    fn big_integers_keep_their_digits_in_item_bytes_and_json_lines() {
        let body = "{\"tickets\":[{\"id\":123456789012345678901234567890,\n \"x\":-0}],\"meta\":{\"has_more\":false}}";
        let (items, _, _) = read("/api/v2/tickets.json", body).unwrap();
        assert_eq!(
            items,
            ["{\"id\":123456789012345678901234567890,\n \"x\":-0}"]
        );
        let response = page_at("/api/v2/tickets.json", body);
        let mut scan = scan_page(&response, Checking::Full).unwrap();
        let (_, ranges) = scanned_items("/api/v2/tickets.json", &mut scan).unwrap();
        assert_eq!(
            json_lines(&response.body, &ranges),
            b"{\"id\":123456789012345678901234567890,  \"x\":-0}\n"
        );
    }

    #[test]
    fn hostile_pages_are_decode_errors() {
        for (path, body) in [
            (
                "/api/v2/tickets.json",
                r#"{"tickets":"x","meta":{"has_more":false}}"#,
            ),
            (
                "/api/v2/tickets.json",
                r#"{"tickets":[],"meta":{"has_more":"yes"}}"#,
            ),
            (
                "/api/v2/tickets.json",
                r#"{"tickets":[],"meta":{"has_more":true,"after_cursor":7}}"#,
            ),
            ("/api/v2/users.json", r#"{"users":[],"next_page":5}"#),
            ("/api/v2/tickets.json", r#"{"tickets":[{"id":1}"#),
            ("/api/v2/tickets.json", r#"{"tickets":[{"id":NaN}]}"#),
        ] {
            assert!(read(path, body).is_err(), "{body}");
        }
        let response = page_at("/api/v2/tickets.json", "{\"tickets\":[{\"id\":1}");
        assert_eq!(
            scan_page(&response, Checking::Full).unwrap_err().kind(),
            ErrorKind::Decode
        );
    }
}
