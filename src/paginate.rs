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
use crate::request::Request;
use crate::response::Response;
use serde_json::Value;
use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

/// Default page size of cursor pagination.
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// Keys of a list answer that are never the items.
const NOT_ITEMS: [&str; 2] = ["meta", "links"];

/// One page of a paginated answer.
#[derive(Debug, Clone)]
pub struct Page {
    /// The HTTP response (its body is the raw page).
    pub response: Response,
    /// The parsed page.
    pub raw: Value,
    /// The key holding the items (`tickets`, `users`, `results`, …), when found.
    pub items_key: Option<String>,
    /// Whether another page follows.
    pub has_more: bool,
    /// The cursor to resume after this page (`meta.after_cursor`), when given.
    pub after_cursor: Option<String>,
}

impl Page {
    /// The items of this page (empty when none were found).
    pub fn items(&self) -> &[Value] {
        self.items_key
            .as_deref()
            .and_then(|key| self.raw.get(key))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Takes the items out of the page.
    pub fn into_items(mut self) -> Vec<Value> {
        match self
            .items_key
            .as_deref()
            .and_then(|key| self.raw.get_mut(key))
        {
            Some(Value::Array(items)) => std::mem::take(items),
            _ => Vec::new(),
        }
    }
}

/// The key of the items in a list answer: the resource named by the path's last
/// meaningful segment when present (`/api/v2/tickets.json` → `tickets`), else
/// `results` (search), else the only array-valued key.
pub fn find_items_key(path: &str, page: &Value) -> Option<String> {
    let object = page.as_object()?;
    let is_list = |key: &str| object.get(key).is_some_and(Value::is_array);
    let from_path = path
        .trim_end_matches('/')
        .rsplit('/')
        .map(|segment| segment.trim_end_matches(".json"))
        .find(|segment| {
            !segment.is_empty()
                && !segment.chars().all(|c| c.is_ascii_digit())
                && !matches!(*segment, "cursor" | "export" | "show_many")
        });
    if let Some(name) = from_path.filter(|name| is_list(name)) {
        return Some(name.to_owned());
    }
    if is_list("results") {
        return Some("results".to_owned());
    }
    let mut lists = object
        .iter()
        .filter(|(key, value)| value.is_array() && !NOT_ITEMS.contains(&key.as_str()));
    match (lists.next(), lists.next()) {
        (Some((key, _)), None) => Some(key.clone()),
        _ => None,
    }
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
        }
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

    /// Takes the 2xx answer to the request of [`Pager::next_request`]: parses the
    /// page and moves to the next one. An answer that cannot be read, or a page that
    /// leads back to one already fetched, ends the walk with an error.
    pub fn accept_page(&mut self, response: Response) -> Result<Page> {
        self.next = None;
        let raw = response.json()?;
        self.pages += 1;
        let items_key = find_items_key(&response.path, &raw);
        let (has_more, after_cursor, following) = follow(&response, &raw);
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
            response,
            raw,
            items_key,
            has_more,
            after_cursor,
        })
    }
}

/// Reads the paging style of a page: whether more follow, the cursor, and how to ask
/// for the next page. When more follow, the way to get them is always known.
fn follow(response: &Response, raw: &Value) -> (bool, Option<String>, Option<Next>) {
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if let Some(meta) = raw.get("meta").filter(|m| m.get("has_more").is_some()) {
        let has_more = meta["has_more"].as_bool().unwrap_or(false);
        let cursor = text(meta.get("after_cursor"));
        let next = match (&cursor, has_more) {
            (Some(cursor), true) => Some(Next::Cursor(cursor.clone())),
            (None, true) => text(raw.pointer("/links/next")).map(Next::Url),
            _ => None,
        };
        return (next.is_some(), cursor, next);
    }
    if raw.get("next_page").is_some() {
        let next = text(raw.get("next_page")).map(Next::Url);
        return (next.is_some(), None, next);
    }
    if let Some(next) = text(raw.pointer("/links/next")) {
        return (true, None, Some(Next::Url(next)));
    }
    if let Some(next) = link_header_next(response) {
        return (true, None, Some(Next::Url(next)));
    }
    (false, None, None)
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
            let (has_more, cursor, next) = follow(&page_response(link.as_deref()), &raw);
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
}
