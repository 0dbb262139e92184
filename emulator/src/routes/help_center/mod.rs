//! Help Center: categories, sections and articles under `/api/v2/help_center/`, with or
//! without a locale segment (`/api/v2/help_center/en-us/articles`), listed with Help
//! Center's own pagination ([`paging`]), shown by id, searched, and (for agents) created,
//! updated and deleted ([`write`]).
//!
//! End users may read what they can see: published articles that are not restricted to
//! agents. Drafts and agents-only articles answer 404 to them, as on Zendesk.

mod paging;
mod translations;
mod write;

use super::records::Family;
use crate::app::{App, Req, read};
use crate::auth::Identity;
use crate::http::Resp;
use crate::seed_help_center::{AGENTS_SEGMENT, LOCALE, html_path};
use crate::store::Store;
use hyper::Method;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// Help Center categories.
pub const CATEGORIES: Family = Family {
    key: "categories",
    one: "category",
    pick: |s| &s.categories,
    pick_mut: |s| &mut s.categories,
};

/// Help Center sections.
pub const SECTIONS: Family = Family {
    key: "sections",
    one: "section",
    pick: |s| &s.sections,
    pick_mut: |s| &mut s.sections,
};

/// Help Center articles.
pub const ARTICLES: Family = Family {
    key: "articles",
    one: "article",
    pick: |s| &s.articles,
    pick_mut: |s| &mut s.articles,
};

const RESOURCES: [&str; 3] = ["categories", "sections", "articles"];

/// Answers `segs` (the path after `/api/v2/help_center/`).
pub fn route(app: &App, req: &Req, segs: &[&str], who: &Identity) -> Resp {
    if let (&Method::GET, ["incremental", "articles"]) = (&req.method, segs) {
        return incremental_articles(app, req, who);
    }
    let (locale, rest) = match segs {
        [first, rest @ ..] if !RESOURCES.contains(first) => (Some(*first), rest),
        _ => (None, segs),
    };
    if locale.is_some_and(|l| !l.eq_ignore_ascii_case(LOCALE)) {
        return Resp::not_found();
    }
    let id = |s: &str| s.parse::<u64>().ok();
    let ok = |s: &&str| id(s).is_some();
    let n = |s: &str| id(s).unwrap_or(0);
    let writer = who.role != "end-user";
    match (&req.method, rest) {
        (&Method::GET, ["categories"]) => list(app, req, who, &CATEGORIES, |_, _| true),
        (&Method::GET, ["sections"]) => list(app, req, who, &SECTIONS, |_, _| true),
        (&Method::GET, ["articles"]) => list(app, req, who, &ARTICLES, |_, _| true),
        (&Method::GET, ["articles", "search"]) => search(app, req, who),
        (&Method::GET, [kind, x]) if ok(x) => match family(kind) {
            Some(f) => show(app, req, who, f, n(x)),
            None => Resp::invalid_endpoint(),
        },
        (&Method::GET, [kind, x, "translations"]) if ok(x) => match family(kind) {
            Some(f) => translations::list(app, req, who, f, n(x)),
            None => Resp::invalid_endpoint(),
        },
        (&Method::GET, [kind, x, "translations", l]) if ok(x) => match family(kind) {
            Some(f) => translations::show(app, req, who, f, n(x), l),
            None => Resp::invalid_endpoint(),
        },
        (&Method::GET, ["categories", c, "sections"]) if ok(c) => {
            children(app, req, who, &CATEGORIES, n(c), &SECTIONS, |_, r| {
                parent_id(r, "category_id") == n(c)
            })
        }
        (&Method::GET, ["categories", c, "articles"]) if ok(c) => {
            children(app, req, who, &CATEGORIES, n(c), &ARTICLES, |s, r| {
                category_of_article(s, r) == Some(n(c))
            })
        }
        (&Method::GET, ["sections", x, "articles"]) if ok(x) => {
            children(app, req, who, &SECTIONS, n(x), &ARTICLES, |_, r| {
                parent_id(r, "section_id") == n(x)
            })
        }
        (m, _) if m != Method::GET && !writer => super::forbidden_page(),
        (&Method::POST, ["categories"]) => write::create(app, req, who, &CATEGORIES, None),
        (&Method::POST, ["categories", c, "sections"]) if ok(c) => {
            write::create(app, req, who, &SECTIONS, Some(n(c)))
        }
        (&Method::POST, ["sections", x, "articles"]) if ok(x) => {
            write::create(app, req, who, &ARTICLES, Some(n(x)))
        }
        (&Method::PUT, [kind, x, "translations", l]) if ok(x) => match family(kind) {
            Some(f) => translations::update(app, req, f, n(x), l),
            None => Resp::invalid_endpoint(),
        },
        (&Method::PUT, [kind, x]) if ok(x) => match family(kind) {
            Some(f) => write::update(app, req, f, n(x)),
            None => Resp::invalid_endpoint(),
        },
        (&Method::DELETE, [kind, x]) if ok(x) => match family(kind) {
            Some(f) => write::delete(app, f, n(x)),
            None => Resp::invalid_endpoint(),
        },
        _ => Resp::invalid_endpoint(),
    }
}

