//! Writing ticket fields, ticket forms, user fields and organization fields (admins
//! only): `POST {family}`, `PUT {family}/{id}`, `DELETE {family}/{id}`.
//!
//! - A ticket field needs a `type` Zendesk knows and a `title`; dropdowns (`tagger`,
//!   `multiselect`) need `custom_field_options`. System fields (`removable: false`) cannot
//!   be deleted. A deleted field leaves every form that listed it.
//! - A ticket form needs a `name`; its `ticket_field_ids` must exist. The default form
//!   cannot be deleted.
//! - A user or organization field needs a known `type`, a `title` and a `key` (lower-case
//!   letters, digits and `_`, unique in its family, fixed once created); `dropdown` and
//!   `multiselect` need options. System fields cannot be deleted.
//!
//! Unknown keys are ignored, as Zendesk does; a wrong type or a missing required value is
//! a 422 with Zendesk's `details`.

use super::fields::{ids, record, singular};
use crate::app::{App, Req, write};
use crate::http::Resp;
use crate::store::Store;
use crate::util::{iso8601, now_epoch};
use hyper::Method;
use serde_json::{Map, Value, json};

/// Ticket field types Zendesk accepts on create.
const FIELD_TYPES: [&str; 11] = [
    "text",
    "textarea",
    "checkbox",
    "date",
    "integer",
    "decimal",
    "regexp",
    "partialcreditcard",
    "multiselect",
    "tagger",
    "lookup",
];
/// User and organization field types Zendesk accepts on create.
const CUSTOM_FIELD_TYPES: [&str; 10] = [
    "text",
    "textarea",
    "checkbox",
    "date",
    "integer",
    "decimal",
    "regexp",
    "dropdown",
    "lookup",
    "multiselect",
];
/// Created ticket fields get ids from here on; created forms from the seeded form on.
const FIRST_NEW_FIELD: u64 = 360_000_100;

/// Every family written here, as a `'static` name.
const FAMILIES: [&str; 4] = [
    "ticket_fields",
    "ticket_forms",
    "user_fields",
    "organization_fields",
];

/// Whether `family` holds user or organization fields.
fn custom(family: &str) -> bool {
    matches!(family, "user_fields" | "organization_fields")
}

/// The first id given to a record created in `family`.
fn first_new_id(family: &str) -> u64 {
    match family {
        "ticket_fields" => FIRST_NEW_FIELD,
        "user_fields" => 360_600_100,
        "organization_fields" => 360_700_100,
        _ => crate::seed_account::TICKET_FORM + 1,
    }
}

/// The handler of a write to `family` (`rest` is the path after it).
pub fn route(app: &App, req: &Req, family: &str, rest: &[&str]) -> Resp {
    let id = rest.first().and_then(|s| s.parse::<u64>().ok());
    match (&req.method, rest.len(), id) {
        (&Method::POST, 0, _) => create(app, req, family),
        (&Method::PUT, 1, Some(id)) => update(app, req, family, id),
        (&Method::DELETE, 1, Some(id)) => delete(app, family, id),
        _ => Resp::invalid_endpoint(),
    }
}

fn payload(req: &Req, family: &str) -> Result<Map<String, Value>, Resp> {
    let one = singular(family);
    match req.json()?.remove(one) {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(Resp::error(
            400,
            "InvalidValue",
            &format!("The request body must contain a \"{one}\" object"),
        )),
    }
}

fn blank(field: &str, label: &str) -> Resp {
    Resp::invalid(field, "BlankValue", &format!("{label}: cannot be blank"))
}

fn invalid(field: &str, label: &str) -> Resp {
    Resp::invalid(field, "InvalidValue", &format!("{label}: is invalid"))
}

