//! Rules Zendesk applies that the emulator follows: the account's audits newest first,
//! admin-only endpoints, search by `type:`, and what deleting an organization does.

mod common;

use common::{Emu, basic};
use serde_json::{Value, json};

fn agent() -> String {
    basic("user2@example.com/token", "emulator-api-token")
}

fn key(a: &Value) -> (String, u64) {
    (
        a["created_at"].as_str().unwrap().to_owned(),
        a["id"].as_u64().unwrap(),
    )
}

#[test]
fn ticket_audits_come_newest_first_with_cursor_paging() {
    let emu = Emu::start(&["--tickets", "40", "--users", "10"]);
    let r = emu.send(
        "PUT",
        "/api/v2/tickets/3",
        &json!({"ticket": {"comment": {"body": "the newest"}}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let all = emu.walk_cursor("/api/v2/ticket_audits?page[size]=7", "audits");
    let expected = emu.audit_total(40);
    assert_eq!(all.len(), expected);
    let keys: Vec<(String, u64)> = all.iter().map(key).collect();
    assert!(
        keys.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    assert_eq!(all[0]["ticket_id"], 3, "the audit just made comes first");
    assert_eq!(all[0]["events"][0]["body"], "the newest");
    // The last page: has_more false; page[before] goes back to newer audits.
    let first = emu.get("/api/v2/ticket_audits?page[size]=7").json();
    let second = emu
        .get(&format!(
            "/api/v2/ticket_audits?page[size]=7&page[after]={}",
            first["meta"]["after_cursor"].as_str().unwrap()
        ))
        .json();
    let back = emu
        .get(&format!(
            "/api/v2/ticket_audits?page[size]=7&page[before]={}",
            second["meta"]["before_cursor"].as_str().unwrap()
        ))
        .json();
    assert_eq!(back["audits"], first["audits"]);
    assert_eq!(back["meta"]["has_more"], false);
    // The older style (limit, cursor) walks the same order.
    let mut legacy = Vec::new();
    let mut next = "/api/v2/ticket_audits?limit=9".to_owned();
    for _ in 0..100 {
        let v = emu.get(&next).json();
        legacy.extend(v["audits"].as_array().unwrap().iter().map(key));
        match v["after_url"].as_str() {
            Some(u) => next = u.strip_prefix(&emu.url).unwrap().to_owned(),
            None => break,
        }
    }
    assert_eq!(legacy, keys);
    assert_eq!(
        emu.get("/api/v2/ticket_audits?page[after]=nonsense").status,
        400
    );
    // Admins only.
    let r = emu.call("GET", "/api/v2/ticket_audits", Some(&agent()), None);
    assert_eq!(r.status, 403);
}

#[test]
fn destroy_many_follows_zendesks_roles() {
    let emu = Emu::start(&["--tickets", "20", "--users", "20"]);
    // users/destroy_many: admins only; an agent gets the 403 object error, nothing goes.
    let r = emu.call(
        "DELETE",
        "/api/v2/users/destroy_many?ids=5,6",
        Some(&agent()),
        None,
    );
    assert_eq!(r.status, 403, "{}", r.text());
    assert_eq!(r.json()["error"]["title"], "Forbidden");
    assert_eq!(emu.get("/api/v2/users/5").status, 200);
    // tickets/destroy_many: admins and agents (who may delete tickets); never end users.
    let end_user = basic("user3@example.com/token", "emulator-api-token");
    let r = emu.call(
        "DELETE",
        "/api/v2/tickets/destroy_many?ids=1,2",
        Some(&end_user),
        None,
    );
    assert_eq!(r.status, 403);
    assert_eq!(emu.get("/api/v2/tickets/1").status, 200);
    let r = emu.call(
        "DELETE",
        "/api/v2/tickets/destroy_many?ids=1,2",
        Some(&agent()),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let r = emu.call(
        "DELETE",
        "/api/v2/users/destroy_many?ids=5,6",
        Some(common::BEARER),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

fn result_types(v: &Value) -> Vec<String> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["result_type"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn search_honours_every_type() {
    let emu = Emu::start(&["--tickets", "30", "--users", "20"]);
    let orgs = emu.get("/api/v2/search?query=type:organization").json();
    assert_eq!(orgs["count"], 7);
    assert!(result_types(&orgs).iter().all(|t| t == "organization"));
    assert!(
        orgs["results"][0]["url"]
            .as_str()
            .unwrap()
            .contains("/api/v2/organizations/")
    );
    let acme = emu
        .get("/api/v2/search?query=type:organization%20name:acme")
        .json();
    assert_eq!(acme["count"], 1);
    assert_eq!(acme["results"][0]["name"], "Acme Corp");
    let tagged = emu
        .get("/api/v2/search?query=type:organization%20tags:enterprise")
        .json();
    assert_eq!(tagged["count"], 2);
    let groups = emu.get("/api/v2/search?query=type:group").json();
    assert_eq!(groups["count"], 3);
    assert!(result_types(&groups).iter().all(|t| t == "group"));
    let billing = emu.get("/api/v2/search?query=type:group%20billing").json();
    assert_eq!(billing["count"], 1);
    let users = emu.get("/api/v2/search?query=type:user").json();
    assert_eq!(users["count"], 20);
    let tickets = emu.get("/api/v2/search?query=type:ticket").json();
    assert_eq!(tickets["count"], 30);
    // Without a type, every kind; a type Zendesk does not know finds nothing.
    let all = emu.get("/api/v2/search?query=hooli").json();
    assert_eq!(result_types(&all), ["organization"]);
    assert_eq!(
        emu.get("/api/v2/search?query=type:planet").json()["count"],
        0
    );
    let export = emu
        .get("/api/v2/search/export?query=&filter[type]=organization&page[size]=3")
        .json();
    assert_eq!(export["results"].as_array().unwrap().len(), 3);
    assert_eq!(export["meta"]["has_more"], true);
}

#[test]
fn deleting_an_organization_clears_its_users_and_memberships() {
    let emu = Emu::start(&["--tickets", "30", "--users", "20"]);
    let org = 360000003u64; // users 3, 10 and 17 (user id mod 7 == 3)
    // User 10 also joins another organization, which becomes its organization.
    let r = emu.send(
        "POST",
        "/api/v2/organization_memberships",
        &json!({"organization_membership": {"user_id": 10, "organization_id": 360000005}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let members = emu.walk_cursor(
        &format!("/api/v2/organizations/{org}/organization_memberships?page[size]=100"),
        "organization_memberships",
    );
    assert_eq!(members.len(), 3);
    let r = emu.call(
        "DELETE",
        &format!("/api/v2/organizations/{org}"),
        Some(common::BEARER),
        None,
    );
    assert_eq!(r.status, 204);
    assert_eq!(emu.get(&format!("/api/v2/organizations/{org}")).status, 404);
    for m in &members {
        let r = emu.get(&format!("/api/v2/organization_memberships/{}", m["id"]));
        assert_eq!(r.status, 404, "membership {} is gone", m["id"]);
    }
    let user = |id: u64| emu.get(&format!("/api/v2/users/{id}")).json()["user"].clone();
    assert!(user(3)["organization_id"].is_null());
    assert!(user(17)["organization_id"].is_null());
    assert_eq!(user(10)["organization_id"], 360000005);
    assert_eq!(user(4)["organization_id"], 360000004, "others untouched");
    let all = emu.walk_cursor(
        "/api/v2/organization_memberships?page[size]=100",
        "organization_memberships",
    );
    assert!(all.iter().all(|m| m["organization_id"] != org));
    assert_eq!(all.len(), 20 - 3 + 1);
    // An agent may not delete organizations.
    let r = emu.call(
        "DELETE",
        "/api/v2/organizations/360000004",
        Some(&agent()),
        None,
    );
    assert_eq!(r.status, 403);
}

#[test]
fn ticket_fields_and_forms_can_be_written_by_admins() {
    let emu = Emu::start(&["--tickets", "5", "--users", "5"]);
    let r = emu.send(
        "POST",
        "/api/v2/ticket_fields",
        &json!({"ticket_field": {"type": "tagger", "title": "Region",
            "custom_field_options": [{"name": "EU", "value": "eu"}, {"name": "US", "value": "us"}]}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let field = r.json()["ticket_field"].clone();
    let id = field["id"].as_u64().unwrap();
    assert_eq!(field["raw_title"], "Region");
    assert_eq!(field["custom_field_options"][1]["value"], "us");
    assert!(field["custom_field_options"][0]["id"].is_u64());
    let listed = emu.get("/api/v2/ticket_fields").json();
    assert!(
        listed["ticket_fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == id)
    );
    for (body, status) in [
        (json!({"ticket_field": {"title": "No type"}}), 422),
        (
            json!({"ticket_field": {"type": "hologram", "title": "x"}}),
            422,
        ),
        (json!({"ticket_field": {"type": "text"}}), 422),
        (
            json!({"ticket_field": {"type": "tagger", "title": "x"}}),
            422,
        ),
        (
            json!({"ticket_field": {"type": "text", "title": "x", "required": "yes"}}),
            422,
        ),
        (json!({"field": {}}), 400),
    ] {
        let r = emu.send("POST", "/api/v2/ticket_fields", &body);
        assert_eq!(r.status, status, "{body}: {}", r.text());
    }
    let r = emu.send(
        "PUT",
        &format!("/api/v2/ticket_fields/{id}"),
        &json!({"ticket_field": {"title": "Region (new)", "active": false}}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["ticket_field"]["title"], "Region (new)");
    assert_eq!(
        emu.get(&format!("/api/v2/ticket_fields/{id}")).json()["ticket_field"]["active"],
        false
    );
    // A form listing the new field; an unknown field id is refused.
    let r = emu.send(
        "POST",
        "/api/v2/ticket_forms",
        &json!({"ticket_form": {"name": "Returns", "ticket_field_ids": [360000010, id]}}),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    let form = r.json()["ticket_form"]["id"].as_u64().unwrap();
    assert_eq!(r.json()["ticket_form"]["display_name"], "Returns");
    let r = emu.send(
        "POST",
        "/api/v2/ticket_forms",
        &json!({"ticket_form": {"name": "Bad", "ticket_field_ids": [5]}}),
    );
    assert_eq!(r.status, 422);
    // Deleting the field takes it out of the form; system fields and the default form stay.
    let del = |path: &str| emu.call("DELETE", path, Some(common::BEARER), None).status;
    assert_eq!(del(&format!("/api/v2/ticket_fields/{id}")), 204);
    assert_eq!(emu.get(&format!("/api/v2/ticket_fields/{id}")).status, 404);
    let f = emu.get(&format!("/api/v2/ticket_forms/{form}")).json();
    assert_eq!(f["ticket_form"]["ticket_field_ids"], json!([360000010]));
    assert_eq!(del("/api/v2/ticket_fields/360000010"), 422);
    assert_eq!(del("/api/v2/ticket_forms/360300000"), 422);
    assert_eq!(del(&format!("/api/v2/ticket_forms/{form}")), 204);
    assert_eq!(del(&format!("/api/v2/ticket_forms/{form}")), 404);
    // Agents read but do not write.
    let r = emu.call(
        "POST",
        "/api/v2/ticket_fields",
        Some(&agent()),
        Some(&json!({"ticket_field": {"type": "text", "title": "x"}})),
    );
    assert_eq!(r.status, 403);
    let r = emu.call("GET", "/api/v2/ticket_fields", Some(&agent()), None);
    assert_eq!(r.status, 200);
}

#[test]
fn user_and_organization_fields_can_be_written_by_admins() {
    let emu = Emu::start(&["--tickets", "5", "--users", "5"]);
    for family in ["user_fields", "organization_fields"] {
        let one = &family[..family.len() - 1];
        let r = emu.send(
            "POST",
            &format!("/api/v2/{family}"),
            &json!({one: {"type": "dropdown", "key": "plan_level", "title": "Plan level",
                "custom_field_options": [{"name": "Gold", "value": "gold"}]}}),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        let field = r.json()[one].clone();
        let id = field["id"].as_u64().unwrap();
        assert_eq!(field["key"], "plan_level");
        assert_eq!(field["system"], false);
        assert_eq!(field["custom_field_options"][0]["value"], "gold");
        for (body, status) in [
            (
                json!({one: {"type": "text", "key": "plan_level", "title": "again"}}),
                422,
            ),
            (
                json!({one: {"type": "text", "key": "Bad Key", "title": "x"}}),
                422,
            ),
            (json!({one: {"type": "text", "title": "no key"}}), 422),
            (
                json!({one: {"type": "tagger", "key": "k", "title": "x"}}),
                422,
            ),
            (
                json!({one: {"type": "dropdown", "key": "k", "title": "x"}}),
                422,
            ),
        ] {
            let r = emu.send("POST", &format!("/api/v2/{family}"), &body);
            assert_eq!(r.status, status, "{family} {body}: {}", r.text());
        }
        let r = emu.send(
            "PUT",
            &format!("/api/v2/{family}/{id}"),
            &json!({one: {"title": "Level", "key": "renamed"}}),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.json()[one]["title"], "Level");
        assert_eq!(r.json()[one]["key"], "plan_level", "the key is fixed");
        let listed = emu.get(&format!("/api/v2/{family}")).json();
        assert_eq!(listed[family].as_array().unwrap().len(), 2);
        let r = emu.call(
            "DELETE",
            &format!("/api/v2/{family}/{id}"),
            Some(common::BEARER),
            None,
        );
        assert_eq!(r.status, 204);
        assert_eq!(emu.get(&format!("/api/v2/{family}/{id}")).status, 404);
        let r = emu.call(
            "POST",
            &format!("/api/v2/{family}"),
            Some(&agent()),
            Some(&json!({one: {"type": "text", "key": "k", "title": "x"}})),
        );
        assert_eq!(r.status, 403);
    }
}
