//! Satisfaction ratings (`satisfaction_ratings`, `{id}`, `tickets/{id}/satisfaction_rating`)
//! and ticket metrics (`ticket_metrics`, `{id}`, `tickets/{id}/metrics`), both derived from
//! the tickets they belong to, so they agree with `ticket.satisfaction_rating`.

use crate::app::{App, Req, read, write};
use crate::http::Resp;
use crate::seed::{self, RATING_BASE, TicketCore};
use crate::store::Store;
use crate::util::{iso8601, parse_date};
use serde_json::{Map, Value, json};

/// Ticket metric ids are this plus the ticket id.
const METRIC_BASE: u64 = 370_000_000_000;

fn rating_score(store: &Store, id: u64) -> Option<String> {
    let t = &store.tickets;
    if t.is_seeded(id) && !t.is_overridden(id) {
        let core = TicketCore::new(id);
        return seed::ticket_rating(id, core.status).map(|r| r.1.to_string());
    }
    let r = t.get(id)?;
    r.get("satisfaction_rating")?
        .get("score")?
        .as_str()
        .map(String::from)
}

/// The rating of ticket `id` as its own record.
fn rating(store: &Store, id: u64, base: &str) -> Option<Value> {
    let t = store.tickets.get(id)?;
    let r = t.get("satisfaction_rating").filter(|r| r.is_object())?;
    let at = r
        .get("created_at")
        .cloned()
        .unwrap_or_else(|| t.get("updated_at").cloned().unwrap_or(Value::Null));
    let rid = r.get("id").and_then(Value::as_u64)?;
    let v = json!({"id": rid, "url": format!("{base}/api/v2/satisfaction_ratings/{rid}.json"),
        "ticket_id": id, "assignee_id": t.get("assignee_id"), "group_id": t.get("group_id"),
        "requester_id": t.get("requester_id"), "score": r.get("score"),
        "comment": r.get("comment").cloned().unwrap_or(json!("")), "reason": "", "reason_id": 0,
        "created_at": at, "updated_at": at});
    Some(v)
}

