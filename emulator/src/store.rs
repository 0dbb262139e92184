//! The in-memory store: a lazily generated seed plus the changes made through the API.

use crate::config::Config;
use crate::seed;
use crate::seed_account as account;
use crate::util::now_epoch;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// Which resource a [`Collection`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Tickets.
    Tickets,
    /// Users.
    Users,
    /// Organizations (ids from [`seed::ORG_BASE`]).
    Organizations,
    /// Groups (ids from [`seed::GROUP_BASE`]).
    Groups,
    /// Organization memberships (seeded: one per user, same id as the user).
    OrgMemberships,
    /// Group memberships (seeded: one per agent).
    GroupMemberships,
}

impl Kind {
    /// The resource's JSON key and URL segment.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Tickets => "tickets",
            Kind::Users => "users",
            Kind::Organizations => "organizations",
            Kind::Groups => "groups",
            Kind::OrgMemberships => "organization_memberships",
            Kind::GroupMemberships => "group_memberships",
        }
    }
}

/// A position in a collection's change stream (incremental exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamPos {
    /// Next seeded id to consider.
    Seed(u64),
    /// Next index in the change log.
    Change(usize),
}

impl StreamPos {
    /// Opaque textual form (before base64).
    pub fn encode(self) -> String {
        match self {
            StreamPos::Seed(id) => format!("s:{id}"),
            StreamPos::Change(i) => format!("c:{i}"),
        }
    }

    /// Parses [`StreamPos::encode`] output.
    pub fn decode(s: &str) -> Option<StreamPos> {
        let (kind, n) = s.split_once(':')?;
        match kind {
            "s" => n.parse().ok().map(StreamPos::Seed),
            "c" => n.parse().ok().map(StreamPos::Change),
            _ => None,
        }
    }
}

/// A record with its `updated_at` epoch seconds.
pub type Stamped = (Map<String, Value>, i64);

/// Records of one kind: ids `base+1..=base+seed_count` are generated, the rest live in
/// `overrides`.
#[derive(Debug, Clone)]
pub struct Collection {
    kind: Kind,
    /// Number of seeded records (ids base+1..=base+seed_count).
    pub seed_count: u64,
    /// Seeded ids start after this.
    pub base: u64,
    users_for_seed: u64,
    overrides: HashMap<u64, Map<String, Value>>,
    deleted: BTreeSet<u64>,
    next_id: u64,
    changes: Vec<(u64, i64)>,
    last_change: HashMap<u64, usize>,
}

impl Collection {
    fn new(kind: Kind, base: u64, seed_count: u64, users_for_seed: u64) -> Self {
        Collection {
            kind,
            seed_count,
            base,
            users_for_seed,
            overrides: HashMap::new(),
            deleted: BTreeSet::new(),
            next_id: base + seed_count + 1,
            changes: Vec::new(),
            last_change: HashMap::new(),
        }
    }

    fn seed_record(&self, id: u64) -> Map<String, Value> {
        match self.kind {
            Kind::Tickets => seed::ticket(id, self.users_for_seed),
            Kind::Users => seed::user(id),
            Kind::Organizations => crate::seed_account::organization(id),
            Kind::Groups => crate::seed_account::group(id),
            Kind::OrgMemberships => crate::seed_account::org_membership(id),
            Kind::GroupMemberships => crate::seed_account::group_membership(id),
        }
    }

    fn seed_updated(&self, id: u64) -> i64 {
        match self.kind {
            Kind::Tickets => seed::ticket_updated(id),
            Kind::Users | Kind::OrgMemberships => seed::user_updated(id),
            Kind::Organizations | Kind::Groups => crate::seed_account::updated(id),
            Kind::GroupMemberships => crate::seed_account::group_membership_updated(id),
        }
    }

    /// Whether `id` is in the seeded range.
    pub fn is_seeded(&self, id: u64) -> bool {
        id > self.base && id <= self.top_seed()
    }

    fn top_seed(&self) -> u64 {
        self.base + self.seed_count
    }

