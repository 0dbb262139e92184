//! Background jobs: polling a job status until it completes or fails.

use crate::client::{Client, sleep_unless_cancelled};
use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use serde_json::Value;
use std::time::{Duration, Instant};

/// First and largest pause between job-status polls.
const POLL_FIRST: Duration = Duration::from_millis(250);
const POLL_MAX: Duration = Duration::from_secs(5);

impl Client {
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
