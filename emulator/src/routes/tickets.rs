//! Tickets: list, show, show_many, create (idempotent), update (safe_update), delete.

use super::with_url;
use crate::app::{App, Req, lock, read, write};
use crate::auth::Identity;
use crate::http::Resp;
use crate::pagination;
use crate::store::Store;
use crate::util::{iso8601, now_epoch};
use serde_json::{Map, Value, json};
use std::hash::{Hash, Hasher};

/// Ticket fields a client may send; anything else is dropped with `X-Zendesk-API-Warn`.
const KNOWN: &[&str] = &[
    "subject",
    "raw_subject",
    "comment",
    "description",
    "priority",
    "status",
    "type",
    "requester_id",
    "requester",
    "submitter_id",
    "assignee_id",
    "assignee_email",
    "group_id",
    "organization_id",
    "collaborator_ids",
    "collaborators",
    "email_cc_ids",
    "email_ccs",
    "follower_ids",
    "followers",
    "tags",
    "additional_tags",
    "remove_tags",
    "custom_fields",
    "fields",
    "external_id",
    "due_at",
    "problem_id",
    "via",
    "via_followup_source_id",
    "ticket_form_id",
    "brand_id",
    "custom_status_id",
    "recipient",
    "metadata",
    "safe_update",
    "updated_stamp",
    "is_public",
    "sharing_agreement_ids",
    "macro_ids",
    "attribute_value_ids",
    "created_at",
    "updated_at",
    "id",
    "url",
];
const STATUSES: &[&str] = &["new", "open", "pending", "hold", "solved", "closed"];
const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
const TYPES: &[&str] = &["question", "incident", "problem", "task"];

/// Renders ticket `id` with its URL.
pub fn render(store: &Store, id: u64, base: &str) -> Option<Value> {
    store.tickets.get(id).map(|r| with_url(r, base, "tickets"))
}

/// `GET /api/v2/tickets`.
pub fn list(app: &App, req: &Req) -> Resp {
    let store = read(&app.store);
    match pagination::list(req, &store.tickets, "tickets", |id| {
        render(&store, id, &req.base)
    }) {
        Ok(mut m) => {
            super::sideload::add_for_key(&store, req, "tickets", &mut m);
            Resp::json(200, &Value::Object(m))
        }
        Err(r) => r,
    }
}

/// `GET /api/v2/tickets/{id}`.
pub fn show(app: &App, req: &Req, id: u64) -> Resp {
    let store = read(&app.store);
    match render(&store, id, &req.base) {
        Some(t) => {
            let mut m = Map::new();
            super::sideload::add(&store, req, std::slice::from_ref(&t), &mut m);
            m.insert("ticket".into(), t);
            Resp::json(200, &Value::Object(m))
        }
        None => Resp::not_found(),
    }
}

/// Parses `ids=1,2,3`.
pub fn ids_param(req: &Req) -> Result<Vec<u64>, Resp> {
    let raw = req.q("ids").unwrap_or("");
    let ids: Result<Vec<u64>, _> = raw
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse())
        .collect();
    match ids {
        Ok(ids) if !ids.is_empty() && ids.len() <= 100 => Ok(ids),
        _ => Err(Resp::error(
            400,
            "InvalidValue",
            "ids must be a comma-separated list of 1 to 100 ids",
        )),
    }
}

/// `GET /api/v2/tickets/show_many?ids=…`.
pub fn show_many(app: &App, req: &Req) -> Resp {
    let ids = match ids_param(req) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let store = read(&app.store);
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| render(&store, *id, &req.base))
        .collect();
    let count = items.len();
    let mut m = Map::new();
    super::sideload::add(&store, req, &items, &mut m);
    m.insert("tickets".into(), Value::Array(items));
    m.insert("next_page".into(), Value::Null);
    m.insert("previous_page".into(), Value::Null);
    m.insert("count".into(), json!(count));
    Resp::json(200, &Value::Object(m))
}