    /// The live record `id`, if it exists and is not deleted.
    pub fn get(&self, id: u64) -> Option<Map<String, Value>> {
        if self.deleted.contains(&id) {
            return None;
        }
        if let Some(r) = self.overrides.get(&id) {
            return Some(r.clone());
        }
        self.is_seeded(id).then(|| self.seed_record(id))
    }

    /// Whether `id` is live.
    pub fn exists(&self, id: u64) -> bool {
        !self.deleted.contains(&id) && (self.overrides.contains_key(&id) || self.is_seeded(id))
    }

    /// Whether `id` is a changed or created record (so seed attributes don't apply).
    pub fn is_overridden(&self, id: u64) -> bool {
        self.overrides.contains_key(&id)
    }

    /// The stored record of a changed or created id, even if deleted (a tombstone).
    pub fn override_of(&self, id: u64) -> Option<&Map<String, Value>> {
        self.overrides.get(&id)
    }

    /// Highest id ever allocated.
    pub fn max_id(&self) -> u64 {
        self.next_id - 1
    }

    /// Number of live records.
    pub fn count(&self) -> u64 {
        let top = self.top_seed();
        let created = self.next_id - 1 - top;
        let created_live = created - self.deleted.range(top + 1..).count() as u64;
        let seed_live = self.seed_count - self.deleted.range(..=top).count() as u64;
        seed_live + created_live
    }

    /// Allocates the next id.
    pub fn alloc_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Stores `record` as the new state of `id` and logs the change.
    pub fn put(&mut self, id: u64, record: Map<String, Value>) {
        self.overrides.insert(id, record);
        self.log_change(id);
    }

    /// Deletes `id`, keeping `tombstone` for incremental exports.
    pub fn delete(&mut self, id: u64, tombstone: Map<String, Value>) {
        self.overrides.insert(id, tombstone);
        self.deleted.insert(id);
        self.log_change(id);
    }

    fn log_change(&mut self, id: u64) {
        self.changes.push((id, now_epoch()));
        self.last_change.insert(id, self.changes.len() - 1);
    }

    /// Up to `n` live ids after `after` (ascending), and whether more exist.
    pub fn ids_after(&self, after: u64, n: usize) -> (Vec<u64>, bool) {
        let mut out = Vec::with_capacity(n.min(1000));
        let mut id = after.max(self.base);
        while id < self.max_id() {
            id += 1;
            if self.exists(id) {
                if out.len() == n {
                    return (out, true);
                }
                out.push(id);
            }
        }
        (out, false)
    }

    /// Up to `n` live ids before `before` (returned ascending), and whether more exist.
    pub fn ids_before(&self, before: u64, n: usize) -> (Vec<u64>, bool) {
        let mut out = Vec::with_capacity(n.min(1000));
        let mut id = before.min(self.max_id() + 1);
        let mut more = false;
        while id > self.base + 1 {
            id -= 1;
            if self.exists(id) {
                if out.len() == n {
                    more = true;
                    break;
                }
                out.push(id);
            }
        }
        out.reverse();
        (out, more)
    }

    /// The `n`-th live id (0-based) in ascending order, if any.
    pub fn nth_id(&self, n: u64) -> Option<u64> {
        if self.deleted.is_empty() {
            let id = self.base + n + 1;
            return (id <= self.max_id()).then_some(id);
        }
        // Deleted ids are few: skip over them.
        let mut id = self.base + n + 1;
        for d in &self.deleted {
            if *d <= id {
                id += 1;
            } else {
                break;
            }
        }
        while id <= self.max_id() && !self.exists(id) {
            id += 1;
        }
        (id <= self.max_id()).then_some(id)
    }

