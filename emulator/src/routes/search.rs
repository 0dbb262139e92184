//! Search (`/api/v2/search`, offset, 1,000-result cap) and search export (cursor).

use super::with_url;
use crate::app::{App, Req, read};
use crate::http::Resp;
use crate::pagination::{cursor_answer, offset_answer, page_size, parse_id_cursor};
use crate::seed::TicketCore;
use crate::store::Store;
use serde_json::{Map, Value};

/// Search never returns past this many results.
const SEARCH_CAP: u64 = 1000;
const STATUS_ORDER: &[&str] = &["new", "open", "pending", "hold", "solved", "closed"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Type {
    Ticket,
    User,
    Organization,
    Group,
}

/// Every type, in the order an untyped search lists them.
const ALL_TYPES: [Type; 4] = [Type::Ticket, Type::User, Type::Organization, Type::Group];

impl Type {
    fn parse(name: &str) -> Option<Type> {
        match name {
            "ticket" => Some(Type::Ticket),
            "user" => Some(Type::User),
            "organization" => Some(Type::Organization),
            "group" => Some(Type::Group),
            _ => None,
        }
    }

    fn collection(self, store: &Store) -> &crate::store::Collection {
        match self {
            Type::Ticket => &store.tickets,
            Type::User => &store.users,
            Type::Organization => &store.organizations,
            Type::Group => &store.groups,
        }
    }
}

#[derive(Debug, Default)]
struct Query {
    kind: Option<Type>,
    status: Vec<(char, String)>,
    /// `created`/`updated` comparisons: (is_created, op, day start epoch).
    dates: Vec<(bool, char, i64)>,
    tags: Vec<String>,
    priority: Vec<String>,
    role: Vec<String>,
    /// `name:` terms (users, organizations, groups).
    names: Vec<String>,
    text: Vec<String>,
    unsupported_type: bool,
}

fn parse(q: &str) -> Query {
    let mut out = Query::default();
    for term in q.split_whitespace() {
        let op = term.find([':', '<', '>']);
        let Some(i) = op else {
            out.text.push(term.trim_matches('"').to_lowercase());
            continue;
        };
        let (key, rest) = term.split_at(i);
        let opc = rest.chars().next().unwrap_or(':');
        let value = rest[1..].trim_matches('"').to_lowercase();
        match key.to_lowercase().as_str() {
            "type" => match Type::parse(&value) {
                Some(t) => out.kind = Some(t),
                None => out.unsupported_type = true,
            },
            "name" => out.names.push(value),
            "status" => out.status.push((opc, value)),
            "created" | "updated" => match crate::util::parse_date(&value) {
                Some(day) => out
                    .dates
                    .push((key.eq_ignore_ascii_case("created"), opc, day)),
                None => out.unsupported_type = true,
            },
            "tags" | "tag" => out.tags.push(value),
            "priority" => out.priority.push(value),
            "role" => out.role.push(value),
            _ => {}
        }
    }
    out
}

fn dates_ok(q: &Query, created: i64, updated: i64) -> bool {
    q.dates.iter().all(|(is_created, op, day)| {
        let t = if *is_created { created } else { updated };
        match op {
            '<' => t < *day,
            '>' => t >= day + 86_400,
            _ => (*day..day + 86_400).contains(&t),
        }
    })
}

fn status_ok(q: &Query, status: &str) -> bool {
    let rank = |s: &str| STATUS_ORDER.iter().position(|x| *x == s);
    q.status
        .iter()
        .all(|(op, v)| match (op, rank(status), rank(v)) {
            (':', _, _) => status == v,
            ('<', Some(a), Some(b)) => a < b,
            ('>', Some(a), Some(b)) => a > b,
            _ => false,
        })
}

/// A stored record's string field, lower-cased ("" when absent).
fn lowered(record: &serde_json::Map<String, Value>, key: &str) -> String {
    record
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_lowercase()
}

/// A stored record's tags, lower-cased.
fn lowered_tags(record: &serde_json::Map<String, Value>) -> Vec<String> {
    record
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_lowercase)
        .collect()
}

