//! The seeded Help Center: categories, their sections and the sections' articles, all in
//! the account's one locale. Like the rest of the seed, every record is built from its id
//! on demand (nothing is stored until changed), and every id a record carries exists:
//! sections name a seeded category, articles a seeded section and an agent as author.

use crate::seed::BASE_EPOCH;
use crate::seed_account::{agent_count, agent_user};
use crate::util::iso8601;
use serde_json::{Map, Value, json};

/// The account's Help Center locale (the only one it serves).
pub const LOCALE: &str = "en-us";
/// Seeded categories are `FIRST_CATEGORY..FIRST_CATEGORY + CATEGORY_COUNT`.
pub const FIRST_CATEGORY: u64 = 361_100_000;
/// Number of seeded categories.
pub const CATEGORY_COUNT: u64 = 3;
/// Sections per seeded category.
pub const SECTIONS_PER_CATEGORY: u64 = 3;
/// Seeded sections are `FIRST_SECTION..FIRST_SECTION + SECTION_COUNT`.
pub const FIRST_SECTION: u64 = 361_200_000;
/// Number of seeded sections.
pub const SECTION_COUNT: u64 = CATEGORY_COUNT * SECTIONS_PER_CATEGORY;
/// Articles per seeded section.
pub const ARTICLES_PER_SECTION: u64 = 8;
/// Seeded articles are `FIRST_ARTICLE..FIRST_ARTICLE + ARTICLE_COUNT`.
pub const FIRST_ARTICLE: u64 = 361_300_000;
/// Number of seeded articles.
pub const ARTICLE_COUNT: u64 = SECTION_COUNT * ARTICLES_PER_SECTION;
/// The permission group (who may edit) of every seeded article.
pub const PERMISSION_GROUP: u64 = 361_400_000;
/// The user segment (who may read) of the "agents only" seeded articles; the others are
/// visible to everyone (`null`).
pub const AGENTS_SEGMENT: u64 = 361_500_000;

const CATEGORY_NAMES: [&str; 3] = ["Getting started", "Billing and plans", "Troubleshooting"];
const SECTION_NAMES: [&str; 9] = [
    "First steps",
    "Accounts and users",
    "Mobile app",
    "Invoices",
    "Payment methods",
    "Plans and upgrades",
    "Sign-in problems",
    "Integrations",
    "Known issues",
];
const TOPICS: [&str; 8] = [
    "set up", "invite", "export", "reset", "connect", "cancel", "upgrade", "sync",
];
const LABELS: [&str; 6] = ["faq", "howto", "billing", "mobile", "api", "security"];

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Update time of seeded Help Center record `id` (grows with the id, before every ticket).
pub fn updated(id: u64) -> i64 {
    BASE_EPOCH - 150 * 86_400 + (id % 100_000) as i64 * 3600
}

/// The web address of a Help Center record, relative to the account's host.
pub fn html_path(kind: &str, id: u64, name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("/hc/{LOCALE}/{kind}/{id}-{}", words.join("-"))
}

/// Seeded category `id`.
pub fn category(id: u64) -> Map<String, Value> {
    let k = id - FIRST_CATEGORY;
    let name = CATEGORY_NAMES[k as usize % CATEGORY_NAMES.len()];
    object(json!({
        "id": id, "position": k, "created_at": iso8601(updated(id) - 86_400),
        "updated_at": iso8601(updated(id)), "name": name,
        "description": format!("{name}: everything you need to know"),
        "locale": LOCALE, "source_locale": LOCALE, "outdated": false
    }))
}

/// The category of seeded section `id`.
pub fn category_of_section(id: u64) -> u64 {
    FIRST_CATEGORY + (id - FIRST_SECTION) / SECTIONS_PER_CATEGORY
}

/// Seeded section `id`.
pub fn section(id: u64) -> Map<String, Value> {
    let k = id - FIRST_SECTION;
    let name = SECTION_NAMES[k as usize % SECTION_NAMES.len()];
    object(json!({
        "id": id, "category_id": category_of_section(id), "position": k % SECTIONS_PER_CATEGORY,
        "sorting": "manual", "created_at": iso8601(updated(id) - 86_400),
        "updated_at": iso8601(updated(id)), "name": name,
        "description": format!("Articles about {}", name.to_lowercase()),
        "locale": LOCALE, "source_locale": LOCALE, "outdated": false,
        "parent_section_id": null, "theme_template": "section_page"
    }))
}

/// The section of seeded article `id`.
pub fn section_of_article(id: u64) -> u64 {
    FIRST_SECTION + (id - FIRST_ARTICLE) / ARTICLES_PER_SECTION
}

/// Seeded article `id`; its author is one of the `users` seeded users' agents.
pub fn article(id: u64, users: u64) -> Map<String, Value> {
    let k = id - FIRST_ARTICLE;
    let section = section_of_article(id);
    let section_name = SECTION_NAMES[(section - FIRST_SECTION) as usize % SECTION_NAMES.len()];
    let topic = TOPICS[(k % 8) as usize];
    let title = format!(
        "How to {topic}: {} ({})",
        section_name.to_lowercase(),
        k + 1
    );
    let author = agent_user(k % agent_count(users.max(1)));
    let labels: Vec<&str> = (0..(k % 3))
        .map(|j| LABELS[((k + j * 2) % LABELS.len() as u64) as usize])
        .collect();
    let votes = (k * 7) % 11;
    object(json!({
        "id": id, "author_id": author, "comments_disabled": k % 5 == 4, "draft": false,
        "promoted": k % 9 == 0, "position": k % ARTICLES_PER_SECTION,
        "vote_sum": votes as i64 - (k % 3) as i64, "vote_count": votes, "section_id": section,
        "created_at": iso8601(updated(id) - 86_400), "updated_at": iso8601(updated(id)),
        "edited_at": iso8601(updated(id)), "name": title, "title": title,
        "source_locale": LOCALE, "locale": LOCALE, "outdated": false, "outdated_locales": [],
        "permission_group_id": PERMISSION_GROUP,
        "user_segment_id": if k % 6 == 5 { json!(AGENTS_SEGMENT) } else { Value::Null },
        "label_names": labels, "content_tag_ids": [],
        "body": format!("<p>This article explains how to {topic} in {}.</p><p>Step {} of the guide.</p>",
            section_name.to_lowercase(), k % ARTICLES_PER_SECTION + 1)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seeded_reference_exists() {
        for id in FIRST_ARTICLE..FIRST_ARTICLE + ARTICLE_COUNT {
            let a = article(id, 30);
            let section = a["section_id"].as_u64().unwrap();
            assert!((FIRST_SECTION..FIRST_SECTION + SECTION_COUNT).contains(&section));
            let author = a["author_id"].as_u64().unwrap();
            assert!(crate::seed_account::agent_index(author).is_some());
            assert!(author <= 30);
        }
        for id in FIRST_SECTION..FIRST_SECTION + SECTION_COUNT {
            let c = section(id)["category_id"].as_u64().unwrap();
            assert!((FIRST_CATEGORY..FIRST_CATEGORY + CATEGORY_COUNT).contains(&c));
        }
        assert_eq!(
            html_path("articles", 5, "How to: set up (1)"),
            "/hc/en-us/articles/5-how-to-set-up-1"
        );
    }
}
