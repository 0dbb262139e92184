//! `POST /api/v2/uploads?filename=…[&token=…]` with the raw bytes as the body;
//! `GET /api/v2/attachments/{id}`; and `GET /api/v2/attachments/{id}/{name}` (an
//! attachment's `content_url`), answered with a 302 to the signed content-origin URL.

use crate::app::{App, Req, lock, read};
use crate::attachments::{File, add_urls, record};
use crate::http::Resp;
use serde_json::{Value, json};

/// Most upload tokens kept.
const MAX_TOKENS: usize = 10_000;

/// Stores the upload (metadata and bytes) and answers 201 with its token.
pub fn upload(app: &App, req: &Req) -> Resp {
    let Some(filename) = req.q("filename").filter(|f| !f.is_empty()) else {
        return Resp::error(400, "InvalidValue", "filename is required");
    };
    let content_type = req
        .header("content-type")
        .unwrap_or("application/octet-stream")
        .to_string();
    let n = app.next();
    let id = 1_500_000_000_000 + n;
    let meta = record(id, filename, &content_type, req.body.len());
    lock(&app.files).keep(
        id,
        File {
            meta: meta.clone(),
            bytes: req.body.clone(),
        },
    );
    let mut attachment = Value::Object(meta);
    add_urls(&mut attachment, &req.base);
    let mut uploads = lock(&app.uploads);
    let token = match req.q("token").filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => crate::util::random_token(n),
    };
    if uploads.len() >= MAX_TOKENS && !uploads.contains_key(&token) {
        uploads.clear();
    }
    let list = uploads.entry(token.clone()).or_default();
    list.push(attachment.clone());
    let attachments = Value::Array(list.clone());
    Resp::json(
        201,
        &json!({"upload": {"token": token, "expires_at": crate::util::iso8601(crate::util::now_epoch() + 3 * 86_400), "attachment": attachment, "attachments": attachments}}),
    )
}

fn file(app: &App, id: u64) -> Option<File> {
    let store = read(&app.store);
    lock(&app.files).get(id, &store.tickets)
}

/// `GET /api/v2/attachments/{id}`.
pub fn show(app: &App, req: &Req, id: u64) -> Resp {
    match file(app, id) {
        Some(f) => {
            let mut a = Value::Object(f.meta);
            add_urls(&mut a, &req.base);
            Resp::json(200, &json!({"attachment": a}))
        }
        None => Resp::not_found(),
    }
}

/// `GET /api/v2/attachments/{id}/{name}`: 302 to a signed URL on the content origin.
pub fn redirect(app: &App, id: u64) -> Resp {
    let Some(f) = file(app, id) else {
        return Resp::not_found();
    };
    let name = f
        .meta
        .get("file_name")
        .and_then(Value::as_str)
        .unwrap_or("file");
    let location = crate::content::signed_url(app, id, name);
    let mut r = Resp::raw(
        302,
        "text/html; charset=utf-8",
        format!("<html><body>You are being <a href=\"{location}\">redirected</a>.</body></html>"),
    );
    r.set("location", &location);
    r
}
