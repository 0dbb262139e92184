//! The control API for tests, under `/__emulator` (never logged, never faulted, no auth).

use crate::app::{App, Req, lock, read};
use crate::faults::FaultRule;
use crate::http::Resp;
use hyper::Method;
use serde_json::{Value, json};

/// Handles a `/__emulator/...` request.
pub fn handle(app: &App, req: &Req) -> Resp {
    let path = req.path.trim_end_matches('/');
    match (&req.method, path) {
        (&Method::POST, "/__emulator/faults") => {
            let rules: Result<Vec<FaultRule>, _> = match serde_json::from_slice::<Value>(&req.body)
            {
                Ok(v @ Value::Array(_)) => serde_json::from_value(v),
                Ok(v) => serde_json::from_value(v).map(|r| vec![r]),
                Err(e) => Err(e),
            };
            match rules {
                Ok(rules) => {
                    let mut f = lock(&app.faults);
                    for r in rules {
                        f.push(r);
                    }
                    Resp::json(201, &json!({"queued": f.rules().len()}))
                }
                Err(e) => Resp::error(400, "InvalidFault", &e.to_string()),
            }
        }
        (&Method::GET, "/__emulator/faults") => {
            let f = lock(&app.faults);
            let list: Vec<Value> = f
                .rules()
                .iter()
                .map(|r| json!({"method": r.method, "path_prefix": r.path_prefix, "times": r.times, "fault": format!("{:?}", r.fault)}))
                .collect();
            Resp::json(200, &Value::Array(list))
        }
        (&Method::DELETE, "/__emulator/faults") => {
            lock(&app.faults).clear();
            Resp::empty(204)
        }
        (&Method::GET, "/__emulator/requests") => {
            let log = lock(&app.log);
            let mut out = String::with_capacity(log.entries.len() * 256 + 2);
            out.push('[');
            for (i, r) in log.entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let headers: serde_json::Map<String, Value> = r
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                let v = json!({"method": r.method, "path": r.path, "query": r.query, "headers": headers, "body_len": r.body_len});
                out.push_str(&v.to_string());
            }
            out.push(']');
            Resp::raw(200, crate::http::JSON, out)
        }
        (&Method::DELETE, "/__emulator/requests") => {
            lock(&app.log).entries.clear();
            Resp::empty(204)
        }
        (&Method::POST, "/__emulator/reset") => {
            app.reset();
            Resp::json(200, &json!({"reset": true}))
        }
        (&Method::GET, "/__emulator/state") => {
            let store = read(&app.store);
            let oauth = lock(&app.oauth);
            Resp::json(
                200,
                &json!({"tickets": store.tickets.count(), "users": store.users.count(), "oauth_tokens_minted": oauth.minted,
                    "content_url": app.content_origin.get()}),
            )
        }
        _ => Resp::error(404, "InvalidEndpoint", "Unknown control endpoint"),
    }
}
