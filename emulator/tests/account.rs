//! Comments and audits, organizations, groups, memberships and side-loads: every id a seeded
//! record carries can be fetched, writes show up in later reads, side-loads join correctly.

mod common;

use common::{Emu, ids};
use serde_json::json;
use std::collections::BTreeSet;

#[test]
fn seeded_tickets_reference_records_that_exist() {
    let emu = Emu::start(&["--tickets", "60", "--users", "45"]);
    let fields: BTreeSet<u64> = ids(&emu.get("/api/v2/ticket_fields").json(), "ticket_fields")
        .into_iter()
        .collect();
    let form = emu.get("/api/v2/ticket_forms/360300000").json();
    let user_keys: Vec<String> = emu.get("/api/v2/user_fields").json()["user_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap().to_string())
        .collect();
    for u in emu.walk_cursor("/api/v2/users?page[size]=100", "users") {
        let keys: Vec<String> = u["user_fields"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, user_keys);
    }
    for t in emu.walk_cursor("/api/v2/tickets?page[size]=100", "tickets") {
        for f in t["custom_fields"].as_array().unwrap() {
            let fid = f["id"].as_u64().unwrap();
            assert!(fields.contains(&fid), "custom field {fid}");
            assert!(
                form["ticket_form"]["ticket_field_ids"]
                    .as_array()
                    .unwrap()
                    .contains(&f["id"])
            );
        }
        assert_eq!(t["ticket_form_id"], form["ticket_form"]["id"]);
        let cs = emu
            .get(&format!(
                "/api/v2/custom_statuses/{}",
                t["custom_status_id"]
            ))
            .json();
        assert_eq!(cs["custom_status"]["status_category"], t["status"]);
        let org = t["organization_id"].as_u64().unwrap();
        assert_eq!(emu.get(&format!("/api/v2/organizations/{org}")).status, 200);
        let group = t["group_id"].as_u64().unwrap();
        assert_eq!(emu.get(&format!("/api/v2/groups/{group}")).status, 200);
        let requester = emu
            .get(&format!("/api/v2/users/{}", t["requester_id"]))
            .json();
        assert_eq!(
            requester["user"]["organization_id"], org,
            "a ticket's organization is its requester's"
        );
        if let Some(agent) = t["assignee_id"].as_u64() {
            let m = emu
                .get(&format!("/api/v2/users/{agent}/group_memberships"))
                .json();
            let groups: Vec<u64> = m["group_memberships"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["group_id"].as_u64().unwrap())
                .collect();
            assert!(
                groups.contains(&group),
                "assignee {agent} is in group {group}: {groups:?}"
            );
        }
    }
    // Every user's organization has that user among its memberships and users.
    let memberships = emu.walk_cursor(
        "/api/v2/organization_memberships?page[size]=100",
        "organization_memberships",
    );
    assert_eq!(memberships.len(), 45);
    for m in &memberships {
        let u = emu.get(&format!("/api/v2/users/{}", m["user_id"])).json();
        assert_eq!(u["user"]["organization_id"], m["organization_id"]);
    }
    let org = 360_000_003;
    let users = emu.walk_cursor(
        &format!("/api/v2/organizations/{org}/users?page[size]=2"),
        "users",
    );
    let via_members: BTreeSet<u64> = memberships
        .iter()
        .filter(|m| m["organization_id"] == org)
        .map(|m| m["user_id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        users
            .iter()
            .map(|u| u["id"].as_u64().unwrap())
            .collect::<BTreeSet<_>>(),
        via_members
    );
    let tickets = emu.walk_cursor(
        &format!("/api/v2/organizations/{org}/tickets?page[size]=3"),
        "tickets",
    );
    assert!(!tickets.is_empty());
    assert!(tickets.iter().all(|t| t["organization_id"] == org));
    let offset = emu
        .get(&format!("/api/v2/organizations/{org}/tickets?per_page=2"))
        .json();
    assert_eq!(offset["count"].as_u64().unwrap() as usize, tickets.len());
    // Every agent is in exactly one seeded group; groups/{id}/users lists its members.
    let gm = emu.walk_cursor(
        "/api/v2/group_memberships?page[size]=100",
        "group_memberships",
    );
    assert_eq!(gm.len(), 6, "agents 1, 2, 12, 22, 32, 42");
    for g in [360_100_000u64, 360_100_001, 360_100_002] {
        let members: BTreeSet<u64> = gm
            .iter()
            .filter(|m| m["group_id"] == g)
            .map(|m| m["user_id"].as_u64().unwrap())
            .collect();
        let users: BTreeSet<u64> = ids(
            &emu.get(&format!("/api/v2/groups/{g}/users")).json(),
            "users",
        )
        .into_iter()
        .collect();
        assert_eq!(users, members);
        let via = ids(
            &emu.get(&format!("/api/v2/groups/{g}/memberships")).json(),
            "group_memberships",
        );
        assert_eq!(via.len(), members.len());
    }
}

#[test]
fn comments_and_audits_follow_updates() {
    let emu = Emu::start(&["--tickets", "20"]);
    let before = emu.get("/api/v2/tickets/4/comments").json();
    let n = before["comments"].as_array().unwrap().len();
    assert!((1..=3).contains(&n));
    let t = emu.get("/api/v2/tickets/4").json()["ticket"].clone();
    assert_eq!(
        before["comments"][0]["body"], t["description"],
        "the first comment is the description"
    );
    assert_eq!(before["comments"][0]["author_id"], t["requester_id"]);
    let audits = emu.get("/api/v2/tickets/4/audits").json();
    let first = &audits["audits"][0];
    let fields: Vec<&str> = first["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "Create")
        .map(|e| e["field_name"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"status") && fields.contains(&"subject"),
        "{fields:?}"
    );

    let r = emu.send(
        "PUT",
        "/api/v2/tickets/4",
        &json!({"ticket": {"status": "pending",
        "comment": {"body": "Private note", "public": false, "author_id": 2},
        "metadata": {"source": "crm"}}}),
    );
    assert_eq!(r.status, 200);
    let audit = r.json()["audit"].clone();
    assert_eq!(audit["ticket_id"], 4);
    assert_eq!(audit["author_id"], 2);
    assert_eq!(audit["via"]["channel"], "api");
    assert_eq!(audit["metadata"]["custom"]["source"], "crm");
    assert!(audit["metadata"]["system"].is_object());
    let events = audit["events"].as_array().unwrap();
    let comment = events
        .iter()
        .find(|e| e["type"] == "Comment")
        .expect("a Comment event");
    assert_eq!(comment["public"], false);
    let change = events
        .iter()
        .find(|e| e["type"] == "Change" && e["field_name"] == "status")
        .expect("a Change event");
    assert_eq!(change["value"], "pending");
    assert_eq!(
        r.json()["ticket"]["custom_status_id"],
        360_200_002,
        "the pending custom status"
    );
    assert_eq!(change["previous_value"], t["status"]);

    let after = emu.get("/api/v2/tickets/4/comments").json();
    let list = after["comments"].as_array().unwrap();
    assert_eq!(list.len(), n + 1);
    assert_eq!(list[n]["id"], comment["id"]);
    assert_eq!(list[n]["audit_id"], audit["id"]);
    assert_eq!(list[n]["body"], "Private note");
    let shown = emu
        .get(&format!("/api/v2/tickets/4/audits/{}", audit["id"]))
        .json();
    assert_eq!(shown["audit"]["id"], audit["id"]);
    // Cursor paging over comments returns the same list.
    let paged = emu.walk_cursor("/api/v2/tickets/4/comments?page[size]=1", "comments");
    assert_eq!(paged.len(), n + 1);
    let offset = emu
        .get("/api/v2/tickets/4/comments?per_page=1&page=2")
        .json();
    assert_eq!(offset["count"].as_u64().unwrap() as usize, n + 1);
    assert_eq!(offset["comments"][0]["id"], list[1]["id"]);

    // A created ticket has one Create audit with its comment; an update without a comment
    // or change records nothing.
    let r = emu
        .send(
            "POST",
            "/api/v2/tickets",
            &json!({"ticket": {"subject": "s", "comment": {"body": "first"}}}),
        )
        .json();
    let id = r["ticket"]["id"].as_u64().unwrap();
    assert_eq!(r["audit"]["events"][0]["type"], "Comment");
    let c = emu.get(&format!("/api/v2/tickets/{id}/comments")).json();
    assert_eq!(ids(&c, "comments").len(), 1);
    assert_eq!(c["comments"][0]["body"], "first");
    let r = emu
        .send(
            "PUT",
            &format!("/api/v2/tickets/{id}"),
            &json!({"ticket": {"subject": "s"}}),
        )
        .json();
    assert!(r["audit"].is_null());
    // ticket_audits walks every audit once.
    let mut seen = BTreeSet::new();
    let mut next = "/api/v2/ticket_audits?limit=7".to_string();
    for _ in 0..100 {
        let v = emu.get(&next).json();
        for a in v["audits"].as_array().unwrap() {
            assert!(seen.insert(a["id"].as_u64().unwrap()), "repeated audit");
        }
        match v["after_url"].as_str() {
            Some(u) => next = u.strip_prefix(&emu.url).unwrap().to_string(),
            None => break,
        }
    }
    let total: usize = (1..=21)
        .map(|t| {
            ids(
                &emu.get(&format!("/api/v2/tickets/{t}/audits")).json(),
                "audits",
            )
            .len()
        })
        .sum();
    assert_eq!(seen.len(), total);
    assert_eq!(emu.get("/api/v2/tickets/999/comments").status, 404);
}

#[test]
fn organizations_and_memberships_stay_consistent() {
    let emu = Emu::start(&["--tickets", "10", "--users", "12"]);
    let r = emu.send(
        "POST",
        "/api/v2/organizations",
        &json!({"organization": {"name": "Zeta Labs", "tags": ["new"]}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let org = r.json()["organization"]["id"].as_u64().unwrap();
    let dup = emu.send(
        "POST",
        "/api/v2/organizations",
        &json!({"organization": {"name": "zeta labs"}}),
    );
    assert_eq!(dup.status, 422);
    assert_eq!(dup.json()["details"]["name"][0]["error"], "DuplicateValue");
    assert_eq!(
        emu.send(
            "POST",
            "/api/v2/organizations",
            &json!({"organization": {}})
        )
        .status,
        422
    );
    assert!(ids(&emu.get("/api/v2/organizations").json(), "organizations").contains(&org));
    assert_eq!(
        ids(
            &emu.get(&format!(
                "/api/v2/organizations/show_many?ids={org},360000000"
            ))
            .json(),
            "organizations"
        ),
        [org, 360_000_000]
    );
    assert_eq!(
        ids(
            &emu.get("/api/v2/organizations/autocomplete?name=zet")
                .json(),
            "organizations"
        ),
        [org]
    );
    assert_eq!(
        emu.get("/api/v2/organizations/autocomplete?name=z").status,
        422
    );
    let inc = emu
        .get("/api/v2/incremental/organizations?start_time=0")
        .json();
    assert_eq!(ids(&inc, "organizations").last(), Some(&org));
    // A membership moves a user without an organization into it.
    let user = emu
        .send(
            "POST",
            "/api/v2/users",
            &json!({"user": {"name": "Nora", "email": "nora@example.org"}}),
        )
        .json()["user"]["id"]
        .as_u64()
        .unwrap();
    let m = emu.send(
        "POST",
        "/api/v2/organization_memberships",
        &json!({"organization_membership": {"user_id": user, "organization_id": org}}),
    );
    assert_eq!(m.status, 201, "{}", m.text());
    let mid = m.json()["organization_membership"]["id"].as_u64().unwrap();
    assert_eq!(
        emu.get(&format!("/api/v2/users/{user}")).json()["user"]["organization_id"],
        org
    );
    assert_eq!(
        ids(
            &emu.get(&format!("/api/v2/organizations/{org}/users"))
                .json(),
            "users"
        ),
        [user]
    );
    assert_eq!(
        ids(
            &emu.get(&format!(
                "/api/v2/organizations/{org}/organization_memberships"
            ))
            .json(),
            "organization_memberships"
        ),
        [mid]
    );
    assert_eq!(
        emu.send(
            "POST",
            "/api/v2/organization_memberships",
            &json!({"organization_membership": {"user_id": user, "organization_id": org}})
        )
        .status,
        422
    );
    assert_eq!(
        emu.send(
            "POST",
            "/api/v2/organization_memberships",
            &json!({"organization_membership": {"user_id": 99999, "organization_id": org}})
        )
        .status,
        422
    );
    // A ticket in the new organization side-loads it.
    let t = emu.send("POST", "/api/v2/tickets", &json!({"ticket": {"comment": {"body": "x"}, "requester_id": user, "organization_id": org}})).json();
    let tid = t["ticket"]["id"].as_u64().unwrap();
    let shown = emu
        .get(&format!(
            "/api/v2/tickets/{tid}?include=organizations,users"
        ))
        .json();
    assert_eq!(ids(&shown, "organizations"), [org]);
    assert!(ids(&shown, "users").contains(&user));
    assert_eq!(
        ids(
            &emu.get(&format!("/api/v2/organizations/{org}/tickets"))
                .json(),
            "tickets"
        ),
        [tid]
    );
    // Update, then delete: gone from reads, a tombstone in the export.
    let r = emu.send(
        "PUT",
        &format!("/api/v2/organizations/{org}"),
        &json!({"organization": {"notes": "vip"}}),
    );
    assert_eq!(r.json()["organization"]["notes"], "vip");
    assert_eq!(
        emu.call(
            "DELETE",
            &format!("/api/v2/organization_memberships/{mid}"),
            Some(common::BEARER),
            None
        )
        .status,
        204
    );
    assert!(emu.get(&format!("/api/v2/users/{user}")).json()["user"]["organization_id"].is_null());
    assert_eq!(
        emu.call(
            "DELETE",
            &format!("/api/v2/organizations/{org}"),
            Some(common::BEARER),
            None
        )
        .status,
        204
    );
    assert_eq!(emu.get(&format!("/api/v2/organizations/{org}")).status, 404);
    let inc = emu
        .get("/api/v2/incremental/organizations?start_time=0")
        .json();
    let last = inc["organizations"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["id"], org);
    assert!(last["deleted_at"].is_string());
    // Bulk creation through a job.
    let job = emu
        .send(
            "POST",
            "/api/v2/organizations/create_many",
            &json!({"organizations": [{"name": "B1"}, {"name": "B2"}]}),
        )
        .json();
    let url = job["job_status"]["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&emu.url)
        .unwrap()
        .to_string();
    emu.get(&url);
    let done = emu.get(&url).json();
    assert_eq!(done["job_status"]["status"], "completed");
    let new_id = done["job_status"]["results"][1]["id"].as_u64().unwrap();
    assert_eq!(
        emu.get(&format!("/api/v2/organizations/{new_id}")).json()["organization"]["name"],
        "B2"
    );
}

#[test]
fn groups_and_side_loads_join_correctly() {
    let emu = Emu::start(&["--tickets", "30", "--users", "30"]);
    let g = emu
        .send(
            "POST",
            "/api/v2/groups",
            &json!({"group": {"name": "Tier 2"}}),
        )
        .json()["group"]["id"]
        .as_u64()
        .unwrap();
    let m = emu.send(
        "POST",
        "/api/v2/group_memberships",
        &json!({"group_membership": {"user_id": 12, "group_id": g}}),
    );
    assert_eq!(m.status, 201, "{}", m.text());
    assert_eq!(
        ids(
            &emu.get(&format!("/api/v2/groups/{g}/users")).json(),
            "users"
        ),
        [12]
    );
    let end_user = emu.send(
        "POST",
        "/api/v2/group_memberships",
        &json!({"group_membership": {"user_id": 3, "group_id": g}}),
    );
    assert_eq!(end_user.status, 422, "end-users cannot join groups");
    assert_eq!(
        emu.send(
            "POST",
            "/api/v2/group_memberships",
            &json!({"group_membership": {"user_id": 12, "group_id": g}})
        )
        .status,
        422
    );
    for path in [
        "/api/v2/tickets?include=users,groups,organizations",
        "/api/v2/tickets?page[size]=7&include=users,groups,organizations",
        "/api/v2/tickets/show_many?ids=1,5,9&include=users,groups,organizations",
        "/api/v2/search?query=type:ticket&include=users,groups,organizations",
    ] {
        let v = emu.get(path).json();
        let key = if path.contains("search") {
            "results"
        } else {
            "tickets"
        };
        let items = v[key].as_array().unwrap();
        assert!(!items.is_empty(), "{path}");
        let loaded = |k: &str| ids(&v, k).into_iter().collect::<BTreeSet<u64>>();
        let (users, groups, orgs) = (loaded("users"), loaded("groups"), loaded("organizations"));
        for t in items {
            for k in ["requester_id", "submitter_id", "assignee_id"] {
                if let Some(u) = t[k].as_u64() {
                    assert!(users.contains(&u), "{path}: user {u}");
                }
            }
            assert!(groups.contains(&t["group_id"].as_u64().unwrap()), "{path}");
            assert!(
                orgs.contains(&t["organization_id"].as_u64().unwrap()),
                "{path}"
            );
        }
    }
    let one = emu.get("/api/v2/tickets/3?include=groups").json();
    assert_eq!(
        ids(&one, "groups"),
        [one["ticket"]["group_id"].as_u64().unwrap()]
    );
    assert!(one.get("users").is_none(), "only what include asks for");
    let c = emu.get("/api/v2/tickets/3/comments?include=users").json();
    let authors: BTreeSet<u64> = c["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["author_id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ids(&c, "users").into_iter().collect::<BTreeSet<_>>(),
        authors
    );
}
