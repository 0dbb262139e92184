//! Help Center's own pagination, which differs from Support's:
//!
//! - offset (`page`, `per_page` up to 100, default 30): the answer carries `page`,
//!   `per_page`, `page_count`, `count`, `next_page`/`previous_page` (URLs or null),
//!   `sort_by` and `sort_order`; `sort_by` is `position` (default), `title`,
//!   `created_at` or `updated_at`.
//! - cursor (`page[size]` up to 100, `page[after]`, `page[before]`): `meta.has_more`,
//!   `meta.after_cursor`, `meta.before_cursor`, and `links` in which `next` is ABSENT on
//!   the last page (Support keeps a URL there); a page that has a next one also sends
//!   `Link: <…>; rel="next"`. Sort parameters are ignored in cursor mode.

use crate::app::Req;
use crate::http::Resp;
use crate::pagination::{carry_params, id_cursor, page_size, parse_id_cursor, wants_cursor};
use serde_json::{Map, Value, json};
use std::cmp::Ordering;

/// Offset pages hold this many records unless `per_page` says otherwise.
pub const DEFAULT_PER_PAGE: u64 = 30;

fn id_of(v: &Value) -> u64 {
    v.get("id").and_then(Value::as_u64).unwrap_or(0)
}

/// A page of `items` (ascending id) as `{key: …}` plus Help Center's paging fields; the
/// `Link` header is set on cursor pages that have a next page. `extra` adds side-loads for
/// the page's items.
pub fn page(
    req: &Req,
    key: &str,
    items: Vec<Value>,
    extra: impl FnOnce(&[Value], &mut Map<String, Value>),
) -> Resp {
    let built = if wants_cursor(req) {
        cursor(req, key, items)
    } else {
        Ok((offset(req, key, items, DEFAULT_PER_PAGE), None))
    };
    match built {
        Ok((mut body, link)) => {
            let page_items = body
                .get(key)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            extra(&page_items, &mut body);
            let mut resp = Resp::json(200, &Value::Object(body));
            if let Some(next) = link {
                resp.set("link", &format!("<{next}>; rel=\"next\""));
            }
            resp
        }
        Err(r) => r,
    }
}

fn cursor(
    req: &Req,
    key: &str,
    items: Vec<Value>,
) -> Result<(Map<String, Value>, Option<String>), Resp> {
    let size = page_size(req, 100)?;
    let backward = req.q("page[before]").filter(|s| !s.is_empty());
    let chosen: Vec<Value> = if let Some(b) = backward {
        let before = parse_id_cursor(b)?;
        let older: Vec<Value> = items
            .iter()
            .filter(|v| id_of(v) < before)
            .cloned()
            .collect();
        let skip = older.len().saturating_sub(size);
        older[skip..].to_vec()
    } else {
        let after = match req.q("page[after]").filter(|s| !s.is_empty()) {
            Some(a) => parse_id_cursor(a)?,
            None => 0,
        };
        items
            .iter()
            .filter(|v| id_of(v) > after)
            .take(size)
            .cloned()
            .collect()
    };
    let first = chosen.first().map(id_of);
    let last = chosen.last().map(id_of);
    let has_next = last.is_some_and(|l| items.iter().any(|v| id_of(v) > l));
    let has_prev = first.is_some_and(|f| items.iter().any(|v| id_of(v) < f));
    let has_more = if backward.is_some() {
        has_prev
    } else {
        has_next
    };
    let link = |k: &str, c: Option<u64>| {
        let mut p = carry_params(req);
        p.push(("page[size]", size.to_string()));
        if let Some(c) = c {
            p.push((k, id_cursor(c)));
        }
        req.url(&format!("{}.json", req.path), &p)
    };
    let mut links = Map::new();
    links.insert("first".into(), json!(link("", None)));
    let next = has_next.then(|| link("page[after]", last));
    if let Some(n) = &next {
        links.insert("next".into(), json!(n));
    }
    if has_prev {
        links.insert("prev".into(), json!(link("page[before]", first)));
    }
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(chosen));
    m.insert(
        "meta".into(),
        json!({"has_more": has_more, "after_cursor": last.map(id_cursor),
            "before_cursor": first.map(id_cursor)}),
    );
    m.insert("links".into(), Value::Object(links));
    Ok((m, next))
}

/// The sort Help Center's offset pages apply: `sort_by` and `sort_order` as given when
/// valid, else `position` ascending (for which the records' id order stands: seeded ids
/// follow category, section and position).
fn sort(req: &Req, items: &mut [Value]) -> (&'static str, &'static str) {
    let by = match req.q("sort_by") {
        Some("title") => "title",
        Some("created_at") => "created_at",
        Some("updated_at") => "updated_at",
        _ => "position",
    };
    let desc = req.q("sort_order") == Some("desc");
    if by != "position" || desc {
        let field = |v: &Value| match v.get(if by == "title" { "name" } else { by }) {
            Some(Value::String(s)) if by == "title" => s.to_lowercase(),
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        items.sort_by(|a, b| {
            let o = if by == "position" {
                Ordering::Equal
            } else {
                field(a).cmp(&field(b))
            };
            let o = o.then(id_of(a).cmp(&id_of(b)));
            if desc { o.reverse() } else { o }
        });
    }
    (by, if desc { "desc" } else { "asc" })
}

/// An offset page of `items`: `per_page` defaults to `default` and is capped at 100.
pub fn offset(req: &Req, key: &str, mut items: Vec<Value>, default: u64) -> Map<String, Value> {
    let number = |name: &str| {
        req.q(name)
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p >= 1)
    };
    let page = number("page").unwrap_or(1);
    let per_page = number("per_page").unwrap_or(default).min(100);
    let (sort_by, sort_order) = sort(req, &mut items);
    let count = items.len() as u64;
    let page_count = count.div_ceil(per_page);
    let start = page.saturating_sub(1).saturating_mul(per_page).min(count) as usize;
    let slice: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(per_page as usize)
        .collect();
    let link = |p: u64| {
        let mut q = carry_params(req);
        q.push(("page", p.to_string()));
        q.push(("per_page", per_page.to_string()));
        json!(req.url(&format!("{}.json", req.path), &q))
    };
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(slice));
    m.insert("page".into(), json!(page));
    m.insert(
        "previous_page".into(),
        if page > 1 && page <= page_count + 1 {
            link(page - 1)
        } else {
            Value::Null
        },
    );
    m.insert(
        "next_page".into(),
        if page < page_count {
            link(page + 1)
        } else {
            Value::Null
        },
    );
    m.insert("per_page".into(), json!(per_page));
    m.insert("page_count".into(), json!(page_count));
    m.insert("count".into(), json!(count));
    m.insert("sort_by".into(), json!(sort_by));
    m.insert("sort_order".into(), json!(sort_order));
    m
}
