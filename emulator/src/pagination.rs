//! Zendesk's two pagination styles over a [`Collection`]: cursor and offset.

use crate::app::Req;
use crate::http::Resp;
use crate::store::Collection;
use crate::util::{decode_cursor, encode_cursor};
use serde_json::{Map, Value, json};

/// Offset pagination stops here: `page * per_page` beyond 10,000 records is refused.
pub const MAX_OFFSET_DEPTH: u64 = 10_000;

/// Encodes an id cursor.
pub fn id_cursor(id: u64) -> String {
    encode_cursor(&format!("id:{id}"))
}

/// Decodes an id cursor, or answers 400.
pub fn parse_id_cursor(s: &str) -> Result<u64, Resp> {
    decode_cursor(s)
        .and_then(|c| c.strip_prefix("id:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| {
            Resp::errors_list(
                400,
                "InvalidPaginationParameter",
                "Invalid pagination parameter",
                "page[after] / page[before] is not a valid cursor",
            )
        })
}

/// The offset paging parameters: `page` (from 1) and `per_page` (1 to 100, default
/// 100); anything unreadable falls back to the default, as Zendesk does.
pub fn offset_params(req: &Req) -> (u64, u64) {
    let number = |name: &str| {
        req.q(name)
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p >= 1)
    };
    (
        number("page").unwrap_or(1),
        number("per_page").unwrap_or(100).min(100),
    )
}

/// Whether the request asks for cursor pagination.
pub fn wants_cursor(req: &Req) -> bool {
    req.query.iter().any(|(k, _)| k.starts_with("page["))
}

/// `page[size]`, defaulting to 100 and capped at `max`.
pub fn page_size(req: &Req, max: u64) -> Result<usize, Resp> {
    match req.q("page[size]") {
        None | Some("") => Ok(max.min(100) as usize),
        Some(s) => match s.parse::<u64>() {
            Ok(n) if (1..=max).contains(&n) => Ok(n as usize),
            _ => Err(Resp::errors_list(
                400,
                "InvalidPaginationParameter",
                "Invalid pagination parameter",
                &format!("page[size] must be an integer between 1 and {max}"),
            )),
        },
    }
}

/// Query pairs of the request minus the pagination ones, for building links.
pub fn carry_params(req: &Req) -> Vec<(&str, String)> {
    req.query
        .iter()
        .filter(|(k, _)| !k.starts_with("page") && k != "per_page")
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect()
}

/// Builds a cursor page answer: `{key: items, meta: {...}, links: {...}}`.
/// `links.next` is a URL even on the last page, as on Zendesk Support.
pub fn cursor_answer(
    req: &Req,
    key: &str,
    items: Vec<Value>,
    first: Option<u64>,
    last: Option<u64>,
    has_more: bool,
    size: usize,
) -> Map<String, Value> {
    let after = last.map(id_cursor);
    let before = first.map(id_cursor);
    let mk = |k: &str, c: &Option<String>| {
        let mut p = carry_params(req);
        p.push(("page[size]", size.to_string()));
        p.push((k, c.clone().unwrap_or_default()));
        req.url(&format!("{}.json", req.path), &p)
    };
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(items));
    m.insert(
        "meta".into(),
        json!({"has_more": has_more, "after_cursor": after, "before_cursor": before}),
    );
    m.insert(
        "links".into(),
        json!({"next": mk("page[after]", &after), "prev": mk("page[before]", &before)}),
    );
    m
}

/// Lists `coll` with whichever pagination the request asks for; `render` turns an id into
/// its JSON. `extra` may add side-loads to the answer.
pub fn list(
    req: &Req,
    coll: &Collection,
    key: &str,
    render: impl Fn(u64) -> Option<Value>,
) -> Result<Map<String, Value>, Resp> {
    if wants_cursor(req) {
        let size = page_size(req, 100)?;
        let (ids, more) = if let Some(b) = req.q("page[before]").filter(|s| !s.is_empty()) {
            coll.ids_before(parse_id_cursor(b)?, size)
        } else {
            let after = match req.q("page[after]").filter(|s| !s.is_empty()) {
                Some(a) => parse_id_cursor(a)?,
                None => 0,
            };
            coll.ids_after(after, size)
        };
        let items: Vec<Value> = ids.iter().filter_map(|id| render(*id)).collect();
        // `has_more` speaks of the direction of travel (older pages for page[before]).
        return Ok(cursor_answer(
            req,
            key,
            items,
            ids.first().copied(),
            ids.last().copied(),
            more,
            size,
        ));
    }
    let (page, per_page) = offset_params(req);
    let offset = (page - 1) * per_page;
    if offset >= MAX_OFFSET_DEPTH {
        return Err(Resp::errors_list(
            400,
            "InvalidPaginationDepth",
            "Invalid pagination depth",
            "Offset pagination is limited to the first 10000 records. Please use cursor pagination (page[size]) instead.",
        ));
    }
    let count = coll.count();
    let ids = match coll.nth_id(offset) {
        Some(first) => {
            let mut ids = vec![first];
            ids.extend(coll.ids_after(first, per_page as usize - 1).0);
            ids
        }
        None => Vec::new(),
    };
    let items: Vec<Value> = ids.iter().filter_map(|id| render(*id)).collect();
    Ok(offset_answer(req, key, items, page, per_page, count))
}

