//! Creating, updating and deleting Help Center records (agents and admins only):
//! `POST categories`, `POST categories/{id}/sections`, `POST sections/{id}/articles`,
//! `PUT {kind}/{id}` and `DELETE {kind}/{id}` (a category takes its sections and their
//! articles with it, a section its articles; a deleted article is archived).
//!
//! Only the fields Zendesk lets a client write are taken (others are ignored, as Zendesk
//! does); a field of the wrong type, a blank name or title, and a reference to a record
//! that does not exist answer 422.

use super::{ARTICLES, SECTIONS, parent_id, render};
use crate::app::{App, Req, write as write_lock};
use crate::auth::Identity;
use crate::http::Resp;
use crate::routes::records::Family;
use crate::seed_help_center::{LOCALE, PERMISSION_GROUP};
use crate::store::Store;
use serde_json::{Map, Value, json};

/// What a writable field must hold.
#[derive(Clone, Copy)]
enum Ty {
    Text,
    Flag,
    Id,
    OptionalId,
    Strings,
    Ids,
}

const CATEGORY_FIELDS: [(&str, Ty); 3] = [
    ("name", Ty::Text),
    ("description", Ty::Text),
    ("position", Ty::Id),
];
const SECTION_FIELDS: [(&str, Ty); 5] = [
    ("name", Ty::Text),
    ("description", Ty::Text),
    ("position", Ty::Id),
    ("sorting", Ty::Text),
    ("category_id", Ty::Id),
];
const ARTICLE_FIELDS: [(&str, Ty); 12] = [
    ("title", Ty::Text),
    ("body", Ty::Text),
    ("draft", Ty::Flag),
    ("promoted", Ty::Flag),
    ("comments_disabled", Ty::Flag),
    ("position", Ty::Id),
    ("author_id", Ty::Id),
    ("section_id", Ty::Id),
    ("permission_group_id", Ty::Id),
    ("user_segment_id", Ty::OptionalId),
    ("label_names", Ty::Strings),
    ("content_tag_ids", Ty::Ids),
];

fn fields_of(f: &Family) -> &'static [(&'static str, Ty)] {
    match f.key {
        "categories" => &CATEGORY_FIELDS,
        "sections" => &SECTION_FIELDS,
        _ => &ARTICLE_FIELDS,
    }
}

/// The field a record of `f` is named by (`title` for articles).
fn name_field(f: &Family) -> &'static str {
    if f.key == "articles" { "title" } else { "name" }
}

