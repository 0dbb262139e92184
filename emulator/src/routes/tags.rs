//! Tags: `tickets/{id}/tags` (GET, PUT sets, POST adds, DELETE removes) and the account's
//! `tags` list with counts.

use crate::app::{App, Req, read, write};
use crate::auth::Identity;
use crate::http::Resp;
use crate::seed::TicketCore;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

fn tags_of(rec: &Map<String, Value>) -> Value {
    rec.get("tags").cloned().unwrap_or_else(|| json!([]))
}

/// `GET /api/v2/tickets/{id}/tags`.
pub fn show(app: &App, id: u64) -> Resp {
    match read(&app.store).tickets.get(id) {
        Some(t) => Resp::json(200, &json!({"tags": tags_of(&t)})),
        None => Resp::not_found(),
    }
}

/// `PUT` (set), `POST` (add) or `DELETE` (remove) `/api/v2/tickets/{id}/tags` with
/// `{"tags": [...]}`; answers the ticket's tags after the change.
pub fn change(app: &App, req: &Req, id: u64, who: &Identity, how: &str) -> Resp {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let Some(tags) = body
        .get("tags")
        .filter(|t| t.is_array() || t.is_string())
        .cloned()
    else {
        return Resp::error(
            400,
            "InvalidValue",
            "The request body must contain \"tags\"",
        );
    };
    let key = match how {
        "set" => "tags",
        "add" => "additional_tags",
        _ => "remove_tags",
    };
    let mut input = Map::new();
    input.insert(key.into(), tags);
    let mut store = write(&app.store);
    match super::tickets::update_in(&mut store, id, &input, who.user_id) {
        Ok(u) => Resp::json(200, &json!({"tags": tags_of(&u.ticket)})),
        Err(r) => r,
    }
}

/// `GET /api/v2/tags`: every tag on live tickets with its count, most used first (offset
/// paging, 100 per page at most).
pub fn list(app: &App, req: &Req) -> Resp {
    let store = read(&app.store);
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let coll = &store.tickets;
    let mut cur = 0;
    loop {
        let (ids, more) = coll.ids_after(cur, 1000);
        for id in &ids {
            if coll.is_overridden(*id) {
                let t = coll.get(*id).unwrap_or_default();
                for tag in t
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(s) = tag.as_str() {
                        *counts.entry(s.to_string()).or_default() += 1;
                    }
                }
            } else {
                for tag in TicketCore::new(*id).tags {
                    *counts.entry(tag.to_string()).or_default() += 1;
                }
            }
        }
        match (ids.last(), more) {
            (Some(last), true) => cur = *last,
            _ => break,
        }
    }
    let mut list: Vec<(String, u64)> = counts.into_iter().collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let (page, per_page) = crate::pagination::offset_params(req);
    let total = list.len() as u64;
    let items = list
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .map(|(name, count)| json!({"name": name, "count": count}))
        .collect();
    Resp::json(
        200,
        &Value::Object(crate::pagination::offset_answer(
            req, "tags", items, page, per_page, total,
        )),
    )
}
