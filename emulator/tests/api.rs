//! Endpoint shapes, status codes, error bodies and pagination of the emulator.

mod common;

use common::{BEARER, Emu, api_token, basic};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::time::Duration;

#[test]
fn first_line_and_clean_exit_on_sigterm_and_sigint() {
    for sig in ["-TERM", "-INT"] {
        let mut emu = Emu::start(&[]);
        assert!(emu.url.starts_with("http://127.0.0.1:"), "{}", emu.url);
        assert!(emu.ca_file.is_none());
        assert_eq!(emu.call("GET", "/api/v2/users/me", None, None).status, 200);
        emu.signal(sig);
        let status = emu.wait_exit(Duration::from_secs(5)).expect("exited");
        assert!(status.success(), "{sig}: {status:?}");
    }
}

#[test]
fn bad_arguments_exit_with_usage() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zdkit-emulator"))
        .args(["--rate-limit", "ten"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: zdkit-emulator"));
}

#[test]
fn authentication_modes_and_error_shapes() {
    let emu = Emu::start(&[]);
    // users/me: anonymous without credentials, and with password credentials.
    for auth in [None, Some(basic("agent@example.com", "a-password"))] {
        let r = emu.call("GET", "/api/v2/users/me.json", auth.as_deref(), None);
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["user"]["id"], Value::Null);
        assert_eq!(r.json()["user"]["name"], "Anonymous user");
    }
    // API token and bearer identify the admin.
    for auth in [api_token(), BEARER.to_string()] {
        let r = emu.call("GET", "/api/v2/users/me", Some(&auth), None);
        assert_eq!(r.status, 200);
        assert_eq!(r.json()["user"]["email"], "agent@example.com");
        assert_eq!(r.json()["user"]["role"], "admin");
    }
    // Wrong API token, wrong bearer, missing credentials: 401 with the bare error string.
    for auth in [
        Some(basic("agent@example.com/token", "nope")),
        Some("Bearer nope".to_string()),
        Some(basic("nobody@example.com/token", "emulator-api-token")),
        None,
    ] {
        let r = emu.call("GET", "/api/v2/tickets/1", auth.as_deref(), None);
        assert_eq!(r.status, 401);
        assert_eq!(r.json(), json!({"error": "Couldn't authenticate you"}));
    }
    // users/me with a wrong API token is a 401 too (not anonymous).
    assert_eq!(
        emu.call(
            "GET",
            "/api/v2/users/me",
            Some(&basic("agent@example.com/token", "x")),
            None
        )
        .status,
        401
    );
    // Password Basic is refused, naming the modes.
    let r = emu.call(
        "GET",
        "/api/v2/tickets/1",
        Some(&basic("agent@example.com", "pw")),
        None,
    );
    assert_eq!(r.status, 401);
    assert!(
        r.json()["description"]
            .as_str()
            .unwrap()
            .contains("API token")
    );
    // Any account API token works with any user's email; end-users meet the object error.
    let r = emu.call(
        "GET",
        "/api/v2/tickets",
        Some(&basic("user3@example.com/token", "emulator-api-token")),
        None,
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["title"], "Forbidden");
    assert!(r.json()["error"]["message"].is_string());
    // Unknown endpoint vs unknown record.
    assert_eq!(
        emu.get("/api/v2/nope").json(),
        json!({"error": "InvalidEndpoint", "description": "Not found"})
    );
    assert_eq!(
        emu.get("/api/v2/tickets/99999").json(),
        json!({"error": "RecordNotFound", "description": "Not found"})
    );
}

#[test]
fn headers_request_ids_and_json_suffix() {
    let emu = Emu::start(&[]);
    let mut ids = HashSet::new();
    let mut saw_double = false;
    for path in ["/api/v2/tickets/1.json", "/api/v2/tickets/1"]
        .iter()
        .cycle()
        .take(12)
    {
        let r = emu.get(path);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(r.json()["ticket"]["id"], 1);
        let rid = r.header("x-request-id").expect("x-request-id").to_string();
        let first = rid.split(',').next().unwrap().trim().to_string();
        saw_double |= rid.contains(", ");
        assert!(ids.insert(first), "request id repeated");
    }
    assert!(
        saw_double,
        "some X-Request-Id should be duplicated as 'id, id'"
    );
}

