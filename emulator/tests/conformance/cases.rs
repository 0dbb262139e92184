//! The calls the conformance test makes: one (or more) per served endpoint, with the OpenAPI
//! path template it is checked against and the status it must answer.

use crate::common::{Emu, Resp};
use serde_json::{Value, json};

/// One call.
pub struct Case {
    /// HTTP method.
    pub method: &'static str,
    /// The concrete path and query.
    pub path: String,
    /// The file's path template.
    pub template: &'static str,
    /// JSON body, if any.
    pub body: Option<Value>,
    /// Expected status.
    pub status: u16,
}

impl Case {
    /// Sends it as the admin (bearer token).
    pub fn run(&self, emu: &Emu) -> Resp {
        match &self.body {
            Some(b) => emu.send(self.method, &self.path, b),
            None => emu.call(self.method, &self.path, Some(crate::common::BEARER), None),
        }
    }
}

/// A GET answering 200.
pub fn get(path: &str, template: &'static str) -> Case {
    Case {
        method: "GET",
        path: path.into(),
        template,
        body: None,
        status: 200,
    }
}

/// A call with a JSON body.
pub fn send(
    method: &'static str,
    path: &str,
    template: &'static str,
    body: Value,
    status: u16,
) -> Case {
    Case {
        method,
        path: path.into(),
        template,
        body: Some(body),
        status,
    }
}

