//! The sub-routers of the API: organizations, groups and their memberships; views,
//! macros, satisfaction ratings, ticket metrics and ticket events.

use super::{
    forbidden_page, groups, incremental, jobs, macros, metrics, organizations, ticket_events, views,
};
use crate::app::{App, Req};
use crate::auth::Identity;
use crate::http::Resp;
use hyper::Method;

/// Organizations, groups and their memberships.
pub fn account(app: &App, req: &Req, segs: &[&str], who: &Identity) -> Resp {
    use groups::GROUPS;
    use organizations::ORGS;
    let m = &req.method;
    let id = |s: &str| s.parse::<u64>().ok();
    let admin = who.role == "admin";
    match (m, segs) {
        (&Method::GET, ["incremental", "organizations"]) => {
            incremental::time_based(app, req, crate::store::Kind::Organizations)
        }
        (&Method::GET, ["organizations"]) => ORGS.list(app, req),
        (&Method::POST, ["organizations"]) => organizations::create(app, req),
        (&Method::GET, ["organizations", "show_many"]) => ORGS.show_many(app, req),
        (&Method::GET, ["organizations", "autocomplete"]) => organizations::autocomplete(app, req),
        (&Method::POST, ["organizations", "create_many"]) => jobs::create_many_orgs(app, req),
        (&Method::GET, ["organizations", o]) if id(o).is_some() => {
            ORGS.show(app, req, id(o).unwrap_or(0))
        }
        (&Method::PUT, ["organizations", o]) if id(o).is_some() => {
            organizations::update(app, req, id(o).unwrap_or(0))
        }
        (&Method::DELETE, ["organizations", o]) if id(o).is_some() && admin => {
            organizations::delete(app, id(o).unwrap_or(0))
        }
        (&Method::GET, ["organizations", o, "tickets"]) if id(o).is_some() => {
            organizations::tickets(app, req, id(o).unwrap_or(0))
        }
        (&Method::GET, ["organizations", o, "users"]) if id(o).is_some() => {
            organizations::users(app, req, id(o).unwrap_or(0))
        }
        (&Method::GET, ["organizations", o, "organization_memberships"]) if id(o).is_some() => {
            organizations::org_memberships(app, req, id(o).unwrap_or(0))
        }
        (&Method::GET, ["organization_memberships"]) => organizations::MEMBERSHIPS.list(app, req),
        (&Method::POST, ["organization_memberships"]) => organizations::create_membership(app, req),
        (&Method::GET, ["organization_memberships", x]) if id(x).is_some() => {
            organizations::MEMBERSHIPS.show(app, req, id(x).unwrap_or(0))
        }
        (&Method::DELETE, ["organization_memberships", x]) if id(x).is_some() => {
            organizations::delete_membership(app, id(x).unwrap_or(0))
        }
        (&Method::GET, ["users", u, "organization_memberships"]) if id(u).is_some() => {
            organizations::user_memberships(app, req, id(u).unwrap_or(0))
        }
        (&Method::GET, ["groups"]) => GROUPS.list(app, req),
        (&Method::POST, ["groups"]) if admin => groups::create(app, req),
        (&Method::GET, ["groups", g]) if id(g).is_some() => {
            GROUPS.show(app, req, id(g).unwrap_or(0))
        }
        (&Method::PUT, ["groups", g]) if id(g).is_some() && admin => {
            groups::update(app, req, id(g).unwrap_or(0))
        }
        (&Method::DELETE, ["groups", g]) if id(g).is_some() && admin => {
            groups::delete(app, id(g).unwrap_or(0))
        }
        (&Method::GET, ["groups", g, "memberships"]) if id(g).is_some() => {
            groups::group_memberships(app, req, id(g).unwrap_or(0))
        }
        (&Method::GET, ["groups", g, "users"]) if id(g).is_some() => {
            groups::users(app, req, id(g).unwrap_or(0))
        }
        (&Method::GET, ["group_memberships"]) => groups::MEMBERSHIPS.list(app, req),
        (&Method::POST, ["group_memberships"]) if admin => groups::create_membership(app, req),
        (&Method::GET, ["group_memberships", x]) if id(x).is_some() => {
            groups::MEMBERSHIPS.show(app, req, id(x).unwrap_or(0))
        }
        (&Method::DELETE, ["group_memberships", x]) if id(x).is_some() && admin => {
            groups::delete_membership(app, id(x).unwrap_or(0))
        }
        (&Method::GET, ["users", u, "group_memberships"]) if id(u).is_some() => {
            groups::user_memberships(app, req, id(u).unwrap_or(0))
        }
        (&Method::POST | &Method::PUT | &Method::DELETE, _) if !admin => forbidden_page(),
        _ => Resp::invalid_endpoint(),
    }
}

/// Views, macros, satisfaction ratings, ticket metrics and ticket events.
pub fn workflow(app: &App, req: &Req, segs: &[&str], who: &Identity) -> Resp {
    let id = |s: &str| s.parse::<u64>().ok();
    match (&req.method, segs) {
        (&Method::GET, ["views"] | ["views", "active"]) => views::list(req),
        (&Method::GET, ["views", v]) if id(v).is_some() => views::show(req, id(v).unwrap_or(0)),
        (&Method::GET, ["views", v, "tickets"]) if id(v).is_some() => {
            views::tickets(app, req, id(v).unwrap_or(0), who)
        }
        (&Method::GET, ["views", v, "count"]) if id(v).is_some() => {
            views::count(app, req, id(v).unwrap_or(0), who)
        }
        (&Method::GET, ["macros"] | ["macros", "active"]) => macros::list(req),
        (&Method::GET, ["macros", x]) if id(x).is_some() => macros::show(req, id(x).unwrap_or(0)),
        (&Method::GET, ["macros", x, "apply"]) if id(x).is_some() => {
            macros::apply(app, req, id(x).unwrap_or(0), None, who)
        }
        (&Method::GET, ["tickets", t, "macros", x, "apply"])
            if id(t).is_some() && id(x).is_some() =>
        {
            macros::apply(app, req, id(x).unwrap_or(0), id(t), who)
        }
        (&Method::GET, ["satisfaction_ratings"]) => metrics::list(app, req),
        (&Method::GET, ["satisfaction_ratings", r]) if id(r).is_some() => {
            metrics::show(app, req, id(r).unwrap_or(0))
        }
        (&Method::POST, ["tickets", t, "satisfaction_rating"]) if id(t).is_some() => {
            metrics::rate(app, req, id(t).unwrap_or(0))
        }
        (&Method::GET, ["ticket_metrics"]) => metrics::list_metrics(app, req),
        (&Method::GET, ["ticket_metrics", x]) if id(x).is_some() => {
            metrics::show_metric(app, req, id(x).unwrap_or(0), false)
        }
        (&Method::GET, ["tickets", t, "metrics"]) if id(t).is_some() => {
            metrics::show_metric(app, req, id(t).unwrap_or(0), true)
        }
        (&Method::GET, ["incremental", "ticket_events"]) => ticket_events::export(app, req),
        _ => Resp::invalid_endpoint(),
    }
}
