//! Account configuration: `ticket_fields`, `user_fields`, `organization_fields`,
//! `ticket_forms` (with `show_many`) and `custom_statuses`, with their single-record shows.
//! Ticket fields and forms can also be written ([`super::field_writes`]); the seeded
//! records are fixed and the store keeps what changed.

use super::with_url;
use crate::app::{App, Req, read};
use crate::http::Resp;
use crate::seed_fields::get;
use crate::store::Store;
use serde_json::{Map, Value, json};

const SINGULAR: [(&str, &str); 5] = [
    ("ticket_fields", "ticket_field"),
    ("user_fields", "user_field"),
    ("organization_fields", "organization_field"),
    ("ticket_forms", "ticket_form"),
    ("custom_statuses", "custom_status"),
];

/// Record `id` of `family` as it stands (seeded, created or changed; `None` if deleted).
pub fn record(store: &Store, family: &str, id: u64) -> Option<Value> {
    match store.config.get(family).and_then(|m| m.get(&id)) {
        Some(changed) => changed.clone(),
        None => get(family, id),
    }
}

/// The live ids of `family`, ascending.
pub fn ids(store: &Store, family: &str) -> Vec<u64> {
    let mut all: std::collections::BTreeSet<u64> =
        crate::seed_fields::ids(family).into_iter().collect();
    if let Some(changes) = store.config.get(family) {
        for (id, rec) in changes {
            if rec.is_some() {
                all.insert(*id);
            } else {
                all.remove(id);
            }
        }
    }
    all.into_iter().collect()
}

fn render(store: &Store, family: &str, id: u64, base: &str) -> Option<Value> {
    match record(store, family, id)? {
        Value::Object(m) => Some(with_url(m, base, family)),
        _ => None,
    }
}

/// The `{"ticket_field": …}` key of `family`.
pub fn singular(family: &str) -> &'static str {
    SINGULAR
        .iter()
        .find(|(f, _)| *f == family)
        .map_or("record", |(_, o)| *o)
}

/// Whether `family` is one of these.
pub fn serves(family: &str) -> bool {
    SINGULAR.iter().any(|(f, _)| *f == family)
}

/// `GET /api/v2/{family}` (all records; cursor or offset paging).
pub fn list(app: &App, req: &Req, family: &str) -> Resp {
    let store = read(&app.store);
    let items: Vec<Value> = ids(&store, family)
        .into_iter()
        .filter_map(|id| render(&store, family, id, &req.base))
        .collect();
    let mut sorted = items;
    sorted.sort_by_key(|v| v["id"].as_u64());
    if family == "custom_statuses" {
        // Zendesk answers custom statuses in one unpaged list.
        return Resp::json(200, &json!({"custom_statuses": sorted}));
    }
    match crate::pagination::list_values(req, family, sorted) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/{family}/{id}`.
pub fn show(app: &App, req: &Req, family: &str, id: u64) -> Resp {
    match render(&read(&app.store), family, id, &req.base) {
        Some(v) => {
            let mut m = Map::new();
            m.insert(singular(family).into(), v);
            Resp::json(200, &Value::Object(m))
        }
        None => Resp::not_found(),
    }
}

/// `GET /api/v2/{ticket_fields,ticket_forms,user_fields}/show_many?ids=…`.
pub fn show_many(app: &App, req: &Req, family: &str) -> Resp {
    let wanted = match super::tickets::ids_param(req) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let store = read(&app.store);
    let items: Vec<Value> = wanted
        .iter()
        .filter_map(|id| render(&store, family, *id, &req.base))
        .collect();
    let count = items.len();
    Resp::json(
        200,
        &json!({family: items, "next_page": null, "previous_page": null, "count": count}),
    )
}