/// A writable key and the check its value must pass.
type Writable = (&'static str, fn(&Value) -> bool);

/// Keys a client may write, with the JSON type each must have.
fn writable(family: &str) -> &'static [Writable] {
    const FIELD: [Writable; 13] = [
        ("title", Value::is_string),
        ("description", Value::is_string),
        ("agent_description", Value::is_string),
        ("position", Value::is_u64),
        ("active", Value::is_boolean),
        ("required", Value::is_boolean),
        ("collapsed_for_agents", Value::is_boolean),
        ("title_in_portal", Value::is_string),
        ("visible_in_portal", Value::is_boolean),
        ("editable_in_portal", Value::is_boolean),
        ("required_in_portal", Value::is_boolean),
        ("tag", |v| v.is_string() || v.is_null()),
        ("regexp_for_validation", |v| v.is_string() || v.is_null()),
    ];
    const FORM: [Writable; 8] = [
        ("name", Value::is_string),
        ("display_name", Value::is_string),
        ("position", Value::is_u64),
        ("active", Value::is_boolean),
        ("default", Value::is_boolean),
        ("end_user_visible", Value::is_boolean),
        ("in_all_brands", Value::is_boolean),
        ("ticket_field_ids", |v| {
            v.as_array().is_some_and(|a| a.iter().all(Value::is_u64))
        }),
    ];
    const CUSTOM: [Writable; 5] = [
        ("title", Value::is_string),
        ("description", Value::is_string),
        ("position", Value::is_u64),
        ("active", Value::is_boolean),
        ("regexp_for_validation", |v| v.is_string() || v.is_null()),
    ];
    match family {
        "ticket_fields" => &FIELD,
        "ticket_forms" => &FORM,
        _ => &CUSTOM,
    }
}

/// The writable keys of `input`, checked, applied to `rec`.
fn apply(
    store: &Store,
    family: &str,
    rec: &mut Map<String, Value>,
    input: &Map<String, Value>,
) -> Result<(), Resp> {
    for (key, fits) in writable(family) {
        let Some(v) = input.get(*key) else { continue };
        if !fits(v) {
            return Err(invalid(key, key));
        }
        rec.insert((*key).to_owned(), v.clone());
    }
    let dropdown = matches!(
        rec.get("type").and_then(Value::as_str),
        Some("tagger" | "multiselect" | "dropdown")
    );
    if let Some(options) = input.get("custom_field_options").filter(|_| dropdown) {
        let field = rec.get("id").and_then(Value::as_u64).unwrap_or(0);
        rec.insert("custom_field_options".into(), options_of(options, field)?);
    }
    if let Some(missing) = rec
        .get("ticket_field_ids")
        .and_then(Value::as_array)
        .and_then(|list| {
            list.iter()
                .filter_map(Value::as_u64)
                .find(|f| record(store, "ticket_fields", *f).is_none())
        })
    {
        return Err(Resp::invalid(
            "ticket_field_ids",
            "InvalidValue",
            &format!("Ticket field {missing} does not exist"),
        ));
    }
    for (key, raw) in [
        ("title", "raw_title"),
        ("description", "raw_description"),
        ("title_in_portal", "raw_title_in_portal"),
        ("name", "raw_name"),
        ("display_name", "raw_display_name"),
    ] {
        if let Some(v) = input.get(key) {
            rec.insert(raw.into(), v.clone());
        }
    }
    Ok(())
}

/// `custom_field_options` as Zendesk stores them: each `{name, value}` of field `field`
/// gets an id.
fn options_of(v: &Value, field: u64) -> Result<Value, Resp> {
    let bad = || invalid("custom_field_options", "Custom field options");
    let list = v.as_array().filter(|l| !l.is_empty()).ok_or_else(bad)?;
    let mut out = Vec::with_capacity(list.len());
    for (i, o) in list.iter().enumerate() {
        let name = o.get("name").and_then(Value::as_str).ok_or_else(bad)?;
        let value = o.get("value").and_then(Value::as_str).ok_or_else(bad)?;
        let id = o
            .get("id")
            .and_then(Value::as_u64)
            .unwrap_or(field * 1000 + i as u64);
        out.push(
            json!({"id": id, "name": name, "raw_name": name, "value": value,
            "default": o.get("default").and_then(Value::as_bool).unwrap_or(false), "position": i}),
        );
    }
    Ok(Value::Array(out))
}

