//! Bulk jobs beyond ticket create/update: users `create_many`, `create_or_update_many`,
//! `update_many`, `destroy_many`; tickets `destroy_many` and `merge`. Each answers a queued
//! job status, and the records change at once (polls only advance the job's status).

use super::jobs::{error_text, items, start};
use super::{tickets, users};
use crate::app::{App, Req, write};
use crate::auth::Identity;
use crate::http::Resp;
use serde_json::{Map, Value, json};

fn ok(i: usize, id: u64, action: &str, status: &str) -> Value {
    json!({"index": i, "id": id, "action": action, "success": true, "status": status})
}

fn failed(i: usize, id: Option<u64>, action: &str, r: &Resp) -> Value {
    json!({"index": i, "id": id, "action": action, "success": false, "status": "Failed", "error": error_text(r)})
}

/// `POST /api/v2/users/create_many` and `create_or_update_many`.
pub fn users_create_many(app: &App, req: &Req, or_update: bool) -> Resp {
    let list = match items(req, "users") {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut results = Vec::with_capacity(list.len());
    {
        let mut store = write(&app.store);
        for (i, u) in list.iter().enumerate() {
            let existing = if or_update {
                users::find(&store, u)
            } else {
                None
            };
            let done = match existing {
                Some(id) => users::update_in(&mut store, id, u).map(|r| (r, "update", "Updated")),
                None => users::create_in(&mut store, u).map(|r| (r, "create", "Created")),
            };
            results.push(match done {
                Ok((rec, action, status)) => ok(
                    i,
                    rec.get("id").and_then(Value::as_u64).unwrap_or(0),
                    action,
                    status,
                ),
                Err(r) => failed(i, existing, "create", &r),
            });
        }
    }
    let kind = if or_update {
        "bulk_create_or_update_users"
    } else {
        "bulk_create_users"
    };
    start(app, req, kind, list.len() as u64, results)
}

/// `PUT /api/v2/users/update_many` (`?ids=` with one `user`, or a `users` array with ids).
pub fn users_update_many(app: &App, req: &Req) -> Resp {
    let changes = match changes(req, "user", "users") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut results = Vec::with_capacity(changes.len());
    {
        let mut store = write(&app.store);
        for (i, (id, u)) in changes.iter().enumerate() {
            results.push(match users::update_in(&mut store, *id, u) {
                Ok(_) => ok(i, *id, "update", "Updated"),
                Err(r) => failed(i, Some(*id), "update", &r),
            });
        }
    }
    start(app, req, "bulk_update_users", changes.len() as u64, results)
}

/// `(id, payload)` pairs of an update_many request.
pub type Changes = Vec<(u64, Map<String, Value>)>;

/// The changes of an update_many request: `?ids=` with one `one` object, or a `many`
/// array of objects with their `id`.
pub fn changes(req: &Req, one: &str, many: &str) -> Result<Changes, Resp> {
    if req.q("ids").is_some() {
        let ids = tickets::ids_param(req)?;
        let Some(Value::Object(change)) = req.json()?.remove(one) else {
            return Err(Resp::error(
                400,
                "InvalidValue",
                &format!("The request body must contain a \"{one}\" object"),
            ));
        };
        return Ok(ids.into_iter().map(|id| (id, change.clone())).collect());
    }
    Ok(items(req, many)?
        .into_iter()
        .map(|u| (u.get("id").and_then(Value::as_u64).unwrap_or(0), u))
        .collect())
}

/// `DELETE /api/v2/users/destroy_many?ids=…` and `DELETE /api/v2/tickets/destroy_many?ids=…`.
pub fn destroy_many(app: &App, req: &Req, tickets_not_users: bool) -> Resp {
    let ids = match tickets::ids_param(req) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let mut results = Vec::with_capacity(ids.len());
    {
        let mut store = write(&app.store);
        for (i, id) in ids.iter().enumerate() {
            let done = if tickets_not_users {
                tickets::delete_in(&mut store, *id)
            } else {
                users::delete_in(&mut store, *id).is_some()
            };
            results.push(if done {
                ok(i, *id, "delete", "Deleted")
            } else {
                failed(i, Some(*id), "delete", &Resp::not_found())
            });
        }
    }
    let kind = if tickets_not_users {
        "bulk_delete_tickets"
    } else {
        "bulk_delete_users"
    };
    start(app, req, kind, ids.len() as u64, results)
}

/// `POST /api/v2/tickets/{id}/merge` `{"ids": [...], "target_comment", "source_comment"}`:
/// the sources get a comment and are closed; the target gets a comment naming them.
pub fn merge(app: &App, req: &Req, target: u64, who: &Identity) -> Resp {
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let sources: Vec<u64> = body
        .get("ids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_u64)
        .collect();
    if sources.is_empty() || sources.len() > 5 || sources.contains(&target) {
        return Resp::invalid("ids", "InvalidValue", "Ids: must list 1 to 5 other tickets");
    }
    let public = |k: &str| body.get(k).and_then(Value::as_bool).unwrap_or(true);
    let mut store = write(&app.store);
    for id in sources.iter().chain(std::iter::once(&target)) {
        match store.tickets.get(*id) {
            None => return Resp::not_found(),
            Some(t) if t.get("status").and_then(Value::as_str) == Some("closed") => {
                return Resp::invalid(
                    "status",
                    "StatusClosed",
                    "Status: closed tickets cannot be merged",
                );
            }
            Some(_) => {}
        }
    }
    let list = sources
        .iter()
        .map(|s| format!("#{s}"))
        .collect::<Vec<_>>()
        .join(", ");
    let text = |k: &str, default: String| {
        body.get(k)
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or(default)
    };
    let mut results = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        let comment = text(
            "source_comment",
            format!("This request was closed and merged into request #{target}."),
        );
        let change = json!({"status": "closed", "comment": {"body": comment, "public": public("source_comment_is_public")}});
        let change = change.as_object().cloned().unwrap_or_default();
        results.push(
            match tickets::update_in(&mut store, *s, &change, who.user_id) {
                Ok(_) => ok(i, *s, "merge", "Merged"),
                Err(r) => failed(i, Some(*s), "merge", &r),
            },
        );
    }
    let comment = text(
        "target_comment",
        format!("Requests {list} were closed and merged into this request."),
    );
    let change =
        json!({"comment": {"body": comment, "public": public("target_comment_is_public")}});
    if let Err(r) = tickets::update_in(
        &mut store,
        target,
        change.as_object().unwrap_or(&Map::new()),
        who.user_id,
    ) {
        return r;
    }
    drop(store);
    start(app, req, "merge_tickets", sources.len() as u64, results)
}
