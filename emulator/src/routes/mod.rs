//! The Zendesk API surface: authentication, rate limits, scopes, then per-resource handlers.

mod bulk;
mod comments;
mod field_writes;
mod fields;
mod groups;
mod help_center;
mod identities;
mod incremental;
mod jobs;
mod macros;
mod metrics;
mod organizations;
mod records;
mod routers;
mod search;
mod sideload;
mod tags;
mod ticket_events;
mod tickets;
mod uploads;
mod users;
mod views;

use crate::app::{App, Req, lock, read};
use crate::auth::{Auth, Identity, authenticate, basic_credentials};
use crate::http::Resp;
use crate::ratelimit::{Verdict, bucket_header};
use hyper::Method;
use serde_json::{Map, Value, json};

/// Adds the `url` field (which depends on the Host the client used) to a record.
pub fn with_url(mut rec: Map<String, Value>, base: &str, resource: &str) -> Value {
    if let Some(id) = rec.get("id").and_then(Value::as_u64) {
        rec.insert(
            "url".into(),
            Value::String(format!("{base}/api/v2/{resource}/{id}.json")),
        );
    }
    Value::Object(rec)
}

fn too_many(v: &Verdict, text: &str) -> Resp {
    let mut r = Resp::raw(429, "text/plain; charset=utf-8", text.to_string());
    r.set("retry-after", &v.reset.to_string());
    r
}

/// 403 with Zendesk's object `error` (a role that may not do this).
pub fn forbidden_page() -> Resp {
    Resp::json(
        403,
        &json!({"error": {"title": "Forbidden", "message": "You do not have access to this page. Please contact the account owner of this help desk for further help."}}),
    )
}

/// Answers one request (faults aside).
pub fn dispatch(app: &App, req: &Req) -> Resp {
    if req.path == "/oauth/tokens" {
        if req.method != Method::POST {
            return Resp::invalid_endpoint();
        }
        let params = crate::oauth::parse_params(&req.body, basic_credentials(&req.headers));
        return lock(&app.oauth).grant(&params);
    }
    if !req.path.starts_with("/api/v2/") {
        return Resp::invalid_endpoint();
    }
    let account = lock(&app.limits).account_hit();
    let mut resp = match account {
        Some((v, true)) if !v.allowed => too_many(&v, "Too Many Requests"),
        _ => api(app, req),
    };
    if let Some((v, _)) = account {
        for (name, value) in [
            ("x-rate-limit", v.limit.to_string()),
            ("x-rate-limit-remaining", v.remaining.to_string()),
            ("ratelimit-limit", v.limit.to_string()),
            ("ratelimit-remaining", v.remaining.to_string()),
            ("ratelimit-reset", v.reset.to_string()),
        ] {
            resp.set(name, &value);
        }
    }
    if req.method == Method::GET {
        crate::http::conditional(req.header("if-none-match"), &mut resp);
    }
    resp
}

fn api(app: &App, req: &Req) -> Resp {
    let segs = req.api_segments();
    let auth = {
        let store = read(&app.store);
        let oauth = lock(&app.oauth);
        authenticate(&req.headers, &store, &oauth, &app.cfg.api_tokens)
    };
    let is_me = segs == ["users", "me"];
    let reads_help_center = req.method == Method::GET && segs.first() == Some(&"help_center");
    let who = match auth {
        Auth::User(id) => id,
        // A public help center is readable without credentials: what an anonymous
        // visitor sees, like an end user.
        Auth::Anonymous if reads_help_center => Identity {
            user_id: 0,
            role: "end-user".into(),
            scopes: None,
            bearer: None,
        },
        Auth::Anonymous | Auth::Password if is_me && req.method == Method::GET => {
            return users::anonymous();
        }
        Auth::Password => {
            return Resp::json(
                401,
                &json!({"error": "Couldn't authenticate you",
                    "description": "Password authentication is no longer supported: use an API token (email/token:TOKEN) or an OAuth access token"}),
            );
        }
        _ => return Resp::unauthorized(),
    };
    if let Some(scopes) = &who.scopes {
        let need = if req.method == Method::GET {
            "read"
        } else {
            "write"
        };
        // Help Center's scopes are `hc:read` and `hc:write`.
        let resource = match segs.first().copied().unwrap_or("") {
            "help_center" => "hc",
            other => other,
        };
        let ok = segs.starts_with(&["oauth", "tokens", "current"])
            || scopes
                .iter()
                .any(|s| s == need || *s == format!("{resource}:{need}"));
        if !ok {
            return Resp::json(
                403,
                &json!({"error": "Forbidden", "description": format!("You are missing the following required scopes: {need}")}),
            );
        }
    }
    if who.role == "end-user" && !is_me && !reads_help_center && !segs.starts_with(&["oauth"]) {
        return forbidden_page();
    }
    route(app, req, &segs, &who)
}