    /// Where the change stream starts for `start_time`.
    pub fn stream_start(&self, start_time: i64) -> StreamPos {
        if self.seed_count > 0 && self.seed_updated(self.top_seed()) >= start_time {
            // First seeded id with updated_at >= start_time (monotonic in id).
            let (mut lo, mut hi) = (self.base + 1, self.top_seed());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.seed_updated(mid) >= start_time {
                    hi = mid
                } else {
                    lo = mid + 1
                }
            }
            return StreamPos::Seed(lo);
        }
        StreamPos::Change(self.changes.partition_point(|(_, t)| *t < start_time))
    }

    /// Up to `n` records (including deleted tombstones) from `pos`, with their updated time,
    /// the position after them and whether the stream is exhausted.
    pub fn stream(&self, mut pos: StreamPos, n: usize) -> (Vec<Stamped>, StreamPos, bool) {
        let mut out = Vec::with_capacity(n.min(1000));
        loop {
            match pos {
                StreamPos::Seed(id) if id > self.top_seed() => pos = StreamPos::Change(0),
                StreamPos::Seed(id) => {
                    if out.len() == n {
                        return (out, pos, false);
                    }
                    if !self.last_change.contains_key(&id) {
                        out.push((self.seed_record(id), self.seed_updated(id)));
                    }
                    pos = StreamPos::Seed(id + 1);
                }
                StreamPos::Change(i) if i >= self.changes.len() => return (out, pos, true),
                StreamPos::Change(i) => {
                    let (id, t) = self.changes[i];
                    if self.last_change.get(&id) == Some(&i) {
                        if out.len() == n {
                            return (out, pos, false);
                        }
                        if let Some(r) = self.overrides.get(&id) {
                            out.push((r.clone(), t));
                        }
                    }
                    pos = StreamPos::Change(i + 1);
                }
            }
        }
    }
}

/// One page of a time-based export: the items, the `end_time` for the next page and whether
/// the stream is exhausted.
pub struct TimePage {
    /// Records with their `updated_at` epoch seconds.
    pub items: Vec<Stamped>,
    /// One second past the last item's timestamp (`start_time` when the page is empty).
    pub end_time: i64,
    /// Nothing is left after this page.
    pub end_of_stream: bool,
}

impl Collection {
    /// A time-based export page from `start_time`: `n` items, plus every further item that
    /// shares the last item's timestamp (Zendesk never splits such a group, so a page may
    /// exceed `n`). `end_time` is one second past that timestamp, so consecutive pages never
    /// overlap and always advance.
    pub fn time_page(&self, start_time: i64, n: usize) -> TimePage {
        let (mut items, mut pos, mut end) = self.stream(self.stream_start(start_time), n.max(1));
        if let Some(last) = items.last().map(|(_, t)| *t) {
            while !end {
                let (next, after, done) = self.stream(pos, 1);
                match next.into_iter().next() {
                    Some(item) if item.1 == last => {
                        items.push(item);
                        pos = after;
                        end = done;
                    }
                    Some(_) => break,
                    None => end = true,
                }
            }
        }
        let end_time = items.last().map_or(start_time, |(_, t)| t + 1);
        TimePage {
            items,
            end_time,
            end_of_stream: end,
        }
    }
}

/// All resources of the emulated account.
#[derive(Debug, Clone)]
pub struct Store {
    /// Tickets.
    pub tickets: Collection,
    /// Users.
    pub users: Collection,
    /// Organizations.
    pub organizations: Collection,
    /// Groups.
    pub groups: Collection,
    /// Organization memberships.
    pub org_memberships: Collection,
    /// Group memberships.
    pub group_memberships: Collection,
    /// Audits added through the API, by ticket id (seeded audits are derived).
    pub audits: HashMap<u64, Vec<Map<String, Value>>>,
    /// Tickets that were created through the API (their audits are all in `audits`).
    pub created_tickets: BTreeSet<u64>,
    /// Identities of users whose identities were changed through the API.
    pub identities: HashMap<u64, Vec<Map<String, Value>>>,
}

