//! Pagination, search, incremental exports, uploads and jobs against the emulator.

mod common;

use common::Emulator;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;
use zdkit::iterate::{ExportStart, IncrementalExport, Pager, SEARCH_LIMIT_CODE};
use zdkit::upload::UploadSource;
use zdkit::{ErrorKind, Request};

fn ids(items: &[serde_json::Value]) -> Vec<u64> {
    items.iter().map(|t| t["id"].as_u64().unwrap()).collect()
}

#[test]
fn cursor_walk_of_50000_tickets_stops_on_has_more() {
    let emulator = Emulator::start(&["--tickets", "50000"]);
    let client = emulator.oauth_client();
    let mut seen = HashSet::new();
    let mut pager = Pager::new(&client, "/api/v2/tickets.json", vec![], 100);
    let mut last_page_links_next = None;
    while let Some(page) = pager.next_page().unwrap() {
        assert_eq!(page.items_key.as_deref(), Some("tickets"));
        for id in ids(&page.items().unwrap()) {
            assert!(seen.insert(id), "id {id} twice");
        }
        if !page.has_more {
            last_page_links_next = page.raw().unwrap().pointer("/links/next").cloned();
        }
        assert!(pager.pages_fetched() <= 501);
    }
    assert_eq!(seen.len(), 50000);
    assert_eq!(pager.pages_fetched(), 500);
    assert!(
        last_page_links_next.is_some_and(|l| l.is_string()),
        "links.next is still set, and ignored"
    );
    assert!(
        pager.next_page().unwrap().is_none(),
        "a finished pager stays finished"
    );
}

#[test]
fn offset_only_pagination_follows_next_page() {
    let emulator = Emulator::start(&["--users", "250"]);
    let client = emulator.oauth_client();
    let pager = Pager::new(
        &client,
        "/api/v2/users.json",
        vec![("per_page".into(), "100".into())],
        100,
    );
    let mut all = Vec::new();
    for page in pager {
        all.extend(ids(&page.unwrap().items().unwrap()));
    }
    assert_eq!(all.len(), 250);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 250);
    let logged = emulator.requests_to("/api/v2/users");
    assert!(
        logged
            .iter()
            .all(|r| !r["query"].as_str().unwrap_or("").contains("page%5Bsize%5D"))
    );
}

#[test]
fn a_stuck_cursor_raises_instead_of_looping() {
    let emulator = Emulator::start(&[]);
    let stuck =
        r#"{"tickets":[{"id":1}],"meta":{"has_more":true,"after_cursor":"same"},"links":{}}"#;
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/tickets", "times": 3,
        "fault": {"kind": "status", "status": 200, "body": stuck, "content_type": "application/json"}}));
    let client = emulator.oauth_client();
    let mut pager = Pager::new(&client, "/api/v2/tickets.json", vec![], 100);
    assert!(pager.next_page().unwrap().is_some());
    let err = pager.next_page().unwrap_err();
    assert!(err.to_string().contains("stuck"), "{err}");
}

