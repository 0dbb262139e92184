//! Views, macros, satisfaction ratings, ticket metrics and the ticket event export agree
//! with the tickets and audits they come from.

mod common;

use common::Emu;
use serde_json::json;
use std::collections::BTreeSet;

#[test]
fn views_select_what_their_conditions_say() {
    let emu = Emu::start(&["--tickets", "80", "--users", "30"]);
    let all = emu.walk_cursor("/api/v2/tickets?page[size]=100", "tickets");
    let unsolved: BTreeSet<u64> = all
        .iter()
        .filter(|t| ["new", "open", "pending", "hold"].contains(&t["status"].as_str().unwrap()))
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    let view = emu.walk_cursor("/api/v2/views/360800002/tickets?page[size]=9", "tickets");
    assert_eq!(
        view.iter()
            .map(|t| t["id"].as_u64().unwrap())
            .collect::<BTreeSet<_>>(),
        unsolved
    );
    assert_eq!(
        emu.get("/api/v2/views/360800002/count").json()["view_count"]["value"],
        unsolved.len()
    );
    let mine = emu.walk_cursor("/api/v2/views/360800000/tickets?page[size]=100", "tickets");
    assert!(mine.iter().all(|t| t["assignee_id"] == 1));
    let unassigned = emu.walk_cursor("/api/v2/views/360800001/tickets?page[size]=100", "tickets");
    assert!(unassigned.iter().all(|t| t["assignee_id"].is_null()));
    // A write moves a ticket between views.
    let t = *unsolved.iter().next().unwrap();
    emu.send(
        "PUT",
        &format!("/api/v2/tickets/{t}"),
        &json!({"ticket": {"status": "solved"}}),
    );
    let solved = emu.walk_cursor("/api/v2/views/360800003/tickets?page[size]=100", "tickets");
    assert!(solved.iter().any(|x| x["id"] == t));
    assert_eq!(
        emu.get("/api/v2/views/360800002/count").json()["view_count"]["value"],
        unsolved.len() - 1
    );
    assert_eq!(
        emu.get("/api/v2/views").json()["views"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(emu.get("/api/v2/views/1").status, 404);
}

#[test]
fn macros_apply_without_saving() {
    let emu = Emu::start(&["--tickets", "10"]);
    let list = emu.get("/api/v2/macros").json();
    assert_eq!(list["macros"].as_array().unwrap().len(), 4);
    let before = emu.get("/api/v2/tickets/2").json()["ticket"].clone();
    let r = emu.get("/api/v2/tickets/2/macros/360900003/apply").json();
    let t = &r["result"]["ticket"];
    assert_eq!(t["id"], 2);
    assert_eq!(t["priority"], "high");
    assert_eq!(t["group_id"], 360_100_002);
    assert!(t["tags"].as_array().unwrap().contains(&json!("escalated")));
    assert_eq!(r["result"]["comment"]["public"], false);
    assert_eq!(
        emu.get("/api/v2/tickets/2").json()["ticket"],
        before,
        "apply saves nothing"
    );
    let r = emu.get("/api/v2/macros/360900002/apply").json();
    assert_eq!(
        r["result"]["ticket"]["assignee_id"], 1,
        "current_user is the caller"
    );
    assert_eq!(emu.get("/api/v2/macros/360900009/apply").status, 404);
}

#[test]
fn satisfaction_ratings_and_metrics_match_their_tickets() {
    let emu = Emu::start(&["--tickets", "60"]);
    let ratings = emu.walk_cursor(
        "/api/v2/satisfaction_ratings?page[size]=4",
        "satisfaction_ratings",
    );
    assert!(!ratings.is_empty());
    for r in &ratings {
        let t = emu
            .get(&format!("/api/v2/tickets/{}", r["ticket_id"]))
            .json()["ticket"]
            .clone();
        assert_eq!(t["status"], "solved");
        assert_eq!(t["satisfaction_rating"]["id"], r["id"]);
        assert_eq!(t["satisfaction_rating"]["score"], r["score"]);
        assert_eq!(r["requester_id"], t["requester_id"]);
        assert_eq!(
            emu.get(&format!("/api/v2/satisfaction_ratings/{}", r["id"]))
                .json()["satisfaction_rating"],
            *r
        );
    }
    let good = emu.walk_cursor(
        "/api/v2/satisfaction_ratings?score=good&page[size]=100",
        "satisfaction_ratings",
    );
    assert!(good.iter().all(|r| r["score"] == "good"));
    // Rating a solved ticket makes it show up; an open one is refused.
    let all = emu.walk_cursor("/api/v2/tickets?page[size]=100", "tickets");
    let open = all.iter().find(|t| t["status"] == "open").unwrap()["id"]
        .as_u64()
        .unwrap();
    let rated: BTreeSet<u64> = ratings
        .iter()
        .map(|r| r["ticket_id"].as_u64().unwrap())
        .collect();
    let unrated = all
        .iter()
        .find(|t| t["status"] == "solved" && !rated.contains(&t["id"].as_u64().unwrap()));
    if let Some(t) = unrated {
        let id = t["id"].as_u64().unwrap();
        let r = emu.send(
            "POST",
            &format!("/api/v2/tickets/{id}/satisfaction_rating"),
            &json!({"satisfaction_rating": {"score": "good", "comment": "thanks"}}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(
            emu.get(&format!("/api/v2/tickets/{id}")).json()["ticket"]["satisfaction_rating"]["score"],
            "good"
        );
        let again = emu.walk_cursor(
            "/api/v2/satisfaction_ratings?page[size]=100",
            "satisfaction_ratings",
        );
        assert_eq!(again.len(), ratings.len() + 1);
    }
    let r = emu.send(
        "POST",
        &format!("/api/v2/tickets/{open}/satisfaction_rating"),
        &json!({"satisfaction_rating": {"score": "good"}}),
    );
    assert_eq!(r.status, 422);
    // Metrics: one per ticket, replies = comments - 1.
    let m = emu.get("/api/v2/tickets/5/metrics").json()["ticket_metric"][0].clone();
    assert_eq!(m["ticket_id"], 5);
    let comments = emu.get("/api/v2/tickets/5/comments").json()["comments"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(m["replies"].as_u64().unwrap() as usize, comments - 1);
    assert_eq!(
        emu.get(&format!("/api/v2/ticket_metrics/{}", m["id"]))
            .json()["ticket_metric"][0],
        m
    );
    assert_eq!(
        emu.walk_cursor("/api/v2/ticket_metrics?page[size]=25", "ticket_metrics")
            .len(),
        60
    );
}

#[test]
fn ticket_event_export_walks_every_audit_once() {
    let emu = Emu::start(&["--tickets", "25"]);
    emu.send(
        "PUT",
        "/api/v2/tickets/3",
        &json!({"ticket": {"comment": {"body": "late reply"}}}),
    );
    emu.send(
        "PUT",
        "/api/v2/tickets/4",
        &json!({"ticket": {"status": "hold"}}),
    );
    let expected = emu.audit_total(25);
    for per_page in [1, 2, 3, 1000] {
        let mut next =
            format!("/api/v2/incremental/ticket_events?start_time=0&per_page={per_page}");
        let mut seen = BTreeSet::new();
        let mut last_t = 0;
        let mut done = false;
        for _ in 0..500 {
            let v = emu.get(&next).json();
            for e in v["ticket_events"].as_array().unwrap() {
                assert!(
                    seen.insert(e["id"].as_u64().unwrap()),
                    "repeated event (per_page={per_page})"
                );
                let t = e["timestamp"].as_i64().unwrap();
                assert!(t >= last_t, "time order");
                last_t = t;
            }
            if let Some(last) = v["ticket_events"].as_array().unwrap().last() {
                assert_eq!(
                    v["end_time"].as_i64().unwrap(),
                    last["timestamp"].as_i64().unwrap() + 1
                );
            }
            if v["end_of_stream"] == true {
                done = true;
                break;
            }
            next = v["next_page"]
                .as_str()
                .unwrap()
                .strip_prefix(&emu.url)
                .unwrap()
                .to_string();
        }
        assert!(done, "the export ended (per_page={per_page})");
        assert_eq!(seen.len(), expected, "per_page={per_page}");
    }
    let v = emu
        .get("/api/v2/incremental/ticket_events?start_time=0&include=comment_events")
        .json();
    let events = v["ticket_events"].as_array().unwrap();
    let late = events
        .iter()
        .find(|e| e["ticket_id"] == 3 && e["child_events"][0]["body"] == "late reply")
        .expect("the update's comment");
    assert_eq!(late["child_events"][0]["comment_present"], true);
    let hold = events
        .iter()
        .find(|e| {
            e["ticket_id"] == 4
                && e["child_events"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["status"] == "hold")
        })
        .expect("the status change");
    assert_eq!(hold["event_type"], "Audit");
}
