//! THE one list of differences between the emulator's answers and Zendesk's OpenAPI file
//! that the conformance test accepts, each with its reason. An entry that no answer needs
//! any more fails the test, so the list cannot go stale.

/// An accepted mismatch: the schema location (`Component.property`), the problem kind
/// (`null`, `missing`, `type`, `enum`, `unexpected`) and why it is right.
pub struct Allowance {
    /// `Component.property[.property…]`.
    pub location: &'static str,
    /// The problem kind.
    pub problem: &'static str,
    /// Why the emulator answers this way.
    pub reason: &'static str,
}

/// Accepted mismatches: nulls that real Zendesk sends too where the file omits
/// `nullable: true`, and one place where the file contradicts itself.
pub const ALLOWED: &[Allowance] = &[
    Allowance {
        location: "TicketObject.forum_topic_id",
        problem: "null",
        reason: "a legacy field: real Zendesk sends null on every ticket not linked to a community topic",
    },
    Allowance {
        location: "TicketObject.satisfaction_rating",
        problem: "null",
        reason: "real Zendesk sends null while no rating was offered or given",
    },
    Allowance {
        location: "TicketObject.raw_subject",
        problem: "null",
        reason: "a ticket created through the API without a subject has subject and raw_subject null on real Zendesk too",
    },
    Allowance {
        location: "TicketObject.recipient",
        problem: "null",
        reason: "a ticket created through the API (not by email) has no recipient address: real Zendesk sends null",
    },
    Allowance {
        location: "UserForAdmin.default_group_id",
        problem: "null",
        reason: "end-users belong to no group: real Zendesk sends null for them",
    },
    Allowance {
        location: "UserForAdmin.signature",
        problem: "null",
        reason: "end-users have no signature: real Zendesk sends null for them",
    },
    Allowance {
        location: "TicketMetricObject.assigned_at",
        problem: "null",
        reason: "real Zendesk sends null while the ticket was never assigned",
    },
    Allowance {
        location: "TicketMetricObject.initially_assigned_at",
        problem: "null",
        reason: "real Zendesk sends null while the ticket was never assigned",
    },
    Allowance {
        location: "TicketMetricObject.assignee_updated_at",
        problem: "null",
        reason: "real Zendesk sends null while the ticket has no assignee",
    },
    Allowance {
        location: "TicketMetricObject.solved_at",
        problem: "null",
        reason: "real Zendesk sends null until the ticket is solved",
    },
    Allowance {
        location: "TicketMetricTimeObject.calendar",
        problem: "null",
        reason: "an unsolved ticket has no resolution time: real Zendesk sends {\"calendar\": null, \"business\": null}",
    },
    Allowance {
        location: "TicketMetricTimeObject.business",
        problem: "null",
        reason: "an unsolved ticket has no resolution time: real Zendesk sends {\"calendar\": null, \"business\": null}",
    },
    Allowance {
        location: "ViewObject.description",
        problem: "null",
        reason: "a view without a description has null there on real Zendesk",
    },
    Allowance {
        location: "ViewObject.restriction",
        problem: "null",
        reason: "a view shared with every agent has restriction null on real Zendesk",
    },
    Allowance {
        location: "MacroApplyTicketResponse.result.ticket.fields",
        problem: "type",
        reason: "the file types it as one {id, value} object; Zendesk sends the ticket's list of {id, value}, as TicketObject.fields in the same file says",
    },
    Allowance {
        location: "AttachmentBaseObject.width",
        problem: "null",
        reason: "a file that is not an image has no width: real Zendesk sends null",
    },
    Allowance {
        location: "AttachmentBaseObject.height",
        problem: "null",
        reason: "a file that is not an image has no height: real Zendesk sends null",
    },
];

/// Endpoints the emulator serves that the Support API file does not describe, and why.
pub const NOT_IN_FILE: &[(&str, &str)] = &[];

/// Endpoints the Support API file does not describe that are checked against a hand-written
/// description in the same OpenAPI form instead (`help_center.rs`), and why.
pub const HAND_WRITTEN: &[(&str, &str)] = &[(
    "/api/v2/help_center/",
    "Help Center has its own API reference and is not in the Support OpenAPI file: its record \
     shapes (every field required, no others) and its own paging envelopes are written out in \
     help_center.rs from Zendesk's public Help Center reference",
)];