#[test]
fn a_cursor_cycle_raises_instead_of_looping() {
    let emulator = Emulator::start(&[]);
    let page = |cursor: &str| {
        json!({"method": "GET", "path_prefix": "/api/v2/tickets", "times": 1,
            "fault": {"kind": "status", "status": 200, "content_type": "application/json",
                "body": format!(r#"{{"tickets":[{{"id":1}}],"meta":{{"has_more":true,"after_cursor":"{cursor}"}},"links":{{}}}}"#)}})
    };
    // A → B → A: each page's cursor differs from the last one, but the walk circles.
    emulator.fault(json!([page("A"), page("B"), page("A"), page("B")]));
    let client = emulator.oauth_client();
    let mut pager = Pager::new(&client, "/api/v2/tickets.json", vec![], 100);
    assert!(pager.next_page().unwrap().is_some());
    assert!(pager.next_page().unwrap().is_some());
    let err = pager.next_page().unwrap_err();
    assert_eq!(err.kind(), zdkit::ErrorKind::Decode);
    assert!(err.to_string().contains("stuck"), "{err}");
}

#[test]
fn search_past_1000_results_raises_and_names_export_search() {
    let emulator = Emulator::start(&["--tickets", "3000"]);
    let client = emulator.oauth_client();
    let mut results = client.search("type:ticket", vec![]);
    let mut served = 0;
    let error = loop {
        match results.next() {
            Some(Ok(_)) => served += 1,
            Some(Err(error)) => break error,
            None => panic!("search ended quietly after {served} results"),
        }
    };
    assert_eq!(served, 1000);
    assert_eq!(results.total_count(), Some(3000));
    assert_eq!(error.kind(), ErrorKind::Validation);
    assert_eq!(error.code(), Some(SEARCH_LIMIT_CODE));
    assert!(error.to_string().contains("export_search"));
    assert!(results.next().is_none());
    let few: Vec<_> = client
        .search("type:ticket status:open", vec![])
        .take(5000)
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!few.is_empty() && few.len() < 1000, "{}", few.len());
}

#[test]
fn search_continues_after_a_failed_page_request() {
    let emulator = Emulator::start(&["--tickets", "250"]);
    let client = emulator.client_without_retries();
    let mut results = client.search("type:ticket", vec![("per_page".into(), "100".into())]);
    let first: Vec<_> = results
        .by_ref()
        .take(100)
        .collect::<Result<_, _>>()
        .unwrap();
    emulator.fault(
        json!({"method": "GET", "path_prefix": "/api/v2/search", "times": 1,
        "fault": {"kind": "status", "status": 500, "body": "{}"}}),
    );
    let error = results.next().expect("an error").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Server);
    let rest: Vec<_> = results.collect::<Result<_, _>>().unwrap();
    let mut all = ids(&first);
    all.extend(ids(&rest));
    assert_eq!(all.len(), 250);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 250);
}

#[test]
fn search_export_walks_everything() {
    let emulator = Emulator::start(&["--tickets", "3000"]);
    let client = emulator.oauth_client();
    let mut seen = HashSet::new();
    assert_eq!(
        client
            .export_search("type:ticket", "ticket", 1001)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    for page in client.export_search("type:ticket", "ticket", 1000).unwrap() {
        seen.extend(ids(&page.unwrap().items().unwrap()));
    }
    assert_eq!(seen.len(), 3000);
}

#[test]
fn incremental_cursor_export_resumes_with_exactly_the_changes() {
    let emulator = Emulator::start(&["--tickets", "2500"]);
    let client = emulator.oauth_client();
    let mut export = client
        .incremental("tickets", ExportStart::StartTime(0), 1000)
        .unwrap();
    let mut seen = HashSet::new();
    while let Some(page) = export.next_page().unwrap() {
        seen.extend(ids(&page.items().unwrap()));
        assert!(page.cursor.is_some());
    }
    assert_eq!(seen.len(), 2500);
    let saved = export.cursor().expect("a cursor after end_of_stream");
    for id in [7, 1500, 2499] {
        client
            .send(
                &Request::put(format!("/api/v2/tickets/{id}.json"))
                    .json(&json!({"ticket": {"priority": "urgent"}})),
            )
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(1100));
    let resumed =
        IncrementalExport::new(&client, "tickets", ExportStart::Cursor(saved), 1000).unwrap();
    let mut changed = Vec::new();
    for page in resumed {
        changed.extend(ids(&page.unwrap().items().unwrap()));
    }
    changed.sort_unstable();
    assert_eq!(changed, vec![7, 1500, 2499]);
}

#[test]
fn time_based_export_walks_every_item_once() {
    let emulator = Emulator::start(&["--tickets", "1000"]);
    let client = emulator.oauth_client();
    let mut export = IncrementalExport::new_time_based(&client, "tickets", 0, 97).unwrap();
    let mut all = Vec::new();
    let mut raw_total = 0;
    while let Some(page) = export.next_page().unwrap() {
        raw_total += page.response.json().unwrap()["tickets"]
            .as_array()
            .unwrap()
            .len();
        all.extend(ids(&page.items().unwrap()));
    }
    // Like Zendesk in recorded traffic, the emulator never splits a timestamp group and
    // starts the next page one second past it, so nothing repeats (the client still
    // de-duplicates by id and updated_at, as Zendesk's docs ask).
    assert_eq!(raw_total, 1000, "no repeats across pages");
    assert_eq!(all.len(), 1000);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 1000);
    assert!(export.cursor().unwrap().parse::<i64>().is_ok());
}

#[test]
fn a_stuck_export_cursor_raises() {
    let emulator = Emulator::start(&[]);
    let body = r#"{"tickets":[],"after_cursor":"abc","end_of_stream":false}"#;
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/incremental", "times": 2,
        "fault": {"kind": "status", "status": 200, "body": body, "content_type": "application/json"}}));
    let client = emulator.oauth_client();
    let mut export = client
        .incremental("tickets", ExportStart::StartTime(0), 1000)
        .unwrap();
    assert!(export.next_page().unwrap().is_some());
    let err = export.next_page().unwrap_err();
    assert!(err.to_string().contains("stuck"), "{err}");
    let body = r#"{"tickets":[],"end_time":100,"next_page":null,"end_of_stream":false,"count":0}"#;
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/incremental", "times": 1,
        "fault": {"kind": "status", "status": 200, "body": body, "content_type": "application/json"}}));
    let mut timed = IncrementalExport::new_time_based(&client, "tickets", 100, 1000).unwrap();
    assert!(
        timed
            .next_page()
            .unwrap_err()
            .to_string()
            .contains("end_time did not advance")
    );
}

