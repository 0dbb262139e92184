//! Deterministic seed records, generated on demand from their id.
//!
//! Nothing is stored for a seeded record: `ticket(id)` always builds the same JSON, so a
//! store of a million tickets costs no memory until records are changed.
//! Timestamps grow with the id (`created_at` every 30 s from 2024-01-01, `updated_at` shared
//! by groups of four tickets), which is what incremental exports page over.

use crate::seed_account as account;
use crate::util::{iso8601, mix};
use serde_json::{Map, Value, json};

/// 2024-01-01T00:00:00Z: the first seeded ticket's creation time.
pub const BASE_EPOCH: i64 = 1_704_067_200;
/// The account's pretend subdomain host, used in emails and via addresses.
pub const SUPPORT_ADDRESS: &str = "support@example.zendesk.com";
/// Email of the built-in admin, user id 1.
pub const ADMIN_EMAIL: &str = "agent@example.com";

const STATUSES: [&str; 5] = ["new", "open", "pending", "hold", "solved"];
const PRIORITIES: [Option<&str>; 5] = [
    None,
    Some("low"),
    Some("normal"),
    Some("high"),
    Some("urgent"),
];
const TYPES: [Option<&str>; 5] = [
    None,
    Some("question"),
    Some("incident"),
    Some("problem"),
    Some("task"),
];
const TAGS: [&str; 16] = [
    "vip",
    "billing",
    "refund",
    "shipping",
    "login",
    "bug",
    "feature_request",
    "mobile",
    "web",
    "enterprise",
    "trial",
    "urgent_followup",
    "api",
    "outage",
    "invoice",
    "onboarding",
];
const ADJ: [&str; 8] = [
    "Cannot",
    "Unable to",
    "Problem trying to",
    "Error when I",
    "Help me",
    "Question: how to",
    "Failed to",
    "Need to",
];
const VERB: [&str; 8] = [
    "log in to",
    "export data from",
    "update billing on",
    "reset password for",
    "connect",
    "cancel",
    "upgrade",
    "sync",
];
const THING: [&str; 8] = [
    "my account",
    "the mobile app",
    "the dashboard",
    "our workspace",
    "the API",
    "invoice #",
    "the printer",
    "SSO",
];
const SENTENCES: [&str; 8] = [
    "Since this morning every attempt ends with a spinning wheel and then a generic error page.",
    "We have tried clearing the cache, another browser and a different network without any change.",
    "Our team of forty people depends on this for the end-of-month close, so it is rather urgent.",
    "The same steps worked fine last week; nothing changed on our side as far as we can tell.",
    "Attached are the screenshots and the exact timestamps of the failures, in UTC.",
    "Could you please check the logs on your side and tell us whether this is a known issue?",
    "If a workaround exists we would gladly apply it while you look for a permanent fix.",
    "Thanks in advance for your help, and let me know if you need any more information.",
];
const FIRST: [&str; 10] = [
    "Ana", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gus", "Hiro", "Ines", "Jonas",
];
const LAST: [&str; 10] = [
    "Silva", "Okafor", "Martin", "Ivanov", "Yilmaz", "Haddad", "Berg", "Tanaka", "Costa", "Weber",
];

/// Seeded ticket `id`'s creation time (epoch seconds).
pub fn ticket_created(id: u64) -> i64 {
    BASE_EPOCH + id as i64 * 30
}

/// Seeded ticket `id`'s update time: non-decreasing in id, four tickets per timestamp.
pub fn ticket_updated(id: u64) -> i64 {
    BASE_EPOCH + 3600 + (id as i64 / 4) * 120
}

/// Seeded user `id`'s creation time (users predate tickets).
pub fn user_created(id: u64) -> i64 {
    BASE_EPOCH - 90 * 86_400 + id as i64 * 60
}

/// Seeded user `id`'s update time (non-decreasing in id).
pub fn user_updated(id: u64) -> i64 {
    user_created(id) + 7200
}

/// The cheap, searchable attributes of a seeded ticket.
pub struct TicketCore {
    h: u64,
    /// Ticket status.
    pub status: &'static str,
    /// Ticket priority.
    pub priority: Option<&'static str>,
    /// Ticket tags.
    pub tags: Vec<&'static str>,
}

impl TicketCore {
    /// Derives the attributes of seeded ticket `id`.
    pub fn new(id: u64) -> Self {
        let h = mix(id);
        // No seeded ticket is closed: closed tickets refuse updates, and tests update
        // seeded tickets freely. Tickets closed through the API do refuse updates.
        let status = STATUSES[(h % 5) as usize];
        let priority = PRIORITIES[((h >> 8) % 5) as usize];
        let ntags = 1 + ((h >> 16) % 3) as usize;
        let mut tags: Vec<&'static str> = (0..ntags)
            .map(|k| TAGS[((h >> (20 + 4 * k)) % 16) as usize])
            .collect();
        tags.sort_unstable();
        tags.dedup();
        TicketCore {
            h,
            status,
            priority,
            tags,
        }
    }

