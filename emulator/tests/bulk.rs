//! Tags, merges, bulk user and ticket jobs, identities: each write is visible in later reads.

mod common;

use common::{BEARER, Emu};
use serde_json::{Value, json};

fn finish(emu: &Emu, r: &common::Resp) -> Value {
    assert_eq!(r.status, 200, "{}", r.text());
    let url = r.json()["job_status"]["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&emu.url)
        .unwrap()
        .to_string();
    for _ in 0..5 {
        let j = emu.get(&url).json();
        if j["job_status"]["status"] == "completed" {
            return j["job_status"].clone();
        }
    }
    panic!("job did not complete");
}

#[test]
fn ticket_tags_merge_and_destroy_many() {
    let emu = Emu::start(&["--tickets", "20"]);
    let r = emu.send(
        "PUT",
        "/api/v2/tickets/3/tags",
        &json!({"tags": ["alpha", "Beta"]}),
    );
    assert_eq!(r.json()["tags"], json!(["alpha", "beta"]));
    let r = emu.send(
        "POST",
        "/api/v2/tickets/3/tags",
        &json!({"tags": ["gamma"]}),
    );
    assert_eq!(r.json()["tags"], json!(["alpha", "beta", "gamma"]));
    let r = emu.send(
        "DELETE",
        "/api/v2/tickets/3/tags",
        &json!({"tags": ["alpha"]}),
    );
    assert_eq!(r.json()["tags"], json!(["beta", "gamma"]));
    assert_eq!(
        emu.get("/api/v2/tickets/3/tags").json()["tags"],
        json!(["beta", "gamma"])
    );
    assert_eq!(
        emu.get("/api/v2/tickets/3").json()["ticket"]["tags"],
        json!(["beta", "gamma"])
    );
    let tags = emu.get("/api/v2/tags").json();
    let gamma = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "gamma")
        .unwrap()
        .clone();
    assert_eq!(gamma["count"], 1);
    let total: u64 = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["count"].as_u64().unwrap())
        .sum();
    let by_ticket: usize = (1..=20)
        .map(|i| {
            emu.get(&format!("/api/v2/tickets/{i}/tags")).json()["tags"]
                .as_array()
                .unwrap()
                .len()
        })
        .sum();
    assert_eq!(total as usize, by_ticket);
    assert_eq!(
        emu.send("PUT", "/api/v2/tickets/3/tags", &json!({})).status,
        400
    );
    assert_eq!(emu.get("/api/v2/tickets/99/tags").status, 404);

    // Merge: sources closed with a comment, the target names them.
    let job = finish(
        &emu,
        &emu.send(
            "POST",
            "/api/v2/tickets/5/merge",
            &json!({"ids": [6, 7], "source_comment": "merged away"}),
        ),
    );
    assert_eq!(job["total"], 2);
    for s in [6, 7] {
        assert_eq!(
            emu.get(&format!("/api/v2/tickets/{s}")).json()["ticket"]["status"],
            "closed"
        );
        let c = emu.get(&format!("/api/v2/tickets/{s}/comments")).json();
        assert_eq!(
            c["comments"].as_array().unwrap().last().unwrap()["body"],
            "merged away"
        );
    }
    let c = emu.get("/api/v2/tickets/5/comments").json();
    let last = c["comments"].as_array().unwrap().last().unwrap()["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(last.contains("#6") && last.contains("#7"), "{last}");
    assert_eq!(
        emu.send("POST", "/api/v2/tickets/5/merge", &json!({"ids": [5]}))
            .status,
        422
    );
    assert_eq!(
        emu.send("POST", "/api/v2/tickets/5/merge", &json!({"ids": [6]}))
            .status,
        422,
        "closed"
    );

    // destroy_many: gone from reads, tombstones in the export.
    let job = finish(
        &emu,
        &emu.call(
            "DELETE",
            "/api/v2/tickets/destroy_many?ids=8,9,999",
            Some(BEARER),
            None,
        ),
    );
    assert_eq!(job["results"][2]["success"], false);
    assert_eq!(emu.get("/api/v2/tickets/8").status, 404);
    let inc = emu.get("/api/v2/incremental/tickets?start_time=0").json();
    let deleted: Vec<u64> = inc["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "deleted")
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(deleted, [8, 9]);
}

#[test]
fn bulk_users_and_identities() {
    let emu = Emu::start(&["--users", "20"]);
    let job = finish(&emu, &emu.send("POST", "/api/v2/users/create_many", &json!({"users": [
        {"name": "Ann", "email": "ann@example.org"}, {"name": "Bad", "email": "user3@example.com"}]})));
    assert_eq!(job["results"][0]["success"], true);
    assert_eq!(job["results"][1]["success"], false, "duplicate email");
    let ann = job["results"][0]["id"].as_u64().unwrap();
    assert_eq!(
        emu.get(&format!("/api/v2/users/{ann}")).json()["user"]["email"],
        "ann@example.org"
    );

    let r = emu.send(
        "POST",
        "/api/v2/users/create_or_update",
        &json!({"user": {"email": "ann@example.org", "name": "Ann B"}}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["user"]["id"], ann);
    let r = emu.send(
        "POST",
        "/api/v2/users/create_or_update",
        &json!({"user": {"email": "new@example.org", "name": "New"}}),
    );
    assert_eq!(r.status, 201);
    let job = finish(
        &emu,
        &emu.send(
            "POST",
            "/api/v2/users/create_or_update_many",
            &json!({"users": [{"email": "user4@example.com", "name": "Four"}]}),
        ),
    );
    assert_eq!(job["results"][0]["action"], "update");
    assert_eq!(emu.get("/api/v2/users/4").json()["user"]["name"], "Four");

    finish(
        &emu,
        &emu.send(
            "PUT",
            "/api/v2/users/update_many?ids=5,6",
            &json!({"user": {"notes": "bulk"}}),
        ),
    );
    finish(
        &emu,
        &emu.send(
            "PUT",
            "/api/v2/users/update_many",
            &json!({"users": [{"id": 7, "notes": "one"}]}),
        ),
    );
    assert_eq!(emu.get("/api/v2/users/6").json()["user"]["notes"], "bulk");
    assert_eq!(emu.get("/api/v2/users/7").json()["user"]["notes"], "one");

    finish(
        &emu,
        &emu.call(
            "DELETE",
            "/api/v2/users/destroy_many?ids=8,9",
            Some(BEARER),
            None,
        ),
    );
    assert_eq!(emu.get("/api/v2/users/8").status, 404);

    // Identities: the email is the primary one; more can be added and removed.
    let ids = emu.get("/api/v2/users/10/identities").json();
    assert_eq!(ids["identities"][0]["value"], "user10@example.com");
    assert_eq!(ids["identities"][0]["primary"], true);
    let r = emu.send(
        "POST",
        "/api/v2/users/10/identities",
        &json!({"identity": {"type": "phone_number", "value": "+49 30 1234"}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let iid = r.json()["identity"]["id"].as_u64().unwrap();
    assert_eq!(
        emu.get(&format!("/api/v2/users/10/identities/{iid}"))
            .json()["identity"]["value"],
        "+49 30 1234"
    );
    assert_eq!(
        emu.get("/api/v2/users/10/identities").json()["identities"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let dup = emu.send(
        "POST",
        "/api/v2/users/10/identities",
        &json!({"identity": {"type": "email", "value": "user11@example.com"}}),
    );
    assert_eq!(dup.status, 422);
    assert_eq!(
        emu.send(
            "POST",
            "/api/v2/users/10/identities",
            &json!({"identity": {"type": "pager", "value": "x"}})
        )
        .status,
        422
    );
    assert_eq!(
        emu.call(
            "DELETE",
            &format!("/api/v2/users/10/identities/{iid}"),
            Some(BEARER),
            None
        )
        .status,
        204
    );
    assert_eq!(
        emu.get("/api/v2/users/10/identities").json()["identities"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(emu.get("/api/v2/users/999/identities").status, 404);
}
