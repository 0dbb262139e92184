//! The in-memory store: a lazily generated seed plus the changes made through the API.

mod collection;

pub use collection::{Collection, StreamPos};

use crate::config::Config;
use crate::seed;
use crate::seed_account as account;
use crate::seed_help_center as hc;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    /// Help Center categories.
    Categories,
    /// Help Center sections (each in one category).
    Sections,
    /// Help Center articles (each in one section).
    Articles,
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
            Kind::Categories => "categories",
            Kind::Sections => "sections",
            Kind::Articles => "articles",
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
    /// Help Center categories.
    pub categories: Collection,
    /// Help Center sections.
    pub sections: Collection,
    /// Help Center articles.
    pub articles: Collection,
    /// Audits added through the API, by ticket id (seeded audits are derived).
    pub audits: HashMap<u64, Vec<Map<String, Value>>>,
    /// Tickets that were created through the API (their audits are all in `audits`).
    pub created_tickets: BTreeSet<u64>,
    /// Identities of users whose identities were changed through the API.
    pub identities: HashMap<u64, Vec<Map<String, Value>>>,
    /// Configuration records (ticket fields, ticket forms) changed through the API, by
    /// family and id: `Some` for a created or changed record, `None` for a deleted one.
    pub config: HashMap<&'static str, BTreeMap<u64, Option<Value>>>,
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
            categories: Collection::new(
                Kind::Categories,
                hc::FIRST_CATEGORY - 1,
                hc::CATEGORY_COUNT,
                nusers,
            ),
            sections: Collection::new(
                Kind::Sections,
                hc::FIRST_SECTION - 1,
                hc::SECTION_COUNT,
                nusers,
            ),
            articles: Collection::new(
                Kind::Articles,
                hc::FIRST_ARTICLE - 1,
                hc::ARTICLE_COUNT,
                nusers,
            ),
            audits: HashMap::new(),
            created_tickets: BTreeSet::new(),
            identities: HashMap::new(),
            config: HashMap::new(),
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
            Kind::Categories => &self.categories,
            Kind::Sections => &self.sections,
            Kind::Articles => &self.articles,
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