    /// The subject line.
    pub fn subject(&self, id: u64) -> String {
        let h = self.h;
        let thing = THING[((h >> 40) % 8) as usize];
        let suffix = if thing.ends_with('#') {
            format!("{}", 1000 + id % 9000)
        } else {
            String::new()
        };
        format!(
            "{} {} {}{}",
            ADJ[((h >> 32) % 8) as usize],
            VERB[((h >> 36) % 8) as usize],
            thing,
            suffix
        )
    }
}

/// The requester of seeded ticket `id` (cheap: no record is built).
pub fn ticket_requester(id: u64, users: u64) -> u64 {
    1 + mix(mix(id)) % users.max(1)
}

/// Satisfaction rating ids are this plus the ticket id.
pub const RATING_BASE: u64 = 361_000_000_000;

/// The satisfaction rating of seeded ticket `id` in `status`: two solved tickets in three
/// were rated. (id, score, comment).
pub fn ticket_rating(id: u64, status: &str) -> Option<(u64, &'static str, &'static str)> {
    let h = mix(id ^ 0x5A7);
    (status == "solved" && h % 3 != 0).then(|| {
        if h % 3 == 1 {
            (RATING_BASE + id, "good", "Quick and helpful, thank you!")
        } else {
            (
                RATING_BASE + id,
                "bad",
                "It took too long to get an answer.",
            )
        }
    })
}

/// The group and assignee of seeded ticket `id` in `status` (cheap): the assignee is an
/// agent of the group; a new ticket has the group only.
pub fn ticket_group_and_assignee(id: u64, users: u64, status: &str) -> (u64, Option<u64>) {
    let agent = (mix(mix(id)) >> 16) % account::agent_count(users.max(1)).max(1);
    let assignee = (status != "new").then(|| account::agent_user(agent));
    (account::group_of_agent(agent), assignee)
}

