//! Ticket audits and comments. A seeded ticket's audits are derived from its id (a Create
//! audit carrying the description as the first comment, then one or two replies); audits
//! made through the API (ticket creation, updates with a `comment` or field changes) are
//! stored per ticket and follow the seeded ones.
//!
//! Ids: audit `k` of ticket `t` is `t * 100_000 + k * 10`; its events are numbered after it
//! (`+1` is the comment), so a comment's id is also unique and derivable.

use crate::seed;
use crate::store::Store;
use crate::util::{iso8601, mix, now_epoch};
use serde_json::{Map, Value, json};

/// Most audits one ticket can have (ids stay unique per ticket below this).
pub const MAX_AUDITS: u64 = 9_999;
/// Fields a Create audit reports, in order.
const CREATE_FIELDS: [&str; 7] = [
    "subject",
    "status",
    "priority",
    "type",
    "requester_id",
    "assignee_id",
    "group_id",
];
/// Fields whose change an update audit reports.
const CHANGE_FIELDS: [&str; 9] = [
    "subject",
    "status",
    "priority",
    "type",
    "assignee_id",
    "group_id",
    "organization_id",
    "tags",
    "custom_status_id",
];
const REPLIES: [&str; 4] = [
    "Thanks for reaching out. Could you tell us which browser and version you are using?",
    "It is the latest Firefox on Windows 11, and the same happens on a colleague's Mac.",
    "Internal note: reproduced on staging, escalating to engineering.",
    "We deployed a fix an hour ago; could you try again and let us know?",
];

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn metadata() -> Value {
    json!({"system": {"client": "zdkit-emulator", "ip_address": "127.0.0.1",
        "location": "Localhost", "latitude": 0.0, "longitude": 0.0}, "custom": {}})
}

/// A Comment event.
pub fn comment_event(id: u64, author: u64, body: &str, public: bool, attachments: Value) -> Value {
    json!({"id": id, "type": "Comment", "author_id": author, "body": body,
        "html_body": format!("<div class=\"zd-comment\" dir=\"auto\"><p>{}</p></div>", html_escape(body)),
        "plain_body": body, "public": public, "attachments": attachments, "audit_id": id - 1})
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn audit(
    ticket: u64,
    k: u64,
    at: i64,
    author: u64,
    via: Value,
    events: Vec<Value>,
) -> Map<String, Value> {
    object(
        json!({"id": ticket * 100_000 + k * 10, "ticket_id": ticket, "created_at": iso8601(at),
        "author_id": author, "metadata": metadata(), "via": via, "events": events}),
    )
}

/// The audits of seeded ticket `id` as generated (before any API change).
pub fn seeded(id: u64, users: u64) -> Vec<Map<String, Value>> {
    let t = seed::ticket(id, users);
    let n = seeded_count(id);
    let requester = t.get("requester_id").and_then(Value::as_u64).unwrap_or(1);
    let agent = t.get("assignee_id").and_then(Value::as_u64).unwrap_or(1);
    let created = seed::ticket_created(id);
    let via = t.get("via").cloned().unwrap_or(Value::Null);
    let mut out = Vec::with_capacity(n as usize);
    let base = id * 100_000;
    let body = t.get("description").and_then(Value::as_str).unwrap_or("");
    let attachments = crate::attachments::seeded_for_comment(id);
    let mut events = vec![comment_event(base + 1, requester, body, true, attachments)];
    for (j, f) in CREATE_FIELDS.iter().enumerate() {
        events.push(
            json!({"id": base + 2 + j as u64, "type": "Create", "field_name": f,
            "value": t.get(*f).cloned().unwrap_or(Value::Null)}),
        );
    }
    out.push(audit(id, 0, created, requester, via.clone(), events));
    for k in 1..n {
        let from_agent = k % 2 == 1;
        let author = if from_agent { agent } else { requester };
        let reply = REPLIES[((mix(id) >> (8 * k)) % 4) as usize];
        let public = !reply.starts_with("Internal");
        let a = base + k * 10;
        let channel = if from_agent {
            json!({"channel": "web", "source": {"from": {}, "to": {}, "rel": null}})
        } else {
            via.clone()
        };
        out.push(audit(
            id,
            k,
            created + 1000 * k as i64,
            author,
            channel,
            vec![comment_event(
                a + 1,
                author,
                reply,
                public || !from_agent,
                json!([]),
            )],
        ));
    }
    out
}

/// How many audits seeded ticket `id` starts with (1 to 3).
pub fn seeded_count(id: u64) -> u64 {
    1 + mix(id ^ 0xC0FFEE) % 3
}

/// Every audit of ticket `id`, oldest first (None when the ticket does not exist).
pub fn of_ticket(store: &Store, id: u64) -> Option<Vec<Map<String, Value>>> {
    if !store.tickets.exists(id) {
        return None;
    }
    let mut out = if store.created_tickets.contains(&id) {
        Vec::new()
    } else {
        seeded(id, store.users.seed_count)
    };
    if let Some(extra) = store.audits.get(&id) {
        out.extend(extra.iter().cloned());
    }
    Some(out)
}

/// The audits made through the API, of live tickets, with their `created_at` epoch
/// seconds, in time order (ties by id).
pub fn recorded(store: &Store) -> Vec<(i64, Map<String, Value>)> {
    let mut out: Vec<(i64, Map<String, Value>)> = store
        .audits
        .iter()
        .filter(|(t, _)| store.tickets.exists(**t))
        .flat_map(|(_, list)| list.iter())
        .map(|a| {
            let at = a
                .get("created_at")
                .and_then(Value::as_str)
                .and_then(crate::util::parse_date)
                .unwrap_or(0);
            (at, a.clone())
        })
        .collect();
    out.sort_by_key(|(at, a)| (*at, a.get("id").and_then(Value::as_u64)));
    out
}

/// The comments of a list of audits, oldest first.
pub fn comments(audits: &[Map<String, Value>]) -> Vec<Value> {
    let mut out = Vec::new();
    for a in audits {
        for e in a
            .get("events")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if e.get("type").and_then(Value::as_str) == Some("Comment") {
                let mut c = e.clone();
                if let Some(m) = c.as_object_mut() {
                    m.insert(
                        "created_at".into(),
                        a.get("created_at").cloned().unwrap_or(Value::Null),
                    );
                    m.insert("via".into(), a.get("via").cloned().unwrap_or(Value::Null));
                    m.insert(
                        "metadata".into(),
                        a.get("metadata").cloned().unwrap_or(Value::Null),
                    );
                }
                out.push(c);
            }
        }
    }
    out
}

