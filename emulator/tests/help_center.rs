//! Help Center: its own paging (no `links.next` on the last page, a `Link` header on pages
//! that have a next one, offset pages with `page_count` and sorting), the seed's
//! references, locales, visibility for end users, search and agent writes.

mod common;

use common::{Emu, basic, ids};
use serde_json::{Value, json};

const HC: &str = "/api/v2/help_center";
const SEEDED_ARTICLES: usize = 72;

fn path_of<'a>(emu: &Emu, url: &'a str) -> &'a str {
    url.strip_prefix(emu.url.as_str()).expect("same origin")
}

fn end_user() -> String {
    basic("user3@example.com/token", "emulator-api-token")
}

#[test]
fn cursor_pages_omit_links_next_on_the_last_page_and_send_a_link_header_before() {
    let emu = Emu::start(&[]);
    let mut next = format!("{HC}/articles.json?page[size]=10");
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 20, "the walk did not end");
        let r = emu.get(&next);
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        seen.extend(ids(&v, "articles"));
        let link = r.header("link").map(str::to_owned);
        if v["meta"]["has_more"] == true {
            let url = v["links"]["next"].as_str().expect("links.next while more");
            assert_eq!(link, Some(format!("<{url}>; rel=\"next\"")));
            assert!(v["meta"]["after_cursor"].is_string());
            next = path_of(&emu, url).to_owned();
        } else {
            assert_eq!(v["meta"]["has_more"], false);
            assert!(
                v["links"].get("next").is_none(),
                "links.next on the last page: {v}"
            );
            assert!(link.is_none(), "Link header on the last page: {link:?}");
            assert!(v["links"]["prev"].is_string());
            break;
        }
    }
    assert_eq!(pages, 8);
    assert_eq!(seen.len(), SEEDED_ARTICLES);
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "ascending, no repeats"
    );
    // Backwards with page[before]: nothing before the first page; the three records
    // before the second page.
    let first = emu.get(&format!("{HC}/articles.json?page[size]=10")).json();
    let cursor = |v: &Value, k: &str| v["meta"][k].as_str().unwrap().to_owned();
    let v = emu
        .get(&format!(
            "{HC}/articles.json?page[size]=10&page[before]={}",
            cursor(&first, "before_cursor")
        ))
        .json();
    assert_eq!(v["articles"].as_array().unwrap().len(), 0);
    assert_eq!(v["meta"]["has_more"], false);
    let second = emu
        .get(&format!(
            "{HC}/articles.json?page[size]=10&page[after]={}",
            cursor(&first, "after_cursor")
        ))
        .json();
    let v = emu
        .get(&format!(
            "{HC}/articles.json?page[size]=3&page[before]={}",
            cursor(&second, "before_cursor")
        ))
        .json();
    assert_eq!(ids(&v, "articles"), seen[7..10].to_vec());
    assert_eq!(v["meta"]["has_more"], true);
    // A bad cursor or size is a 400, as on Support endpoints.
    assert_eq!(
        emu.get(&format!("{HC}/articles?page[after]=zz")).status,
        400
    );
    assert_eq!(
        emu.get(&format!("{HC}/articles?page[size]=101")).status,
        400
    );
}

