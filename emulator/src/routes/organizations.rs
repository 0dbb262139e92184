//! Organizations (CRUD, show_many, create_many, autocomplete, their tickets and users, the
//! time-based export) and organization memberships.

use super::records::{Family, existing_id, field_u64};
use crate::app::{App, Req, read, write};
use crate::http::Resp;
use crate::seed;
use crate::seed_account::org_of_user;
use crate::store::Store;
use serde_json::{Map, Value, json};

/// Organizations.
pub const ORGS: Family = Family {
    key: "organizations",
    one: "organization",
    pick: |s| &s.organizations,
    pick_mut: |s| &mut s.organizations,
};

/// Organization memberships.
pub const MEMBERSHIPS: Family = Family {
    key: "organization_memberships",
    one: "organization_membership",
    pick: |s| &s.org_memberships,
    pick_mut: |s| &mut s.org_memberships,
};

/// The organization of ticket `id` (cheap for untouched seeded tickets).
pub fn ticket_org(store: &Store, id: u64) -> Option<u64> {
    if store.tickets.is_seeded(id) && !store.tickets.is_overridden(id) {
        return Some(org_of_user(seed::ticket_requester(
            id,
            store.users.seed_count,
        )));
    }
    store
        .tickets
        .get(id)
        .and_then(|t| field_u64(&t, "organization_id"))
}

/// The organization of user `id` (cheap for untouched seeded users).
pub fn user_org(store: &Store, id: u64) -> Option<u64> {
    if store.users.is_seeded(id) && !store.users.is_overridden(id) {
        return Some(org_of_user(id));
    }
    store
        .users
        .get(id)
        .and_then(|u| field_u64(&u, "organization_id"))
}

/// The organization of membership `id` (cheap for seeded memberships).
pub fn membership_org(store: &Store, id: u64) -> Option<u64> {
    if store.org_memberships.is_seeded(id) && !store.org_memberships.is_overridden(id) {
        return Some(org_of_user(id));
    }
    store
        .org_memberships
        .get(id)
        .and_then(|m| field_u64(&m, "organization_id"))
}

/// The user of membership `id` (cheap for seeded memberships).
pub fn membership_user(store: &Store, id: u64) -> Option<u64> {
    if store.org_memberships.is_seeded(id) && !store.org_memberships.is_overridden(id) {
        return Some(id);
    }
    store
        .org_memberships
        .get(id)
        .and_then(|m| field_u64(&m, "user_id"))
}

/// Validates an organization payload: a name that is present (on create), not blank and
/// not used by another organization.
fn check(store: &Store, input: &Map<String, Value>, id: Option<u64>) -> Result<(), Resp> {
    let name = match input.get("name") {
        None if id.is_some() => return Ok(()),
        None => None,
        Some(v) => v.as_str().map(str::trim).filter(|n| !n.is_empty()),
    };
    let Some(name) = name else {
        return Err(Resp::invalid("name", "BlankValue", "Name: cannot be blank"));
    };
    let (ids, _) = store.organizations.ids_after(0, usize::MAX);
    let taken = ids.into_iter().filter(|o| Some(*o) != id).any(|o| {
        store.organizations.get(o).and_then(|r| {
            r.get("name")
                .and_then(Value::as_str)
                .map(|n| n.eq_ignore_ascii_case(name))
        }) == Some(true)
    });
    if taken {
        return Err(Resp::invalid(
            "name",
            "DuplicateValue",
            "Name: has already been taken",
        ));
    }
    Ok(())
}

