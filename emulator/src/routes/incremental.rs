//! Incremental exports: cursor-based (`…/cursor`) and time-based (a page never splits a
//! group of items that share one timestamp, and `end_time` is one second past the last item,
//! as in recorded Zendesk traffic).

use super::with_url;
use crate::app::{App, Req, read};
use crate::http::Resp;
use crate::store::{Kind, StreamPos};
use crate::util::{decode_cursor, encode_cursor, now_epoch};
use serde_json::{Map, Value, json};

/// `per_page` of an export (1 to 1000, default 1000).
pub fn per_page(req: &Req) -> usize {
    req.q("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1000)
        .min(1000)
}

/// `start_time` of an export, or the 400 Zendesk gives.
pub fn start_time(req: &Req) -> Result<i64, Resp> {
    let Some(raw) = req.q("start_time") else {
        return Err(Resp::error(400, "InvalidValue", "start_time is required"));
    };
    let t: i64 = raw.parse().map_err(|_| {
        Resp::error(
            400,
            "InvalidValue",
            "start_time must be a Unix epoch time in seconds",
        )
    })?;
    if t > now_epoch() - 60 {
        return Err(Resp::error(
            400,
            "InvalidValue",
            "Too recent start_time. Use a start_time at least one minute in the past",
        ));
    }
    Ok(t)
}

/// `GET /api/v2/incremental/{tickets,users}/cursor`.
pub fn cursor(app: &App, req: &Req, kind: Kind) -> Resp {
    let key = kind.key();
    let res = key;
    let store = read(&app.store);
    let coll = store.of(kind);
    let pos = match req.q("cursor").filter(|c| !c.is_empty()) {
        Some(c) => match decode_cursor(c).as_deref().and_then(StreamPos::decode) {
            Some(p) => p,
            None => {
                return Resp::error(400, "InvalidCursor", "The cursor is invalid or has expired");
            }
        },
        None => match start_time(req) {
            Ok(t) => coll.stream_start(t),
            Err(r) => return r,
        },
    };
    let (items, next, end) = coll.stream(pos, per_page(req));
    let items: Vec<Value> = items
        .into_iter()
        .map(|(r, _)| with_url(r, &req.base, res))
        .collect();
    let after = encode_cursor(&next.encode());
    let after_url = req.url(
        &format!("/api/v2/incremental/{key}/cursor.json"),
        &[("cursor", after.clone())],
    );
    Resp::json(
        200,
        &json!({key: items, "after_url": after_url, "after_cursor": after, "before_url": null, "before_cursor": null, "end_of_stream": end}),
    )
}

/// `GET /api/v2/incremental/{tickets,users}?start_time=…` (time-based).
pub fn time_based(app: &App, req: &Req, kind: Kind) -> Resp {
    let key = kind.key();
    let res = key;
    let start = match start_time(req) {
        Ok(t) => t,
        Err(r) => return r,
    };
    let n = per_page(req);
    let store = read(&app.store);
    let page = store.of(kind).time_page(start, n);
    let list = page
        .items
        .into_iter()
        .map(|(r, _)| with_url(r, &req.base, res))
        .collect();
    time_answer(req, key, list, page.end_time, page.end_of_stream)
}

/// A time-based export answer: `{key: items, count, end_time, next_page, end_of_stream}`.
/// `next_page` asks for `start_time=end_time` (and the same `per_page`).
pub fn time_answer(
    req: &Req,
    key: &str,
    items: Vec<Value>,
    end_time: i64,
    end_of_stream: bool,
) -> Resp {
    let count = items.len();
    let mut m = Map::new();
    m.insert(key.into(), Value::Array(items));
    let mut params = vec![("start_time", end_time.to_string())];
    if let Some(p) = req.q("per_page") {
        params.push(("per_page", p.to_string()));
    }
    if let Some(i) = req.q("include") {
        params.push(("include", i.to_string()));
    }
    m.insert(
        "next_page".into(),
        json!(req.url(&format!("/api/v2/incremental/{key}.json"), &params)),
    );
    m.insert("count".into(), json!(count));
    m.insert("end_time".into(), json!(end_time));
    m.insert("end_of_stream".into(), json!(end_of_stream));
    Resp::json(200, &Value::Object(m))
}
