//! Attachments: `content_url` on the main origin answers 302 to the content origin (its own
//! port), which serves the bytes with a signed URL and no credential at all.

mod common;

use common::{BEARER, Emu, raw_request};
use serde_json::json;

fn no_auth_get(url: &str) -> common::Resp {
    let rest = url.split("://").nth(1).unwrap();
    let (addr, path) = rest.split_at(rest.find('/').unwrap());
    raw_request(addr, "GET", path, &[], b"").unwrap()
}

#[test]
fn downloads_go_through_the_signed_content_origin() {
    let emu = Emu::start(&["--tickets", "10"]);
    let state = emu.call("GET", "/__emulator/state", None, None).json();
    let content = state["content_url"]
        .as_str()
        .expect("content origin in the state")
        .to_string();
    assert_ne!(content, emu.url);

    // A seeded attachment on ticket 4's first comment.
    let c = emu.get("/api/v2/tickets/4/comments").json();
    let a = c["comments"][0]["attachments"][0].clone();
    assert_eq!(a["file_name"], "details-4.txt");
    let url = a["content_url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/api/v2/attachments/", emu.url)),
        "{url}"
    );
    assert_eq!(
        emu.get(&format!("/api/v2/attachments/{}", a["id"])).json()["attachment"]["size"],
        a["size"]
    );
    let r = emu.get(url.strip_prefix(&emu.url).unwrap());
    assert_eq!(r.status, 302);
    let location = r.header("location").unwrap().to_string();
    assert!(location.starts_with(&content), "{location}");
    let bytes = no_auth_get(&location);
    assert_eq!(bytes.status, 200);
    assert_eq!(bytes.body.len() as u64, a["size"].as_u64().unwrap());
    assert!(bytes.text().contains("ticket 4"));
    assert_eq!(bytes.header("content-type"), Some("text/plain"));
    // The content origin saw no credential.
    let logged = emu.requests();
    let hit = logged
        .iter()
        .find(|r| r["path"].as_str().unwrap().starts_with("/attachments/"))
        .expect("logged");
    assert!(hit["headers"].get("authorization").is_none());

    // Without or with a wrong signature: 403; a tampered id: 403.
    let unsigned = location.split('?').next().unwrap();
    assert_eq!(no_auth_get(unsigned).status, 403);
    let tampered = location.replace("signature=", "signature=0");
    assert_eq!(no_auth_get(&tampered).status, 403);
    let other = location.replace("/attachments/1400000000004/", "/attachments/1400000000008/");
    assert_eq!(no_auth_get(&other).status, 403);
    // The API itself still needs credentials for the redirect.
    assert_eq!(
        emu.call("GET", url.strip_prefix(&emu.url).unwrap(), None, None)
            .status,
        401
    );
    assert_eq!(emu.get("/api/v2/attachments/1400000000005").status, 404);
}

#[test]
fn an_upload_attached_to_a_comment_downloads_byte_for_byte() {
    let emu = Emu::start(&["--tickets", "5"]);
    let payload: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    let r = raw_request(
        &emu.addr,
        "POST",
        "/api/v2/uploads?filename=data.bin",
        &[
            ("Authorization", BEARER),
            ("Content-Type", "application/octet-stream"),
        ],
        &payload,
    )
    .unwrap();
    assert_eq!(r.status, 201);
    let token = r.json()["upload"]["token"].as_str().unwrap().to_string();
    let r = emu.send(
        "PUT",
        "/api/v2/tickets/2",
        &json!({"ticket": {"comment": {"body": "see file", "uploads": [token]}}}),
    );
    assert_eq!(r.status, 200);
    let event_attachment = r.json()["audit"]["events"][0]["attachments"][0].clone();
    assert_eq!(event_attachment["file_name"], "data.bin");
    let c = emu.get("/api/v2/tickets/2/comments").json();
    let a = c["comments"].as_array().unwrap().last().unwrap()["attachments"][0].clone();
    assert_eq!(a["id"], event_attachment["id"]);
    let r = emu.get(
        a["content_url"]
            .as_str()
            .unwrap()
            .strip_prefix(&emu.url)
            .unwrap(),
    );
    let bytes = no_auth_get(r.header("location").unwrap());
    assert_eq!(bytes.status, 200);
    assert_eq!(bytes.body, payload);
    assert_eq!(
        bytes.header("content-type"),
        Some("application/octet-stream")
    );
    assert!(
        bytes
            .header("content-disposition")
            .unwrap()
            .contains("data.bin")
    );
}