/// Validates a ticket payload and applies it onto `rec`. Returns the dropped keys.
pub fn apply(
    rec: &mut Map<String, Value>,
    input: &Map<String, Value>,
    creating: bool,
) -> Result<Vec<String>, Resp> {
    let mut dropped = Vec::new();
    for (k, v) in input {
        if !KNOWN.contains(&k.as_str()) {
            dropped.push(k.clone());
            continue;
        }
        let check = |list: &[&str], field: &str| -> Result<(), Resp> {
            match v {
                Value::Null => Ok(()),
                Value::String(s) if list.contains(&s.as_str()) => Ok(()),
                _ => Err(Resp::invalid(
                    field,
                    "InvalidValue",
                    &format!("{}: is invalid", capitalize(field)),
                )),
            }
        };
        match k.as_str() {
            "status" => {
                check(STATUSES, "status")?;
                if let Some(st) = v.as_str() {
                    rec.insert(
                        "custom_status_id".into(),
                        crate::seed_account::custom_status_of(st),
                    );
                }
            }
            "priority" => check(PRIORITIES, "priority")?,
            "type" => check(TYPES, "type")?,
            _ => {}
        }
        match k.as_str() {
            "comment" => {
                let body = v
                    .get("body")
                    .or_else(|| v.get("html_body"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                if creating && !body.trim().is_empty() {
                    rec.insert("description".into(), json!(body));
                }
            }
            "description" if creating => {
                rec.insert("description".into(), v.clone());
            }
            "subject" => {
                rec.insert("subject".into(), v.clone());
                rec.insert("raw_subject".into(), v.clone());
            }
            "tags" => {
                rec.insert("tags".into(), tags_of(v));
            }
            "additional_tags" | "remove_tags" => {
                let mut tags: Vec<Value> = rec
                    .get("tags")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let change = tags_of(v);
                for t in change.as_array().into_iter().flatten() {
                    tags.retain(|x| x != t);
                    if k == "additional_tags" {
                        tags.push(t.clone());
                    }
                }
                rec.insert("tags".into(), Value::Array(tags));
            }
            "custom_fields" | "fields" => {
                let mut fields: Vec<Value> = rec
                    .get("custom_fields")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for f in v.as_array().into_iter().flatten() {
                    if let Some(fid) = f.get("id") {
                        fields.retain(|x| x.get("id") != Some(fid));
                        fields.push(json!({"id": fid, "value": f.get("value").cloned().unwrap_or(Value::Null)}));
                    }
                }
                rec.insert("custom_fields".into(), Value::Array(fields.clone()));
                rec.insert("fields".into(), Value::Array(fields));
            }
            "requester"
            | "collaborators"
            | "email_ccs"
            | "followers"
            | "assignee_email"
            | "safe_update"
            | "updated_stamp"
            | "metadata"
            | "macro_ids"
            | "attribute_value_ids"
            | "id"
            | "url"
            | "updated_at"
            | "description"
            | "via_followup_source_id" => {}
            "created_at" if !creating => {}
            _ => {
                rec.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(dropped)
}

fn tags_of(v: &Value) -> Value {
    let list: Vec<Value> = match v {
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(|s| json!(s.to_lowercase()))
            .collect(),
        Value::String(s) => s
            .split_whitespace()
            .map(|s| json!(s.to_lowercase()))
            .collect(),
        _ => Vec::new(),
    };
    Value::Array(list)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// A new ticket record from a payload (validated), with its dropped keys.
pub fn build(
    store: &mut Store,
    input: &Map<String, Value>,
    who: &Identity,
) -> Result<(Map<String, Value>, Vec<String>), Resp> {
    let now = now_epoch();
    let mut rec = match json!({
        "id": 0, "external_id": null,
        "via": {"channel": "api", "source": {"from": {}, "to": {}, "rel": null}},
        "created_at": iso8601(now), "updated_at": iso8601(now), "generated_timestamp": now,
        "type": null, "subject": null, "raw_subject": null, "description": "", "priority": null,
        "status": "new", "recipient": null, "requester_id": who.user_id, "submitter_id": who.user_id,
        "assignee_id": null, "organization_id": null, "group_id": null, "collaborator_ids": [],
        "follower_ids": [], "email_cc_ids": [], "forum_topic_id": null, "problem_id": null,
        "has_incidents": false, "is_public": true, "due_at": null, "tags": [], "custom_fields": [],
        "satisfaction_rating": null, "sharing_agreement_ids": [], "custom_status_id": null, "fields": [],
        "followup_ids": [], "ticket_form_id": null, "brand_id": 360_400_000_u64, "allow_channelback": false,
        "allow_attachments": true, "from_messaging_channel": false
    }) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let dropped = apply(&mut rec, input, true)?;
    if rec
        .get("description")
        .and_then(Value::as_str)
        .is_none_or(|d| d.trim().is_empty())
    {
        return Err(Resp::invalid(
            "description",
            "BlankValue",
            "Description: cannot be blank",
        ));
    }
    if input.get("status").is_none() && rec.get("assignee_id").is_some_and(|a| !a.is_null()) {
        rec.insert("status".into(), json!("open"));
    }
    if let Some(email) = input
        .get("requester")
        .and_then(|r| r.get("email"))
        .and_then(Value::as_str)
    {
        if let Some(u) = store.user_by_email(email) {
            rec.insert(
                "requester_id".into(),
                u.get("id").cloned().unwrap_or(Value::Null),
            );
        }
    }
    let id = store.tickets.alloc_id();
    rec.insert("id".into(), json!(id));
    Ok((rec, dropped))
}

fn warn(resp: &mut Resp, dropped: &[String]) {
    if !dropped.is_empty() {
        let list = dropped
            .iter()
            .map(|k| format!("{k:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        resp.set("x-zendesk-api-warn", &format!("Removed restricted keys [{list}] from parameters according to permission set of the request"));
    }
}

fn payload(req: &Req) -> Result<Map<String, Value>, Resp> {
    let body = req.json()?;
    match body.get("ticket") {
        Some(Value::Object(t)) => Ok(t.clone()),
        _ => Err(Resp::error(
            400,
            "InvalidValue",
            "The request body must contain a \"ticket\" object",
        )),
    }
}

fn created_answer(req: &Req, store: &Store, id: u64) -> Resp {
    let t = render(store, id, &req.base).unwrap_or(Value::Null);
    let audit = store
        .audits
        .get(&id)
        .and_then(|a| a.first().cloned())
        .map_or(Value::Null, Value::Object);
    let mut body = json!({"ticket": t, "audit": audit});
    crate::attachments::decorate(&mut body, &req.base);
    let mut r = Resp::json(201, &body);
    r.set(
        "location",
        &format!("{}/api/v2/tickets/{id}.json", req.base),
    );
    r
}

/// `POST /api/v2/tickets` (honours `Idempotency-Key`).
pub fn create(app: &App, req: &Req, who: &Identity) -> Resp {
    let input = match payload(req) {
        Ok(t) => with_uploads(app, t),
        Err(r) => return r,
    };
    let key = req.header("idempotency-key").map(str::to_string);
    let hash = {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        req.body.hash(&mut h);
        h.finish()
    };
    let mut store = write(&app.store);
    if let Some(key) = &key {
        if let Some((h, id)) = lock(&app.idempotency).get(key).copied() {
            if h != hash {
                return Resp::error(
                    400,
                    "IdempotentRequestError",
                    "The idempotency key was already used with a different request body",
                );
            }
            let mut r = created_answer(req, &store, id);
            r.set("x-idempotency-lookup", "hit");
            return r;
        }
    }
    let (rec, dropped) = match build(&mut store, &input, who) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = rec.get("id").and_then(Value::as_u64).unwrap_or(0);
    crate::audits::record_create(&mut store, &rec, &input, who.user_id);
    store.tickets.put(id, rec);
    let mut r = created_answer(req, &store, id);
    if let Some(key) = key {
        let mut keys = lock(&app.idempotency);
        if keys.len() >= 100_000 {
            keys.clear();
        }
        keys.insert(key, (hash, id));
        r.set("x-idempotency-lookup", "miss");
    }
    warn(&mut r, &dropped);
    r
}

/// Applies an update payload to ticket `id` in the store.
pub fn update_in(
    store: &mut Store,
    id: u64,
    input: &Map<String, Value>,
    author: u64,
) -> Result<Updated, Resp> {
    let Some(mut rec) = store.tickets.get(id) else {
        return Err(Resp::not_found());
    };
    if input.get("safe_update").and_then(Value::as_bool) == Some(true) {
        let stamp = input.get("updated_stamp").and_then(Value::as_str);
        if stamp != rec.get("updated_at").and_then(Value::as_str) {
            return Err(Resp::json(
                409,
                &json!({"error": "UpdateConflict", "description": "Safe Update prevented the update due to outdated ticket data. Please fetch the latest ticket data and try again.",
                    "details": {"updated_stamp": [{"description": "Updated stamp does not match the ticket's current updated_at", "error": "UpdateConflict"}]}}),
            ));
        }
    }
    if rec.get("status").and_then(Value::as_str) == Some("closed") {
        return Err(Resp::invalid(
            "status",
            "StatusClosed",
            "Status: closed prevents ticket update",
        ));
    }
    let before = rec.clone();
    let dropped = apply(&mut rec, input, false)?;
    let now = now_epoch();
    rec.insert("updated_at".into(), json!(iso8601(now)));
    rec.insert("generated_timestamp".into(), json!(now));
    let audit = crate::audits::record_update(store, &before, &rec, input, author);
    store.tickets.put(id, rec.clone());
    Ok(Updated {
        ticket: rec,
        dropped,
        audit,
    })
}

/// A ticket after an update, the keys the update dropped and the audit it made.
pub struct Updated {
    /// The ticket as stored.
    pub ticket: Map<String, Value>,
    /// Unknown keys dropped from the payload.
    pub dropped: Vec<String>,
    /// The new audit (none when nothing changed and no comment was given).
    pub audit: Option<Map<String, Value>>,
}

/// `PUT /api/v2/tickets/{id}` (honours `safe_update` + `updated_stamp`).
pub fn update(app: &App, req: &Req, id: u64, who: &Identity) -> Resp {
    let input = match payload(req) {
        Ok(t) => with_uploads(app, t),
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    match update_in(&mut store, id, &input, who.user_id) {
        Ok(u) => {
            let t = with_url(u.ticket, &req.base, "tickets");
            let audit = u.audit.map_or(Value::Null, Value::Object);
            let mut body = json!({"ticket": t, "audit": audit});
            crate::attachments::decorate(&mut body, &req.base);
            let mut r = Resp::json(200, &body);
            warn(&mut r, &u.dropped);
            r
        }
        Err(r) => r,
    }
}

/// Resolves `comment.uploads` (upload tokens) into `comment.attachments`.
pub fn with_uploads(app: &App, mut input: Map<String, Value>) -> Map<String, Value> {
    let Some(Value::Object(c)) = input.get_mut("comment") else {
        return input;
    };
    let tokens = crate::util::strings(c.get("uploads"));
    let uploads = lock(&app.uploads);
    let attachments: Vec<Value> = tokens
        .iter()
        .filter_map(|t| uploads.get(t))
        .flatten()
        .cloned()
        .collect();
    c.insert("attachments".into(), Value::Array(attachments));
    input
}

/// `DELETE /api/v2/tickets/{id}`: 204, and a `deleted` tombstone for incremental exports.
pub fn delete(app: &App, id: u64) -> Resp {
    if delete_in(&mut write(&app.store), id) {
        Resp::empty(204)
    } else {
        Resp::not_found()
    }
}

/// Deletes ticket `id` (a `deleted` tombstone stays for incremental exports); false when
/// there is no such ticket.
pub fn delete_in(store: &mut Store, id: u64) -> bool {
    let Some(mut rec) = store.tickets.get(id) else {
        return false;
    };
    rec.insert("status".into(), json!("deleted"));
    rec.insert("updated_at".into(), json!(iso8601(now_epoch())));
    store.tickets.delete(id, rec);
    true
}
