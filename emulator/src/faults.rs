//! Injected faults: queued by the control API, consumed by matching requests.

use serde::Deserialize;
use std::collections::HashMap;

/// What goes wrong.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Answer this status instead of the real answer.
    Status {
        /// HTTP status.
        status: u16,
        /// Extra headers, e.g. `Retry-After`.
        #[serde(default)]
        headers: HashMap<String, String>,
        /// Body text (default empty).
        #[serde(default)]
        body: Option<String>,
        /// Content type (default JSON when the body parses as JSON, else `text/plain`).
        #[serde(default)]
        content_type: Option<String>,
    },
    /// Sleep before sending the headers, then answer normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Send the headers and part of the body, sleep, then send the rest.
    Stall {
        /// Milliseconds.
        ms: u64,
    },
    /// Close the connection without answering.
    Reset,
    /// Promise more bytes in Content-Length than are sent, then close.
    Truncate,
    /// 200 with a broken JSON body.
    MalformedJson,
    /// A redirect to `location`.
    Redirect {
        /// 301, 302, 303, 307 or 308 (default 302).
        #[serde(default)]
        status: Option<u16>,
        /// Where to.
        location: String,
    },
}

/// A queued fault and which requests it hits.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Method to match; `null` or absent matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path prefix to match (default `/`).
    #[serde(default = "root")]
    pub path_prefix: String,
    /// How many matching requests it hits (default 1).
    #[serde(default = "one")]
    pub times: u64,
    /// The fault itself.
    pub fault: Fault,
}

fn root() -> String {
    "/".into()
}

fn one() -> u64 {
    1
}

/// The queue of faults, in the order they were added.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
}

impl Faults {
    /// Queues a rule.
    pub fn push(&mut self, rule: FaultRule) {
        if rule.times > 0 {
            self.rules.push(rule);
        }
    }

    /// Removes all rules.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Pending rules (for `GET /__emulator/faults`).
    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Takes one use of the first rule matching this request.
    pub fn take(&mut self, method: &str, path: &str) -> Option<Fault> {
        let i = self.rules.iter().position(|r| {
            r.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && path.starts_with(&r.path_prefix)
        })?;
        let rule = &mut self.rules[i];
        rule.times -= 1;
        let fault = rule.fault.clone();
        if rule.times == 0 {
            self.rules.remove(i);
        }
        Some(fault)
    }
}
