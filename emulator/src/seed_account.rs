//! The seeded account around tickets and users: organizations, groups, their memberships,
//! ticket/user/organization fields, ticket forms and custom statuses. Seeded tickets and
//! users reference exactly these records, so every id they carry can be fetched.
//!
//! Organizations and groups are few and fixed; memberships are derived from the user id
//! (one organization membership per user, one group membership per agent), so a million
//! users still cost nothing until changed.

use crate::seed::{BASE_EPOCH, user_created, user_updated};
use crate::util::iso8601;
use serde_json::{Map, Value, json};

/// Seeded organizations are `FIRST_ORG..FIRST_ORG + ORG_COUNT`.
pub const FIRST_ORG: u64 = 360_000_000;
/// Number of seeded organizations.
pub const ORG_COUNT: u64 = 7;
/// Seeded groups are `FIRST_GROUP..FIRST_GROUP + GROUP_COUNT`.
pub const FIRST_GROUP: u64 = 360_100_000;
/// Number of seeded groups.
pub const GROUP_COUNT: u64 = 3;
/// First custom status id; one per status category, in [`STATUS_CATEGORIES`] order.
pub const FIRST_CUSTOM_STATUS: u64 = 360_200_000;
/// The default ticket form every seeded ticket uses.
pub const TICKET_FORM: u64 = 360_300_000;
/// The account's brand.
pub const BRAND: u64 = 360_400_000;
/// Ticket statuses that have a custom status (Zendesk's status categories).
pub const STATUS_CATEGORIES: [&str; 5] = ["new", "open", "pending", "hold", "solved"];

const ORG_NAMES: [&str; 7] = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
];
const REGIONS: [&str; 3] = ["emea", "amer", "apac"];
const GROUP_NAMES: [&str; 3] = ["Support", "Billing", "Engineering"];

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Update time of seeded organization or group `id` (before every user).
pub fn updated(id: u64) -> i64 {
    BASE_EPOCH - 200 * 86_400 + (id % 1000) as i64 * 3600
}

/// The organization of seeded user (and requester) `user_id`.
pub fn org_of_user(user_id: u64) -> u64 {
    FIRST_ORG + user_id % ORG_COUNT
}

/// Number of agents among `users` seeded users: user 1 and every id ≡ 2 (mod 10).
pub fn agent_count(users: u64) -> u64 {
    1 + users.saturating_sub(2) / 10 + u64::from(users >= 2)
}

/// The user id of agent number `index` (0-based).
pub fn agent_user(index: u64) -> u64 {
    if index == 0 { 1 } else { 10 * (index - 1) + 2 }
}

/// The agent index of seeded user `user_id`, if that user is an agent.
pub fn agent_index(user_id: u64) -> Option<u64> {
    match user_id {
        1 => Some(0),
        u if u % 10 == 2 => Some((u - 2) / 10 + 1),
        _ => None,
    }
}

/// The group of agent number `index`.
pub fn group_of_agent(index: u64) -> u64 {
    FIRST_GROUP + index % GROUP_COUNT
}

/// Seeded organization `id`.
pub fn organization(id: u64) -> Map<String, Value> {
    let k = (id - FIRST_ORG) as usize % ORG_NAMES.len();
    let name = ORG_NAMES[k];
    let domain = format!("{}.example", name.to_lowercase().replace(' ', "-"));
    object(json!({
        "id": id, "name": name, "shared_tickets": k % 2 == 0, "shared_comments": false,
        "external_id": format!("org-{k}"), "created_at": iso8601(updated(id) - 86_400),
        "updated_at": iso8601(updated(id)), "domain_names": [domain], "details": "",
        "notes": "", "group_id": null, "tags": if k < 2 { json!(["enterprise"]) } else { json!([]) },
        "organization_fields": {"region": REGIONS[k % 3]}
    }))
}

/// Seeded group `id`.
pub fn group(id: u64) -> Map<String, Value> {
    let k = (id - FIRST_GROUP) as usize % GROUP_NAMES.len();
    object(json!({
        "id": id, "name": GROUP_NAMES[k], "description": format!("{} team", GROUP_NAMES[k]),
        "default": k == 0, "deleted": false, "is_public": true,
        "created_at": iso8601(updated(id) - 86_400), "updated_at": iso8601(updated(id))
    }))
}

/// Seeded organization membership `id`: user `id` in its organization.
pub fn org_membership(id: u64) -> Map<String, Value> {
    let org = org_of_user(id);
    object(json!({
        "id": id, "user_id": id, "organization_id": org, "default": true, "view_tickets": true,
        "organization_name": ORG_NAMES[(org - FIRST_ORG) as usize],
        "created_at": iso8601(user_created(id)), "updated_at": iso8601(user_updated(id))
    }))
}

/// Update time of seeded group membership `id` (that of its agent).
pub fn group_membership_updated(id: u64) -> i64 {
    user_updated(agent_user(id - 1))
}

/// Seeded group membership `id`: agent number `id - 1` in its group.
pub fn group_membership(id: u64) -> Map<String, Value> {
    let user = agent_user(id - 1);
    object(json!({
        "id": id, "user_id": user, "group_id": group_of_agent(id - 1), "default": true,
        "created_at": iso8601(user_created(user)),
        "updated_at": iso8601(group_membership_updated(id))
    }))
}

/// The custom status of a ticket in `status` (none for `closed` and `deleted`).
pub fn custom_status_of(status: &str) -> Value {
    STATUS_CATEGORIES
        .iter()
        .position(|s| *s == status)
        .map_or(Value::Null, |k| json!(FIRST_CUSTOM_STATUS + k as u64))
}
