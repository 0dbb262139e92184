//! Views: `views`, `views/active`, `views/{id}`, `views/{id}/tickets` and `views/{id}/count`.
//! Five fixed views whose conditions the emulator evaluates on live tickets.

use super::with_url;
use crate::app::{App, Req, read};
use crate::auth::Identity;
use crate::http::Resp;
use crate::seed::{self, TicketCore};
use crate::store::Store;
use crate::util::iso8601;
use serde_json::{Value, json};

/// First view id.
const FIRST_VIEW: u64 = 360_800_000;
const UNSOLVED: [&str; 4] = ["new", "open", "pending", "hold"];

/// The facts views filter on.
pub struct Facts {
    /// Ticket status.
    pub status: String,
    /// Assignee, if any.
    pub assignee: Option<u64>,
}

/// The facts of live ticket `id` (cheap for untouched seeded tickets).
pub fn facts(store: &Store, id: u64) -> Option<Facts> {
    let t = &store.tickets;
    if t.is_seeded(id) && !t.is_overridden(id) {
        let core = TicketCore::new(id);
        let (_, assignee) =
            seed::ticket_group_and_assignee(id, store.users.seed_count, core.status);
        return Some(Facts {
            status: core.status.into(),
            assignee,
        });
    }
    let r = t.get(id)?;
    Some(Facts {
        status: r.get("status").and_then(Value::as_str).unwrap_or("").into(),
        assignee: r.get("assignee_id").and_then(Value::as_u64),
    })
}

/// (title, conditions as Zendesk writes them).
fn definition(k: u64) -> Option<(&'static str, Value)> {
    let unsolved = json!({"field": "status", "operator": "less_than", "value": "solved"});
    Some(match k {
        0 => (
            "Your unsolved tickets",
            json!({"all": [unsolved, {"field": "assignee_id", "operator": "is", "value": "current_user"}], "any": []}),
        ),
        1 => (
            "Unassigned tickets",
            json!({"all": [unsolved, {"field": "assignee_id", "operator": "is", "value": ""}], "any": []}),
        ),
        2 => (
            "All unsolved tickets",
            json!({"all": [unsolved], "any": []}),
        ),
        3 => (
            "Recently solved tickets",
            json!({"all": [{"field": "status", "operator": "is", "value": "solved"}], "any": []}),
        ),
        4 => (
            "Pending tickets",
            json!({"all": [{"field": "status", "operator": "is", "value": "pending"}], "any": []}),
        ),
        _ => return None,
    })
}

/// The definition index of view `id`, if it exists.
fn index(id: u64) -> Option<u64> {
    id.checked_sub(FIRST_VIEW)
        .filter(|k| definition(*k).is_some())
}

fn matches(k: u64, f: &Facts, me: u64) -> bool {
    let unsolved = UNSOLVED.contains(&f.status.as_str());
    match k {
        0 => unsolved && f.assignee == Some(me),
        1 => unsolved && f.assignee.is_none(),
        2 => unsolved,
        3 => f.status == "solved",
        4 => f.status == "pending",
        _ => false,
    }
}

fn view(id: u64, base: &str) -> Option<Value> {
    let k = id.checked_sub(FIRST_VIEW)?;
    let (title, conditions) = definition(k)?;
    let at = iso8601(seed::BASE_EPOCH - 300 * 86_400);
    let v = json!({"id": id, "title": title, "raw_title": title, "active": true, "default": true,
        "position": k, "description": null, "restriction": null, "conditions": conditions,
        "execution": {"group_by": "status", "group_order": "asc", "sort_by": "nice_id", "sort_order": "desc",
            "columns": [{"id": "subject", "title": "Subject"}, {"id": "requester", "title": "Requester"},
                {"id": "created", "title": "Requested"}], "fields": [], "custom_fields": []},
        "created_at": at, "updated_at": at});
    v.as_object().map(|m| with_url(m.clone(), base, "views"))
}

fn all(base: &str) -> Vec<Value> {
    (0..5).filter_map(|k| view(FIRST_VIEW + k, base)).collect()
}

/// `GET /api/v2/views` and `views/active`.
pub fn list(req: &Req) -> Resp {
    match crate::pagination::list_values(req, "views", all(&req.base)) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/views/{id}`.
pub fn show(req: &Req, id: u64) -> Resp {
    match view(id, &req.base) {
        Some(v) => Resp::json(200, &json!({"view": v})),
        None => Resp::not_found(),
    }
}

/// `GET /api/v2/views/{id}/tickets` (cursor or offset).
pub fn tickets(app: &App, req: &Req, id: u64, who: &Identity) -> Resp {
    let Some(k) = index(id) else {
        return Resp::not_found();
    };
    let store = read(&app.store);
    let keep = |t: u64| facts(&store, t).is_some_and(|f| matches(k, &f, who.user_id));
    match crate::pagination::filtered(req, &store.tickets, "tickets", keep, |t| {
        super::tickets::render(&store, t, &req.base)
    }) {
        Ok(mut m) => {
            super::sideload::add_for_key(&store, req, "tickets", &mut m);
            Resp::json(200, &Value::Object(m))
        }
        Err(r) => r,
    }
}

/// `GET /api/v2/views/{id}/count`.
pub fn count(app: &App, req: &Req, id: u64, who: &Identity) -> Resp {
    let Some(k) = index(id) else {
        return Resp::not_found();
    };
    let store = read(&app.store);
    let mut n = 0u64;
    let mut cur = 0;
    loop {
        let (ids, more) = store.tickets.ids_after(cur, 1000);
        n += ids
            .iter()
            .filter(|t| facts(&store, **t).is_some_and(|f| matches(k, &f, who.user_id)))
            .count() as u64;
        match (ids.last(), more) {
            (Some(l), true) => cur = *l,
            _ => break,
        }
    }
    let url = format!("{}/api/v2/views/{id}/count.json", req.base);
    Resp::json(
        200,
        &json!({"view_count": {"view_id": id, "url": url, "value": n,
        "pretty": n.to_string(), "fresh": true, "active": true}}),
    )
}