fn bucket(resp: &mut Resp, header: &str, v: Option<Verdict>) -> Option<Resp> {
    let v = v?;
    if !v.allowed {
        let mut r = too_many(
            &v,
            "Rate limit exceeded for this endpoint, please wait before retrying",
        );
        r.set(header, &bucket_header(&v));
        return Some(r);
    }
    resp.set(header, &bucket_header(&v));
    None
}

/// `POST /api/v2/oauth/tokens` `{"token":{"client_id":N,"scopes":["read"]}}` (admins only).
fn admin_token(app: &App, req: &Req, who: &Identity) -> Resp {
    if who.role != "admin" {
        return forbidden_page();
    }
    let body = match req.json() {
        Ok(b) => b,
        Err(r) => return r,
    };
    let t = body.get("token").cloned().unwrap_or(Value::Null);
    let Some(client_id) = t.get("client_id").and_then(Value::as_u64) else {
        return Resp::invalid("client_id", "BlankValue", "Client: cannot be blank");
    };
    let scopes = crate::util::strings(t.get("scopes"));
    if scopes.is_empty() {
        return Resp::invalid("scopes", "BlankValue", "Scopes: cannot be blank");
    }
    let email = read(&app.store)
        .users
        .get(who.user_id)
        .and_then(|u| u.get("email").and_then(Value::as_str).map(String::from));
    let email = email.unwrap_or_else(|| crate::seed::ADMIN_EMAIL.into());
    lock(&app.oauth).create_admin_token(client_id, scopes, email, who.user_id, &req.base)
}