fn next_k(store: &Store, id: u64) -> u64 {
    let seeded = if store.created_tickets.contains(&id) {
        0
    } else {
        seeded_count(id)
    };
    seeded + store.audits.get(&id).map_or(0, |v| v.len() as u64)
}

/// The comment an API payload carries: (body, public, author, attachments), if any.
fn payload_comment(input: &Map<String, Value>, author: u64) -> Option<(String, bool, u64, Value)> {
    let c = input.get("comment")?;
    let body = c
        .get("body")
        .or_else(|| c.get("html_body"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| c.as_str().map(str::to_string))?;
    if body.trim().is_empty() {
        return None;
    }
    let public = c.get("public").and_then(Value::as_bool).unwrap_or(true);
    let author = c.get("author_id").and_then(Value::as_u64).unwrap_or(author);
    let attachments = c.get("attachments").cloned().unwrap_or_else(|| json!([]));
    Some((body, public, author, attachments))
}

fn api_via() -> Value {
    json!({"channel": "api", "source": {"from": {}, "to": {}, "rel": null}})
}

/// Records the Create audit of a ticket created through the API; returns it.
pub fn record_create(
    store: &mut Store,
    rec: &Map<String, Value>,
    input: &Map<String, Value>,
    author: u64,
) -> Map<String, Value> {
    let id = rec.get("id").and_then(Value::as_u64).unwrap_or(0);
    store.created_tickets.insert(id);
    let base = id * 100_000;
    let mut events = Vec::new();
    let description = rec
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (body, public, author, attachments) =
        payload_comment(input, author).unwrap_or((description, true, author, json!([])));
    events.push(comment_event(base + 1, author, &body, public, attachments));
    for (j, f) in CREATE_FIELDS.iter().enumerate() {
        events.push(
            json!({"id": base + 2 + j as u64, "type": "Create", "field_name": f,
            "value": rec.get(*f).cloned().unwrap_or(Value::Null)}),
        );
    }
    let a = audit(id, 0, now_epoch(), author, api_via(), events);
    store.audits.insert(id, vec![a.clone()]);
    a
}

/// Records the audit of an update (a Comment event for `comment`, a Change event for each
/// changed field); returns it, or None when nothing was recorded (no comment, no change).
pub fn record_update(
    store: &mut Store,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    input: &Map<String, Value>,
    author: u64,
) -> Option<Map<String, Value>> {
    let id = after.get("id").and_then(Value::as_u64)?;
    let k = next_k(store, id);
    if k > MAX_AUDITS {
        return None;
    }
    let base = id * 100_000 + k * 10;
    let mut events = Vec::new();
    let mut author = author;
    if let Some((body, public, by, attachments)) = payload_comment(input, author) {
        author = by;
        events.push(comment_event(base + 1, by, &body, public, attachments));
    }
    for f in CHANGE_FIELDS {
        let (old, new) = (before.get(f), after.get(f));
        if old != new && events.len() < 9 {
            events.push(json!({"id": base + 1 + events.len() as u64, "type": "Change", "field_name": f,
                "value": new.cloned().unwrap_or(Value::Null), "previous_value": old.cloned().unwrap_or(Value::Null)}));
        }
    }
    if events.is_empty() {
        return None;
    }
    let via = input.get("via").cloned().unwrap_or_else(api_via);
    let mut meta = metadata();
    if let (Some(m), Some(custom)) = (meta.as_object_mut(), input.get("metadata")) {
        m.insert("custom".into(), custom.clone());
    }
    let mut a = audit(id, k, now_epoch(), author, via, events);
    a.insert("metadata".into(), meta);
    store.audits.entry(id).or_default().push(a.clone());
    Some(a)
}