/// Builds an offset page answer with `next_page`, `previous_page` and `count`.
pub fn offset_answer(
    req: &Req,
    key: &str,
    items: Vec<Value>,
    page: u64,
    per_page: u64,
    count: u64,
) -> Map<String, Value> {
    let link = |p: u64| {
        let mut q = carry_params(req);
        q.push(("page", p.to_string()));
        q.push(("per_page", per_page.to_string()));
        Value::String(req.url(&format!("{}.json", req.path), &q))
    };
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(items));
    m.insert(
        "next_page".into(),
        if page * per_page < count {
            link(page + 1)
        } else {
            Value::Null
        },
    );
    m.insert(
        "previous_page".into(),
        if page > 1 {
            link(page - 1)
        } else {
            Value::Null
        },
    );
    m.insert("count".into(), json!(count));
    m
}

/// Lists the live ids of `coll` that `keep` accepts, with whichever pagination the request
/// asks for (a scan: `keep` should be cheap on seeded ids).
pub fn filtered(
    req: &Req,
    coll: &Collection,
    key: &str,
    keep: impl Fn(u64) -> bool,
    render: impl Fn(u64) -> Option<Value>,
) -> Result<Map<String, Value>, Resp> {
    let step = |from: u64, forward: bool| -> Option<u64> {
        let mut cur = from;
        loop {
            let (ids, _) = if forward {
                coll.ids_after(cur, 1)
            } else {
                coll.ids_before(cur, 1)
            };
            cur = *ids.first()?;
            if keep(cur) {
                return Some(cur);
            }
        }
    };
    if wants_cursor(req) {
        let size = page_size(req, 100)?;
        let backward = req.q("page[before]").filter(|s| !s.is_empty());
        let mut cur = match (backward, req.q("page[after]").filter(|s| !s.is_empty())) {
            (Some(b), _) => parse_id_cursor(b)?,
            (None, Some(a)) => parse_id_cursor(a)?,
            (None, None) => 0,
        };
        let mut ids = Vec::with_capacity(size);
        let mut more = false;
        while let Some(id) = step(cur, backward.is_none()) {
            if ids.len() == size {
                more = true;
                break;
            }
            ids.push(id);
            cur = id;
        }
        if backward.is_some() {
            ids.reverse();
        }
        let items = ids.iter().filter_map(|id| render(*id)).collect();
        return Ok(cursor_answer(
            req,
            key,
            items,
            ids.first().copied(),
            ids.last().copied(),
            more,
            size,
        ));
    }
    let (page, per_page) = offset_params(req);
    let offset = (page - 1) * per_page;
    let mut count = 0u64;
    let mut ids = Vec::new();
    let mut cur = 0;
    while let Some(id) = step(cur, true) {
        if count >= offset && (ids.len() as u64) < per_page {
            ids.push(id);
        }
        count += 1;
        cur = id;
    }
    let items = ids.iter().filter_map(|id| render(*id)).collect();
    Ok(offset_answer(req, key, items, page, per_page, count))
}

/// The first live id of `coll` that `keep` accepts.
pub fn first_where(coll: &Collection, keep: impl Fn(u64) -> bool) -> Option<u64> {
    let mut cur = 0;
    loop {
        let (ids, _) = coll.ids_after(cur, 1);
        cur = *ids.first()?;
        if keep(cur) {
            return Some(cur);
        }
    }
}

/// Pages an in-memory list of records (ascending `id`) with whichever pagination the
/// request asks for.
pub fn list_values(req: &Req, key: &str, items: Vec<Value>) -> Result<Map<String, Value>, Resp> {
    let id_of = |v: &Value| v.get("id").and_then(Value::as_u64).unwrap_or(0);
    if wants_cursor(req) {
        let size = page_size(req, 100)?;
        let (page, more): (Vec<Value>, bool) =
            if let Some(b) = req.q("page[before]").filter(|s| !s.is_empty()) {
                let before = parse_id_cursor(b)?;
                let older: Vec<Value> = items.into_iter().filter(|v| id_of(v) < before).collect();
                let skip = older.len().saturating_sub(size);
                (older[skip..].to_vec(), skip > 0)
            } else {
                let after = match req.q("page[after]").filter(|s| !s.is_empty()) {
                    Some(a) => parse_id_cursor(a)?,
                    None => 0,
                };
                let newer: Vec<Value> = items.into_iter().filter(|v| id_of(v) > after).collect();
                let more = newer.len() > size;
                (newer.into_iter().take(size).collect(), more)
            };
        let first = page.first().map(id_of);
        let last = page.last().map(id_of);
        return Ok(cursor_answer(req, key, page, first, last, more, size));
    }
    let (page, per_page) = offset_params(req);
    let count = items.len() as u64;
    let start = ((page - 1) * per_page).min(count) as usize;
    let slice = items
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    Ok(offset_answer(req, key, slice, page, per_page, count))
}
