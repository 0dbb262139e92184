//! Ticket comments and audits: `tickets/{id}/comments`, `tickets/{id}/audits`,
//! `tickets/{id}/audits/{audit_id}` and the account-wide `ticket_audits`.

use crate::app::{App, Req, read};
use crate::audits;
use crate::http::Resp;
use crate::pagination::list_values;
use crate::util::{decode_cursor, encode_cursor};
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

/// `GET /api/v2/ticket_audits?limit=N&cursor=…`: every audit of the account in ticket
/// order, with Zendesk's older cursor fields (`after_cursor`/`after_url` are null on the
/// last page).
pub fn all_audits(app: &App, req: &Req) -> Resp {
    let limit = req
        .q("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| (1..=1000).contains(l))
        .unwrap_or(1000);
    let after = match req.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => match decode_cursor(c)
            .and_then(|s| s.strip_prefix("a:").and_then(|n| n.parse::<u64>().ok()))
        {
            Some(a) => a,
            None => return Resp::error(400, "InvalidCursor", "The cursor is invalid"),
        },
        None => 0,
    };
    let store = read(&app.store);
    let mut out: Vec<Value> = Vec::new();
    let mut more = false;
    let mut ticket = (after / 100_000).saturating_sub(1);
    'walk: loop {
        let (ids, _) = store.tickets.ids_after(ticket, 1);
        let Some(t) = ids.first().copied() else { break };
        ticket = t;
        for a in audits::of_ticket(&store, t).unwrap_or_default() {
            if a.get("id").and_then(Value::as_u64).unwrap_or(0) <= after {
                continue;
            }
            if out.len() == limit {
                more = true;
                break 'walk;
            }
            out.push(Value::Object(a));
        }
    }
    let cursor = |v: Option<&Value>| {
        v.and_then(|a| a.get("id").and_then(Value::as_u64))
            .map(|id| encode_cursor(&format!("a:{id}")))
    };
    let after_cursor = if more { cursor(out.last()) } else { None };
    let before_cursor = cursor(out.first());
    let url = |c: &Option<String>| {
        c.as_ref().map(|c| {
            req.url(
                "/api/v2/ticket_audits.json",
                &[("cursor", c.clone()), ("limit", limit.to_string())],
            )
        })
    };
    json_with_urls(
        req,
        json!({"audits": out, "after_cursor": after_cursor, "after_url": url(&after_cursor),
            "before_cursor": before_cursor, "before_url": url(&before_cursor)}),
    )
}

/// A 200 JSON answer whose attachment records get their URLs on the request's host.
pub fn json_with_urls(req: &Req, mut v: Value) -> Resp {
    crate::attachments::decorate(&mut v, &req.base);
    Resp::json(200, &v)
}
