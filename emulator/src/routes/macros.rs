//! Macros: `macros`, `macros/active`, `macros/{id}`, `macros/{id}/apply` and
//! `tickets/{id}/macros/{macro_id}/apply` (what the ticket would become; nothing is saved).

use super::with_url;
use crate::app::{App, Req, read};
use crate::auth::Identity;
use crate::http::Resp;
use crate::seed_account::FIRST_GROUP;
use crate::util::iso8601;
use serde_json::{Map, Value, json};

const FIRST_MACRO: u64 = 360_900_000;

/// (title, actions).
fn definition(k: u64) -> Option<(&'static str, Value)> {
    Some(match k {
        0 => (
            "Close and redirect to topics",
            json!([{"field": "status", "value": "solved"},
            {"field": "comment_value", "value": "This question is answered in our help center; we are closing this request."}]),
        ),
        1 => (
            "Downgrade and inform",
            json!([{"field": "priority", "value": "low"},
            {"field": "comment_value", "value": "We have lowered the priority of this request."}]),
        ),
        2 => (
            "Take it",
            json!([{"field": "assignee_id", "value": "current_user"}, {"field": "status", "value": "open"}]),
        ),
        3 => (
            "Escalate to Engineering",
            json!([{"field": "group_id", "value": (FIRST_GROUP + 2).to_string()},
            {"field": "priority", "value": "high"}, {"field": "current_tags", "value": "escalated"},
            {"field": "comment_mode_is_public", "value": "false"},
            {"field": "comment_value", "value": "Escalated to engineering."}]),
        ),
        _ => return None,
    })
}

fn render(id: u64, base: &str) -> Option<Value> {
    let k = id.checked_sub(FIRST_MACRO)?;
    let (title, actions) = definition(k)?;
    let at = iso8601(crate::seed::BASE_EPOCH - 300 * 86_400);
    let v = json!({"id": id, "title": title, "raw_title": title, "active": true, "default": false,
        "position": k, "description": null, "restriction": null, "actions": actions,
        "created_at": at, "updated_at": at});
    v.as_object().map(|m| with_url(m.clone(), base, "macros"))
}

/// `GET /api/v2/macros` and `macros/active`.
pub fn list(req: &Req) -> Resp {
    let all = (0..4)
        .filter_map(|k| render(FIRST_MACRO + k, &req.base))
        .collect();
    match crate::pagination::list_values(req, "macros", all) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/macros/{id}`.
pub fn show(req: &Req, id: u64) -> Resp {
    match render(id, &req.base) {
        Some(v) => Resp::json(200, &json!({"macro": v})),
        None => Resp::not_found(),
    }
}

/// The ticket changes and comment a macro's actions make, for user `me`.
fn effect(actions: &Value, me: u64) -> (Map<String, Value>, Option<Value>) {
    let mut ticket = Map::new();
    let mut body: Option<String> = None;
    let mut public = true;
    for a in actions.as_array().into_iter().flatten() {
        let value = a.get("value").cloned().unwrap_or(Value::Null);
        match a.get("field").and_then(Value::as_str).unwrap_or("") {
            "comment_value" => body = value.as_str().map(String::from),
            "comment_mode_is_public" => public = value.as_str() != Some("false"),
            "assignee_id" if value == "current_user" => {
                ticket.insert("assignee_id".into(), json!(me));
            }
            "group_id" => {
                let g = value.as_str().and_then(|s| s.parse::<u64>().ok());
                ticket.insert("group_id".into(), g.map_or(value, |g| json!(g)));
            }
            "current_tags" => {
                let tags: Vec<Value> = value
                    .as_str()
                    .unwrap_or("")
                    .split_whitespace()
                    .map(|t| json!(t))
                    .collect();
                ticket.insert("tags".into(), Value::Array(tags));
            }
            f => {
                ticket.insert(f.into(), value);
            }
        }
    }
    let comment = body.map(|b| {
        json!({"body": b, "html_body": format!("<p>{b}</p>"), "scoped_body": [["channel:all", b]], "public": public})
    });
    (ticket, comment)
}

/// `GET /api/v2/macros/{id}/apply` and `GET /api/v2/tickets/{ticket}/macros/{id}/apply`.
pub fn apply(app: &App, req: &Req, id: u64, ticket: Option<u64>, who: &Identity) -> Resp {
    let Some((_, actions)) = id.checked_sub(FIRST_MACRO).and_then(definition) else {
        return Resp::not_found();
    };
    let (changes, comment) = effect(&actions, who.user_id);
    let mut result = Map::new();
    let ticket = match ticket {
        None => Value::Object(changes),
        Some(t) => {
            let store = read(&app.store);
            let Some(mut rec) = store.tickets.get(t) else {
                return Resp::not_found();
            };
            for (k, v) in changes {
                if k == "tags" {
                    let mut tags = rec
                        .get("tags")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default();
                    for tag in v.as_array().into_iter().flatten() {
                        if !tags.contains(tag) {
                            tags.push(tag.clone());
                        }
                    }
                    rec.insert(k, Value::Array(tags));
                } else {
                    rec.insert(k, v);
                }
            }
            with_url(rec, &req.base, "tickets")
        }
    };
    result.insert("ticket".into(), ticket);
    if let Some(c) = comment {
        result.insert("comment".into(), c);
    }
    Resp::json(200, &json!({"result": result}))
}