/// Every case, in an order where writes come after the reads of the seed.
pub fn all(emu: &Emu) -> Vec<Case> {
    let job = emu.send(
        "POST",
        "/api/v2/tickets/create_many",
        &json!({"tickets": [{"comment": {"body": "x"}}]}),
    );
    let job_id = job.json()["job_status"]["id"]
        .as_str()
        .unwrap_or("none")
        .to_string();
    let mut v = vec![
        get("/api/v2/users/me", "/api/v2/users/me"),
        get("/api/v2/users", "/api/v2/users"),
        get("/api/v2/users?page[size]=5", "/api/v2/users"),
        get("/api/v2/users/3", "/api/v2/users/{user_id}"),
        get(
            "/api/v2/users/show_many?ids=1,2,3",
            "/api/v2/users/show_many",
        ),
        get("/api/v2/tickets", "/api/v2/tickets"),
        get("/api/v2/tickets?page[size]=5", "/api/v2/tickets"),
        get("/api/v2/tickets/7", "/api/v2/tickets/{ticket_id}"),
        get(
            "/api/v2/tickets/show_many?ids=1,2,3",
            "/api/v2/tickets/show_many",
        ),
        get(
            "/api/v2/search?query=type:ticket%20status:open",
            "/api/v2/search",
        ),
        get("/api/v2/search?query=type:user", "/api/v2/search"),
        get(
            "/api/v2/search/export?query=status:open&filter[type]=ticket",
            "/api/v2/search/export",
        ),
        get(
            "/api/v2/incremental/tickets/cursor?start_time=0",
            "/api/v2/incremental/tickets/cursor",
        ),
        get(
            "/api/v2/incremental/users/cursor?start_time=0",
            "/api/v2/incremental/users/cursor",
        ),
        get(
            "/api/v2/incremental/tickets?start_time=0",
            "/api/v2/incremental/tickets",
        ),
        get(
            "/api/v2/incremental/users?start_time=0",
            "/api/v2/incremental/users",
        ),
        get(
            &format!("/api/v2/job_statuses/{job_id}"),
            "/api/v2/job_statuses/{job_status_id}",
        ),
        get("/api/v2/tickets/999999", "/api/v2/tickets/{ticket_id}").status(404),
        get(
            "/api/v2/tickets?include=users,groups,organizations",
            "/api/v2/tickets",
        ),
        get(
            "/api/v2/tickets/7?include=users,groups,organizations",
            "/api/v2/tickets/{ticket_id}",
        ),
        get(
            "/api/v2/tickets/7/comments",
            "/api/v2/tickets/{ticket_id}/comments",
        ),
        get(
            "/api/v2/tickets/7/comments?page[size]=1",
            "/api/v2/tickets/{ticket_id}/comments",
        ),
        get(
            "/api/v2/tickets/7/audits",
            "/api/v2/tickets/{ticket_id}/audits",
        ),
        get(
            "/api/v2/tickets/7/audits/700000",
            "/api/v2/tickets/{ticket_id}/audits/{ticket_audit_id}",
        ),
        get("/api/v2/ticket_audits?limit=5", "/api/v2/ticket_audits"),
        get(
            "/api/v2/ticket_audits?page[size]=5",
            "/api/v2/ticket_audits",
        ),
        get("/api/v2/organizations", "/api/v2/organizations"),
        get(
            "/api/v2/organizations?page[size]=2",
            "/api/v2/organizations",
        ),
        get(
            "/api/v2/organizations/360000001",
            "/api/v2/organizations/{organization_id}",
        ),
        get(
            "/api/v2/organizations/show_many?ids=360000001,360000002",
            "/api/v2/organizations/show_many",
        ),
        get(
            "/api/v2/organizations/autocomplete?name=gl",
            "/api/v2/organizations/autocomplete",
        ),
        get(
            "/api/v2/organizations/360000001/tickets",
            "/api/v2/organizations/{organization_id}/tickets",
        ),
        get(
            "/api/v2/organizations/360000001/users",
            "/api/v2/organizations/{organization_id}/users",
        ),
        get(
            "/api/v2/organizations/360000001/organization_memberships",
            "/api/v2/organizations/{organization_id}/organization_memberships",
        ),
        get(
            "/api/v2/organization_memberships",
            "/api/v2/organization_memberships",
        ),
        get(
            "/api/v2/organization_memberships/3",
            "/api/v2/organization_memberships/{organization_membership_id}",
        ),
        get(
            "/api/v2/users/3/organization_memberships",
            "/api/v2/users/{user_id}/organization_memberships",
        ),
        get(
            "/api/v2/incremental/organizations?start_time=0",
            "/api/v2/incremental/organizations",
        ),
        get("/api/v2/groups", "/api/v2/groups"),
        get("/api/v2/ticket_fields", "/api/v2/ticket_fields"),
        get(
            "/api/v2/ticket_fields/360000001",
            "/api/v2/ticket_fields/{ticket_field_id}",
        ),
        get(
            "/api/v2/ticket_fields/show_many?ids=360000001,360000010",
            "/api/v2/ticket_fields/show_many",
        ),
        get("/api/v2/user_fields", "/api/v2/user_fields"),
        get(
            "/api/v2/user_fields/360600000",
            "/api/v2/user_fields/{user_field_id}",
        ),
        get("/api/v2/organization_fields", "/api/v2/organization_fields"),
        get(
            "/api/v2/organization_fields/360700000",
            "/api/v2/organization_fields/{organization_field_id}",
        ),
        get("/api/v2/ticket_forms", "/api/v2/ticket_forms"),
        get(
            "/api/v2/ticket_forms/360300000",
            "/api/v2/ticket_forms/{ticket_form_id}",
        ),
        get(
            "/api/v2/ticket_forms/show_many?ids=360300000",
            "/api/v2/ticket_forms/show_many",
        ),
        get("/api/v2/custom_statuses", "/api/v2/custom_statuses"),
        get("/api/v2/tags", "/api/v2/tags"),
        get(
            "/api/v2/attachments/1400000000004",
            "/api/v2/attachments/{attachment_id}",
        ),
        get("/api/v2/views", "/api/v2/views"),
        get("/api/v2/views/active", "/api/v2/views/active"),
        get("/api/v2/views/360800002", "/api/v2/views/{view_id}"),
        get(
            "/api/v2/views/360800002/tickets",
            "/api/v2/views/{view_id}/tickets",
        ),
        get(
            "/api/v2/views/360800002/count",
            "/api/v2/views/{view_id}/count",
        ),
        get("/api/v2/macros", "/api/v2/macros"),
        get("/api/v2/macros/active", "/api/v2/macros/active"),
        get("/api/v2/macros/360900003", "/api/v2/macros/{macro_id}"),
        get(
            "/api/v2/macros/360900003/apply",
            "/api/v2/macros/{macro_id}/apply",
        ),
        get(
            "/api/v2/tickets/3/macros/360900003/apply",
            "/api/v2/tickets/{ticket_id}/macros/{macro_id}/apply",
        ),
        get(
            "/api/v2/satisfaction_ratings",
            "/api/v2/satisfaction_ratings",
        ),
        get("/api/v2/ticket_metrics", "/api/v2/ticket_metrics"),
        get(
            "/api/v2/ticket_metrics/370000000004",
            "/api/v2/ticket_metrics/{ticket_metric_id}",
        ),
        get(
            "/api/v2/tickets/4/metrics",
            "/api/v2/tickets/{ticket_id}/metrics",
        ),
        get(
            "/api/v2/incremental/ticket_events?start_time=0&per_page=20",
            "/api/v2/incremental/ticket_events",
        ),
        get(
            "/api/v2/incremental/ticket_events?start_time=0&per_page=5&include=comment_events",
            "/api/v2/incremental/ticket_events",
        ),
        get("/api/v2/tickets/5/tags", "/api/v2/tickets/{ticket_id}/tags"),
        get(
            "/api/v2/users/3/identities",
            "/api/v2/users/{user_id}/identities",
        ),
        get(
            "/api/v2/users/3/identities/301",
            "/api/v2/users/{user_id}/identities/{user_identity_id}",
        ),
        get(
            "/api/v2/custom_statuses/360200001",
            "/api/v2/custom_statuses/{custom_status_id}",
        ),
        get("/api/v2/groups/360100001", "/api/v2/groups/{group_id}"),
        get(
            "/api/v2/groups/360100001/memberships",
            "/api/v2/groups/{group_id}/memberships",
        ),
        get(
            "/api/v2/groups/360100001/users",
            "/api/v2/groups/{group_id}/users",
        ),
        get("/api/v2/group_memberships", "/api/v2/group_memberships"),
        get(
            "/api/v2/group_memberships/2",
            "/api/v2/group_memberships/{group_membership_id}",
        ),
        get(
            "/api/v2/users/2/group_memberships",
            "/api/v2/users/{user_id}/group_memberships",
        ),
    ];
    v.extend([
        send("POST", "/api/v2/tickets", "/api/v2/tickets",
            json!({"ticket": {"subject": "conformance", "comment": {"body": "hello"}, "priority": "high"}}), 201),
        send("PUT", "/api/v2/tickets/2", "/api/v2/tickets/{ticket_id}",
            json!({"ticket": {"status": "pending", "comment": {"body": "reply", "public": false}}}), 200),
        send("POST", "/api/v2/tickets/create_many", "/api/v2/tickets/create_many",
            json!({"tickets": [{"comment": {"body": "a"}}, {"comment": {"body": "b"}}]}), 200),
        send("PUT", "/api/v2/tickets/update_many?ids=3,4", "/api/v2/tickets/update_many",
            json!({"ticket": {"status": "open"}}), 200),
        send("POST", "/api/v2/users", "/api/v2/users",
            json!({"user": {"name": "Conformance", "email": "conf@example.org"}}), 201),
        send("PUT", "/api/v2/users/5", "/api/v2/users/{user_id}", json!({"user": {"name": "Renamed"}}), 200),
        send("POST", "/api/v2/organizations", "/api/v2/organizations",
            json!({"organization": {"name": "Conformance Org", "domain_names": ["c.example"]}}), 201),
        send("PUT", "/api/v2/organizations/360000002", "/api/v2/organizations/{organization_id}",
            json!({"organization": {"notes": "changed"}}), 200),
        send("POST", "/api/v2/organizations/create_many", "/api/v2/organizations/create_many",
            json!({"organizations": [{"name": "Bulk A"}, {"name": "Bulk B"}]}), 200),
        send("POST", "/api/v2/organization_memberships", "/api/v2/organization_memberships",
            json!({"organization_membership": {"user_id": 4, "organization_id": 360000006}}), 201),
        send("POST", "/api/v2/groups", "/api/v2/groups", json!({"group": {"name": "Escalations"}}), 201),
        send("PUT", "/api/v2/groups/360100002", "/api/v2/groups/{group_id}", json!({"group": {"description": "x"}}), 200),
        send("POST", "/api/v2/group_memberships", "/api/v2/group_memberships",
            json!({"group_membership": {"user_id": 12, "group_id": 360100000}}), 201),
        Case { method: "DELETE", path: "/api/v2/group_memberships/1".into(), template: "/api/v2/group_memberships/{group_membership_id}", body: None, status: 204 },
        Case { method: "DELETE", path: "/api/v2/organization_memberships/5".into(), template: "/api/v2/organization_memberships/{organization_membership_id}", body: None, status: 204 },
        Case { method: "DELETE", path: "/api/v2/organizations/360000003".into(), template: "/api/v2/organizations/{organization_id}", body: None, status: 204 },
        Case { method: "DELETE", path: "/api/v2/groups/360100001".into(), template: "/api/v2/groups/{group_id}", body: None, status: 204 },
        send("POST", "/api/v2/ticket_fields", "/api/v2/ticket_fields",
            json!({"ticket_field": {"type": "text", "title": "Order number"}}), 201),
        send("PUT", "/api/v2/ticket_fields/360000002", "/api/v2/ticket_fields/{ticket_field_id}",
            json!({"ticket_field": {"title": "Account no."}}), 200),
        Case { method: "DELETE", path: "/api/v2/ticket_fields/360000003".into(), template: "/api/v2/ticket_fields/{ticket_field_id}", body: None, status: 204 },
        send("POST", "/api/v2/user_fields", "/api/v2/user_fields",
            json!({"user_field": {"type": "text", "key": "employee_no", "title": "Employee number"}}), 201),
        send("PUT", "/api/v2/user_fields/360600000", "/api/v2/user_fields/{user_field_id}",
            json!({"user_field": {"title": "Tier"}}), 200),
        send("POST", "/api/v2/organization_fields", "/api/v2/organization_fields",
            json!({"organization_field": {"type": "checkbox", "key": "vip", "title": "VIP"}}), 201),
        Case { method: "DELETE", path: "/api/v2/organization_fields/360700000".into(), template: "/api/v2/organization_fields/{organization_field_id}", body: None, status: 204 },
        send("POST", "/api/v2/ticket_forms", "/api/v2/ticket_forms",
            json!({"ticket_form": {"name": "Returns", "ticket_field_ids": [360000010, 360000011]}}), 201),
        send("PUT", "/api/v2/ticket_forms/360300000", "/api/v2/ticket_forms/{ticket_form_id}",
            json!({"ticket_form": {"display_name": "Contact us"}}), 200),
        send("PUT", "/api/v2/tickets/5/tags", "/api/v2/tickets/{ticket_id}/tags", json!({"tags": ["a", "b"]}), 200),
        send("POST", "/api/v2/tickets/5/tags", "/api/v2/tickets/{ticket_id}/tags", json!({"tags": ["c"]}), 200),
        send("DELETE", "/api/v2/tickets/5/tags", "/api/v2/tickets/{ticket_id}/tags", json!({"tags": ["a"]}), 200),
        send("POST", "/api/v2/tickets/10/merge", "/api/v2/tickets/{ticket_id}/merge", json!({"ids": [11, 12]}), 200),
        send("POST", "/api/v2/users/create_many", "/api/v2/users/create_many",
            json!({"users": [{"name": "Bulk U", "email": "bulk-u@example.org"}]}), 200),
        send("POST", "/api/v2/users/create_or_update", "/api/v2/users/create_or_update",
            json!({"user": {"name": "Upserted", "email": "user7@example.com"}}), 200),
        send("POST", "/api/v2/users/create_or_update", "/api/v2/users/create_or_update",
            json!({"user": {"name": "Fresh", "email": "fresh@example.org"}}), 201),
        send("POST", "/api/v2/users/create_or_update_many", "/api/v2/users/create_or_update_many",
            json!({"users": [{"name": "Fresh 2", "email": "fresh@example.org"}]}), 200),
        send("PUT", "/api/v2/users/update_many?ids=7,8", "/api/v2/users/update_many", json!({"user": {"notes": "bulk"}}), 200),
        send("POST", "/api/v2/users/3/identities", "/api/v2/users/{user_id}/identities",
            json!({"identity": {"type": "email", "value": "second3@example.org"}}), 201),
        Case { method: "DELETE", path: "/api/v2/users/3/identities/302".into(), template: "/api/v2/users/{user_id}/identities/{user_identity_id}", body: None, status: 204 },
        Case { method: "DELETE", path: "/api/v2/users/destroy_many?ids=15,16".into(), template: "/api/v2/users/destroy_many", body: None, status: 200 },
        Case { method: "DELETE", path: "/api/v2/tickets/destroy_many?ids=20,21".into(), template: "/api/v2/tickets/destroy_many", body: None, status: 200 },
        Case { method: "DELETE", path: "/api/v2/users/6".into(), template: "/api/v2/users/{user_id}", body: None, status: 200 },
        Case { method: "DELETE", path: "/api/v2/tickets/9".into(), template: "/api/v2/tickets/{ticket_id}", body: None, status: 204 },
    ]);
    v
}

impl Case {
    fn status(mut self, s: u16) -> Case {
        self.status = s;
        self
    }
}