#[test]
fn ticket_shape_create_update_delete() {
    let emu = Emu::start(&["--tickets", "50", "--users", "10"]);
    let r = emu.get("/api/v2/tickets/7");
    let t = &r.json()["ticket"];
    for k in [
        "id",
        "url",
        "subject",
        "description",
        "status",
        "priority",
        "tags",
        "custom_fields",
        "requester_id",
        "assignee_id",
        "created_at",
        "updated_at",
        "via",
    ] {
        assert!(t.get(k).is_some(), "ticket lacks {k}");
    }
    assert!(t["url"].as_str().unwrap().starts_with(&emu.url));
    assert!(r.body.len() > 1000, "ticket is {} bytes", r.body.len());
    assert!(t["requester_id"].as_u64().unwrap() <= 10);
    // Deterministic.
    assert_eq!(emu.get("/api/v2/tickets/7").body, r.body);

    // Create with an unknown field: 201, Location, dropped-key warning.
    let r = emu.send("POST", "/api/v2/tickets", &json!({"ticket": {"subject": "Hi", "comment": {"body": "Printer on fire"}, "priority": "high", "bogus": 1}}));
    assert_eq!(r.status, 201, "{}", r.text());
    let t = r.json()["ticket"].clone();
    assert_eq!(t["id"], 51);
    assert_eq!(t["description"], "Printer on fire");
    assert!(
        r.header("location")
            .unwrap()
            .ends_with("/api/v2/tickets/51.json")
    );
    assert!(r.header("x-zendesk-api-warn").unwrap().contains("bogus"));
    assert_eq!(
        emu.get("/api/v2/tickets/51").json()["ticket"]["subject"],
        "Hi"
    );

    // Validation errors: details map.
    let r = emu.send(
        "POST",
        "/api/v2/tickets",
        &json!({"ticket": {"subject": "no body"}}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["error"], "RecordInvalid");
    assert_eq!(r.json()["details"]["description"][0]["error"], "BlankValue");
    let r = emu.send(
        "POST",
        "/api/v2/tickets",
        &json!({"ticket": {"comment": {"body": "x"}, "status": "weird"}}),
    );
    assert_eq!(r.status, 422);
    assert!(r.json()["details"]["status"].is_array());

    // Update, then a stale safe_update gets 409.
    let stamp = t["updated_at"].as_str().unwrap().to_string();
    let r = emu.send("PUT", "/api/v2/tickets/51", &json!({"ticket": {"status": "open", "tags": ["a", "b"], "safe_update": true, "updated_stamp": stamp}}));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["ticket"]["status"], "open");
    let r = emu.send("PUT", "/api/v2/tickets/3", &json!({"ticket": {"status": "open", "safe_update": true, "updated_stamp": "2001-01-01T00:00:00Z"}}));
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["error"], "UpdateConflict");
    let r = emu.send(
        "PUT",
        "/api/v2/tickets/999",
        &json!({"ticket": {"status": "open"}}),
    );
    assert_eq!(r.status, 404);

    // Delete: 204, then 404.
    let r = emu.call("DELETE", "/api/v2/tickets/51", Some(BEARER), None);
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    assert_eq!(emu.get("/api/v2/tickets/51").status, 404);

    // show_many and side-loading.
    let r = emu.get("/api/v2/tickets/show_many?ids=1,2,999&include=users");
    assert_eq!(r.json()["tickets"].as_array().unwrap().len(), 2);
    let r = emu.get("/api/v2/tickets/1?include=users");
    assert!(!r.json()["users"].as_array().unwrap().is_empty());
}

#[test]
fn idempotent_ticket_create() {
    let emu = Emu::start(&[]);
    let body = json!({"ticket": {"subject": "once", "comment": {"body": "only once"}}});
    let send = |b: &Value| {
        let h = [
            ("Authorization", BEARER),
            ("Idempotency-Key", "k-1"),
            ("Content-Type", "application/json"),
        ];
        common::raw_request(
            &emu.addr,
            "POST",
            "/api/v2/tickets.json",
            &h,
            b.to_string().as_bytes(),
        )
        .unwrap()
    };
    let a = send(&body);
    assert_eq!(a.status, 201);
    assert_eq!(a.header("x-idempotency-lookup"), Some("miss"));
    let b = send(&body);
    assert_eq!(b.status, 201);
    assert_eq!(b.header("x-idempotency-lookup"), Some("hit"));
    assert_eq!(a.json()["ticket"]["id"], b.json()["ticket"]["id"]);
    let c = send(&json!({"ticket": {"subject": "other", "comment": {"body": "x"}}}));
    assert_eq!(c.status, 400);
    assert_eq!(c.json()["error"], "IdempotentRequestError");
    assert_eq!(emu.get("/api/v2/tickets?per_page=1").json()["count"], 101);
}

