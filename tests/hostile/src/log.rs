//! The request log: every request that reached a case, in arrival order, with its
//! raw header lines, so tests can check what was (or was not) sent.

use crate::http::{Request, json_string};
use std::sync::Mutex;

/// One logged request.
struct Entry {
    method: String,
    target: String,
    header_lines: Vec<String>,
}

/// The log of one server.
#[derive(Default)]
pub struct RequestLog {
    entries: Mutex<Vec<Entry>>,
}

impl RequestLog {
    /// Records a request; returns how many requests to the same case (the first path
    /// segment after `/case/`, tag included) arrived before it.
    pub fn record(&self, request: &Request) -> usize {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let segment = case_segment(request.path());
        let before = entries
            .iter()
            .filter(|e| case_segment(&e.target) == segment)
            .count();
        entries.push(Entry {
            method: request.method.clone(),
            target: request.target.clone(),
            header_lines: request.header_lines.clone(),
        });
        before
    }

    /// `{"count": N, "requests": [{"method", "target", "headers": [lines]}]}` for the
    /// requests whose target starts with `prefix`.
    pub fn to_json(&self, prefix: &str) -> String {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let selected: Vec<String> = entries
            .iter()
            .filter(|e| e.target.starts_with(prefix))
            .map(|e| {
                let headers: Vec<String> = e.header_lines.iter().map(|h| json_string(h)).collect();
                format!(
                    "{{\"method\":{},\"target\":{},\"headers\":[{}]}}",
                    json_string(&e.method),
                    json_string(&e.target),
                    headers.join(",")
                )
            })
            .collect();
        format!(
            "{{\"count\":{},\"requests\":[{}]}}",
            selected.len(),
            selected.join(",")
        )
    }
}

/// The case segment of a path: `retry-after-date.t1` in `/case/retry-after-date.t1/x`.
pub fn case_segment(path: &str) -> &str {
    path.strip_prefix("/case/")
        .map(|rest| rest.split(['/', '?']).next().unwrap_or(""))
        .unwrap_or("")
}