impl Store {
    /// Builds the seed described by `cfg` (seed counts and config users).
    pub fn new(cfg: &Config) -> Store {
        let nusers = cfg.users.unwrap_or(crate::config::DEFAULT_USERS).max(1);
        let ntickets = cfg.tickets.unwrap_or(crate::config::DEFAULT_TICKETS);
        let mut users = Collection::new(Kind::Users, 0, nusers, nusers);
        for u in &cfg.users_list {
            let id = users.alloc_id();
            let role = u.role.as_deref().unwrap_or("end-user");
            let t = seed::user_updated(id);
            let mut rec = seed::new_user(id, &u.name, &u.email, role, t, t, id);
            // Not part of the seeded memberships: no organization, no group.
            rec.insert("organization_id".into(), Value::Null);
            rec.insert("default_group_id".into(), Value::Null);
            // Config users are part of the seed, stamped like seeded users so incremental
            // exports (which page in time order) include them.
            users.overrides.insert(id, rec);
            users.changes.push((id, t));
            users.last_change.insert(id, users.changes.len() - 1);
        }
        Store {
            tickets: Collection::new(Kind::Tickets, 0, ntickets, nusers),
            users,
            organizations: Collection::new(
                Kind::Organizations,
                account::FIRST_ORG - 1,
                account::ORG_COUNT,
                nusers,
            ),
            groups: Collection::new(
                Kind::Groups,
                account::FIRST_GROUP - 1,
                account::GROUP_COUNT,
                nusers,
            ),
            org_memberships: Collection::new(Kind::OrgMemberships, 0, nusers, nusers),
            group_memberships: Collection::new(
                Kind::GroupMemberships,
                0,
                account::agent_count(nusers),
                nusers,
            ),
            audits: HashMap::new(),
            created_tickets: BTreeSet::new(),
            identities: HashMap::new(),
        }
    }

    /// The collection of `kind`.
    pub fn of(&self, kind: Kind) -> &Collection {
        match kind {
            Kind::Tickets => &self.tickets,
            Kind::Users => &self.users,
            Kind::Organizations => &self.organizations,
            Kind::Groups => &self.groups,
            Kind::OrgMemberships => &self.org_memberships,
            Kind::GroupMemberships => &self.group_memberships,
        }
    }

    /// The live user with this email, if any.
    pub fn user_by_email(&self, email: &str) -> Option<Map<String, Value>> {
        if let Some(id) = seed::user_id_for_email(email) {
            if !self.users.is_overridden(id) {
                if let Some(u) = self.users.get(id) {
                    return Some(u);
                }
            }
        }
        self.users
            .overrides
            .iter()
            .filter(|(id, _)| !self.users.deleted.contains(id))
            .find(|(_, u)| {
                u.get("email")
                    .and_then(Value::as_str)
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .map(|(_, u)| u.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(tickets: u64) -> Store {
        Store::new(&Config {
            tickets: Some(tickets),
            users: Some(5),
            ..Config::default()
        })
    }

    #[test]
    fn offsets_and_counts_skip_deleted_records() {
        let mut s = store(10);
        let t = &mut s.tickets;
        for id in [2, 3, 7] {
            let rec = t.get(id).unwrap();
            t.delete(id, rec);
        }
        let id = t.alloc_id();
        t.put(id, Map::new());
        assert_eq!(t.count(), 8);
        let live: Vec<u64> = (0..8).filter_map(|n| t.nth_id(n)).collect();
        assert_eq!(live, [1, 4, 5, 6, 8, 9, 10, 11]);
        assert_eq!(t.nth_id(8), None);
        assert_eq!(t.ids_after(1, 3), (vec![4, 5, 6], true));
        assert_eq!(t.ids_after(9, 5), (vec![10, 11], false));
        assert_eq!(t.ids_before(5, 5), (vec![1, 4], false));
        assert_eq!(t.ids_before(10, 2), (vec![8, 9], true));
    }

    #[test]
    fn the_change_stream_puts_changed_records_last() {
        let mut s = store(8);
        let t = &mut s.tickets;
        let rec = t.get(3).unwrap();
        t.put(3, rec);
        let (items, pos, end) = t.stream(t.stream_start(0), 5);
        let ids: Vec<u64> = items
            .iter()
            .map(|(r, _)| r["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, [1, 2, 4, 5, 6]);
        assert!(!end);
        let (items, pos, end) = t.stream(pos, 5);
        let ids: Vec<u64> = items
            .iter()
            .map(|(r, _)| r["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, [7, 8, 3]);
        assert!(end);
        assert_eq!(StreamPos::decode(&pos.encode()), Some(pos));
        // Starting after every seeded timestamp lands in the change log.
        assert_eq!(
            t.stream_start(seed::ticket_updated(8) + 1),
            StreamPos::Change(0)
        );
    }
}
