//! Read-only account configuration: `ticket_fields`, `user_fields`, `organization_fields`,
//! `ticket_forms` (with `show_many`) and `custom_statuses`, with their single-record shows.

use super::with_url;
use crate::app::Req;
use crate::http::Resp;
use crate::seed_fields::{get, ids};
use serde_json::{Map, Value, json};

const SINGULAR: [(&str, &str); 5] = [
    ("ticket_fields", "ticket_field"),
    ("user_fields", "user_field"),
    ("organization_fields", "organization_field"),
    ("ticket_forms", "ticket_form"),
    ("custom_statuses", "custom_status"),
];

fn render(family: &str, id: u64, base: &str) -> Option<Value> {
    match get(family, id)? {
        Value::Object(m) => Some(with_url(m, base, family)),
        _ => None,
    }
}

/// Whether `family` is one of these.
pub fn serves(family: &str) -> bool {
    SINGULAR.iter().any(|(f, _)| *f == family)
}

/// `GET /api/v2/{family}` (all records; cursor or offset paging).
pub fn list(req: &Req, family: &str) -> Resp {
    let items: Vec<Value> = ids(family)
        .into_iter()
        .filter_map(|id| render(family, id, &req.base))
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
pub fn show(req: &Req, family: &str, id: u64) -> Resp {
    let one = SINGULAR
        .iter()
        .find(|(f, _)| *f == family)
        .map_or("record", |(_, o)| *o);
    match render(family, id, &req.base) {
        Some(v) => {
            let mut m = Map::new();
            m.insert(one.into(), v);
            Resp::json(200, &Value::Object(m))
        }
        None => Resp::not_found(),
    }
}

/// `GET /api/v2/{ticket_fields,ticket_forms,user_fields}/show_many?ids=…`.
pub fn show_many(req: &Req, family: &str) -> Resp {
    let wanted = match super::tickets::ids_param(req) {
        Ok(ids) => ids,
        Err(r) => return r,
    };
    let items: Vec<Value> = wanted
        .iter()
        .filter_map(|id| render(family, *id, &req.base))
        .collect();
    let count = items.len();
    Resp::json(
        200,
        &json!({family: items, "next_page": null, "previous_page": null, "count": count}),
    )
}