/// The `key` of a new user or organization field: required, `[a-z0-9_]+`, not taken.
fn new_key(store: &Store, family: &str, input: &Map<String, Value>) -> Result<String, Resp> {
    let key = match input.get("key") {
        None => return Err(blank("key", "Key")),
        Some(Value::String(k))
            if !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
        {
            k.clone()
        }
        Some(_) => return Err(invalid("key", "Key")),
    };
    let taken = ids(store, family).into_iter().any(|id| {
        record(store, family, id).and_then(|r| r.get("key").cloned()) == Some(json!(key))
    });
    if taken {
        return Err(Resp::invalid(
            "key",
            "DuplicateValue",
            "Key: has already been taken",
        ));
    }
    Ok(key)
}

/// The `type` of a new field: one of `allowed`, with `custom_field_options` given
/// when it is one of `with_options` (Zendesk's 422s otherwise).
fn field_type(
    input: &Map<String, Value>,
    allowed: &[&str],
    with_options: &[&str],
) -> Result<String, Resp> {
    let kind = match input.get("type") {
        None => return Err(blank("type", "Type")),
        Some(Value::String(t)) if allowed.contains(&t.as_str()) => t.clone(),
        Some(_) => return Err(invalid("type", "Type")),
    };
    if with_options.contains(&kind.as_str()) && !input.contains_key("custom_field_options") {
        return Err(blank("custom_field_options", "Custom field options"));
    }
    Ok(kind)
}

fn template(
    store: &Store,
    family: &str,
    id: u64,
    input: &Map<String, Value>,
) -> Result<Map<String, Value>, Resp> {
    let now = iso8601(now_epoch());
    let v = if custom(family) {
        let key = new_key(store, family, input)?;
        let kind = field_type(input, &CUSTOM_FIELD_TYPES, &["dropdown", "multiselect"])?;
        json!({"id": id, "key": key, "type": kind, "title": "", "raw_title": "",
            "description": "", "raw_description": "", "position": 9999, "active": true,
            "system": false, "regexp_for_validation": null, "created_at": now, "updated_at": now})
    } else if family == "ticket_fields" {
        let kind = field_type(input, &FIELD_TYPES, &["tagger", "multiselect"])?;
        json!({"id": id, "type": kind, "title": "", "raw_title": "", "description": "",
            "raw_description": "", "agent_description": "", "position": 9999, "active": true,
            "required": false, "collapsed_for_agents": false, "regexp_for_validation": null,
            "title_in_portal": "", "raw_title_in_portal": "", "visible_in_portal": false,
            "editable_in_portal": false, "required_in_portal": false, "agent_can_edit": true,
            "tag": null, "removable": true, "created_at": now, "updated_at": now})
    } else {
        json!({"id": id, "name": "", "raw_name": "", "display_name": "", "raw_display_name": "",
            "position": 9999, "active": true, "default": false, "end_user_visible": false,
            "in_all_brands": true, "restricted_brand_ids": [], "ticket_field_ids": [],
            "agent_conditions": [], "end_user_conditions": [], "created_at": now, "updated_at": now})
    };
    Ok(match v {
        Value::Object(m) => m,
        _ => Map::new(),
    })
}

/// The name key of a record of `family` and its label.
fn name_key(family: &str) -> (&'static str, &'static str) {
    if family != "ticket_forms" {
        ("title", "Title")
    } else {
        ("name", "Name")
    }
}

fn named(family: &str, rec: &Map<String, Value>) -> Result<(), Resp> {
    let (key, label) = name_key(family);
    match rec.get(key).and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => Ok(()),
        _ => Err(blank(key, label)),
    }
}