#[test]
fn users_crud() {
    let emu = Emu::start(&["--users", "30"]);
    let r = emu.get("/api/v2/users?per_page=10");
    assert_eq!(r.json()["users"].as_array().unwrap().len(), 10);
    assert_eq!(r.json()["count"], 30);
    let r = emu.get("/api/v2/users/12");
    assert_eq!(r.json()["user"]["role"], "agent");
    assert_eq!(r.json()["user"]["email"], "user12@example.com");
    let r = emu.get("/api/v2/users/show_many?ids=1,2,3");
    assert_eq!(r.json()["users"].as_array().unwrap().len(), 3);

    let r = emu.send(
        "POST",
        "/api/v2/users",
        &json!({"user": {"name": "Roger Wilco", "email": "roge@example.org", "role": "agent"}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["user"]["id"], 31);
    let r = emu.send(
        "POST",
        "/api/v2/users",
        &json!({"user": {"name": "Again", "email": "roge@example.org"}}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["details"]["email"][0]["error"], "DuplicateValue");
    assert_eq!(r.json()["description"], "Record validation errors");
    // The new agent can use the account API token.
    let me = emu.call(
        "GET",
        "/api/v2/users/me",
        Some(&basic("roge@example.org/token", "emulator-api-token")),
        None,
    );
    assert_eq!(me.json()["user"]["id"], 31);

    let r = emu.send(
        "PUT",
        "/api/v2/users/31",
        &json!({"user": {"name": "Roger W."}}),
    );
    assert_eq!(r.json()["user"]["name"], "Roger W.");
    let r = emu.call("DELETE", "/api/v2/users/31", Some(BEARER), None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["user"]["active"], false);
    assert_eq!(emu.get("/api/v2/users/31").status, 404);
}

#[test]
fn full_cursor_walk_over_25000_tickets() {
    let emu = Emu::start(&["--tickets", "25000"]);
    let mut seen = HashSet::new();
    let mut path = "/api/v2/tickets.json?page[size]=100".to_string();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 260, "too many pages");
        let r = emu.get(&path);
        assert_eq!(r.status, 200, "{}", r.text());
        let v = r.json();
        for t in v["tickets"].as_array().unwrap() {
            assert!(
                seen.insert(t["id"].as_u64().unwrap()),
                "ticket {} twice",
                t["id"]
            );
        }
        let next = v["links"]["next"]
            .as_str()
            .expect("links.next is always a URL")
            .to_string();
        if !v["meta"]["has_more"].as_bool().unwrap() {
            assert!(next.starts_with(&emu.url));
            break;
        }
        path = next.strip_prefix(&emu.url).unwrap().to_string();
    }
    assert_eq!(seen.len(), 25_000);
    assert_eq!(pages, 250);
    assert!(seen.iter().all(|id| (1..=25_000).contains(id)));
    // page[before] walks back.
    let r = emu.get("/api/v2/tickets?page[size]=3&page[after]=aWQ6MTA"); // after id 10
    let ids: Vec<u64> = r.json()["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [11, 12, 13]);
    let before = r.json()["links"]["prev"]
        .as_str()
        .unwrap()
        .strip_prefix(&emu.url)
        .unwrap()
        .to_string();
    let ids: Vec<u64> = emu.get(&before).json()["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [8, 9, 10]);
    // page[size] over 100 is refused with the JSON:API error list.
    let r = emu.get("/api/v2/tickets?page[size]=101");
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"][0]["code"].is_string());
}

#[test]
fn offset_pagination_and_depth_error() {
    let emu = Emu::start(&["--tickets", "20000"]);
    let v = emu.get("/api/v2/tickets?page=2&per_page=50").json();
    assert_eq!(v["tickets"][0]["id"], 51);
    assert_eq!(v["count"], 20_000);
    assert!(v["next_page"].as_str().unwrap().contains("page=3"));
    assert!(v["previous_page"].as_str().unwrap().contains("page=1"));
    let v = emu.get("/api/v2/tickets?page=100&per_page=100").json();
    assert_eq!(v["tickets"][99]["id"], 10_000);
    let r = emu.get("/api/v2/tickets?page=101&per_page=100");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["errors"][0]["code"], "InvalidPaginationDepth");
    assert_eq!(r.json()["errors"][0]["status"], "400");
    // Last page: next_page null.
    let emu = Emu::start(&["--tickets", "5"]);
    let v = emu.get("/api/v2/tickets").json();
    assert_eq!(v["next_page"], Value::Null);
    assert_eq!(v["previous_page"], Value::Null);
    assert_eq!(v["tickets"].as_array().unwrap().len(), 5);
}

#[test]
fn search_and_search_export() {
    let emu = Emu::start(&["--tickets", "8000"]);
    let r = emu.get("/api/v2/search.json?query=type%3Aticket%20status%3Aopen");
    assert_eq!(r.status, 200);
    let v = r.json();
    let count = v["count"].as_u64().unwrap();
    assert!(count > 1000, "true count above the cap: {count}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 100);
    assert!(
        results
            .iter()
            .all(|t| t["status"] == "open" && t["result_type"] == "ticket")
    );
    assert!(v["next_page"].is_string());
    let last = emu
        .get("/api/v2/search?query=type:ticket%20status:open&page=10")
        .json();
    assert_eq!(last["results"].as_array().unwrap().len(), 100);
    assert_eq!(last["next_page"], Value::Null);
    let r = emu.get("/api/v2/search?query=type:ticket%20status:open&page=11");
    assert_eq!(r.status, 422);
    assert!(r.json()["description"].is_string());
    // Tags and users.
    let v = emu.get("/api/v2/search?query=type:ticket+tags:vip").json();
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["tags"].as_array().unwrap().contains(&json!("vip")))
    );
    let v = emu.get("/api/v2/search?query=type:user+role:admin").json();
    assert_eq!(v["count"], 1);
    // Dates: ticket N is created at 2024-01-01 + 30 s * N, so 2880 tickets a day.
    let v = emu
        .get("/api/v2/search?query=type:ticket+created%3C2024-01-02")
        .json();
    assert_eq!(v["count"], 2879);
    let v = emu
        .get("/api/v2/search?query=type:ticket+created:2024-01-02")
        .json();
    assert_eq!(v["count"], 2880);

    // Export: filter[type] required; cursor walk with no cap.
    assert_eq!(
        emu.get("/api/v2/search/export?query=status:open").status,
        400
    );
    let mut path =
        "/api/v2/search/export?query=status:open&filter[type]=ticket&page[size]=1000".to_string();
    let mut n = 0;
    for _ in 0..10 {
        let v = emu.get(&path).json();
        n += v["results"].as_array().unwrap().len() as u64;
        if !v["meta"]["has_more"].as_bool().unwrap() {
            assert!(v["links"]["next"].is_string());
            break;
        }
        path = v["links"]["next"]
            .as_str()
            .unwrap()
            .strip_prefix(&emu.url)
            .unwrap()
            .to_string();
    }
    assert_eq!(n, count);
}

#[test]
fn incremental_exports() {
    let emu = Emu::start(&["--tickets", "100", "--users", "20"]);
    // Too recent start_time.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let r = emu.get(&format!(
        "/api/v2/incremental/tickets/cursor?start_time={}",
        now - 10
    ));
    assert_eq!(r.status, 400);
    assert!(
        r.json()["description"]
            .as_str()
            .unwrap()
            .contains("start_time")
    );

    // Cursor walk.
    let mut path = "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=30".to_string();
    let mut ids = Vec::new();
    let mut last_cursor = String::new();
    for _ in 0..10 {
        let v = emu.get(&path).json();
        ids.extend(
            v["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_u64().unwrap()),
        );
        last_cursor = v["after_cursor"].as_str().unwrap().to_string();
        assert_eq!(v["before_cursor"], Value::Null);
        if v["end_of_stream"].as_bool().unwrap() {
            break;
        }
        path = v["after_url"]
            .as_str()
            .unwrap()
            .strip_prefix(&emu.url)
            .unwrap()
            .to_string();
    }
    assert_eq!(ids, (1..=100).collect::<Vec<_>>());
    // The last cursor stays valid and picks up new changes.
    emu.send(
        "PUT",
        "/api/v2/tickets/5",
        &json!({"ticket": {"status": "solved"}}),
    );
    let v = emu
        .get(&format!(
            "/api/v2/incremental/tickets/cursor?cursor={last_cursor}"
        ))
        .json();
    assert_eq!(v["tickets"][0]["id"], 5);
    assert_eq!(v["end_of_stream"], true);

    // Users cursor.
    let v = emu
        .get("/api/v2/incremental/users/cursor?start_time=0")
        .json();
    assert_eq!(v["users"].as_array().unwrap().len(), 20);

    // Time-based: a page never splits a timestamp group (ids 8..=11 share one; 5 moved to
    // the end when it changed), and the
    // next page starts one second past it, without repeats (tests/exports.rs walks it all).
    let v = emu
        .get("/api/v2/incremental/tickets.json?start_time=0&per_page=10")
        .json();
    assert_eq!(v["count"], 10);
    assert_eq!(v["end_of_stream"], false);
    let end_time = v["end_time"].as_i64().unwrap();
    let first_ids: Vec<u64> = v["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    let next = v["next_page"].as_str().unwrap();
    assert!(next.contains(&format!("start_time={end_time}")));
    let v2 = emu.get(next.strip_prefix(&emu.url).unwrap()).json();
    let second_ids: Vec<u64> = v2["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_u64().unwrap())
        .collect();
    assert!(
        !second_ids.iter().any(|id| first_ids.contains(id)),
        "repeats: {first_ids:?} {second_ids:?}"
    );
    assert_eq!(second_ids.first(), Some(&12));
}

#[test]
fn bulk_jobs_progress_and_uploads() {
    let emu = Emu::start(&["--tickets", "10"]);
    let tickets: Vec<Value> = (0..3)
        .map(|i| json!({"subject": format!("bulk {i}"), "comment": {"body": "b"}}))
        .collect();
    let r = emu.send(
        "POST",
        "/api/v2/tickets/create_many",
        &json!({"tickets": tickets}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let job = r.json()["job_status"].clone();
    assert_eq!(job["status"], "queued");
    let url = job["url"]
        .as_str()
        .unwrap()
        .strip_prefix(&emu.url)
        .unwrap()
        .to_string();
    assert_eq!(emu.get(&url).json()["job_status"]["status"], "working");
    let done = emu.get(&url).json()["job_status"].clone();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["progress"], 3);
    assert_eq!(done["results"][2]["id"], 13);
    assert_eq!(
        emu.get("/api/v2/tickets/13").json()["ticket"]["subject"],
        "bulk 2"
    );
    let r = emu.send(
        "PUT",
        "/api/v2/tickets/update_many?ids=1,2",
        &json!({"ticket": {"status": "solved"}}),
    );
    assert_eq!(r.status, 200);
    assert_eq!(emu.get("/api/v2/job_statuses/nope").status, 404);
    let too_many: Vec<Value> = (0..101)
        .map(|_| json!({"comment": {"body": "b"}}))
        .collect();
    assert_eq!(
        emu.send(
            "POST",
            "/api/v2/tickets/create_many",
            &json!({"tickets": too_many})
        )
        .status,
        400
    );

    // Uploads.
    let h = [("Authorization", BEARER), ("Content-Type", "image/png")];
    let r = common::raw_request(
        &emu.addr,
        "POST",
        "/api/v2/uploads.json?filename=crash.png",
        &h,
        b"\x89PNG....",
    )
    .unwrap();
    assert_eq!(r.status, 201);
    let token = r.json()["upload"]["token"].as_str().unwrap().to_string();
    assert_eq!(r.json()["upload"]["attachment"]["size"], 8);
    assert_eq!(
        r.json()["upload"]["attachment"]["content_type"],
        "image/png"
    );
    let r = common::raw_request(
        &emu.addr,
        "POST",
        &format!("/api/v2/uploads?filename=b.txt&token={token}"),
        &h,
        b"x",
    )
    .unwrap();
    assert_eq!(r.json()["upload"]["token"], token.as_str());
    assert_eq!(
        r.json()["upload"]["attachments"].as_array().unwrap().len(),
        2
    );
    let r = common::raw_request(&emu.addr, "POST", "/api/v2/uploads", &h, b"x").unwrap();
    assert_eq!(r.status, 400);
}

#[test]
fn a_million_tickets_start_fast() {
    let t0 = std::time::Instant::now();
    let emu = Emu::start(&["--tickets", "1000000"]);
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "start took {:?}",
        t0.elapsed()
    );
    assert_eq!(
        emu.get("/api/v2/tickets/1000000").json()["ticket"]["id"],
        1_000_000
    );
    assert_eq!(emu.get("/api/v2/tickets/1000001").status, 404);
}
