//! Groups (CRUD, their users and memberships) and group memberships (one per seeded agent;
//! a seeded ticket's assignee is a member of its group).

use super::records::{Family, existing_id, field_u64};
use crate::app::{App, Req, read, write};
use crate::http::Resp;
use crate::seed_account::{agent_user, group_of_agent};
use crate::store::Store;
use serde_json::{Map, Value, json};

/// Groups.
pub const GROUPS: Family = Family {
    key: "groups",
    one: "group",
    pick: |s| &s.groups,
    pick_mut: |s| &mut s.groups,
};

/// Group memberships.
pub const MEMBERSHIPS: Family = Family {
    key: "group_memberships",
    one: "group_membership",
    pick: |s| &s.group_memberships,
    pick_mut: |s| &mut s.group_memberships,
};

/// (user, group) of membership `id` (cheap for seeded memberships).
pub fn membership(store: &Store, id: u64) -> Option<(u64, u64)> {
    let coll = &store.group_memberships;
    if coll.is_seeded(id) && !coll.is_overridden(id) {
        return Some((agent_user(id - 1), group_of_agent(id - 1)));
    }
    let m = coll.get(id)?;
    Some((field_u64(&m, "user_id")?, field_u64(&m, "group_id")?))
}

fn check(store: &Store, input: &Map<String, Value>, id: Option<u64>) -> Result<(), Resp> {
    match input.get("name") {
        None if id.is_some() => Ok(()),
        Some(Value::String(n)) if !n.trim().is_empty() => {
            let (ids, _) = store.groups.ids_after(0, usize::MAX);
            let taken = ids.into_iter().filter(|g| Some(*g) != id).any(|g| {
                store.groups.get(g).and_then(|r| r.get("name").cloned()) == Some(json!(n))
            });
            if taken {
                Err(Resp::invalid(
                    "name",
                    "DuplicateValue",
                    "Name: has already been taken",
                ))
            } else {
                Ok(())
            }
        }
        _ => Err(Resp::invalid("name", "BlankValue", "Name: cannot be blank")),
    }
}

/// `POST /api/v2/groups`.
pub fn create(app: &App, req: &Req) -> Resp {
    let input = match GROUPS.payload(req) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    if let Err(r) = check(&store, &input, None) {
        return r;
    }
    let tpl = match json!({"name": "", "description": "", "default": false, "deleted": false, "is_public": true})
    {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let id = GROUPS.insert(&mut store, tpl, &input);
    Resp::json(201, &json!({"group": GROUPS.render(&store, id, &req.base)}))
}

/// `PUT /api/v2/groups/{id}`.
pub fn update(app: &App, req: &Req, id: u64) -> Resp {
    let input = match GROUPS.payload(req) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    if !store.groups.exists(id) {
        return Resp::not_found();
    }
    if let Err(r) = check(&store, &input, Some(id)) {
        return r;
    }
    GROUPS.change(&mut store, id, &input);
    Resp::json(200, &json!({"group": GROUPS.render(&store, id, &req.base)}))
}

/// `DELETE /api/v2/groups/{id}`: 204.
pub fn delete(app: &App, id: u64) -> Resp {
    match GROUPS.remove(&mut write(&app.store), id) {
        Some(_) => Resp::empty(204),
        None => Resp::not_found(),
    }
}

/// `GET /api/v2/groups/{id}/memberships`.
pub fn group_memberships(app: &App, req: &Req, group: u64) -> Resp {
    if !read(&app.store).groups.exists(group) {
        return Resp::not_found();
    }
    MEMBERSHIPS.list_where(app, req, |s, id| {
        membership(s, id).map(|m| m.1) == Some(group)
    })
}

/// `GET /api/v2/users/{id}/group_memberships`.
pub fn user_memberships(app: &App, req: &Req, user: u64) -> Resp {
    if !read(&app.store).users.exists(user) {
        return Resp::not_found();
    }
    MEMBERSHIPS.list_where(app, req, |s, id| {
        membership(s, id).map(|m| m.0) == Some(user)
    })
}

/// `GET /api/v2/groups/{id}/users`: the group's members.
pub fn users(app: &App, req: &Req, group: u64) -> Resp {
    let store = read(&app.store);
    if !store.groups.exists(group) {
        return Resp::not_found();
    }
    let mut members: Vec<u64> = Vec::new();
    let mut cur = 0;
    loop {
        let (ids, _) = store.group_memberships.ids_after(cur, 1);
        let Some(id) = ids.first().copied() else {
            break;
        };
        cur = id;
        if let Some((u, g)) = membership(&store, id) {
            if g == group && store.users.exists(u) {
                members.push(u);
            }
        }
    }
    members.sort_unstable();
    members.dedup();
    let items: Vec<Value> = members
        .iter()
        .filter_map(|u| {
            store
                .users
                .get(*u)
                .map(|r| super::with_url(r, &req.base, "users"))
        })
        .collect();
    let count = items.len();
    Resp::json(
        200,
        &json!({"users": items, "next_page": null, "previous_page": null, "count": count}),
    )
}

/// `POST /api/v2/group_memberships`: an agent (or admin) joins a group.
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
    let group = match existing_id(&input, "group_id", &store.groups, "Group") {
        Ok(g) => g,
        Err(r) => return r,
    };
    let role = store
        .users
        .get(user)
        .and_then(|u| u.get("role").and_then(Value::as_str).map(String::from));
    if role.as_deref() == Some("end-user") {
        return Resp::invalid("user_id", "InvalidValue", "User: must be an agent");
    }
    let taken = crate::pagination::first_where(&store.group_memberships, |id| {
        membership(&store, id) == Some((user, group))
    });
    if taken.is_some() {
        return Resp::invalid(
            "user_id",
            "DuplicateValue",
            "User: is already a member of this group",
        );
    }
    let mut tpl = Map::new();
    tpl.insert("user_id".into(), json!(user));
    tpl.insert("group_id".into(), json!(group));
    tpl.insert("default".into(), json!(false));
    let id = MEMBERSHIPS.insert(&mut store, tpl, &Map::new());
    Resp::json(
        201,
        &json!({"group_membership": MEMBERSHIPS.render(&store, id, &req.base)}),
    )
}

/// `DELETE /api/v2/group_memberships/{id}`: 204.
pub fn delete_membership(app: &App, id: u64) -> Resp {
    match MEMBERSHIPS.remove(&mut write(&app.store), id) {
        Some(_) => Resp::empty(204),
        None => Resp::not_found(),
    }
}
