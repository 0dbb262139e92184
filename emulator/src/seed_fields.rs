//! The account's configuration records: ticket, user and organization fields, the ticket
//! form and the custom statuses. They are fixed, and match what seeded records carry
//! (`custom_fields` of tickets, `user_fields` of users, `organization_fields` of
//! organizations, `ticket_form_id` and `custom_status_id`).

use crate::seed_account::{FIRST_CUSTOM_STATUS, STATUS_CATEGORIES, TICKET_FORM};
use crate::util::iso8601;
use serde_json::{Value, json};

const CREATED: i64 = crate::seed::BASE_EPOCH - 365 * 86_400;
/// Ticket field ids: the three custom fields seeded tickets fill, then system fields.
pub const TICKET_FIELD_IDS: [u64; 9] = [
    360_000_010,
    360_000_011,
    360_000_012,
    360_000_013,
    360_000_014,
    360_000_015,
    360_000_001,
    360_000_002,
    360_000_003,
];
/// Plans of the `plan` dropdown (custom field 360000001).
pub const PLANS: [&str; 3] = ["basic", "pro", "enterprise"];
/// Tiers of the `support_tier` user field.
pub const TIERS: [&str; 3] = ["standard", "priority", "premier"];

fn options(values: &[&str], first_id: u64) -> Value {
    Value::Array(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let name = format!("{}{}", v[..1].to_uppercase(), &v[1..]);
                json!({"id": first_id + i as u64, "name": name, "raw_name": name, "value": v,
                    "default": false, "position": i})
            })
            .collect(),
    )
}

/// Ticket field `id`, if it exists.
pub fn ticket_field(id: u64) -> Option<Value> {
    let (kind, title, removable) = match id {
        360_000_010 => ("subject", "Subject", false),
        360_000_011 => ("description", "Description", false),
        360_000_012 => ("status", "Status", false),
        360_000_013 => ("priority", "Priority", false),
        360_000_014 => ("group", "Group", false),
        360_000_015 => ("assignee", "Assignee", false),
        360_000_001 => ("tagger", "Plan", true),
        360_000_002 => ("text", "Account number", true),
        360_000_003 => ("checkbox", "Escalated", true),
        _ => return None,
    };
    let position = TICKET_FIELD_IDS.iter().position(|f| *f == id).unwrap_or(0);
    let mut v = json!({"id": id, "type": kind, "title": title, "raw_title": title,
        "description": format!("{title} of the ticket"), "raw_description": format!("{title} of the ticket"),
        "agent_description": "", "position": position, "active": true,
        "required": matches!(kind, "subject" | "description"), "collapsed_for_agents": false,
        "regexp_for_validation": null, "title_in_portal": title, "raw_title_in_portal": title,
        "visible_in_portal": true, "editable_in_portal": true, "required_in_portal": false,
        "agent_can_edit": true, "tag": null, "removable": removable,
        "created_at": iso8601(CREATED), "updated_at": iso8601(CREATED)});
    if kind == "tagger" {
        v["custom_field_options"] = options(&PLANS, 360_500_000);
    }
    if kind == "checkbox" {
        v["tag"] = json!("escalated");
    }
    Some(v)
}

/// User field `id`: the one `support_tier` dropdown.
pub fn user_field(id: u64) -> Option<Value> {
    (id == 360_600_000).then(|| {
        json!({"id": id, "key": "support_tier", "type": "dropdown", "title": "Support tier",
            "raw_title": "Support tier", "description": "", "raw_description": "", "position": 0,
            "active": true, "system": false, "regexp_for_validation": null,
            "custom_field_options": options(&TIERS, 360_610_000),
            "created_at": iso8601(CREATED), "updated_at": iso8601(CREATED)})
    })
}

/// Organization field `id`: the one `region` dropdown.
pub fn organization_field(id: u64) -> Option<Value> {
    (id == 360_700_000).then(|| {
        json!({"id": id, "key": "region", "type": "dropdown", "title": "Region", "raw_title": "Region",
            "description": "", "raw_description": "", "position": 0, "active": true, "system": false,
            "regexp_for_validation": null,
            "custom_field_options": options(&["emea", "amer", "apac"], 360_710_000),
            "created_at": iso8601(CREATED), "updated_at": iso8601(CREATED)})
    })
}

/// Ticket form `id`: the default form with every ticket field.
pub fn ticket_form(id: u64) -> Option<Value> {
    (id == TICKET_FORM).then(|| {
        json!({"id": id, "name": "Default Ticket Form", "raw_name": "Default Ticket Form",
            "display_name": "Default Ticket Form", "raw_display_name": "Default Ticket Form",
            "position": 0, "active": true, "default": true, "end_user_visible": true,
            "in_all_brands": true, "restricted_brand_ids": [], "ticket_field_ids": TICKET_FIELD_IDS,
            "agent_conditions": [], "end_user_conditions": [],
            "created_at": iso8601(CREATED), "updated_at": iso8601(CREATED)})
    })
}

/// Custom status `id`: one per status category.
pub fn custom_status(id: u64) -> Option<Value> {
    let k = id.checked_sub(FIRST_CUSTOM_STATUS)? as usize;
    let category = STATUS_CATEGORIES.get(k)?;
    let label = format!("{}{}", category[..1].to_uppercase(), &category[1..]);
    Some(
        json!({"id": id, "status_category": category, "agent_label": label, "raw_agent_label": label,
        "end_user_label": label, "raw_end_user_label": label, "description": "",
        "raw_description": "", "end_user_description": "", "raw_end_user_description": "",
        "active": true, "default": true,
        "created_at": iso8601(CREATED), "updated_at": iso8601(CREATED)}),
    )
}

/// The ids of each family, in list order.
pub fn ids(family: &str) -> Vec<u64> {
    match family {
        "ticket_fields" => TICKET_FIELD_IDS.to_vec(),
        "user_fields" => vec![360_600_000],
        "organization_fields" => vec![360_700_000],
        "ticket_forms" => vec![TICKET_FORM],
        "custom_statuses" => (0..STATUS_CATEGORIES.len() as u64)
            .map(|k| FIRST_CUSTOM_STATUS + k)
            .collect(),
        _ => Vec::new(),
    }
}

/// Record `id` of `family`.
pub fn get(family: &str, id: u64) -> Option<Value> {
    match family {
        "ticket_fields" => ticket_field(id),
        "user_fields" => user_field(id),
        "organization_fields" => organization_field(id),
        "ticket_forms" => ticket_form(id),
        "custom_statuses" => custom_status(id),
        _ => None,
    }
}