/// Builds seeded ticket `id` (without `url`, which depends on the request's host).
pub fn ticket(id: u64, users: u64) -> Map<String, Value> {
    let core = TicketCore::new(id);
    let h = core.h;
    let h2 = mix(h);
    let users = users.max(1);
    let requester = ticket_requester(id, users);
    let (group, assignee) = ticket_group_and_assignee(id, users, core.status);
    let assignee = assignee.map_or(Value::Null, |a| json!(a));
    let subject = core.subject(id);
    let description: String = (0..4)
        .map(|k| SENTENCES[((h2 >> (8 * k)) % 8) as usize])
        .collect::<Vec<_>>()
        .join(" ");
    let (first, last) = (
        FIRST[(requester % 10) as usize],
        LAST[((requester / 10) % 10) as usize],
    );
    let updated = ticket_updated(id);
    let plan = crate::seed_fields::PLANS[(h2 % 3) as usize];
    let v = json!({
        "id": id,
        "external_id": if h2 % 3 == 0 { json!(format!("ext-{id}")) } else { Value::Null },
        "via": {"channel": "email", "source": {
            "from": {"address": format!("user{requester}@example.com"), "name": format!("{first} {last}")},
            "to": {"address": SUPPORT_ADDRESS, "name": "Example Support"}, "rel": null}},
        "created_at": iso8601(ticket_created(id)),
        "updated_at": iso8601(updated),
        "generated_timestamp": updated,
        "type": TYPES[((h >> 44) % 5) as usize],
        "subject": subject,
        "raw_subject": subject,
        "description": description,
        "priority": core.priority,
        "status": core.status,
        "recipient": SUPPORT_ADDRESS,
        "requester_id": requester,
        "submitter_id": requester,
        "assignee_id": assignee,
        "organization_id": account::org_of_user(requester),
        "group_id": group,
        "collaborator_ids": [],
        "follower_ids": [],
        "email_cc_ids": [],
        "forum_topic_id": null,
        "problem_id": null,
        "has_incidents": false,
        "is_public": true,
        "due_at": null,
        "tags": core.tags,
        "custom_fields": [
            {"id": 360_000_001_u64, "value": plan},
            {"id": 360_000_002_u64, "value": format!("{}", (h2 >> 32) % 10_000)},
            {"id": 360_000_003_u64, "value": (h2 >> 40) % 2 == 0}
        ],
        "satisfaction_rating": ticket_rating(id, core.status)
            .map_or(Value::Null, |(rid, score, comment)| json!({"id": rid, "score": score, "comment": comment})),
        "sharing_agreement_ids": [],
        "custom_status_id": account::custom_status_of(core.status),
        "fields": [
            {"id": 360_000_001_u64, "value": plan},
            {"id": 360_000_002_u64, "value": format!("{}", (h2 >> 32) % 10_000)},
            {"id": 360_000_003_u64, "value": (h2 >> 40) % 2 == 0}
        ],
        "followup_ids": [],
        "ticket_form_id": account::TICKET_FORM,
        "brand_id": account::BRAND,
        "allow_channelback": false,
        "allow_attachments": true,
        "from_messaging_channel": false
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// Role of seeded user `id`.
pub fn user_role(id: u64) -> &'static str {
    match id {
        1 => "admin",
        _ if id % 10 == 2 => "agent",
        _ => "end-user",
    }
}

/// Email of seeded user `id`.
pub fn user_email(id: u64) -> String {
    if id == 1 {
        ADMIN_EMAIL.to_string()
    } else {
        format!("user{id}@example.com")
    }
}

/// If `email` is a seeded user's address, that user's id (not checked against the count).
pub fn user_id_for_email(email: &str) -> Option<u64> {
    if email.eq_ignore_ascii_case(ADMIN_EMAIL) {
        return Some(1);
    }
    let rest = email.strip_prefix("user")?.strip_suffix("@example.com")?;
    let id: u64 = rest.parse().ok()?;
    (id >= 2 && rest == id.to_string()).then_some(id)
}

/// Builds seeded user `id` (without `url`).
pub fn user(id: u64) -> Map<String, Value> {
    let h = mix(id ^ 0x5EED);
    let name = if id == 1 {
        "Emulator Admin".to_string()
    } else {
        format!(
            "{} {}",
            FIRST[(id % 10) as usize],
            LAST[((id / 10) % 10) as usize]
        )
    };
    let role = user_role(id);
    new_user(
        id,
        &name,
        &user_email(id),
        role,
        user_created(id),
        user_updated(id),
        h,
    )
}

/// Builds a user record from its parts (for seeded and created users alike).
pub fn new_user(
    id: u64,
    name: &str,
    email: &str,
    role: &str,
    created: i64,
    updated: i64,
    h: u64,
) -> Map<String, Value> {
    let v = json!({
        "id": id,
        "name": name,
        "email": email,
        "created_at": iso8601(created),
        "updated_at": iso8601(updated),
        "time_zone": "Europe/Berlin",
        "iana_time_zone": "Europe/Berlin",
        "phone": null,
        "shared_phone_number": null,
        "photo": null,
        "locale_id": 1,
        "locale": "en-US",
        "organization_id": account::org_of_user(id),
        "role": role,
        "role_type": if role == "agent" { json!(0) } else { Value::Null },
        "custom_role_id": null,
        "verified": true,
        "external_id": null,
        "tags": if h % 4 == 0 { json!(["vip"]) } else { json!([]) },
        "alias": "",
        "active": true,
        "shared": false,
        "shared_agent": false,
        "last_login_at": iso8601(updated),
        "two_factor_auth_enabled": null,
        "signature": if role == "end-user" { Value::Null } else { json!(format!("{name}, Example Support")) },
        "details": "",
        "notes": "",
        "moderator": role != "end-user",
        "ticket_restriction": if role == "end-user" { json!("requested") } else { Value::Null },
        "only_private_comments": false,
        "restricted_agent": false,
        "suspended": false,
        "default_group_id": match account::agent_index(id) {
            Some(k) if role != "end-user" => json!(account::group_of_agent(k)),
            _ => Value::Null,
        },
        "report_csv": role == "admin",
        "user_fields": {"support_tier": crate::seed_fields::TIERS[(h % 3) as usize]}
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_deterministic_and_about_1_5_kb() {
        let a = serde_json::to_string(&ticket(7, 20)).unwrap();
        let b = serde_json::to_string(&ticket(7, 20)).unwrap();
        assert_eq!(a, b);
        assert!(
            (1000..2200).contains(&a.len()),
            "ticket is {} bytes",
            a.len()
        );
    }

    #[test]
    fn timestamps_are_monotonic() {
        for id in 1..1000 {
            assert!(ticket_updated(id + 1) >= ticket_updated(id));
            assert!(ticket_updated(id) >= ticket_created(id));
        }
    }

    #[test]
    fn seeded_emails_round_trip() {
        assert_eq!(user_id_for_email("agent@example.com"), Some(1));
        assert_eq!(user_id_for_email("user12@example.com"), Some(12));
        assert_eq!(user_id_for_email("user012@example.com"), None);
        assert_eq!(user_id_for_email("user1@example.com"), None);
    }
}
