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

/// Help Center pages its own way: cursor pages omit `links.next` on the last page and
/// send a `Link: <…>; rel="next"` header before it; offset pages carry `page_count`.
#[test]
fn help_center_articles_walk_every_id_once_in_order() {
    let emulator = Emulator::start(&["--users", "30"]);
    let client = emulator.oauth_client();
    let ids = |items: &[serde_json::Value]| -> Vec<u64> {
        items.iter().map(|a| a["id"].as_u64().unwrap()).collect()
    };
    // Cursor style, 10 per page: 72 seeded articles in 8 pages.
    let mut pager = Pager::new(
        &client,
        "/api/v2/help_center/en-us/articles.json",
        vec![],
        10,
    );
    let mut cursor_ids = Vec::new();
    while let Some(page) = pager.next_page().unwrap() {
        assert!(pager.pages_fetched() <= 20, "the pager did not stop");
        let link = page.response.headers.get_all("link").next().is_some();
        assert_eq!(
            page.has_more, link,
            "a Link header exactly on pages with a next one"
        );
        assert_eq!(page.items_key.as_deref(), Some("articles"));
        cursor_ids.extend(ids(&page.into_items().unwrap()));
    }
    assert_eq!(pager.pages_fetched(), 8);
    assert!(pager.is_done());
    assert_eq!(cursor_ids.len(), 72);
    assert!(
        cursor_ids.windows(2).all(|w| w[0] < w[1]),
        "every id once, in order"
    );
    // Offset style, 7 per page (page_size 0 keeps the server's offset pages).
    let (offset, pages) = walk(&client, "/api/v2/help_center/articles.json?per_page=7", 0);
    assert_eq!(pages, 11);
    assert_eq!(ids(&offset), cursor_ids);
    // One section's articles, 3 per page.
    let (section, pages) = walk(
        &client,
        "/api/v2/help_center/sections/361200002/articles.json",
        3,
    );
    assert_eq!(pages, 3);
    assert_eq!(section.len(), 8);
    assert!(section.iter().all(|a| a["section_id"] == 361200002));
}
