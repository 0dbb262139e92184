//! What organizations, groups and both kinds of memberships share: a [`Family`] names the
//! collection and its JSON keys, and the handlers here list, show, create, update and delete
//! its records, keeping a tombstone for incremental exports.

use super::with_url;
use crate::app::{App, Req, read};
use crate::http::Resp;
use crate::pagination;
use crate::store::{Collection, Store};
use crate::util::{iso8601, now_epoch};
use serde_json::{Map, Value, json};

/// One resource family.
pub struct Family {
    /// List key and URL segment: `organizations`.
    pub key: &'static str,
    /// Single-record key: `organization`.
    pub one: &'static str,
    /// The collection in the store.
    pub pick: fn(&Store) -> &Collection,
    /// The same, writable.
    pub pick_mut: fn(&mut Store) -> &mut Collection,
}

impl Family {
    /// Record `id` with its `url`.
    pub fn render(&self, store: &Store, id: u64, base: &str) -> Option<Value> {
        (self.pick)(store)
            .get(id)
            .map(|r| with_url(r, base, self.key))
    }

    /// `GET /api/v2/{key}` (cursor or offset).
    pub fn list(&self, app: &App, req: &Req) -> Resp {
        let store = read(&app.store);
        let coll = (self.pick)(&store);
        match pagination::list(req, coll, self.key, |id| self.render(&store, id, &req.base)) {
            Ok(m) => Resp::json(200, &Value::Object(m)),
            Err(r) => r,
        }
    }

    /// A list of the records `keep` accepts (cursor or offset).
    pub fn list_where(&self, app: &App, req: &Req, keep: impl Fn(&Store, u64) -> bool) -> Resp {
        let store = read(&app.store);
        let coll = (self.pick)(&store);
        match pagination::filtered(
            req,
            coll,
            self.key,
            |id| keep(&store, id),
            |id| self.render(&store, id, &req.base),
        ) {
            Ok(m) => Resp::json(200, &Value::Object(m)),
            Err(r) => r,
        }
    }

    /// `GET /api/v2/{key}/{id}`.
    pub fn show(&self, app: &App, req: &Req, id: u64) -> Resp {
        match self.render(&read(&app.store), id, &req.base) {
            Some(v) => Resp::json(200, &json!({self.one: v})),
            None => Resp::not_found(),
        }
    }

    /// `GET /api/v2/{key}/show_many?ids=…`.
    pub fn show_many(&self, app: &App, req: &Req) -> Resp {
        let ids = match super::tickets::ids_param(req) {
            Ok(ids) => ids,
            Err(r) => return r,
        };
        let store = read(&app.store);
        let items: Vec<Value> = ids
            .iter()
            .filter_map(|id| self.render(&store, *id, &req.base))
            .collect();
        let count = items.len();
        Resp::json(
            200,
            &json!({self.key: items, "next_page": null, "previous_page": null, "count": count}),
        )
    }

    /// The `{one: {...}}` object of a write request, or 400.
    pub fn payload(&self, req: &Req) -> Result<Map<String, Value>, Resp> {
        match req.json()?.remove(self.one) {
            Some(Value::Object(m)) => Ok(m),
            _ => Err(Resp::error(
                400,
                "InvalidValue",
                &format!("The request body must contain a \"{}\" object", self.one),
            )),
        }
    }

    /// Stores a new record built from `template` overlaid with `input`; returns its id.
    pub fn insert(
        &self,
        store: &mut Store,
        template: Map<String, Value>,
        input: &Map<String, Value>,
    ) -> u64 {
        let coll = (self.pick_mut)(store);
        let id = coll.alloc_id();
        let now = iso8601(now_epoch());
        let mut rec = template;
        overlay(&mut rec, input);
        rec.insert("id".into(), json!(id));
        rec.insert("created_at".into(), json!(now));
        rec.insert("updated_at".into(), json!(now));
        coll.put(id, rec);
        id
    }

    /// Applies `input` to record `id` (404 when absent) and stores it.
    pub fn change(&self, store: &mut Store, id: u64, input: &Map<String, Value>) -> Option<Value> {
        let coll = (self.pick_mut)(store);
        let mut rec = coll.get(id)?;
        overlay(&mut rec, input);
        rec.insert("updated_at".into(), json!(iso8601(now_epoch())));
        coll.put(id, rec.clone());
        Some(Value::Object(rec))
    }

    /// Deletes record `id`, keeping a tombstone (`deleted_at`) for incremental exports.
    pub fn remove(&self, store: &mut Store, id: u64) -> Option<Map<String, Value>> {
        let coll = (self.pick_mut)(store);
        let mut rec = coll.get(id)?;
        let now = iso8601(now_epoch());
        rec.insert("deleted_at".into(), json!(now));
        rec.insert("updated_at".into(), json!(now));
        coll.delete(id, rec.clone());
        Some(rec)
    }
}

/// Copies writable keys of `input` onto `rec` (never `id`, `url` or the timestamps).
pub fn overlay(rec: &mut Map<String, Value>, input: &Map<String, Value>) {
    for (k, v) in input {
        if !matches!(k.as_str(), "id" | "url" | "created_at" | "updated_at") {
            rec.insert(k.clone(), v.clone());
        }
    }
}

/// The id in `input[key]`, required and pointing at a live record of `coll`, or 422.
pub fn existing_id(
    input: &Map<String, Value>,
    key: &str,
    coll: &Collection,
    label: &str,
) -> Result<u64, Resp> {
    match input.get(key).and_then(Value::as_u64) {
        Some(id) if coll.exists(id) => Ok(id),
        Some(_) => Err(Resp::invalid(
            key,
            "InvalidValue",
            &format!("{label}: is invalid"),
        )),
        None => Err(Resp::invalid(
            key,
            "BlankValue",
            &format!("{label}: cannot be blank"),
        )),
    }
}

/// The one u64 a record holds under `key`.
pub fn field_u64(rec: &Map<String, Value>, key: &str) -> Option<u64> {
    rec.get(key).and_then(Value::as_u64)
}