fn family(segment: &str) -> Option<&'static Family> {
    match segment {
        "categories" => Some(&CATEGORIES),
        "sections" => Some(&SECTIONS),
        "articles" => Some(&ARTICLES),
        _ => None,
    }
}

fn parent_id(rec: &Map<String, Value>, key: &str) -> u64 {
    rec.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// The category of an article (through its section).
fn category_of_article(store: &Store, article: &Map<String, Value>) -> Option<u64> {
    let section = store.sections.get(parent_id(article, "section_id"))?;
    Some(parent_id(&section, "category_id"))
}

/// Whether `who` may see `rec`: end users see neither drafts nor agents-only articles.
fn visible(who: &Identity, rec: &Map<String, Value>) -> bool {
    who.role != "end-user"
        || (rec.get("draft") != Some(&Value::Bool(true))
            && rec.get("user_segment_id").and_then(Value::as_u64) != Some(AGENTS_SEGMENT))
}

/// Record `id` of `f` with its `url` (API) and `html_url` (web page).
pub fn render(store: &Store, f: &Family, id: u64, base: &str) -> Option<Value> {
    let rec = (f.pick)(store).get(id)?;
    Some(decorate(rec, f.key, base))
}

/// A stored record with its `url` and `html_url`.
fn decorate(mut rec: Map<String, Value>, key: &str, base: &str) -> Value {
    let id = parent_id(&rec, "id");
    let name = rec
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    rec.insert(
        "url".into(),
        json!(format!(
            "{base}/api/v2/help_center/{LOCALE}/{key}/{id}.json"
        )),
    );
    rec.insert(
        "html_url".into(),
        json!(format!("{base}{}", html_path(key, id, &name))),
    );
    Value::Object(rec)
}

/// Every live record of `f` that `who` may see and `keep` accepts, in id order.
fn records(
    store: &Store,
    req: &Req,
    who: &Identity,
    f: &Family,
    keep: impl Fn(&Store, &Map<String, Value>) -> bool,
) -> Vec<Value> {
    let coll = (f.pick)(store);
    let (ids, _) = coll.ids_after(0, usize::MAX);
    ids.into_iter()
        .filter_map(|id| coll.get(id))
        .filter(|r| visible(who, r) && keep(store, r))
        .map(|r| decorate(r, f.key, &req.base))
        .collect()
}

/// `include=users,sections,categories` on article lists: the authors, the sections and
/// their categories.
fn sideload(store: &Store, req: &Req, items: &[Value], out: &mut Map<String, Value>) {
    let Some(include) = req.q("include") else {
        return;
    };
    let ids = |items: &[Value], key: &str| -> BTreeSet<u64> {
        items
            .iter()
            .filter_map(|i| i.get(key).and_then(Value::as_u64))
            .collect()
    };
    let sections: Vec<Value> = ids(items, "section_id")
        .into_iter()
        .filter_map(|id| render(store, &SECTIONS, id, &req.base))
        .collect();
    for what in include.split(',').map(str::trim) {
        let v: Vec<Value> = match what {
            "users" => ids(items, "author_id")
                .into_iter()
                .filter_map(|id| store.users.get(id))
                .map(|u| super::with_url(u, &req.base, "users"))
                .collect(),
            "sections" => sections.clone(),
            "categories" => {
                let mut from = sections.clone();
                from.extend(items.iter().cloned());
                ids(&from, "category_id")
                    .into_iter()
                    .filter_map(|id| render(store, &CATEGORIES, id, &req.base))
                    .collect()
            }
            _ => continue,
        };
        out.insert(what.to_owned(), Value::Array(v));
    }
}

fn list(
    app: &App,
    req: &Req,
    who: &Identity,
    f: &Family,
    keep: impl Fn(&Store, &Map<String, Value>) -> bool,
) -> Resp {
    let store = read(&app.store);
    let items = records(&store, req, who, f, keep);
    paging::page(req, f.key, items, |page, out| {
        sideload(&store, req, page, out)
    })
}

/// Children of record `parent` of `pf` (404 when the parent does not exist).
fn children(
    app: &App,
    req: &Req,
    who: &Identity,
    pf: &Family,
    parent: u64,
    f: &Family,
    keep: impl Fn(&Store, &Map<String, Value>) -> bool,
) -> Resp {
    if !(pf.pick)(&read(&app.store)).exists(parent) {
        return Resp::not_found();
    }
    list(app, req, who, f, keep)
}

fn show(app: &App, req: &Req, who: &Identity, f: &Family, id: u64) -> Resp {
    let store = read(&app.store);
    match (f.pick)(&store).get(id).filter(|r| visible(who, r)) {
        Some(rec) => {
            let mut out = Map::new();
            let v = decorate(rec, f.key, &req.base);
            sideload(&store, req, std::slice::from_ref(&v), &mut out);
            out.insert(f.one.into(), v);
            Resp::json(200, &Value::Object(out))
        }
        None => Resp::not_found(),
    }
}

/// The text of an article body without its HTML tags.
fn plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `GET /api/v2/help_center/articles/search?query=…` (also `label_names`, `section`,
/// `category`): visible articles whose title or body holds every word of `query`, as
/// `results` with `result_type` and a `snippet`, in offset pages of 25.
fn search(app: &App, req: &Req, who: &Identity) -> Resp {
    let text = |k: &str| req.q(k).map(str::trim).filter(|s| !s.is_empty());
    let (query, labels, section, category) = (
        text("query"),
        text("label_names"),
        text("section"),
        text("category"),
    );
    if query.is_none() && labels.is_none() && section.is_none() && category.is_none() {
        return Resp::error(
            400,
            "MissingParameter",
            "Provide query, label_names, section or category",
        );
    }
    let words: Vec<String> = query
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let labels: Vec<&str> = labels.map_or(Vec::new(), |l| l.split(',').map(str::trim).collect());
    let number = |s: Option<&str>| s.map(|s| s.parse::<u64>().unwrap_or(0));
    let (section, category) = (number(section), number(category));
    let store = read(&app.store);
    let items = records(&store, req, who, &ARTICLES, |s, a| {
        let title = a.get("title").and_then(Value::as_str).unwrap_or("");
        let body = plain(a.get("body").and_then(Value::as_str).unwrap_or(""));
        let hay = format!("{title} {body}").to_lowercase();
        let has_label = |l: &&str| {
            a.get("label_names")
                .and_then(Value::as_array)
                .is_some_and(|names| names.iter().any(|n| n.as_str() == Some(l)))
        };
        words.iter().all(|w| hay.contains(w.as_str()))
            && (labels.is_empty() || labels.iter().any(has_label))
            && section.is_none_or(|x| parent_id(a, "section_id") == x)
            && category.is_none_or(|c| category_of_article(s, a) == Some(c))
    });
    let results: Vec<Value> = items
        .into_iter()
        .map(|mut a| {
            let snippet: String = plain(a["body"].as_str().unwrap_or(""))
                .chars()
                .take(120)
                .collect();
            a["result_type"] = json!("article");
            a["snippet"] = json!(snippet);
            a
        })
        .collect();
    let mut body = paging::offset(req, "results", results, 25);
    body.remove("sort_by");
    body.remove("sort_order");
    body.insert("facets".into(), Value::Null);
    Resp::json(200, &Value::Object(body))
}

/// `GET /api/v2/help_center/incremental/articles?start_time=…`: articles changed since
/// `start_time` (archived ones with `deleted_at`), time-based like the Support exports: a
/// group of articles sharing one timestamp is never split, `end_time` is one second past
/// the last one, and `next_page` is null once nothing follows (`end_of_stream`).
fn incremental_articles(app: &App, req: &Req, who: &Identity) -> Resp {
    use crate::routes::incremental::{per_page, start_time};
    let start = match start_time(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let store = read(&app.store);
    let page = store.articles.time_page(start, per_page(req));
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|(r, _)| r)
        .filter(|r| visible(who, r))
        .map(|r| decorate(r, "articles", &req.base))
        .collect();
    let mut params = vec![("start_time", page.end_time.to_string())];
    if let Some(p) = req.q("per_page") {
        params.push(("per_page", p.to_owned()));
    }
    let next = (!page.end_of_stream)
        .then(|| req.url("/api/v2/help_center/incremental/articles.json", &params));
    let count = items.len();
    Resp::json(
        200,
        &json!({"articles": items, "next_page": next, "count": count,
            "end_time": page.end_time, "end_of_stream": page.end_of_stream}),
    )
}
