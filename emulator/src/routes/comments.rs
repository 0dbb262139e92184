//! Ticket comments and audits: `tickets/{id}/comments`, `tickets/{id}/audits`,
//! `tickets/{id}/audits/{audit_id}` and the account-wide `ticket_audits`.

use crate::app::{App, Req, read};
use crate::audit_feed;
use crate::audits;
use crate::http::Resp;
use crate::pagination::list_values;
use serde_json::{Map, Value, json};

fn answer(req: &Req, r: Result<Map<String, Value>, Resp>) -> Resp {
    match r {
        Ok(m) => json_with_urls(req, Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/tickets/{id}/comments` (cursor or offset; `sort_order=desc` reverses).
pub fn ticket_comments(app: &App, req: &Req, id: u64) -> Resp {
    let store = read(&app.store);
    let Some(list) = audits::of_ticket(&store, id) else {
        return Resp::not_found();
    };
    let mut comments = audits::comments(&list);
    if req.q("sort_order") == Some("desc") && !crate::pagination::wants_cursor(req) {
        comments.reverse();
    }
    let mut r = list_values(req, "comments", comments);
    if let Ok(m) = &mut r {
        super::sideload::add_for_key(&store, req, "comments", m);
    }
    answer(req, r)
}

/// `GET /api/v2/tickets/{id}/audits` (cursor or offset).
pub fn ticket_audits(app: &App, req: &Req, id: u64) -> Resp {
    let store = read(&app.store);
    let Some(list) = audits::of_ticket(&store, id) else {
        return Resp::not_found();
    };
    answer(
        req,
        list_values(req, "audits", list.into_iter().map(Value::Object).collect()),
    )
}

/// `GET /api/v2/tickets/{id}/audits/{audit_id}`.
pub fn show_audit(app: &App, req: &Req, id: u64, audit: u64) -> Resp {
    let store = read(&app.store);
    let found = audits::of_ticket(&store, id)
        .into_iter()
        .flatten()
        .find(|a| a.get("id").and_then(Value::as_u64) == Some(audit));
    match found {
        Some(a) => json_with_urls(req, json!({"audit": a})),
        None => Resp::not_found(),
    }
}

/// `GET /api/v2/ticket_audits` (admins only): every audit of the account, newest first.
/// Cursor paging with `page[size]` (up to 100), `page[after]` (older) and `page[before]`
/// (newer) answers `meta` and `links`; the older style, `limit` (up to 1000) and
/// `cursor`, answers `after_cursor`/`after_url` (null on the last page) and
/// `before_cursor`/`before_url` at the top level.
pub fn all_audits(app: &App, req: &Req) -> Resp {
    let bad = || Resp::error(400, "InvalidCursor", "The cursor is invalid");
    let given = |k: &str| req.q(k).filter(|c| !c.is_empty());
    let paged = crate::pagination::wants_cursor(req);
    let (size, from, older) = if paged {
        let size = match crate::pagination::page_size(req, 100) {
            Ok(s) => s,
            Err(r) => return r,
        };
        match (given("page[before]"), given("page[after]")) {
            (Some(c), _) => match audit_feed::parse_cursor(c) {
                Some((key, _)) => (size, Some(key), false),
                None => return bad(),
            },
            (None, Some(c)) => match audit_feed::parse_cursor(c) {
                Some((key, _)) => (size, Some(key), true),
                None => return bad(),
            },
            (None, None) => (size, None, true),
        }
    } else {
        let limit = req
            .q("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .filter(|l| (1..=1000).contains(l))
            .unwrap_or(1000);
        match given("cursor").map(audit_feed::parse_cursor) {
            Some(Some((key, older))) => (limit, Some(key), older),
            Some(None) => return bad(),
            None => (limit, None, true),
        }
    };
    let store = read(&app.store);
    let (items, more) = audit_feed::page(&store, from, older, size);
    let first = items.first().map(|(k, _)| *k);
    let last = items.last().map(|(k, _)| *k);
    let audits: Vec<Value> = items.into_iter().map(|(_, a)| Value::Object(a)).collect();
    // Older pages follow unless this page walked towards newer ones and found the end.
    let older_exist = if older { more } else { last.is_some() };
    let newer_exist = if older {
        from.is_some() && first.is_some()
    } else {
        more
    };
    let after_cursor = last.map(|k| audit_feed::cursor(k, true));
    let before_cursor = first.map(|k| audit_feed::cursor(k, false));
    let url = |pairs: Vec<(&str, String)>| req.url("/api/v2/ticket_audits.json", &pairs);
    if paged {
        let link = |name: &'static str, c: &Option<String>| {
            url(vec![
                ("page[size]", size.to_string()),
                (name, c.clone().unwrap_or_default()),
            ])
        };
        let has_more = if older { older_exist } else { newer_exist };
        return json_with_urls(
            req,
            json!({"audits": audits,
                "meta": {"has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor},
                "links": {"next": link("page[after]", &after_cursor), "prev": link("page[before]", &before_cursor)}}),
        );
    }
    let legacy = |c: Option<String>, exists: bool| {
        c.filter(|_| exists).map(|c| {
            (
                c.clone(),
                url(vec![("cursor", c), ("limit", size.to_string())]),
            )
        })
    };
    let after = legacy(after_cursor, older_exist);
    // As before: a before cursor whenever the page has audits.
    let before = legacy(before_cursor, first.is_some());
    json_with_urls(
        req,
        json!({"audits": audits,
            "after_cursor": after.as_ref().map(|a| &a.0), "after_url": after.as_ref().map(|a| &a.1),
            "before_cursor": before.as_ref().map(|b| &b.0), "before_url": before.as_ref().map(|b| &b.1)}),
    )
}

/// A 200 JSON answer whose attachment records get their URLs on the request's host.
pub fn json_with_urls(req: &Req, mut v: Value) -> Resp {
    crate::attachments::decorate(&mut v, &req.base);
    Resp::json(200, &v)
}
