//! Bulk ticket jobs and `GET /api/v2/job_statuses/{id}` (queued → working → completed).

use super::tickets;
use crate::app::{App, Job, Req, lock, write};
use crate::auth::Identity;
use crate::http::Resp;
use serde_json::{Map, Value, json};

/// Most items one bulk request may carry.
const MAX_ITEMS: usize = 100;
/// Most jobs remembered at once.
const MAX_JOBS: usize = 10_000;

fn job_json(req: &Req, id: &str, job: &Job, status: &str) -> Value {
    let (progress, results, message) = match status {
        "queued" => (json!(0), Value::Null, Value::Null),
        "working" => (json!(job.total / 2), Value::Null, Value::Null),
        _ => (
            json!(job.total),
            job.results.clone(),
            json!(format!(
                "Completed at {}",
                crate::util::iso8601(crate::util::now_epoch())
            )),
        ),
    };
    json!({"job_status": {"id": id, "url": format!("{}/api/v2/job_statuses/{id}.json", req.base),
        "job_type": job.job_type, "total": job.total, "progress": progress, "status": status,
        "message": message, "results": results}})
}

pub(super) fn start(app: &App, req: &Req, job_type: &str, total: u64, results: Vec<Value>) -> Resp {
    let id = crate::util::random_token(app.next());
    let job = Job {
        job_type: job_type.into(),
        total,
        results: Value::Array(results),
        polls: 0,
    };
    let body = job_json(req, &id, &job, "queued");
    let mut jobs = lock(&app.jobs);
    if jobs.len() >= MAX_JOBS {
        // Bounded memory under load: forget finished jobs first, then everything.
        jobs.retain(|_, j| j.polls < 2);
        if jobs.len() >= MAX_JOBS {
            jobs.clear();
        }
    }
    jobs.insert(id, job);
    Resp::json(200, &body)
}

pub(super) fn items(req: &Req, key: &str) -> Result<Vec<Map<String, Value>>, Resp> {
    let body = req.json()?;
    let list = body.get(key).and_then(Value::as_array).ok_or_else(|| {
        Resp::error(
            400,
            "InvalidValue",
            &format!("The request body must contain a \"{key}\" array"),
        )
    })?;
    if list.len() > MAX_ITEMS {
        return Err(Resp::error(
            400,
            "TooManyValues",
            &format!("You may only pass up to {MAX_ITEMS} items"),
        ));
    }
    Ok(list.iter().filter_map(|v| v.as_object().cloned()).collect())
}

pub(super) fn error_text(r: &Resp) -> String {
    serde_json::from_slice::<Value>(&r.body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(String::from))
        .unwrap_or_else(|| "Error".into())
}

/// `POST /api/v2/tickets/create_many`.
pub fn create_many(app: &App, req: &Req, who: &Identity) -> Resp {
    let list = match items(req, "tickets") {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut results = Vec::with_capacity(list.len());
    {
        let mut store = write(&app.store);
        for (i, t) in list.iter().enumerate() {
            match tickets::build(&mut store, t, who) {
                Ok((rec, _)) => {
                    let id = rec.get("id").and_then(Value::as_u64).unwrap_or(0);
                    crate::audits::record_create(&mut store, &rec, t, who.user_id);
                    store.tickets.put(id, rec);
                    results.push(json!({"index": i, "id": id}));
                }
                Err(r) => results.push(json!({"index": i, "error": error_text(&r), "details": String::from_utf8_lossy(&r.body)})),
            }
        }
    }
    start(app, req, "bulk_create_tickets", list.len() as u64, results)
}

/// `PUT /api/v2/tickets/update_many` (`?ids=` with one `ticket`, or a `tickets` array).
pub fn update_many(app: &App, req: &Req, who: &Identity) -> Resp {
    let changes = match super::bulk::changes(req, "ticket", "tickets") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let mut results = Vec::with_capacity(changes.len());
    {
        let mut store = write(&app.store);
        for (id, t) in &changes {
            match tickets::update_in(&mut store, *id, t, who.user_id) {
                Ok(_) => results.push(json!({"id": id, "action": "update", "success": true, "status": "Updated"})),
                Err(r) => results.push(json!({"id": id, "action": "update", "success": false, "status": "Failed", "error": error_text(&r)})),
            }
        }
    }
    start(
        app,
        req,
        "bulk_update_tickets",
        changes.len() as u64,
        results,
    )
}

/// `POST /api/v2/organizations/create_many`.
pub fn create_many_orgs(app: &App, req: &Req) -> Resp {
    let list = match items(req, "organizations") {
        Ok(l) => l,
        Err(r) => return r,
    };
    let mut results = Vec::with_capacity(list.len());
    {
        let mut store = write(&app.store);
        for (i, o) in list.iter().enumerate() {
            match super::organizations::create_in(&mut store, o) {
                Ok(id) => results.push(json!({"index": i, "id": id, "action": "create", "status": "Created", "success": true})),
                Err(r) => results.push(json!({"index": i, "error": error_text(&r), "action": "create", "status": "Failed", "success": false})),
            }
        }
    }
    start(
        app,
        req,
        "bulk_create_organizations",
        list.len() as u64,
        results,
    )
}

/// `GET /api/v2/job_statuses/{id}`: each poll advances the job one step.
pub fn show(app: &App, req: &Req, id: &str) -> Resp {
    let mut jobs = lock(&app.jobs);
    let Some(job) = jobs.get_mut(id) else {
        return Resp::not_found();
    };
    job.polls += 1;
    let status = match job.polls {
        1 => "working",
        _ => "completed",
    };
    Resp::json(200, &job_json(req, id, job, status))
}
