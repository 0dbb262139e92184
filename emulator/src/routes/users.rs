//! Users: me, list, show, show_many, create, update, delete.

use super::tickets::ids_param;
use super::with_url;
use crate::app::{App, Req, read, write};
use crate::auth::Identity;
use crate::http::Resp;
use crate::pagination;
use crate::util::{iso8601, now_epoch};
use serde_json::{Map, Value, json};

const ROLES: &[&str] = &["admin", "agent", "end-user"];

/// `GET /api/v2/users/me` without (valid password-less) credentials: the anonymous user.
pub fn anonymous() -> Resp {
    Resp::json(
        200,
        &json!({"user": {"id": null, "url": null, "name": "Anonymous user", "email": "invalid@example.com",
            "created_at": null, "updated_at": null, "time_zone": "UTC", "iana_time_zone": "Etc/UTC",
            "phone": null, "photo": null, "locale_id": 1, "locale": "en-US", "organization_id": null,
            "role": "end-user", "verified": false, "active": true, "tags": [], "user_fields": {}}}),
    )
}

/// `GET /api/v2/users/me`.
pub fn me(app: &App, req: &Req, who: &Identity) -> Resp {
    show(app, req, who.user_id)
}

/// `GET /api/v2/users`.
pub fn list(app: &App, req: &Req) -> Resp {
    let store = read(&app.store);
    match pagination::list(req, &store.users, "users", |id| {
        store.users.get(id).map(|u| with_url(u, &req.base, "users"))
    }) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/users/{id}`.
pub fn show(app: &App, req: &Req, id: u64) -> Resp {
    match read(&app.store).users.get(id) {
        Some(u) => Resp::json(200, &json!({"user": with_url(u, &req.base, "users")})),
        None => Resp::not_found(),
    }
}

/// `GET /api/v2/users/show_many?ids=…`.
pub fn show_many(app: &App, req: &Req) -> Resp {
    let ids = match ids_param(req) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let store = read(&app.store);
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| {
            store
                .users
                .get(*id)
                .map(|u| with_url(u, &req.base, "users"))
        })
        .collect();
    let count = items.len();
    Resp::json(
        200,
        &json!({"users": items, "next_page": null, "previous_page": null, "count": count}),
    )
}

fn payload(req: &Req) -> Result<Map<String, Value>, Resp> {
    match req.json()?.get("user") {
        Some(Value::Object(u)) => Ok(u.clone()),
        _ => Err(Resp::error(
            400,
            "InvalidValue",
            "The request body must contain a \"user\" object",
        )),
    }
}

fn apply(
    store: &crate::store::Store,
    rec: &mut Map<String, Value>,
    input: &Map<String, Value>,
    id: u64,
) -> Result<(), Resp> {
    if let Some(name) = input.get("name") {
        if name.as_str().is_none_or(|n| n.trim().is_empty()) {
            return Err(Resp::invalid("name", "BlankValue", "Name: cannot be blank"));
        }
    }
    if let Some(role) = input.get("role") {
        if !role.as_str().is_some_and(|r| ROLES.contains(&r)) {
            return Err(Resp::invalid("role", "InvalidValue", "Role: is invalid"));
        }
    }
    if let Some(email) = input.get("email").and_then(Value::as_str) {
        if !email.contains('@') {
            return Err(Resp::invalid(
                "email",
                "InvalidFormat",
                &format!("Email: {email} is not properly formatted"),
            ));
        }
        if store
            .user_by_email(email)
            .is_some_and(|u| u.get("id").and_then(Value::as_u64) != Some(id))
        {
            return Err(Resp::invalid(
                "email",
                "DuplicateValue",
                &format!("Email: {email} is already being used by another user"),
            ));
        }
    }
    for (k, v) in input {
        if matches!(k.as_str(), "id" | "url" | "created_at" | "updated_at") {
            continue;
        }
        rec.insert(k.clone(), v.clone());
    }
    Ok(())
}

/// Creates a user from a payload (validated); returns the stored record.
pub fn create_in(
    store: &mut crate::store::Store,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, Resp> {
    if input.get("name").is_none() {
        return Err(Resp::invalid("name", "BlankValue", "Name: cannot be blank"));
    }
    let id = store.users.max_id() + 1;
    let now = now_epoch();
    let role = input
        .get("role")
        .and_then(Value::as_str)
        .unwrap_or("end-user")
        .to_string();
    let mut rec = crate::seed::new_user(id, "", "", &role, now, now, id);
    rec.insert("email".into(), Value::Null);
    rec.insert("organization_id".into(), Value::Null);
    rec.insert("default_group_id".into(), Value::Null);
    rec.insert("user_fields".into(), json!({"support_tier": null}));
    apply(store, &mut rec, input, id)?;
    let id = store.users.alloc_id();
    store.users.put(id, rec.clone());
    join_org(store, id, input);
    Ok(rec)
}

/// Updates user `id` from a payload (validated); returns the stored record.
pub fn update_in(
    store: &mut crate::store::Store,
    id: u64,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, Resp> {
    let Some(mut rec) = store.users.get(id) else {
        return Err(Resp::not_found());
    };
    apply(store, &mut rec, input, id)?;
    rec.insert("updated_at".into(), json!(iso8601(now_epoch())));
    store.users.put(id, rec.clone());
    join_org(store, id, input);
    Ok(rec)
}

/// Deletes user `id` (kept as an inactive tombstone); returns the record.
pub fn delete_in(store: &mut crate::store::Store, id: u64) -> Option<Map<String, Value>> {
    let mut rec = store.users.get(id)?;
    rec.insert("active".into(), json!(false));
    rec.insert("updated_at".into(), json!(iso8601(now_epoch())));
    store.users.delete(id, rec.clone());
    Some(rec)
}

fn answer(status: u16, req: &Req, r: Result<Map<String, Value>, Resp>) -> Resp {
    match r {
        Ok(rec) => Resp::json(status, &json!({"user": with_url(rec, &req.base, "users")})),
        Err(r) => r,
    }
}

/// `POST /api/v2/users`.
pub fn create(app: &App, req: &Req) -> Resp {
    match payload(req) {
        Ok(input) => answer(201, req, create_in(&mut write(&app.store), &input)),
        Err(r) => r,
    }
}

/// `POST /api/v2/users/create_or_update`: updates the user with the payload's email (or
/// external_id) when there is one (200), else creates it (201).
pub fn create_or_update(app: &App, req: &Req) -> Resp {
    let input = match payload(req) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    match find(&store, &input) {
        Some(id) => answer(200, req, update_in(&mut store, id, &input)),
        None => answer(201, req, create_in(&mut store, &input)),
    }
}

/// The existing user a create_or_update payload names (by email, then external_id).
pub fn find(store: &crate::store::Store, input: &Map<String, Value>) -> Option<u64> {
    if let Some(email) = input.get("email").and_then(Value::as_str) {
        if let Some(u) = store.user_by_email(email) {
            return u.get("id").and_then(Value::as_u64);
        }
    }
    let ext = input.get("external_id").filter(|e| !e.is_null())?;
    crate::pagination::first_where(&store.users, |id| {
        store.users.is_overridden(id)
            && store
                .users
                .get(id)
                .and_then(|u| u.get("external_id").cloned())
                .as_ref()
                == Some(ext)
    })
}

/// `PUT /api/v2/users/{id}`.
pub fn update(app: &App, req: &Req, id: u64) -> Resp {
    match payload(req) {
        Ok(input) => answer(200, req, update_in(&mut write(&app.store), id, &input)),
        Err(r) => r,
    }
}

/// `DELETE /api/v2/users/{id}`: 200 with the user, now inactive.
pub fn delete(app: &App, req: &Req, id: u64) -> Resp {
    match delete_in(&mut write(&app.store), id) {
        Some(rec) => answer(200, req, Ok(rec)),
        None => Resp::not_found(),
    }
}

/// Applies `change` to user `id` as the system would (no validation), bumping `updated_at`.
pub fn change_in(store: &mut crate::store::Store, id: u64, change: &Map<String, Value>) {
    if let Some(mut rec) = store.users.get(id) {
        for (k, v) in change {
            rec.insert(k.clone(), v.clone());
        }
        rec.insert("updated_at".into(), json!(iso8601(now_epoch())));
        store.users.put(id, rec);
    }
}

/// After a write that set `organization_id` on user `id`: the user is a member of it.
fn join_org(store: &mut crate::store::Store, id: u64, input: &Map<String, Value>) {
    let Some(org) = input.get("organization_id").and_then(Value::as_u64) else {
        return;
    };
    use super::organizations::{membership_org, membership_user};
    let member = crate::pagination::first_where(&store.org_memberships, |m| {
        membership_user(store, m) == Some(id) && membership_org(store, m) == Some(org)
    });
    if member.is_none() && store.organizations.exists(org) {
        let mut tpl = Map::new();
        tpl.insert("user_id".into(), json!(id));
        tpl.insert("organization_id".into(), json!(org));
        tpl.insert("default".into(), json!(true));
        tpl.insert("view_tickets".into(), json!(true));
        super::organizations::MEMBERSHIPS.insert(store, tpl, &Map::new());
    }
}
