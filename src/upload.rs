//! Uploads: files attached to ticket comments, sent as the raw request body (streamed
//! from disk for files) to `POST /api/v2/uploads.json?filename=…[&token=…]`.

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
use crate::response::Response;
use serde_json::Value;
use std::path::Path;

/// What to upload: bytes in memory or a file streamed from disk.
#[derive(Debug, Clone, Copy)]
pub enum UploadSource<'a> {
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// A file, read while sending (never loaded whole).
    Path(&'a Path),
}

/// A MIME type guessed from a file name's extension (`application/octet-stream`
/// when unknown).
pub fn guess_content_type(filename: &str) -> &'static str {
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The request that uploads a file (`POST /api/v2/uploads.json?filename=…`).
pub fn upload_request(
    filename: &str,
    source: UploadSource<'_>,
    content_type: Option<&str>,
    token: Option<&str>,
) -> Result<Request> {
    if filename.is_empty() {
        return Err(Error::invalid("the upload needs a file name"));
    }
    let content_type = content_type.unwrap_or_else(|| guess_content_type(filename));
    let mut request = Request::post("/api/v2/uploads.json").query("filename", filename);
    if let Some(token) = token {
        request = request.query("token", token);
    }
    request = match source {
        UploadSource::Bytes(bytes) => request.body(content_type, bytes.to_vec()),
        UploadSource::Path(path) => {
            if !path.is_file() {
                return Err(Error::invalid(format!(
                    "{} is not a readable file",
                    path.display()
                )));
            }
            request.file_body(content_type, path)
        }
    };
    Ok(request)
}

impl Client {
    /// Uploads a file (`POST /api/v2/uploads.json?filename=…[&token=…]`) and returns
    /// Zendesk's `upload` object (with its `token`, to attach to a ticket comment, or
    /// to pass as `token` to add more files to the same upload).
    pub fn upload(
        &self,
        filename: &str,
        source: UploadSource<'_>,
        content_type: Option<&str>,
        token: Option<&str>,
    ) -> Result<Value> {
        let request = upload_request(filename, source, content_type, token)?;
        upload_object(&self.send(&request)?)
    }
}

/// The `upload` object of the answer to an [`upload_request`] (what
/// [`Client::upload`] returns).
pub fn upload_object(response: &Response) -> Result<Value> {
    let mut answer = response.json()?;
    match answer.get_mut("upload") {
        Some(upload) => Ok(upload.take()),
        None => Err(Error::new(
            ErrorKind::Decode,
            "the upload answer has no `upload` object",
        )
        .with_request("POST", "/api/v2/uploads.json")),
    }
}
