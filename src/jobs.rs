//! Uploads and background jobs.

use crate::client::{Client, sleep_unless_cancelled};
use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
use crate::response::Response;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

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

/// First and largest pause between job-status polls.
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(5);

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
        let mut answer = self.send(&request)?.json()?;
        match answer.get_mut("upload") {
            Some(upload) => Ok(upload.take()),
            None => Err(Error::new(
                ErrorKind::Decode,
                "the upload answer has no `upload` object",
            )
            .with_request("POST", "/api/v2/uploads.json")),
        }
    }

    /// Polls `GET /api/v2/job_statuses/{id}` with back-off until the job is
    /// `completed` (returns the job status) or `failed`/`killed` (an
    /// [`ErrorKind::JobFailed`] error whose details are the job's results). Past
    /// `timeout` (more than 0, at most a day), an [`ErrorKind::Timeout`] error.
    pub fn wait_for_job(&self, job_id: &str, timeout: Duration) -> Result<Value> {
        let mut answer = self.wait_for_job_response(job_id, timeout)?.json()?;
        Ok(answer["job_status"].take())
    }

    /// Like [`Client::wait_for_job`], giving the last poll's response (its body is
    /// `{"job_status": …}`). A failed job's error holds that response too.
    pub fn wait_for_job_response(&self, job_id: &str, timeout: Duration) -> Result<Response> {
        if job_id.is_empty()
            || !job_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::invalid(format!("invalid job id {job_id:?}")));
        }
        crate::config::check_duration_setting("the job wait timeout", timeout)?;
        let path = format!("/api/v2/job_statuses/{job_id}.json");
        let until = crate::client::deadline_after(timeout);
        let mut pause = POLL_FIRST;
        loop {
            let response = self.get(&path)?;
            let answer = response.json()?;
            let status = answer
                .pointer("/job_status/status")
                .and_then(Value::as_str)
                .unwrap_or("");
            match status {
                "completed" => return Ok(response),
                "failed" | "killed" => {
                    let job = &answer["job_status"];
                    let message = job
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("no message");
                    return Err(Error::new(
                        ErrorKind::JobFailed,
                        format!("job {job_id} {status}: {message}"),
                    )
                    .with_details(job.get("results").cloned().unwrap_or(Value::Null))
                    .with_request("GET", &path)
                    .with_response(response));
                }
                _ => {}
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "job {job_id} still {status:?} after {:.0} s",
                        timeout.as_secs_f64()
                    ),
                )
                .with_request("GET", &path));
            }
            sleep_unless_cancelled(pause.min(left), self.cancel_check())?;
            pause = (pause * 2).min(POLL_MAX);
        }
    }
}
