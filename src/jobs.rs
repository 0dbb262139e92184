//! Background jobs: polling a job status until it completes or fails.

use crate::client::{Client, sleep_unless_cancelled};
use crate::error::{Error, ErrorKind, Result};
use crate::request::Request;
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
        let mut wait = JobWait::new(job_id, timeout)?;
        loop {
            let response = self.send(&wait.request())?;
            match wait.accept(response)? {
                JobPoll::Finished(response) => return Ok(response),
                JobPoll::Again(pause) => sleep_unless_cancelled(pause, self.cancel_check())?,
            }
        }
    }
}

/// What a job-status answer means for the wait.
#[derive(Debug)]
pub enum JobPoll {
    /// The job completed: the last poll's response.
    Finished(Response),
    /// Still running: poll again after this pause.
    Again(Duration),
}

/// The wait for one background job, as steps: [`JobWait::request`] (the poll to
/// send), then [`JobWait::accept`] (what its answer means). Blocking and async
/// callers drive the same decisions.
#[derive(Debug)]
pub struct JobWait {
    job_id: String,
    path: String,
    timeout: Duration,
    until: Instant,
    pause: Duration,
}

impl JobWait {
    /// A wait for `job_id`, ending with a timeout error after `timeout` (more than 0,
    /// at most a day).
    pub fn new(job_id: &str, timeout: Duration) -> Result<JobWait> {
        if job_id.is_empty()
            || !job_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(Error::invalid(format!("invalid job id {job_id:?}")));
        }
        crate::config::check_duration_setting("the job wait timeout", timeout)?;
        Ok(JobWait {
            job_id: job_id.to_owned(),
            path: format!("/api/v2/job_statuses/{job_id}.json"),
            timeout,
            until: crate::client::deadline_after(timeout),
            pause: POLL_FIRST,
        })
    }

    /// The next poll.
    pub fn request(&self) -> Request {
        Request::get(&self.path)
    }

    /// Takes the 2xx answer of a poll: finished (`completed`), failed (`failed` or
    /// `killed`: an [`ErrorKind::JobFailed`] error whose details are the job's
    /// results), past the timeout, or poll again after a pause (doubling up to 5 s).
    pub fn accept(&mut self, response: Response) -> Result<JobPoll> {
        let (job_id, path) = (&self.job_id, &self.path);
        let answer = response.json()?;
        let status = answer
            .pointer("/job_status/status")
            .and_then(Value::as_str)
            .unwrap_or("");
        match status {
            "completed" => return Ok(JobPoll::Finished(response)),
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
                .with_request("GET", path)
                .with_response(response));
            }
            _ => {}
        }
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "job {job_id} still {status:?} after {:.0} s",
                    self.timeout.as_secs_f64()
                ),
            )
            .with_request("GET", path));
        }
        let pause = self.pause.min(left);
        self.pause = (self.pause * 2).min(POLL_MAX);
        Ok(JobPoll::Again(pause))
    }
}
