//! Side-loading: `include=users,groups,organizations` adds top-level arrays of the records
//! the listed items reference (users by requester, submitter, assignee, author and
//! collaborators; groups by `group_id`; organizations by `organization_id`).

use super::with_url;
use crate::app::Req;
use crate::store::{Collection, Store};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

const USER_KEYS: [&str; 4] = ["requester_id", "submitter_id", "assignee_id", "author_id"];
const USER_LISTS: [&str; 2] = ["collaborator_ids", "follower_ids"];

fn ids(items: &[Value], keys: &[&str], lists: &[&str]) -> BTreeSet<u64> {
    let mut out = BTreeSet::new();
    for item in items {
        for k in keys {
            if let Some(id) = item.get(*k).and_then(Value::as_u64) {
                out.insert(id);
            }
        }
        for k in lists {
            for id in item.get(*k).and_then(Value::as_array).into_iter().flatten() {
                if let Some(id) = id.as_u64() {
                    out.insert(id);
                }
            }
        }
    }
    out
}

fn records(coll: &Collection, ids: BTreeSet<u64>, base: &str, res: &str) -> Value {
    Value::Array(
        ids.into_iter()
            .filter_map(|id| coll.get(id).map(|r| with_url(r, base, res)))
            .collect(),
    )
}

/// Adds the side-loads `include` asks for to `out`, for `items`.
pub fn add(store: &Store, req: &Req, items: &[Value], out: &mut Map<String, Value>) {
    let Some(include) = req.q("include") else {
        return;
    };
    for what in include.split(',').map(str::trim) {
        let v = match what {
            "users" => records(
                &store.users,
                ids(items, &USER_KEYS, &USER_LISTS),
                &req.base,
                "users",
            ),
            "groups" => records(
                &store.groups,
                ids(items, &["group_id"], &[]),
                &req.base,
                "groups",
            ),
            "organizations" => records(
                &store.organizations,
                ids(items, &["organization_id"], &[]),
                &req.base,
                "organizations",
            ),
            _ => continue,
        };
        out.insert(what.to_string(), v);
    }
}

/// Side-loads for the items already in `out[key]`.
pub fn add_for_key(store: &Store, req: &Req, key: &str, out: &mut Map<String, Value>) {
    if req.q("include").is_none() {
        return;
    }
    let items = out
        .get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    add(store, req, &items, out);
}
