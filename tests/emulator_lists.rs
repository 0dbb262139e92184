//! The client walks the emulator's newer lists (ticket comments, organizations and their
//! tickets, group memberships) with its pager, in cursor and offset style.

mod common;

use common::Emulator;
use serde_json::json;
use std::collections::BTreeSet;
use zdkit::Request;
use zdkit::iterate::Pager;

fn walk(client: &zdkit::Client, path: &str, page_size: u32) -> (Vec<serde_json::Value>, usize) {
    let mut pager = Pager::new(client, path, vec![], page_size);
    let mut items = Vec::new();
    while let Some(page) = pager.next_page().unwrap() {
        items.extend(page.into_items().expect("the page's items"));
        assert!(pager.pages_fetched() <= 1000, "the pager did not stop");
    }
    (items, pager.pages_fetched() as usize)
}

#[test]
fn comments_walk_in_order_and_include_new_ones() {
    let emulator = Emulator::start(&["--tickets", "12"]);
    let client = emulator.oauth_client();
    client
        .send(
            &Request::put("/api/v2/tickets/8.json").json(
                &json!({"ticket": {"comment": {"body": "from the client", "public": false}}}),
            ),
        )
        .unwrap();
    let (comments, pages) = walk(&client, "/api/v2/tickets/8/comments.json", 1);
    assert!(comments.len() >= 2);
    assert_eq!(pages, comments.len(), "one comment per page");
    let ids: Vec<u64> = comments.iter().map(|c| c["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let last = comments.last().unwrap();
    assert_eq!(last["body"], "from the client");
    assert_eq!(last["public"], false);
    let (all, _) = walk(&client, "/api/v2/tickets/8/comments.json", 100);
    assert_eq!(all, comments);
}

#[test]
fn organizations_and_their_tickets_walk_completely() {
    let emulator = Emulator::start(&["--tickets", "300", "--users", "40"]);
    let client = emulator.oauth_client();
    client
        .send(
            &Request::post("/api/v2/organizations.json")
                .json(&json!({"organization": {"name": "Client Corp"}})),
        )
        .unwrap();
    let (orgs, pages) = walk(&client, "/api/v2/organizations.json", 2);
    assert_eq!(orgs.len(), 8);
    assert_eq!(pages, 4);
    assert_eq!(orgs.last().unwrap()["name"], "Client Corp");
    let mut per_org = 0;
    for org in &orgs {
        let id = org["id"].as_u64().unwrap();
        let (tickets, _) = walk(
            &client,
            &format!("/api/v2/organizations/{id}/tickets.json"),
            25,
        );
        assert!(tickets.iter().all(|t| t["organization_id"] == id));
        per_org += tickets.len();
    }
    assert_eq!(
        per_org, 300,
        "every ticket belongs to exactly one organization"
    );
    // Offset style (page_size 0 keeps the server's offset pages).
    let (members, _) = walk(&client, "/api/v2/group_memberships.json", 0);
    let users: BTreeSet<u64> = members
        .iter()
        .map(|m| m["user_id"].as_u64().unwrap())
        .collect();
    assert_eq!(users.len(), members.len());
    assert!(users.contains(&1));
}