#[test]
fn offset_pages_count_pages_and_sort() {
    let emu = Emu::start(&[]);
    let v = emu.get(&format!("{HC}/articles.json")).json();
    assert_eq!(v["per_page"], 30, "Help Center's default page size");
    assert_eq!(v["count"], SEEDED_ARTICLES);
    assert_eq!(v["page_count"], 3);
    assert_eq!(v["sort_by"], "position");
    assert_eq!(v["sort_order"], "asc");
    assert!(v["previous_page"].is_null());
    let mut next = format!("{HC}/articles.json?per_page=10");
    let mut seen = Vec::new();
    for page in 1..=8 {
        let v = emu.get(&next).json();
        assert_eq!(v["page"], page);
        assert_eq!(v["page_count"], 8);
        seen.extend(ids(&v, "articles"));
        match v["next_page"].as_str() {
            Some(url) => next = path_of(&emu, url).to_owned(),
            None => {
                assert_eq!(page, 8);
                assert!(v.get("meta").is_none());
            }
        }
    }
    assert_eq!(seen.len(), SEEDED_ARTICLES);
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    let v = emu
        .get(&format!(
            "{HC}/articles.json?sort_by=title&sort_order=desc&per_page=100"
        ))
        .json();
    let titles: Vec<String> = v["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(titles.windows(2).all(|w| w[0] >= w[1]), "{titles:?}");
    assert_eq!(v["sort_by"], "title");
    assert_eq!(v["sort_order"], "desc");
    // Cursor mode ignores the sort parameters.
    let v = emu
        .get(&format!("{HC}/articles.json?sort_by=title&page[size]=5"))
        .json();
    assert_eq!(ids(&v, "articles"), seen[..5].to_vec());
    // Past the end: an empty page, no next.
    let v = emu
        .get(&format!("{HC}/articles.json?per_page=10&page=9"))
        .json();
    assert_eq!(v["articles"].as_array().unwrap().len(), 0);
    assert!(v["next_page"].is_null());
}

#[test]
fn the_tree_is_consistent_and_locales_are_checked() {
    let emu = Emu::start(&["--users", "30"]);
    let categories = emu.get(&format!("{HC}/categories")).json();
    let category_ids = ids(&categories, "categories");
    assert_eq!(category_ids.len(), 3);
    let mut total = 0;
    for c in &category_ids {
        let sections = emu
            .get(&format!("{HC}/en-us/categories/{c}/sections"))
            .json();
        let mut in_sections = Vec::new();
        for s in sections["sections"].as_array().unwrap() {
            assert_eq!(s["category_id"], *c);
            let articles = emu
                .get(&format!("{HC}/sections/{}/articles?per_page=100", s["id"]))
                .json();
            for a in articles["articles"].as_array().unwrap() {
                assert_eq!(a["section_id"], s["id"]);
                let author = emu.get(&format!("/api/v2/users/{}", a["author_id"]));
                assert_eq!(author.status, 200, "the author exists");
                assert_ne!(author.json()["user"]["role"], "end-user");
                in_sections.push(a["id"].as_u64().unwrap());
            }
        }
        let by_category = emu
            .get(&format!("{HC}/categories/{c}/articles?per_page=100"))
            .json();
        assert_eq!(ids(&by_category, "articles"), in_sections);
        total += in_sections.len();
    }
    assert_eq!(total, SEEDED_ARTICLES);
    let one = emu
        .get(&format!("{HC}/en-us/articles/361300005.json"))
        .json();
    let a = &one["article"];
    assert_eq!(a["id"], 361300005);
    assert!(
        a["url"]
            .as_str()
            .unwrap()
            .ends_with("/api/v2/help_center/en-us/articles/361300005.json")
    );
    assert!(
        a["html_url"]
            .as_str()
            .unwrap()
            .contains("/hc/en-us/articles/361300005-")
    );
    assert_eq!(a["name"], a["title"]);
    // Another locale, an unknown id or parent: 404.
    assert_eq!(emu.get(&format!("{HC}/fr/articles")).status, 404);
    assert_eq!(emu.get(&format!("{HC}/articles/1")).status, 404);
    assert_eq!(emu.get(&format!("{HC}/sections/1/articles")).status, 404);
    assert_eq!(emu.get(&format!("{HC}/categories/1/sections")).status, 404);
    // Side-loads: authors, sections, categories.
    let v = emu
        .get(&format!(
            "{HC}/articles?per_page=3&include=users,sections,categories"
        ))
        .json();
    assert_eq!(v["sections"].as_array().unwrap().len(), 1);
    assert_eq!(v["categories"].as_array().unwrap().len(), 1);
    assert!(!v["users"].as_array().unwrap().is_empty());
}

#[test]
fn end_users_read_what_they_may_see_and_cannot_write() {
    let emu = Emu::start(&[]);
    let all = ids(
        &emu.get(&format!("{HC}/articles?per_page=100")).json(),
        "articles",
    );
    let r = emu.call(
        "GET",
        &format!("{HC}/articles?per_page=100"),
        Some(&end_user()),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let visible = r.json();
    assert!(
        visible["articles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["user_segment_id"].is_null() && a["draft"] == false)
    );
    let mine = ids(&visible, "articles");
    assert!(mine.len() < all.len(), "agents-only articles are hidden");
    let hidden = all.iter().find(|id| !mine.contains(id)).unwrap();
    let r = emu.call(
        "GET",
        &format!("{HC}/articles/{hidden}"),
        Some(&end_user()),
        None,
    );
    assert_eq!(r.status, 404);
    for path in [
        format!("{HC}/articles/{hidden}/translations"),
        format!("{HC}/articles/{hidden}/translations/en-us"),
    ] {
        let r = emu.call("GET", &path, Some(&end_user()), None);
        assert_eq!(r.status, 404, "{path}");
    }
    let r = emu.call(
        "POST",
        &format!("{HC}/sections/361200000/articles"),
        Some(&end_user()),
        Some(&json!({"article": {"title": "nope"}})),
    );
    assert_eq!(r.status, 403);
    // Without credentials, a public help center reads like it does for an end user; writes
    // and Support resources still need credentials.
    let r = emu.call("GET", &format!("{HC}/articles?per_page=100"), None, None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(ids(&r.json(), "articles"), mine);
    let r = emu.call(
        "POST",
        &format!("{HC}/sections/361200000/articles"),
        None,
        Some(&json!({"article": {"title": "nope"}})),
    );
    assert_eq!(r.status, 401);
    assert_eq!(emu.call("GET", "/api/v2/tickets", None, None).status, 401);
    // End users still cannot read Support resources.
    let r = emu.call("GET", "/api/v2/tickets", Some(&end_user()), None);
    assert_eq!(r.status, 403);
}

#[test]
fn agents_create_update_and_delete() {
    let emu = Emu::start(&[]);
    let section = 361200003u64;
    let r = emu.send(
        "POST",
        &format!("{HC}/en-us/sections/{section}/articles.json"),
        &json!({"article": {"title": "Brand new", "body": "<p>Fresh words</p>", "label_names": ["new"]}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let a = r.json()["article"].clone();
    let id = a["id"].as_u64().unwrap();
    assert_eq!(a["section_id"], section);
    assert_eq!(a["author_id"], 1, "the caller is the author");
    assert_eq!(a["name"], "Brand new");
    assert_eq!(a["draft"], false);
    let list = emu.get(&format!("{HC}/sections/{section}/articles")).json();
    assert_eq!(*ids(&list, "articles").last().unwrap(), id);
    let found = emu
        .get(&format!("{HC}/articles/search?query=fresh%20words"))
        .json();
    assert_eq!(ids(&found, "results"), vec![id]);
    assert_eq!(found["results"][0]["result_type"], "article");
    let by_label = emu
        .get(&format!("{HC}/articles/search?label_names=new"))
        .json();
    assert_eq!(ids(&by_label, "results"), vec![id]);
    // Bad input.
    for (body, status) in [
        (json!({"article": {"body": "no title"}}), 422),
        (json!({"article": {"title": "  "}}), 422),
        (json!({"article": {"title": "x", "draft": "yes"}}), 422),
        (json!({"article": {"title": "x", "author_id": 999999}}), 422),
        (json!({"title": "no wrapper"}), 400),
    ] {
        let r = emu.send("POST", &format!("{HC}/sections/{section}/articles"), &body);
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }
    let r = emu.send(
        "POST",
        &format!("{HC}/sections/1/articles"),
        &json!({"article": {"title": "x"}}),
    );
    assert_eq!(r.status, 404);
    // Update: metadata only; the title is the translation's and stays.
    let r = emu.send(
        "PUT",
        &format!("{HC}/articles/{id}"),
        &json!({"article": {"title": "Ignored", "promoted": true, "section_id": 361200004}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let a = r.json()["article"].clone();
    assert_eq!(a["title"], "Brand new");
    assert_eq!(a["promoted"], true);
    assert_eq!(a["section_id"], 361200004);
    // The translation changes the words: title and name move together, edited_at follows.
    let r = emu.send(
        "PUT",
        &format!("{HC}/articles/{id}/translations/en-us"),
        &json!({"translation": {"title": "Renamed", "body": "<p>New words</p>", "draft": true}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let t = r.json()["translation"].clone();
    assert_eq!(
        (t["source_id"].as_u64(), t["locale"].as_str()),
        (Some(id), Some("en-us"))
    );
    assert_eq!(t["title"], "Renamed");
    let a = emu.get(&format!("{HC}/articles/{id}")).json()["article"].clone();
    assert_eq!(
        (a["title"].clone(), a["name"].clone()),
        (json!("Renamed"), json!("Renamed"))
    );
    assert_eq!(a["body"], "<p>New words</p>");
    assert_eq!(a["draft"], true);
    let listed = emu.get(&format!("{HC}/articles/{id}/translations")).json();
    assert_eq!(listed["translations"][0]["title"], "Renamed");
    for (path, body, status) in [
        (
            format!("{HC}/articles/{id}/translations/fr"),
            json!({"translation": {"title": "x"}}),
            404,
        ),
        (
            format!("{HC}/articles/{id}/translations/en-us"),
            json!({"translation": {"title": " "}}),
            422,
        ),
        (
            format!("{HC}/articles/{id}/translations/en-us"),
            json!({"translation": {"draft": 1}}),
            422,
        ),
        (
            format!("{HC}/articles/{id}/translations/en-us"),
            json!({"title": "x"}),
            400,
        ),
    ] {
        let r = emu.send("PUT", &path, &body);
        assert_eq!(r.status, status, "{path} {body}: {}", r.text());
    }
    // A section is renamed through its translation too.
    let r = emu.send(
        "PUT",
        &format!("{HC}/sections/361200001/translations/en-us"),
        &json!({"translation": {"title": "Accounts", "body": "All about accounts"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let sec = emu.get(&format!("{HC}/sections/361200001")).json()["section"].clone();
    assert_eq!(
        (sec["name"].clone(), sec["description"].clone()),
        (json!("Accounts"), json!("All about accounts"))
    );
    let r = emu.send(
        "PUT",
        &format!("{HC}/articles/{id}"),
        &json!({"article": {"section_id": 5}}),
    );
    assert_eq!(r.status, 422);
    // Delete: gone from show, lists and search.
    let r = emu.call(
        "DELETE",
        &format!("{HC}/articles/{id}"),
        Some(common::BEARER),
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(emu.get(&format!("{HC}/articles/{id}")).status, 404);
    assert_eq!(
        emu.get(&format!("{HC}/articles?per_page=100")).json()["count"],
        SEEDED_ARTICLES
    );
    // A category takes its sections and their articles with it.
    let r = emu.call(
        "DELETE",
        &format!("{HC}/categories/361100000"),
        Some(common::BEARER),
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(emu.get(&format!("{HC}/sections/361200000")).status, 404);
    assert_eq!(emu.get(&format!("{HC}/articles/361300000")).status, 404);
    let left = emu.get(&format!("{HC}/articles?per_page=100")).json();
    assert_eq!(left["count"], SEEDED_ARTICLES - 24);
    // Categories and sections can be created too.
    let c = emu.send(
        "POST",
        &format!("{HC}/categories"),
        &json!({"category": {"name": "New"}}),
    );
    assert_eq!(c.status, 201, "{}", c.text());
    let cid = c.json()["category"]["id"].as_u64().unwrap();
    let s = emu.send(
        "POST",
        &format!("{HC}/categories/{cid}/sections"),
        &json!({"section": {"name": "Inside"}}),
    );
    assert_eq!(s.status, 201, "{}", s.text());
    assert_eq!(s.json()["section"]["category_id"], cid);
    assert_eq!(
        emu.get(&format!("{HC}/articles/search")).status,
        400,
        "search needs a query or a filter"
    );
}

#[test]
fn the_incremental_article_export_walks_every_article_once() {
    let emu = Emu::start(&[]);
    let r = emu.send(
        "PUT",
        &format!("{HC}/articles/361300003"),
        &json!({"article": {"promoted": true}}),
    );
    assert_eq!(r.status, 200);
    let r = emu.call(
        "DELETE",
        &format!("{HC}/articles/361300004"),
        Some(common::BEARER),
        None,
    );
    assert_eq!(r.status, 204);
    let mut next = format!("{HC}/incremental/articles.json?start_time=0&per_page=7");
    let mut seen = Vec::new();
    for _ in 0..50 {
        let v = emu.get(&next).json();
        seen.extend(v["articles"].as_array().unwrap().iter().cloned());
        match v["next_page"].as_str() {
            Some(url) => {
                assert_eq!(v["end_of_stream"], false);
                next = path_of(&emu, url).to_owned();
            }
            None => {
                assert_eq!(v["end_of_stream"], true);
                break;
            }
        }
    }
    let ids: Vec<u64> = seen.iter().map(|a| a["id"].as_u64().unwrap()).collect();
    let unique: std::collections::BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), SEEDED_ARTICLES, "every article once");
    assert_eq!(unique.len(), SEEDED_ARTICLES);
    // The changed and the archived article come last, the archived one with deleted_at.
    let last_two: Vec<u64> = ids[ids.len() - 2..].to_vec();
    assert_eq!(last_two, [361300003, 361300004]);
    assert!(seen.last().unwrap()["deleted_at"].is_string());
    assert_eq!(emu.get(&format!("{HC}/incremental/articles")).status, 400);
}
