//! The account-wide audit list (`GET ticket_audits`) newest first, as Zendesk sorts it:
//! by `created_at` descending, ties by id descending.
//!
//! Nothing is materialised: seeded audit `k` of ticket `t` was made at
//! `ticket_created(t) + 1000·k`, so each `k` is a stream whose order is the ticket order,
//! and the audits made through the API (few) are a fourth, sorted stream. A page merges
//! the four from a position: the (time, id) key of the last audit handed out.

use crate::audits;
use crate::seed::{BASE_EPOCH, ticket_created};
use crate::store::Store;
use serde_json::{Map, Value};

/// Where an audit sits in the list: `(created_at epoch, id)`.
pub type Key = (i64, u64);
/// An audit with its key.
pub type Keyed = (Key, Map<String, Value>);

/// Seconds between a seeded ticket's creation and its `k`-th audit.
const AUDIT_STEP: i64 = 1000;
/// Seeded tickets have at most this many audits (see [`audits::seeded_count`]).
const SEEDED_MAX: u64 = 3;
/// Seconds between two seeded tickets' creation.
const TICKET_STEP: i64 = 30;

fn seeded_key(t: u64, k: u64) -> Key {
    (
        ticket_created(t) + AUDIT_STEP * k as i64,
        t * 100_000 + k * 10,
    )
}

/// Whether seeded audit `k` of ticket `t` exists.
fn seeded_live(store: &Store, t: u64, k: u64) -> bool {
    store.tickets.is_seeded(t)
        && store.tickets.exists(t)
        && !store.created_tickets.contains(&t)
        && audits::seeded_count(t) > k
}

/// The audits made through the API, of live tickets, with their keys, ascending.
fn api_audits(store: &Store) -> Vec<Keyed> {
    audits::recorded(store)
        .into_iter()
        .map(|(at, a)| ((at, a.get("id").and_then(Value::as_u64).unwrap_or(0)), a))
        .collect()
}

/// The ticket of seeded stream `k` whose key is the greatest below `bound` (`older`) or
/// the least above it (newer), before skipping audits that do not exist.
fn start_ticket(store: &Store, k: u64, bound: Key, older: bool) -> Option<u64> {
    let top = store.tickets.seed_count;
    if top == 0 {
        return None;
    }
    let offset = bound
        .0
        .saturating_sub(BASE_EPOCH)
        .saturating_sub(AUDIT_STEP * k as i64);
    let guess = offset.div_euclid(TICKET_STEP).clamp(0, top as i64 + 1) as u64;
    let mut t = guess.clamp(1, top);
    if older {
        while t >= 1 && seeded_key(t, k) >= bound {
            t = t.checked_sub(1)?;
        }
        while t < top && seeded_key(t + 1, k) < bound {
            t += 1;
        }
        (t >= 1 && seeded_key(t, k) < bound).then_some(t)
    } else {
        while t <= top && seeded_key(t, k) <= bound {
            t += 1;
        }
        while t > 1 && seeded_key(t - 1, k) > bound {
            t -= 1;
        }
        (t <= top && seeded_key(t, k) > bound).then_some(t)
    }
}

/// The next live ticket of stream `k` from `t` (inclusive) in the walking direction.
fn live_from(store: &Store, mut t: u64, k: u64, older: bool) -> Option<u64> {
    let top = store.tickets.seed_count;
    while (1..=top).contains(&t) {
        if seeded_live(store, t, k) {
            return Some(t);
        }
        t = if older { t - 1 } else { t + 1 };
    }
    None
}

