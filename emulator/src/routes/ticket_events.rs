//! `GET /api/v2/incremental/ticket_events?start_time=…`: every audit as a ticket event, in
//! time order, paged like the other time-based exports (a page never splits one
//! timestamp; `end_time` is one second past the last event).
//!
//! Seeded audits happen at `created(t) + 1000 s × k` (audit `k` of ticket `t`); with tickets
//! 30 s apart, each such second holds at most one audit, found by arithmetic, so the export
//! of a million seeded tickets is as lazy as the tickets themselves.

use crate::app::{App, Req, read};
use crate::audits;
use crate::http::Resp;
use crate::seed::BASE_EPOCH;
use crate::store::Store;
use serde_json::{Map, Value, json};

type Event = (i64, Map<String, Value>);

/// Seeded audits from `start` on, in time order.
fn seeded_from<'a>(store: &'a Store, start: i64) -> impl Iterator<Item = Event> + 'a {
    let n = store.tickets.seed_count;
    let users = store.users.seed_count;
    let first = ((start - BASE_EPOCH).max(0) as u64).div_ceil(10);
    let last = (30 * n + 2000) / 10;
    (first..=last).filter_map(move |m| {
        let k = m % 3;
        let t = (10 * m).checked_sub(1000 * k)? / 30;
        let seeded = store.tickets.is_seeded(t) && store.tickets.exists(t);
        if !seeded || k >= audits::seeded_count(t) || store.created_tickets.contains(&t) {
            return None;
        }
        let a = audits::seeded(t, users).into_iter().nth(k as usize)?;
        Some((BASE_EPOCH + 10 * m as i64, a))
    })
}

/// Audits made through the API from `start` on, in time order.
fn recorded_from(store: &Store, start: i64) -> Vec<Event> {
    let mut out = crate::audits::recorded(store);
    out.retain(|(at, _)| *at >= start);
    out
}

fn via_name(audit: &Map<String, Value>) -> &'static str {
    match audit
        .get("via")
        .and_then(|v| v.get("channel"))
        .and_then(Value::as_str)
    {
        Some("email") => "Mail",
        Some("web") => "Web form",
        _ => "API",
    }
}

/// An audit as Zendesk's ticket event; comments only as flags unless `with_comments`.
fn event(at: i64, audit: &Map<String, Value>, with_comments: bool) -> Value {
    let via = via_name(audit);
    let children: Vec<Value> = audit
        .get("events")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            let kind = e.get("type").and_then(Value::as_str).unwrap_or("");
            let mut c = Map::new();
            c.insert("id".into(), e.get("id").cloned().unwrap_or(Value::Null));
            c.insert("via".into(), json!(via));
            c.insert("via_reference_id".into(), Value::Null);
            c.insert("event_type".into(), json!(kind));
            if kind == "Comment" {
                if with_comments {
                    for (k, v) in e.as_object().into_iter().flatten() {
                        c.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    c.insert("type".into(), json!("Comment"));
                }
                c.insert("comment_present".into(), json!(true));
                c.insert(
                    "comment_public".into(),
                    e.get("public").cloned().unwrap_or(json!(true)),
                );
            } else if let Some(f) = e.get("field_name").and_then(Value::as_str) {
                c.insert(f.into(), e.get("value").cloned().unwrap_or(Value::Null));
                if let Some(p) = e.get("previous_value") {
                    c.insert("previous_value".into(), p.clone());
                }
            }
            Value::Object(c)
        })
        .collect();
    json!({"id": audit.get("id"), "ticket_id": audit.get("ticket_id"), "timestamp": at,
        "created_at": audit.get("created_at"), "updater_id": audit.get("author_id"), "via": via,
        "system": audit.get("metadata").and_then(|m| m.get("system")).cloned().unwrap_or(json!({})),
        "event_type": "Audit", "child_events": children, "merged_ticket_ids": []})
}

/// `GET /api/v2/incremental/ticket_events?start_time=…[&include=comment_events]`.
pub fn export(app: &App, req: &Req) -> Resp {
    let start = match super::incremental::start_time(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let n = super::incremental::per_page(req);
    let with_comments = req
        .q("include")
        .is_some_and(|i| i.split(',').any(|s| s.trim() == "comment_events"));
    let store = read(&app.store);
    let mut stream = seeded_from(&store, start)
        .chain(recorded_from(&store, start))
        .peekable();
    let mut page: Vec<Event> = Vec::new();
    while page.len() < n {
        match stream.next() {
            Some(e) => page.push(e),
            None => break,
        }
    }
    if let Some(last) = page.last().map(|(t, _)| *t) {
        while let Some(e) = stream.next_if(|(t, _)| *t == last) {
            page.push(e);
        }
    }
    let end_of_stream = stream.peek().is_none();
    let end_time = page.last().map_or(start, |(t, _)| t + 1);
    let items = page
        .iter()
        .map(|(t, a)| {
            let mut e = event(*t, a, with_comments);
            crate::attachments::decorate(&mut e, &req.base);
            e
        })
        .collect();
    super::incremental::time_answer(req, "ticket_events", items, end_time, end_of_stream)
}
