//! A collection of one kind of record: a lazily generated seed plus the changes made
//! through the API, with id paging and the change stream of incremental exports.

use super::Kind;
use crate::seed;
use crate::util::now_epoch;
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

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
    pub(super) overrides: HashMap<u64, Map<String, Value>>,
    pub(super) deleted: BTreeSet<u64>,
    next_id: u64,
    pub(super) changes: Vec<(u64, i64)>,
    pub(super) last_change: HashMap<u64, usize>,
}

impl Collection {
    pub(super) fn new(kind: Kind, base: u64, seed_count: u64, users_for_seed: u64) -> Self {
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
            Kind::Categories => crate::seed_help_center::category(id),
            Kind::Sections => crate::seed_help_center::section(id),
            Kind::Articles => crate::seed_help_center::article(id, self.users_for_seed),
        }
    }

    fn seed_updated(&self, id: u64) -> i64 {
        match self.kind {
            Kind::Tickets => seed::ticket_updated(id),
            Kind::Users | Kind::OrgMemberships => seed::user_updated(id),
            Kind::Organizations | Kind::Groups => crate::seed_account::updated(id),
            Kind::GroupMemberships => crate::seed_account::group_membership_updated(id),
            Kind::Categories | Kind::Sections | Kind::Articles => {
                crate::seed_help_center::updated(id)
            }
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