/// Up to `n` audits past `from` in the walking direction — older than it (`older`, the
/// newest first when `from` is `None`) or newer than it — returned newest first, and
/// whether more follow in that direction.
pub fn page(store: &Store, from: Option<Key>, older: bool, n: usize) -> (Vec<Keyed>, bool) {
    let bound = from.unwrap_or(if older {
        (i64::MAX, u64::MAX)
    } else {
        (i64::MIN, 0)
    });
    let api = api_audits(store);
    // The API stream, as an index walking away from `bound`.
    let mut api_at: Option<usize> = if older {
        api.iter().rposition(|(k, _)| *k < bound)
    } else {
        api.iter().position(|(k, _)| *k > bound)
    };
    let mut heads: Vec<Option<u64>> = (0..SEEDED_MAX)
        .map(|k| start_ticket(store, k, bound, older).and_then(|t| live_from(store, t, k, older)))
        .collect();
    let mut out = Vec::with_capacity(n.min(1000));
    loop {
        // The best head: greatest key when walking older, least when newer.
        let mut best: Option<(Key, Option<u64>)> = api_at.map(|i| (api[i].0, None));
        for (k, head) in heads.iter().enumerate() {
            if let Some(t) = head {
                let key = seeded_key(*t, k as u64);
                let better = best.is_none_or(|(b, _)| if older { key > b } else { key < b });
                if better {
                    best = Some((key, Some(k as u64)));
                }
            }
        }
        let Some((key, stream)) = best else {
            break;
        };
        if out.len() == n {
            if !older {
                out.reverse();
            }
            return (out, true);
        }
        match stream {
            None => {
                let i = api_at.unwrap_or(0);
                out.push(api[i].clone());
                api_at = if older {
                    i.checked_sub(1)
                } else {
                    Some(i + 1).filter(|j| *j < api.len())
                };
            }
            Some(k) => {
                let t = key.1 / 100_000;
                let record = audits::seeded(t, store.users.seed_count)
                    .into_iter()
                    .nth(k as usize)
                    .unwrap_or_default();
                out.push((key, record));
                let next = if older { t.checked_sub(1) } else { Some(t + 1) };
                heads[k as usize] = next.and_then(|t| live_from(store, t, k, older));
            }
        }
    }
    if !older {
        out.reverse();
    }
    (out, false)
}

/// The opaque cursor of `key`: `older` for an `after_cursor` (the walk goes on to older
/// audits), else for a `before_cursor`.
pub fn cursor(key: Key, older: bool) -> String {
    let dir = if older { "o" } else { "n" };
    crate::util::encode_cursor(&format!("{dir}:{}:{}", key.0, key.1))
}

/// Reads [`cursor`] output: the key and whether it leads to older audits.
pub fn parse_cursor(text: &str) -> Option<(Key, bool)> {
    let plain = crate::util::decode_cursor(text)?;
    let mut parts = plain.splitn(3, ':');
    let older = match parts.next()? {
        "o" => true,
        "n" => false,
        _ => return None,
    };
    let time = parts.next()?.parse().ok()?;
    let id = parts.next()?.parse().ok()?;
    Some(((time, id), older))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn walk(store: &Store, n: usize) -> Vec<Key> {
        let mut keys = Vec::new();
        let mut from = None;
        for _ in 0..1000 {
            let (items, more) = page(store, from, true, n);
            keys.extend(items.iter().map(|(k, _)| *k));
            from = items.last().map(|(k, _)| *k);
            if !more {
                return keys;
            }
        }
        panic!("the walk did not end");
    }

    #[test]
    fn every_audit_once_newest_first_in_both_directions() {
        let store = Store::new(&Config {
            tickets: Some(90),
            users: Some(10),
            ..Config::default()
        });
        let expected: usize = (1..=90).map(|t| audits::seeded_count(t) as usize).sum();
        for n in [1, 2, 7, 100] {
            let keys = walk(&store, n);
            assert_eq!(keys.len(), expected, "page size {n}");
            assert!(keys.windows(2).all(|w| w[0] > w[1]), "newest first");
        }
        let keys = walk(&store, 1000);
        // Newer than the 20th: the 19 before it, newest first, and nothing newer.
        let (items, more) = page(&store, Some(keys[19]), false, 100);
        let got: Vec<Key> = items.iter().map(|(k, _)| *k).collect();
        assert_eq!(got, keys[..19].to_vec());
        assert!(!more);
        let (items, more) = page(&store, Some(keys[19]), false, 5);
        let got: Vec<Key> = items.iter().map(|(k, _)| *k).collect();
        assert_eq!(got, keys[14..19].to_vec());
        assert!(more);
        assert_eq!(parse_cursor(&cursor(keys[3], true)), Some((keys[3], true)));
        assert_eq!(parse_cursor("bm9wZQ"), None);
    }
}