fn route(app: &App, req: &Req, segs: &[&str], who: &Identity) -> Resp {
    let m = &req.method;
    let id = |s: &str| s.parse::<u64>().ok();
    let mut headers = Resp::empty(200);
    let limited = match (m, segs) {
        (&Method::GET, ["tickets"]) => {
            let v = lock(&app.limits).tickets_index.as_mut().map(|w| w.hit());
            bucket(&mut headers, "zendesk-ratelimit-tickets-index", v)
        }
        (_, ["incremental", ..]) => {
            let v = lock(&app.limits).incremental.as_mut().map(|w| w.hit());
            bucket(&mut headers, "zendesk-ratelimit-incremental-exports", v)
        }
        (&Method::PUT, ["tickets", t]) if id(t).is_some() => {
            let mut lim = lock(&app.limits);
            let key = (who.user_id, id(t).unwrap_or(0));
            let v = lim.ticket_update_bucket.map(|b| {
                lim.ticket_updates
                    .entry(key)
                    .or_insert_with(|| crate::ratelimit::Window::new(b))
                    .hit()
            });
            bucket(&mut headers, "zendesk-ratelimit-tickets-update", v)
        }
        _ => None,
    };
    if let Some(r) = limited {
        return r;
    }
    let mut resp = match (m, segs) {
        (
            _,
            [
                "organizations" | "organization_memberships" | "groups" | "group_memberships",
                ..,
            ],
        )
        | (_, ["users", _, "organization_memberships" | "group_memberships"])
        | (&Method::GET, ["incremental", "organizations"]) => routers::account(app, req, segs, who),
        (&Method::GET, ["tickets", t, "comments"]) if id(t).is_some() => {
            comments::ticket_comments(app, req, id(t).unwrap_or(0))
        }
        (&Method::GET, ["tickets", t, "audits"]) if id(t).is_some() => {
            comments::ticket_audits(app, req, id(t).unwrap_or(0))
        }
        (&Method::GET, ["tickets", t, "audits", a]) if id(t).is_some() && id(a).is_some() => {
            comments::show_audit(app, req, id(t).unwrap_or(0), id(a).unwrap_or(0))
        }
        (&Method::GET, ["ticket_audits"]) if who.role == "admin" => comments::all_audits(app, req),
        (&Method::GET, ["ticket_audits"]) => forbidden_page(),
        (&Method::GET, [family]) if fields::serves(family) => fields::list(app, req, family),
        (&Method::GET, [family, "show_many"]) if fields::serves(family) => {
            fields::show_many(app, req, family)
        }
        (&Method::GET, [family, f]) if fields::serves(family) && id(f).is_some() => {
            fields::show(app, req, family, id(f).unwrap_or(0))
        }
        (m, [family, ..]) if *m != Method::GET && field_writes::serves(family) => {
            if who.role == "admin" {
                field_writes::route(app, req, family, &segs[1..])
            } else {
                forbidden_page()
            }
        }
        (
            &Method::GET,
            [
                "views" | "macros" | "satisfaction_ratings" | "ticket_metrics",
                ..,
            ],
        )
        | (&Method::GET, ["tickets", _, "metrics"])
        | (&Method::GET, ["tickets", _, "macros", _, "apply"])
        | (&Method::POST, ["tickets", _, "satisfaction_rating"])
        | (&Method::GET, ["incremental", "ticket_events"]) => {
            routers::workflow(app, req, segs, who)
        }
        (_, ["help_center", rest @ ..]) => help_center::route(app, req, rest, who),
        (&Method::GET, ["tags"]) => tags::list(app, req),
        (&Method::GET, ["tickets", t, "tags"]) if id(t).is_some() => {
            tags::show(app, id(t).unwrap_or(0))
        }
        (&Method::PUT, ["tickets", t, "tags"]) if id(t).is_some() => {
            tags::change(app, req, id(t).unwrap_or(0), who, "set")
        }
        (&Method::POST, ["tickets", t, "tags"]) if id(t).is_some() => {
            tags::change(app, req, id(t).unwrap_or(0), who, "add")
        }
        (&Method::DELETE, ["tickets", t, "tags"]) if id(t).is_some() => {
            tags::change(app, req, id(t).unwrap_or(0), who, "remove")
        }
        (&Method::DELETE, ["tickets", "destroy_many"]) => bulk::destroy_many(app, req, true),
        (&Method::POST, ["tickets", t, "merge"]) if id(t).is_some() => {
            bulk::merge(app, req, id(t).unwrap_or(0), who)
        }
        (&Method::POST, ["users", "create_many"]) => bulk::users_create_many(app, req, false),
        (&Method::POST, ["users", "create_or_update_many"]) => {
            bulk::users_create_many(app, req, true)
        }
        (&Method::POST, ["users", "create_or_update"]) => users::create_or_update(app, req),
        (&Method::PUT, ["users", "update_many"]) => bulk::users_update_many(app, req),
        (&Method::DELETE, ["users", "destroy_many"]) if who.role == "admin" => {
            bulk::destroy_many(app, req, false)
        }
        // Admins only, as on Zendesk (agents used to get a 404 here).
        (&Method::DELETE, ["users", "destroy_many"]) => forbidden_page(),
        (&Method::GET, ["users", u, "identities"]) if id(u).is_some() => {
            identities::list(app, req, id(u).unwrap_or(0))
        }
        (&Method::POST, ["users", u, "identities"]) if id(u).is_some() => {
            identities::create(app, req, id(u).unwrap_or(0))
        }
        (&Method::GET, ["users", u, "identities", i]) if id(u).is_some() && id(i).is_some() => {
            identities::show(app, req, id(u).unwrap_or(0), id(i).unwrap_or(0))
        }
        (&Method::DELETE, ["users", u, "identities", i]) if id(u).is_some() && id(i).is_some() => {
            identities::delete(app, id(u).unwrap_or(0), id(i).unwrap_or(0))
        }
        (&Method::GET, ["users", "me"]) => users::me(app, req, who),
        (&Method::GET, ["users"]) => users::list(app, req),
        (&Method::POST, ["users"]) => users::create(app, req),
        (&Method::GET, ["users", "show_many"]) => users::show_many(app, req),
        (&Method::GET, ["users", u]) if id(u).is_some() => {
            users::show(app, req, id(u).unwrap_or(0))
        }
        (&Method::PUT, ["users", u]) if id(u).is_some() => {
            users::update(app, req, id(u).unwrap_or(0))
        }
        (&Method::DELETE, ["users", u]) if id(u).is_some() => {
            if who.role != "admin" {
                forbidden_page()
            } else {
                users::delete(app, req, id(u).unwrap_or(0))
            }
        }
        (&Method::GET, ["tickets"]) => tickets::list(app, req),
        (&Method::POST, ["tickets"]) => tickets::create(app, req, who),
        (&Method::GET, ["tickets", "show_many"]) => tickets::show_many(app, req),
        (&Method::POST, ["tickets", "create_many"]) => jobs::create_many(app, req, who),
        (&Method::PUT, ["tickets", "update_many"]) => jobs::update_many(app, req, who),
        (&Method::GET, ["tickets", t]) if id(t).is_some() => {
            tickets::show(app, req, id(t).unwrap_or(0))
        }
        (&Method::PUT, ["tickets", t]) if id(t).is_some() => {
            tickets::update(app, req, id(t).unwrap_or(0), who)
        }
        (&Method::DELETE, ["tickets", t]) if id(t).is_some() => {
            tickets::delete(app, id(t).unwrap_or(0))
        }
        (&Method::GET, ["job_statuses", j]) => jobs::show(app, req, j),
        (&Method::GET, ["search"]) => search::search(app, req),
        (&Method::GET, ["search", "export"]) => search::export(app, req),
        (&Method::GET, ["incremental", "tickets", "cursor"]) => {
            incremental::cursor(app, req, crate::store::Kind::Tickets)
        }
        (&Method::GET, ["incremental", "users", "cursor"]) => {
            incremental::cursor(app, req, crate::store::Kind::Users)
        }
        (&Method::GET, ["incremental", "tickets"]) => {
            incremental::time_based(app, req, crate::store::Kind::Tickets)
        }
        (&Method::GET, ["incremental", "users"]) => {
            incremental::time_based(app, req, crate::store::Kind::Users)
        }
        (&Method::POST, ["uploads"]) => uploads::upload(app, req),
        (&Method::GET, ["attachments", a]) if id(a).is_some() => {
            uploads::show(app, req, id(a).unwrap_or(0))
        }
        (&Method::GET, ["attachments", a, _]) if id(a).is_some() => {
            uploads::redirect(app, id(a).unwrap_or(0))
        }
        (&Method::GET, ["oauth", "tokens", "current"]) => match &who.bearer {
            Some(t) => {
                let v = lock(&app.oauth).describe(t, who.user_id, &req.base);
                Resp::json(200, &v)
            }
            None => Resp::not_found(),
        },
        (&Method::POST, ["oauth", "tokens"]) => admin_token(app, req, who),
        _ => Resp::invalid_endpoint(),
    };
    resp.headers.extend(headers.headers);
    resp
}