fn ticket_matches(store: &Store, q: &Query, id: u64) -> bool {
    if !store.tickets.exists(id) {
        return false;
    }
    if store.tickets.is_overridden(id) {
        let Some(t) = store.tickets.override_of(id) else {
            return false;
        };
        let s = |k: &str| lowered(t, k);
        let tags = lowered_tags(t);
        let text = format!("{} {}", s("subject"), s("description"));
        let stamp = |k: &str| crate::util::parse_date(&s(k)).unwrap_or(0);
        return status_ok(q, &s("status"))
            && dates_ok(q, stamp("created_at"), stamp("updated_at"))
            && q.priority.iter().all(|p| *p == s("priority"))
            && q.tags.iter().all(|t| tags.contains(t))
            && q.text.iter().all(|w| text.contains(w.as_str()));
    }
    let core = TicketCore::new(id);
    status_ok(q, core.status)
        && dates_ok(
            q,
            crate::seed::ticket_created(id),
            crate::seed::ticket_updated(id),
        )
        && q.priority.iter().all(|p| Some(p.as_str()) == core.priority)
        && q.tags.iter().all(|t| core.tags.contains(&t.as_str()))
        && (q.text.is_empty() || {
            let subject = core.subject(id).to_lowercase();
            q.text.iter().all(|w| subject.contains(w.as_str()))
        })
}

fn user_matches(store: &Store, q: &Query, id: u64) -> bool {
    if !q.status.is_empty() || !q.priority.is_empty() {
        return false;
    }
    let Some(u) = store.users.get(id) else {
        return false;
    };
    let s = |k: &str| lowered(&u, k);
    let tags = lowered_tags(&u);
    let text = format!("{} {}", s("name"), s("email"));
    let stamp = |k: &str| crate::util::parse_date(&s(k)).unwrap_or(0);
    dates_ok(q, stamp("created_at"), stamp("updated_at"))
        && q.role.iter().all(|r| *r == s("role"))
        && q.names.iter().all(|n| s("name").contains(n.as_str()))
        && q.tags.iter().all(|t| tags.contains(t))
        && q.text.iter().all(|w| text.contains(w.as_str()))
}

/// Organizations and groups: `name:`, tags, dates and free text (name, details, notes,
/// description, domain names).
fn named_matches(store: &Store, q: &Query, kind: Type, id: u64) -> bool {
    if !q.status.is_empty() || !q.priority.is_empty() || !q.role.is_empty() {
        return false;
    }
    let Some(r) = kind.collection(store).get(id) else {
        return false;
    };
    let s = |k: &str| lowered(&r, k);
    let domains: Vec<String> = crate::util::strings(r.get("domain_names"));
    let text = format!(
        "{} {} {} {} {}",
        s("name"),
        s("details"),
        s("notes"),
        s("description"),
        domains.join(" ").to_lowercase()
    );
    let stamp = |k: &str| crate::util::parse_date(&s(k)).unwrap_or(0);
    let tags = lowered_tags(&r);
    dates_ok(q, stamp("created_at"), stamp("updated_at"))
        && q.names.iter().all(|n| s("name").contains(n.as_str()))
        && q.tags.iter().all(|t| tags.contains(t))
        && q.text.iter().all(|w| text.contains(w.as_str()))
}

fn matches(store: &Store, q: &Query, kind: Type, id: u64) -> bool {
    match kind {
        Type::Ticket => q.role.is_empty() && q.names.is_empty() && ticket_matches(store, q, id),
        Type::User => user_matches(store, q, id),
        Type::Organization | Type::Group => named_matches(store, q, kind, id),
    }
}

