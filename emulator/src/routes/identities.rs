//! User identities: `users/{id}/identities` (list, create, show, delete). A user's email is
//! its primary identity (id `user_id * 100 + 1`); identities added through the API follow.

use crate::app::{App, Req, read, write};
use crate::http::Resp;
use crate::store::Store;
use crate::util::{iso8601, now_epoch};
use serde_json::{Map, Value, json};

const TYPES: [&str; 6] = [
    "email",
    "twitter",
    "facebook",
    "google",
    "phone_number",
    "agent_forwarding",
];

fn url(req: &Req, user: u64, id: u64) -> String {
    format!("{}/api/v2/users/{user}/identities/{id}.json", req.base)
}

/// The identities of user `user` (None when there is no such user).
fn of_user(store: &Store, user: u64) -> Option<Vec<Map<String, Value>>> {
    let u = store.users.get(user)?;
    if let Some(list) = store.identities.get(&user) {
        return Some(list.clone());
    }
    let Some(email) = u.get("email").and_then(Value::as_str) else {
        return Some(Vec::new());
    };
    let at = u.get("created_at").cloned().unwrap_or(Value::Null);
    let primary = json!({"id": user * 100 + 1, "user_id": user, "type": "email", "value": email,
        "verified": true, "primary": true, "created_at": at, "updated_at": at,
        "undeliverable_count": 0, "deliverable_state": "deliverable"});
    Some(primary.as_object().into_iter().cloned().collect())
}

fn render(req: &Req, mut m: Map<String, Value>) -> Value {
    let (user, id) = (
        m["user_id"].as_u64().unwrap_or(0),
        m["id"].as_u64().unwrap_or(0),
    );
    m.insert("url".into(), json!(url(req, user, id)));
    Value::Object(m)
}

/// `GET /api/v2/users/{id}/identities`.
pub fn list(app: &App, req: &Req, user: u64) -> Resp {
    let Some(list) = of_user(&read(&app.store), user) else {
        return Resp::not_found();
    };
    let items = list.into_iter().map(|m| render(req, m)).collect();
    match crate::pagination::list_values(req, "identities", items) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/users/{id}/identities/{identity_id}`.
pub fn show(app: &App, req: &Req, user: u64, id: u64) -> Resp {
    let found = of_user(&read(&app.store), user)
        .into_iter()
        .flatten()
        .find(|m| m.get("id").and_then(Value::as_u64) == Some(id));
    match found {
        Some(m) => Resp::json(200, &json!({"identity": render(req, m)})),
        None => Resp::not_found(),
    }
}

/// `POST /api/v2/users/{id}/identities` `{"identity": {"type": "email", "value": "…"}}`.
pub fn create(app: &App, req: &Req, user: u64) -> Resp {
    let input = match req.json().map(|mut b| b.remove("identity")) {
        Ok(Some(Value::Object(m))) => m,
        Ok(_) => {
            return Resp::error(
                400,
                "InvalidValue",
                "The request body must contain an \"identity\" object",
            );
        }
        Err(r) => return r,
    };
    let kind = input.get("type").and_then(Value::as_str).unwrap_or("");
    if !TYPES.contains(&kind) {
        return Resp::invalid("type", "InvalidValue", "Type: is invalid");
    }
    let Some(value) = input
        .get("value")
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
    else {
        return Resp::invalid("value", "BlankValue", "Value: cannot be blank");
    };
    let mut store = write(&app.store);
    let Some(mut list) = of_user(&store, user) else {
        return Resp::not_found();
    };
    if kind == "email"
        && (store.user_by_email(value).is_some()
            || list.iter().any(|m| m.get("value") == Some(&json!(value))))
    {
        return Resp::invalid(
            "value",
            "DuplicateValue",
            &format!("Value: {value} is already being used by another user"),
        );
    }
    if list.len() >= 99 {
        return Resp::invalid("base", "TooMany", "A user may have at most 99 identities");
    }
    let next = list
        .iter()
        .filter_map(|m| m.get("id").and_then(Value::as_u64))
        .max()
        .unwrap_or(user * 100)
        + 1;
    let now = json!(iso8601(now_epoch()));
    let rec = json!({"id": next, "user_id": user, "type": kind, "value": value,
        "verified": input.get("verified").and_then(Value::as_bool).unwrap_or(false),
        "primary": list.is_empty(), "created_at": now, "updated_at": now,
        "undeliverable_count": 0, "deliverable_state": "deliverable"});
    let rec = rec.as_object().cloned().unwrap_or_default();
    list.push(rec.clone());
    store.identities.insert(user, list);
    Resp::json(201, &json!({"identity": render(req, rec)}))
}

/// `DELETE /api/v2/users/{id}/identities/{identity_id}`: 204.
pub fn delete(app: &App, user: u64, id: u64) -> Resp {
    let mut store = write(&app.store);
    let Some(mut list) = of_user(&store, user) else {
        return Resp::not_found();
    };
    let before = list.len();
    list.retain(|m| m.get("id").and_then(Value::as_u64) != Some(id));
    if list.len() == before {
        return Resp::not_found();
    }
    store.identities.insert(user, list);
    Resp::empty(204)
}
