//! Translations: where Help Center keeps a record's words. The account has one locale, so
//! each category, section and article has one translation, whose `title` and `body` are the
//! record's name (or title) and description (or body), and, for articles, its `draft`
//! state. `GET {kind}/{id}/translations`, `GET`/`PUT {kind}/{id}/translations/{locale}`.

use super::paging;
use crate::app::{App, Req, read, write};
use crate::auth::Identity;
use crate::http::Resp;
use crate::routes::records::Family;
use crate::seed_help_center::LOCALE;
use crate::util::{iso8601, now_epoch};
use serde_json::{Map, Value, json};

/// Translation ids are the record's id plus this (they are distinct records on Zendesk).
const TRANSLATION_ID_OFFSET: u64 = 10_000_000_000;

/// The record keys a translation's `title` and `body` stand for.
fn keys(f: &Family) -> (&'static str, &'static str) {
    if f.key == "articles" {
        ("title", "body")
    } else {
        ("name", "description")
    }
}

fn translation(f: &Family, rec: &Map<String, Value>, base: &str) -> Value {
    let id = rec.get("id").and_then(Value::as_u64).unwrap_or(0);
    let (title, body) = keys(f);
    let source_type = match f.key {
        "articles" => "Article",
        "sections" => "Section",
        _ => "Category",
    };
    let author = rec.get("author_id").cloned().unwrap_or(json!(1));
    let html = super::decorate(rec.clone(), f.key, base);
    json!({
        "id": id + TRANSLATION_ID_OFFSET,
        "url": format!("{base}/api/v2/help_center/{}/{id}/translations/{LOCALE}.json", f.key),
        "html_url": html["html_url"], "source_id": id, "source_type": source_type,
        "locale": LOCALE, "title": rec.get(title), "body": rec.get(body),
        "outdated": false, "draft": rec.get("draft").cloned().unwrap_or(json!(false)),
        "hidden": false, "created_at": rec.get("created_at"), "updated_at": rec.get("updated_at"),
        "created_by_id": author, "updated_by_id": author
    })
}

/// `GET {kind}/{id}/translations`: the one translation, in Help Center's list shape.
pub fn list(app: &App, req: &Req, who: &Identity, f: &Family, id: u64) -> Resp {
    let store = read(&app.store);
    match (f.pick)(&store).get(id).filter(|r| super::visible(who, r)) {
        Some(rec) => paging::page(
            req,
            "translations",
            vec![translation(f, &rec, &req.base)],
            |_, _| {},
        ),
        None => Resp::not_found(),
    }
}

/// `GET {kind}/{id}/translations/{locale}` (404 for what `who` may not see).
pub fn show(app: &App, req: &Req, who: &Identity, f: &Family, id: u64, locale: &str) -> Resp {
    let store = read(&app.store);
    match (f.pick)(&store).get(id).filter(|r| super::visible(who, r)) {
        Some(rec) if locale.eq_ignore_ascii_case(LOCALE) => Resp::json(
            200,
            &json!({"translation": translation(f, &rec, &req.base)}),
        ),
        _ => Resp::not_found(),
    }
}

/// `PUT {kind}/{id}/translations/{locale}` `{"translation": {"title", "body", "draft"}}`:
/// changes the record's words (an article's `edited_at` moves with its title or body).
pub fn update(app: &App, req: &Req, f: &Family, id: u64, locale: &str) -> Resp {
    let input = match req.json().map(|mut b| b.remove("translation")) {
        Ok(Some(Value::Object(m))) => m,
        Ok(_) => {
            return Resp::error(
                400,
                "InvalidValue",
                "The request body must contain a \"translation\" object",
            );
        }
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    if !locale.eq_ignore_ascii_case(LOCALE) || !(f.pick)(&store).exists(id) {
        return Resp::not_found();
    }
    let (title_key, body_key) = keys(f);
    let mut change = Map::new();
    for (from, to) in [("title", title_key), ("body", body_key)] {
        match input.get(from) {
            None => {}
            Some(Value::String(s)) if from == "body" || !s.trim().is_empty() => {
                change.insert(to.to_owned(), json!(s));
            }
            Some(Value::String(_)) => {
                return Resp::invalid("title", "BlankValue", "Title: cannot be blank");
            }
            Some(_) => {
                return Resp::invalid(from, "InvalidValue", &format!("{from}: is invalid"));
            }
        }
    }
    if f.key == "articles" {
        match input.get("draft") {
            None => {}
            Some(Value::Bool(d)) => {
                change.insert("draft".into(), json!(d));
            }
            Some(_) => return Resp::invalid("draft", "InvalidValue", "Draft: is invalid"),
        }
        if let Some(t) = change.get("title").cloned() {
            change.insert("name".into(), t);
        }
        if change.contains_key("title") || change.contains_key("body") {
            change.insert("edited_at".into(), json!(iso8601(now_epoch())));
        }
    }
    match f.change(&mut store, id, &change) {
        Some(Value::Object(rec)) => Resp::json(
            200,
            &json!({"translation": translation(f, &rec, &req.base)}),
        ),
        _ => Resp::not_found(),
    }
}