fn render(store: &Store, base: &str, kind: Type, id: u64) -> Option<Value> {
    let (res, rt) = match kind {
        Type::Ticket => ("tickets", "ticket"),
        Type::User => ("users", "user"),
        Type::Organization => ("organizations", "organization"),
        Type::Group => ("groups", "group"),
    };
    let rec = kind.collection(store).get(id)?;
    let mut v = with_url(rec, base, res);
    if let Some(m) = v.as_object_mut() {
        m.insert("result_type".into(), Value::String(rt.into()));
    }
    Some(v)
}

fn kinds(q: &Query) -> Vec<Type> {
    match q.kind {
        Some(k) => vec![k],
        None => ALL_TYPES.to_vec(),
    }
}

/// The ids a search of type `k` scans: the collection's whole id range.
fn id_range(store: &Store, k: Type) -> std::ops::RangeInclusive<u64> {
    let coll = k.collection(store);
    coll.base + 1..=coll.max_id()
}

/// `GET /api/v2/search?query=…`: offset pages of 100 at most, 1,000 results at most, true
/// `count`.
pub fn search(app: &App, req: &Req) -> Resp {
    let Some(raw) = req.q("query").filter(|q| !q.trim().is_empty()) else {
        return Resp::error(400, "InvalidValue", "query is required");
    };
    let q = parse(raw);
    let (page, per_page) = crate::pagination::offset_params(req);
    let offset = (page - 1) * per_page;
    if offset >= SEARCH_CAP {
        return Resp::error(
            422,
            "invalid",
            "Invalid search: Requested response size was greater than Search Response Limits",
        );
    }
    let store = read(&app.store);
    let mut count = 0u64;
    let mut hits = Vec::new();
    if !q.unsupported_type {
        for k in kinds(&q) {
            for id in id_range(&store, k) {
                if matches(&store, &q, k, id) {
                    if count >= offset && (hits.len() as u64) < per_page {
                        hits.push((k, id));
                    }
                    count += 1;
                }
            }
        }
    }
    let items: Vec<Value> = hits
        .iter()
        .filter_map(|(k, id)| render(&store, &req.base, *k, *id))
        .collect();
    let mut m = offset_answer(req, "results", items, page, per_page, count.min(SEARCH_CAP));
    m.insert("count".into(), Value::from(count));
    m.insert("facets".into(), Value::Null);
    super::sideload::add_for_key(&store, req, "results", &mut m);
    Resp::json(200, &Value::Object(m))
}

/// `GET /api/v2/search/export?query=…&filter[type]=ticket`: cursor pages, no cap.
pub fn export(app: &App, req: &Req) -> Resp {
    let kind = match req.q("filter[type]").and_then(Type::parse) {
        Some(kind) => kind,
        None => {
            return Resp::error(
                400,
                "InvalidSearchParams",
                "filter[type] is required and must be one of: ticket, user, organization, group",
            );
        }
    };
    let Some(raw) = req.q("query") else {
        return Resp::error(400, "InvalidValue", "query is required");
    };
    let q = parse(raw);
    let size = match page_size(req, 1000) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let after = match req.q("page[after]").filter(|s| !s.is_empty()) {
        Some(c) => match parse_id_cursor(c) {
            Ok(id) => id,
            Err(r) => return r,
        },
        None => 0,
    };
    let store = read(&app.store);
    let range = id_range(&store, kind);
    let top = *range.end();
    let mut ids = Vec::with_capacity(size);
    let mut more = false;
    let mut id = after.max(range.start() - 1);
    while id < top {
        id += 1;
        if matches(&store, &q, kind, id) {
            if ids.len() == size {
                more = true;
                break;
            }
            ids.push(id);
        }
    }
    let items: Vec<Value> = ids
        .iter()
        .filter_map(|id| render(&store, &req.base, kind, *id))
        .collect();
    let mut m: Map<String, Value> = cursor_answer(
        req,
        "results",
        items,
        ids.first().copied(),
        ids.last().copied(),
        more,
        size,
    );
    m.insert("facets".into(), Value::Null);
    super::sideload::add_for_key(&store, req, "results", &mut m);
    Resp::json(200, &Value::Object(m))
}