fn template() -> Map<String, Value> {
    match json!({"name": "", "shared_tickets": false, "shared_comments": false, "external_id": null,
        "domain_names": [], "details": "", "notes": "", "group_id": null, "tags": [],
        "organization_fields": {"region": null}})
    {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Creates one organization from a payload (validated) in the store.
pub fn create_in(store: &mut Store, input: &Map<String, Value>) -> Result<u64, Resp> {
    check(store, input, None)?;
    Ok(ORGS.insert(store, template(), input))
}

/// `POST /api/v2/organizations`.
pub fn create(app: &App, req: &Req) -> Resp {
    let input = match ORGS.payload(req) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    match create_in(&mut store, &input) {
        Ok(id) => Resp::json(
            201,
            &json!({"organization": ORGS.render(&store, id, &req.base)}),
        ),
        Err(r) => r,
    }
}

/// `PUT /api/v2/organizations/{id}`.
pub fn update(app: &App, req: &Req, id: u64) -> Resp {
    let input = match ORGS.payload(req) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    if !store.organizations.exists(id) {
        return Resp::not_found();
    }
    if let Err(r) = check(&store, &input, Some(id)) {
        return r;
    }
    ORGS.change(&mut store, id, &input);
    Resp::json(
        200,
        &json!({"organization": ORGS.render(&store, id, &req.base)}),
    )
}

/// `DELETE /api/v2/organizations/{id}`: 204. Its memberships go with it, and its users'
/// `organization_id` moves to another organization they belong to, or to null. Tickets
/// are left as they are.
pub fn delete(app: &App, id: u64) -> Resp {
    let mut store = write(&app.store);
    if ORGS.remove(&mut store, id).is_none() {
        return Resp::not_found();
    }
    // One pass over the memberships: drop this organization's, remember each user's
    // first remaining one.
    let mut remaining = std::collections::HashMap::new();
    let (memberships, _) = store.org_memberships.ids_after(0, usize::MAX);
    for m in memberships {
        let org = membership_org(&store, m);
        if org == Some(id) {
            MEMBERSHIPS.remove(&mut store, m);
        } else if let (Some(user), Some(org)) = (membership_user(&store, m), org) {
            remaining.entry(user).or_insert(org);
        }
    }
    let (users, _) = store.users.ids_after(0, usize::MAX);
    for user in users {
        if user_org(&store, user) != Some(id) {
            continue;
        }
        let mut change = Map::new();
        change.insert("organization_id".into(), json!(remaining.get(&user)));
        super::users::change_in(&mut store, user, &change);
    }
    Resp::empty(204)
}

/// `GET /api/v2/organizations/autocomplete?name=…`: names starting with `name` (2+ chars).
pub fn autocomplete(app: &App, req: &Req) -> Resp {
    let prefix = req.q("name").unwrap_or("").trim().to_lowercase();
    if prefix.chars().count() < 2 {
        return Resp::invalid(
            "name",
            "TooShort",
            "Name: is too short (minimum is 2 characters)",
        );
    }
    ORGS.list_where(app, req, |store, id| {
        store.organizations.get(id).and_then(|o| {
            o.get("name")
                .and_then(Value::as_str)
                .map(|n| n.to_lowercase().starts_with(&prefix))
        }) == Some(true)
    })
}

/// `GET /api/v2/organizations/{id}/tickets`.
pub fn tickets(app: &App, req: &Req, org: u64) -> Resp {
    let store = read(&app.store);
    if !store.organizations.exists(org) {
        return Resp::not_found();
    }
    match crate::pagination::filtered(
        req,
        &store.tickets,
        "tickets",
        |id| ticket_org(&store, id) == Some(org),
        |id| super::tickets::render(&store, id, &req.base),
    ) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/organizations/{id}/users`.
pub fn users(app: &App, req: &Req, org: u64) -> Resp {
    let store = read(&app.store);
    if !store.organizations.exists(org) {
        return Resp::not_found();
    }
    match crate::pagination::filtered(
        req,
        &store.users,
        "users",
        |id| user_org(&store, id) == Some(org),
        |id| {
            store
                .users
                .get(id)
                .map(|u| super::with_url(u, &req.base, "users"))
        },
    ) {
        Ok(m) => Resp::json(200, &Value::Object(m)),
        Err(r) => r,
    }
}

/// `GET /api/v2/organizations/{id}/organization_memberships`.
pub fn org_memberships(app: &App, req: &Req, org: u64) -> Resp {
    if !read(&app.store).organizations.exists(org) {
        return Resp::not_found();
    }
    MEMBERSHIPS.list_where(app, req, |s, id| membership_org(s, id) == Some(org))
}

/// `GET /api/v2/users/{id}/organization_memberships`.
pub fn user_memberships(app: &App, req: &Req, user: u64) -> Resp {
    if !read(&app.store).users.exists(user) {
        return Resp::not_found();
    }
    MEMBERSHIPS.list_where(app, req, |s, id| membership_user(s, id) == Some(user))
}

/// `POST /api/v2/organization_memberships`: the user joins; a user without an organization
/// gets this one as `organization_id`.
pub fn create_membership(app: &App, req: &Req) -> Resp {
    let input = match MEMBERSHIPS.payload(req) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    let user = match existing_id(&input, "user_id", &store.users, "User") {
        Ok(u) => u,
        Err(r) => return r,
    };
    let org = match existing_id(
        &input,
        "organization_id",
        &store.organizations,
        "Organization",
    ) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let taken = crate::pagination::first_where(&store.org_memberships, |id| {
        membership_user(&store, id) == Some(user) && membership_org(&store, id) == Some(org)
    });
    if taken.is_some() {
        return Resp::invalid(
            "user_id",
            "DuplicateValue",
            "User: is already a member of this organization",
        );
    }
    let name = store
        .organizations
        .get(org)
        .and_then(|o| o.get("name").cloned());
    let mut tpl = Map::new();
    tpl.insert("user_id".into(), json!(user));
    tpl.insert("organization_id".into(), json!(org));
    tpl.insert("organization_name".into(), name.unwrap_or(Value::Null));
    tpl.insert("view_tickets".into(), json!(true));
    let first = user_org(&store, user).is_none();
    tpl.insert("default".into(), json!(first));
    let id = MEMBERSHIPS.insert(&mut store, tpl, &Map::new());
    if first {
        let mut change = Map::new();
        change.insert("organization_id".into(), json!(org));
        super::users::change_in(&mut store, user, &change);
    }
    Resp::json(
        201,
        &json!({"organization_membership": MEMBERSHIPS.render(&store, id, &req.base)}),
    )
}

/// `DELETE /api/v2/organization_memberships/{id}`: 204; the user leaves the organization.
pub fn delete_membership(app: &App, id: u64) -> Resp {
    let mut store = write(&app.store);
    let (Some(user), Some(org)) = (membership_user(&store, id), membership_org(&store, id)) else {
        return Resp::not_found();
    };
    MEMBERSHIPS.remove(&mut store, id);
    if user_org(&store, user) == Some(org) {
        let mut change = Map::new();
        change.insert("organization_id".into(), Value::Null);
        super::users::change_in(&mut store, user, &change);
    }
    Resp::empty(204)
}