/// `GET /api/v2/satisfaction_ratings[?score=good|bad|received]` (cursor or offset).
pub fn list(app: &App, req: &Req) -> Resp {
    let store = read(&app.store);
    let want = req.q("score").unwrap_or("received").to_string();
    let keep = |id: u64| {
        rating_score(&store, id).is_some_and(|s| want == "received" || s == want || want.is_empty())
    };
    match crate::pagination::filtered(req, &store.tickets, "satisfaction_ratings", keep, |id| {
        rating(&store, id, &req.base)
    }) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/satisfaction_ratings/{id}`.
pub fn show(app: &App, req: &Req, id: u64) -> Resp {
    let store = read(&app.store);
    let found = id
        .checked_sub(RATING_BASE)
        .and_then(|t| rating(&store, t, &req.base))
        .filter(|r| r["id"] == id);
    match found {
        Some(r) => Resp::json(200, &json!({"satisfaction_rating": r})),
        None => Resp::not_found(),
    }
}

/// `POST /api/v2/tickets/{id}/satisfaction_rating` `{"satisfaction_rating": {"score", "comment"}}`:
/// rates a solved ticket (the ticket's `satisfaction_rating` shows it at once).
pub fn rate(app: &App, req: &Req, id: u64) -> Resp {
    let input = match req.json().map(|mut b| b.remove("satisfaction_rating")) {
        Ok(Some(Value::Object(m))) => m,
        Ok(_) => {
            return Resp::error(
                400,
                "InvalidValue",
                "The request body must contain a \"satisfaction_rating\" object",
            );
        }
        Err(r) => return r,
    };
    let score = input.get("score").and_then(Value::as_str).unwrap_or("");
    if !["good", "bad"].contains(&score) {
        return Resp::invalid("score", "InvalidValue", "Score: is invalid");
    }
    let mut store = write(&app.store);
    let Some(t) = store.tickets.get(id) else {
        return Resp::not_found();
    };
    if !matches!(
        t.get("status").and_then(Value::as_str),
        Some("solved" | "closed")
    ) {
        return Resp::invalid(
            "base",
            "InvalidValue",
            "The ticket must be solved to be rated",
        );
    }
    let now = iso8601(crate::util::now_epoch());
    let mut change = Map::new();
    change.insert(
        "satisfaction_rating".into(),
        json!({"id": RATING_BASE + id, "score": score,
        "comment": input.get("comment").cloned().unwrap_or(json!("")), "created_at": now}),
    );
    let mut rec = t;
    for (k, v) in change {
        rec.insert(k, v);
    }
    rec.insert("updated_at".into(), json!(now));
    store.tickets.put(id, rec);
    match rating(&store, id, &req.base) {
        Some(r) => Resp::json(200, &json!({"satisfaction_rating": r})),
        None => Resp::not_found(),
    }
}

fn minutes(a: i64, b: i64) -> Value {
    let m = ((b - a).max(0) / 60) as u64;
    json!({"calendar": m, "business": m * 2 / 3})
}

/// The metrics of ticket `id`, derived from its timestamps and audits.
fn metric(store: &Store, id: u64, base: &str) -> Option<Value> {
    let t = store.tickets.get(id)?;
    let stamp = |k: &str| {
        t.get(k)
            .and_then(Value::as_str)
            .and_then(parse_date)
            .unwrap_or(0)
    };
    let (created, updated) = (stamp("created_at"), stamp("updated_at"));
    let comments =
        crate::audits::of_ticket(store, id).map_or(0, |a| crate::audits::comments(&a).len());
    let solved = matches!(
        t.get("status").and_then(Value::as_str),
        Some("solved" | "closed")
    );
    let assigned = t.get("assignee_id").is_some_and(|a| !a.is_null());
    let mid = METRIC_BASE + id;
    let at = |cond: bool, e: i64| if cond { json!(iso8601(e)) } else { Value::Null };
    Some(
        json!({"id": mid, "url": format!("{base}/api/v2/ticket_metrics/{mid}.json"), "ticket_id": id,
        "created_at": iso8601(created), "updated_at": iso8601(updated),
        "group_stations": 1, "assignee_stations": u64::from(assigned), "reopens": 0,
        "replies": comments.saturating_sub(1), "assignee_updated_at": at(assigned, updated),
        "requester_updated_at": iso8601(created), "status_updated_at": iso8601(updated),
        "initially_assigned_at": at(assigned, created + 600), "assigned_at": at(assigned, created + 600),
        "solved_at": at(solved, updated), "latest_comment_added_at": iso8601(updated),
        "reply_time_in_minutes": minutes(created, created + 1000),
        "first_resolution_time_in_minutes": if solved { minutes(created, updated) } else { json!({"calendar": null, "business": null}) },
        "full_resolution_time_in_minutes": if solved { minutes(created, updated) } else { json!({"calendar": null, "business": null}) },
        "agent_wait_time_in_minutes": minutes(created, created), "requester_wait_time_in_minutes": minutes(created, created + 1000),
        "on_hold_time_in_minutes": minutes(created, created)}),
    )
}

/// `GET /api/v2/ticket_metrics` (cursor or offset, one per live ticket).
pub fn list_metrics(app: &App, req: &Req) -> Resp {
    let store = read(&app.store);
    match crate::pagination::list(req, &store.tickets, "ticket_metrics", |id| {
        metric(&store, id, &req.base)
    }) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/ticket_metrics/{id}` (a metric id, or a ticket id as Zendesk also accepts)
/// and `GET /api/v2/tickets/{id}/metrics`: `{"ticket_metric": [metric]}`, a one-item list as
/// Zendesk's OpenAPI description gives it (schema and example alike).
pub fn show_metric(app: &App, req: &Req, id: u64, by_ticket: bool) -> Resp {
    let ticket = if by_ticket {
        id
    } else {
        id.checked_sub(METRIC_BASE).unwrap_or(id)
    };
    match metric(&read(&app.store), ticket, &req.base) {
        Some(m) => Resp::json(200, &json!({"ticket_metric": [m]})),
        None => Resp::not_found(),
    }
}