fn label(field: &str) -> String {
    let mut s = field.replace('_', " ");
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

fn fits(ty: Ty, v: &Value) -> bool {
    match ty {
        Ty::Text => v.is_string(),
        Ty::Flag => v.is_boolean(),
        Ty::Id => v.is_u64(),
        Ty::OptionalId => v.is_u64() || v.is_null(),
        Ty::Strings => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
        Ty::Ids => v.as_array().is_some_and(|a| a.iter().all(Value::is_u64)),
    }
}

/// The writable fields of `input`, type-checked, with their references checked.
fn clean(
    store: &Store,
    f: &Family,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, Resp> {
    let mut out = Map::new();
    for (field, ty) in fields_of(f) {
        let Some(v) = input.get(*field) else { continue };
        if !fits(*ty, v) {
            return Err(Resp::invalid(
                field,
                "InvalidValue",
                &format!("{}: is invalid", label(field)),
            ));
        }
        let missing = match *field {
            "author_id" => !store.users.exists(v.as_u64().unwrap_or(0)),
            "section_id" => !store.sections.exists(v.as_u64().unwrap_or(0)),
            "category_id" => !store.categories.exists(v.as_u64().unwrap_or(0)),
            _ => false,
        };
        if missing {
            return Err(Resp::invalid(
                field,
                "InvalidValue",
                &format!("{}: does not exist", label(field)),
            ));
        }
        out.insert((*field).to_owned(), v.clone());
    }
    let name = name_field(f);
    if let Some(v) = out.get(name) {
        if v.as_str().is_none_or(|s| s.trim().is_empty()) {
            return Err(Resp::invalid(
                name,
                "BlankValue",
                &format!("{}: cannot be blank", label(name)),
            ));
        }
        if name == "title" {
            out.insert("name".into(), v.clone());
        }
    }
    Ok(out)
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A new record of `f` before the caller's fields: Zendesk's defaults.
fn template(f: &Family, parent: Option<u64>, who: &Identity) -> Map<String, Value> {
    let common = json!({"position": 0, "locale": LOCALE, "source_locale": LOCALE,
        "outdated": false});
    let mut rec = object(common);
    let specific = match f.key {
        "categories" => json!({"name": "", "description": ""}),
        "sections" => json!({"name": "", "description": "", "sorting": "manual",
            "category_id": parent, "parent_section_id": null, "theme_template": "section_page"}),
        _ => json!({"author_id": who.user_id, "comments_disabled": false, "draft": false,
            "promoted": false, "vote_sum": 0, "vote_count": 0, "section_id": parent,
            "name": "", "title": "", "outdated_locales": [],
            "permission_group_id": PERMISSION_GROUP, "user_segment_id": null,
            "label_names": [], "content_tag_ids": [], "body": ""}),
    };
    rec.extend(object(specific));
    rec
}

fn payload(store: &Store, req: &Req, f: &Family) -> Result<Map<String, Value>, Resp> {
    clean(store, f, &f.payload(req)?)
}

/// `POST`: a new record of `f` under `parent` (the category of a section, the section of
/// an article); 201 with the record.
pub fn create(app: &App, req: &Req, who: &Identity, f: &Family, parent: Option<u64>) -> Resp {
    let mut store = write_lock(&app.store);
    let parent_missing = match f.key {
        "sections" => !store.categories.exists(parent.unwrap_or(0)),
        "articles" => !store.sections.exists(parent.unwrap_or(0)),
        _ => false,
    };
    if parent_missing {
        return Resp::not_found();
    }
    let mut input = match payload(&store, req, f) {
        Ok(i) => i,
        Err(r) => return r,
    };
    // The parent is the one in the path.
    input.remove("section_id");
    input.remove("category_id");
    let name = name_field(f);
    if !input.contains_key(name) {
        return Resp::invalid(
            name,
            "BlankValue",
            &format!("{}: cannot be blank", label(name)),
        );
    }
    let id = f.insert(&mut store, template(f, parent, who), &input);
    if f.key == "articles" {
        if let Some(mut rec) = store.articles.get(id) {
            rec.insert("edited_at".into(), rec["created_at"].clone());
            store.articles.put(id, rec);
        }
    }
    match render(&store, f, id, &req.base) {
        Some(v) => Resp::json(201, &json!({f.one: v})),
        None => Resp::not_found(),
    }
}

/// Fields that belong to a record's translation: Zendesk's `PUT {kind}/{id}` leaves them
/// alone (they change through `{kind}/{id}/translations/{locale}`).
pub const TRANSLATED: [&str; 6] = ["title", "name", "body", "description", "draft", "locale"];

/// `PUT {kind}/{id}`: 200 with the changed record. Only metadata changes here (section,
/// position, promotion, labels, segments…): the title, name, body, description and draft
/// state are the translation's and are ignored, as on Zendesk.
pub fn update(app: &App, req: &Req, f: &Family, id: u64) -> Resp {
    let mut store = write_lock(&app.store);
    if !(f.pick)(&store).exists(id) {
        return Resp::not_found();
    }
    let input = f.payload(req).and_then(|mut raw| {
        raw.retain(|k, _| !TRANSLATED.contains(&k.as_str()));
        clean(&store, f, &raw)
    });
    let input = match input {
        Ok(i) => i,
        Err(r) => return r,
    };
    f.change(&mut store, id, &input);
    match render(&store, f, id, &req.base) {
        Some(v) => Resp::json(200, &json!({f.one: v})),
        None => Resp::not_found(),
    }
}

/// The live ids of `child` whose `key` is `parent`.
fn children_of(store: &Store, child: &Family, key: &str, parent: u64) -> Vec<u64> {
    let coll = (child.pick)(store);
    coll.ids_after(0, usize::MAX)
        .0
        .into_iter()
        .filter(|id| coll.get(*id).is_some_and(|r| parent_id(&r, key) == parent))
        .collect()
}

fn remove_tree(store: &mut Store, f: &Family, id: u64) {
    match f.key {
        "categories" => {
            for s in children_of(store, &SECTIONS, "category_id", id) {
                remove_tree(store, &SECTIONS, s);
            }
        }
        "sections" => {
            for a in children_of(store, &ARTICLES, "section_id", id) {
                ARTICLES.remove(store, a);
            }
        }
        _ => {}
    }
    f.remove(store, id);
}

/// `DELETE {kind}/{id}`: 204; a category's sections and a section's articles go with it.
pub fn delete(app: &App, f: &Family, id: u64) -> Resp {
    let mut store = write_lock(&app.store);
    if !(f.pick)(&store).exists(id) {
        return Resp::not_found();
    }
    remove_tree(&mut store, f, id);
    Resp::empty(204)
}
