//! Time-based incremental exports follow recorded Zendesk traffic: a page never splits a
//! group of items that share one timestamp, `end_time` is one second past the last item, and
//! consecutive pages never overlap, so a walk with any `per_page` ends.

mod common;

use common::Emu;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Walks `path` (with `start_time=0&per_page=N`) to `end_of_stream`, checking every page.
/// Returns every `(id, generated_timestamp or updated_at)` seen, in order.
fn walk(emu: &Emu, resource: &str, per_page: usize) -> Vec<(u64, i64)> {
    let mut next = format!("/api/v2/incremental/{resource}.json?start_time=0&per_page={per_page}");
    let mut seen = Vec::new();
    let mut last_end = 0i64;
    for _ in 0..5000 {
        let r = emu.get(&next);
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        let items = v[resource].as_array().unwrap().clone();
        assert_eq!(v["count"].as_u64().unwrap() as usize, items.len());
        let end_time = v["end_time"].as_i64().unwrap();
        let stamps: Vec<i64> = items.iter().map(stamp).collect();
        if let Some(last) = stamps.last() {
            assert_eq!(
                end_time,
                last + 1,
                "end_time is one second past the last item"
            );
            assert!(end_time > last_end, "end_time advances");
            assert!(items.len() >= per_page.min(items.len()));
            // Only the final timestamp group may push the page past per_page.
            if items.len() > per_page {
                assert!(
                    stamps[per_page - 1..].iter().all(|t| t == last),
                    "{stamps:?}"
                );
            }
        }
        for (item, t) in items.iter().zip(&stamps) {
            assert!(*t >= last_end, "an item before the page's start_time");
            seen.push((item["id"].as_u64().unwrap(), *t));
        }
        if v["end_of_stream"] == true {
            return seen;
        }
        last_end = end_time;
        let url = v["next_page"].as_str().unwrap();
        assert!(url.contains(&format!("start_time={end_time}")), "{url}");
        assert!(url.contains(&format!("per_page={per_page}")), "{url}");
        next = url.strip_prefix(&emu.url).unwrap().to_string();
    }
    panic!("the export did not end within 5000 pages (per_page={per_page})");
}

fn stamp(item: &Value) -> i64 {
    item["generated_timestamp"].as_i64().unwrap_or_else(|| {
        let s = item["updated_at"].as_str().unwrap();
        parse_rfc3339(s)
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` → epoch seconds.
fn parse_rfc3339(s: &str) -> i64 {
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400 + n(11, 13) * 3600 + n(14, 16) * 60 + n(17, 19)
}

fn check_walk(seen: &[(u64, i64)], expected: &BTreeSet<u64>) {
    let ids: Vec<u64> = seen.iter().map(|(id, _)| *id).collect();
    let unique: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an item repeated: {ids:?}");
    assert_eq!(&unique, expected);
    assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1), "time order");
}

#[test]
fn time_based_ticket_export_never_repeats_or_stalls() {
    let emu = Emu::start(&["--tickets", "45"]);
    // Changes made in the same second form one more timestamp group at the end.
    for id in [3, 9, 10] {
        let r = emu.send(
            "PUT",
            &format!("/api/v2/tickets/{id}"),
            &json!({"ticket": {"priority": "high"}}),
        );
        assert_eq!(r.status, 200);
    }
    let r = emu.send(
        "POST",
        "/api/v2/tickets",
        &json!({"ticket": {"subject": "new", "comment": {"body": "b"}}}),
    );
    assert_eq!(r.status, 201);
    let expected: BTreeSet<u64> = (1..=46).collect();
    for per_page in [1, 2, 3, 1000] {
        let seen = walk(&emu, "tickets", per_page);
        check_walk(&seen, &expected);
    }
    // With per_page=1, the seeded groups of four come whole.
    let v = emu
        .get("/api/v2/incremental/tickets.json?start_time=0&per_page=1")
        .json();
    let ids: Vec<u64> = v["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ids,
        [1, 2],
        "ids 1..=3 share the first timestamp; 3 changed, so it moved to the end"
    );
    assert_eq!(v["end_of_stream"], false);
}

#[test]
fn time_based_user_export_walks_every_user_once() {
    let emu = Emu::start(&["--users", "13"]);
    let expected: BTreeSet<u64> = (1..=13).collect();
    for per_page in [1, 2, 3, 1000] {
        check_walk(&walk(&emu, "users", per_page), &expected);
    }
}

#[test]
fn an_export_past_the_last_item_is_empty_and_ends() {
    let emu = Emu::start(&["--tickets", "5"]);
    let v = emu
        .get("/api/v2/incremental/tickets.json?start_time=1900000000")
        .json();
    // A start_time in the future is refused.
    assert_eq!(v["error"], "InvalidValue");
    let v = emu
        .get("/api/v2/incremental/tickets.json?start_time=1750000000")
        .json();
    assert_eq!(v["count"], 0);
    assert_eq!(v["end_of_stream"], true);
    assert_eq!(v["end_time"], 1_750_000_000);
}
