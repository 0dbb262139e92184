//! The content origin: `GET /attachments/{id}/{name}?expires=…&signature=…` serves an
//! attachment's bytes when the signature is valid and unexpired. It never reads the
//! `Authorization` header: a signed URL is the only key, as on Zendesk's user-content host.

use crate::app::{App, Req, lock, read};
use crate::http::Resp;
use crate::util::now_epoch;
use hyper::Method;

fn denied(status: u16, text: &str) -> Resp {
    Resp::raw(status, "text/plain; charset=utf-8", text.to_string())
}

/// Answers one request on the content origin.
pub fn serve(app: &App, req: &Req) -> Resp {
    if req.method != Method::GET && req.method != Method::HEAD {
        return denied(405, "Method Not Allowed");
    }
    let segs: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
    let id = match segs.as_slice() {
        ["attachments", id, _name] => id.parse::<u64>().ok(),
        _ => None,
    };
    let Some(id) = id else {
        return denied(404, "Not Found");
    };
    let expires = req.q("expires").and_then(|e| e.parse::<i64>().ok());
    let (Some(expires), Some(signature)) = (expires, req.q("signature")) else {
        return denied(403, "Forbidden: this URL needs a signature");
    };
    let file = {
        let files = lock(&app.files);
        if !files.verify(id, expires, signature, now_epoch()) {
            return denied(403, "Forbidden: the signature is invalid or has expired");
        }
        files.get(id, &read(&app.store).tickets)
    };
    let Some(file) = file else {
        return denied(404, "Not Found");
    };
    let ctype = file
        .meta
        .get("content_type")
        .and_then(|c| c.as_str())
        .unwrap_or("application/octet-stream")
        .to_string();
    let name = file
        .meta
        .get("file_name")
        .and_then(|c| c.as_str())
        .unwrap_or("file")
        .to_string();
    let mut r = Resp::raw(200, &ctype, file.bytes);
    let safe: String = name
        .chars()
        .filter(|c| !c.is_control() && *c != '"' && *c != '\\')
        .collect();
    r.set(
        "content-disposition",
        &format!("attachment; filename=\"{safe}\""),
    );
    r.set("cache-control", "private, max-age=300");
    r
}

/// The signed content-origin URL of attachment `id` named `name`.
pub fn signed_url(app: &App, id: u64, name: &str) -> String {
    let expires = now_epoch() + crate::attachments::SIGNED_FOR_SECONDS;
    let signature = lock(&app.files).sign(id, expires);
    format!(
        "{}/attachments/{id}/{}?expires={expires}&signature={signature}",
        app.content_origin.get().map_or("", String::as_str),
        crate::util::percent_encode(name)
    )
}
