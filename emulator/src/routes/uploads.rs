//! `POST /api/v2/uploads?filename=…[&token=…]` with the raw bytes as the body.

use crate::app::{App, Req, lock};
use crate::http::Resp;
use serde_json::{Value, json};

/// Most upload tokens kept (oldest forgotten first is not needed: tests are short).
const MAX_TOKENS: usize = 10_000;

/// Stores the upload's metadata and answers 201 with its token.
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
    let mut uploads = lock(&app.uploads);
    let token = match req.q("token").filter(|t| !t.is_empty()) {
        Some(t) => t.to_string(),
        None => crate::util::random_token(n),
    };
    let content_url = format!(
        "{}/attachments/token/{token}/?name={}",
        req.base,
        crate::util::percent_encode(filename)
    );
    let attachment = json!({
        "id": id, "url": format!("{}/api/v2/attachments/{id}.json", req.base), "file_name": filename,
        "content_url": content_url, "mapped_content_url": content_url, "content_type": content_type,
        "size": req.body.len(), "width": null, "height": null, "inline": false, "deleted": false,
        "malware_access_override": false, "malware_scan_result": "not_scanned", "thumbnails": []
    });
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