#[test]
fn uploads_from_memory_and_streamed_from_disk() {
    let emulator = Emulator::start(&[]);
    let client = emulator.oauth_client();
    let first = client
        .upload("notes.txt", UploadSource::Bytes(b"hello"), None, None)
        .unwrap();
    let token = first["token"].as_str().unwrap().to_owned();
    let dir = std::env::temp_dir().join(format!("zdkit-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.bin");
    std::fs::write(&path, vec![7u8; 3 * 1024 * 1024]).unwrap();
    let second = client
        .upload("big.bin", UploadSource::Path(&path), None, Some(&token))
        .unwrap();
    assert_eq!(second["token"], token.as_str());
    let logged = emulator.requests_to("/api/v2/uploads");
    assert_eq!(logged[1]["body_len"], 3 * 1024 * 1024);
    assert_eq!(
        common::logged_header(&logged[0], "content-type"),
        Some("text/plain")
    );
    assert!(
        logged[1]["query"]
            .as_str()
            .unwrap()
            .contains(&format!("token={token}"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let missing = client.upload(
        "x",
        UploadSource::Path(std::path::Path::new("/no/such/file")),
        None,
        None,
    );
    assert_eq!(missing.unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn jobs_are_polled_until_completed_or_failed() {
    let emulator = Emulator::start(&[]);
    let client = emulator.oauth_client();
    let tickets: Vec<_> = (0..3)
        .map(|i| json!({"subject": format!("bulk {i}"), "comment": {"body": "x"}}))
        .collect();
    let job = client
        .send(&Request::post("/api/v2/tickets/create_many.json").json(&json!({"tickets": tickets})))
        .unwrap()
        .json()
        .unwrap();
    let id = job["job_status"]["id"].as_str().unwrap();
    let done = client.wait_for_job(id, Duration::from_secs(30)).unwrap();
    assert_eq!(done["status"], "completed");
    assert_eq!(done["results"].as_array().unwrap().len(), 3);
    let failed = r#"{"job_status":{"id":"j1","status":"failed","message":"boom","results":[{"index":0,"error":"x"}]}}"#;
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/job_statuses", "times": 1,
        "fault": {"kind": "status", "status": 200, "body": failed, "content_type": "application/json"}}));
    let err = client
        .wait_for_job("j1", Duration::from_secs(30))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::JobFailed);
    assert_eq!(err.details().unwrap()[0]["error"], "x");
    let working = r#"{"job_status":{"id":"j2","status":"working"}}"#;
    emulator.fault(json!({"method": "GET", "path_prefix": "/api/v2/job_statuses", "times": 50,
        "fault": {"kind": "status", "status": 200, "body": working, "content_type": "application/json"}}));
    let err = client
        .wait_for_job("j2", Duration::from_millis(800))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
}