fn answer(store: &Store, req: &Req, family: &str, id: u64, status: u16) -> Resp {
    match record(store, family, id) {
        Some(Value::Object(m)) => Resp::json(
            status,
            &json!({singular(family): super::with_url(m, &req.base, family)}),
        ),
        _ => Resp::not_found(),
    }
}

fn create(app: &App, req: &Req, family: &str) -> Resp {
    let input = match payload(req, family) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    let first = first_new_id(family);
    let taken = store
        .config
        .get(family)
        .and_then(|m| m.keys().next_back().copied());
    let id = taken.map_or(first, |t| (t + 1).max(first));
    let built = template(&store, family, id, &input).and_then(|mut rec| {
        apply(&store, family, &mut rec, &input)?;
        if family == "ticket_forms" && !input.contains_key("display_name") {
            let name = rec.get("name").cloned().unwrap_or(Value::Null);
            rec.insert("display_name".into(), name.clone());
            rec.insert("raw_display_name".into(), name);
        }
        named(family, &rec)?;
        Ok(rec)
    });
    match built {
        Ok(rec) => {
            store
                .config
                .entry(static_family(family))
                .or_default()
                .insert(id, Some(Value::Object(rec)));
            answer(&store, req, family, id, 201)
        }
        Err(r) => r,
    }
}

fn static_family(family: &str) -> &'static str {
    FAMILIES
        .into_iter()
        .find(|f| *f == family)
        .unwrap_or("ticket_forms")
}

fn update(app: &App, req: &Req, family: &str, id: u64) -> Resp {
    let input = match payload(req, family) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let mut store = write(&app.store);
    let Some(Value::Object(mut rec)) = record(&store, family, id) else {
        return Resp::not_found();
    };
    if let Err(r) = apply(&store, family, &mut rec, &input).and_then(|()| named(family, &rec)) {
        return r;
    }
    rec.insert("updated_at".into(), json!(iso8601(now_epoch())));
    store
        .config
        .entry(static_family(family))
        .or_default()
        .insert(id, Some(Value::Object(rec)));
    answer(&store, req, family, id, 200)
}

fn delete(app: &App, family: &str, id: u64) -> Resp {
    let mut store = write(&app.store);
    let Some(rec) = record(&store, family, id) else {
        return Resp::not_found();
    };
    let locked = if custom(family) {
        rec.get("system") == Some(&Value::Bool(true))
    } else if family == "ticket_fields" {
        rec.get("removable") == Some(&Value::Bool(false))
    } else {
        rec.get("default") == Some(&Value::Bool(true))
    };
    if locked {
        let what = if family != "ticket_forms" {
            "A system field cannot be deleted"
        } else {
            "The default ticket form cannot be deleted"
        };
        return Resp::invalid("base", "InvalidValue", what);
    }
    store
        .config
        .entry(static_family(family))
        .or_default()
        .insert(id, None);
    if family == "ticket_fields" {
        // The field leaves every form that listed it.
        for form in ids(&store, "ticket_forms") {
            let Some(Value::Object(mut f)) = record(&store, "ticket_forms", form) else {
                continue;
            };
            let Some(list) = f.get("ticket_field_ids").and_then(Value::as_array) else {
                continue;
            };
            if !list.iter().any(|v| v.as_u64() == Some(id)) {
                continue;
            }
            let kept: Vec<Value> = list
                .iter()
                .filter(|v| v.as_u64() != Some(id))
                .cloned()
                .collect();
            f.insert("ticket_field_ids".into(), Value::Array(kept));
            store
                .config
                .entry("ticket_forms")
                .or_default()
                .insert(form, Some(Value::Object(f)));
        }
    }
    Resp::empty(204)
}

/// Whether writes to `family` are served here.
pub fn serves(family: &str) -> bool {
    FAMILIES.contains(&family)
}
