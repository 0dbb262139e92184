//! The accept loop and the per-request pipeline: log, faults, routes, request ids.

use crate::app::{App, LoggedRequest, Req, lock};
use crate::faults::Fault;
use crate::http::{JSON, Resp, WireBody};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, HeaderValue};
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::io;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// Accepts connections forever.
/// Accepts connections forever; `content` marks the content origin (attachment bytes).
pub async fn serve(listener: TcpListener, app: Arc<App>, tls: Option<TlsAcceptor>, content: bool) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| handle(app.clone(), req, content));
            let builder = http1::Builder::new();
            match tls {
                Some(acceptor) => {
                    if let Ok(s) = acceptor.accept(stream).await {
                        if s.get_ref().1.alpn_protocol() == Some(b"h2".as_slice()) {
                            let h2 = http2::Builder::new(TokioExecutor::new());
                            let _ = h2.serve_connection(TokioIo::new(s), svc).await;
                        } else {
                            let _ = builder.serve_connection(TokioIo::new(s), svc).await;
                        }
                    }
                }
                None => {
                    let _ = builder.serve_connection(TokioIo::new(stream), svc).await;
                }
            }
        });
    }
}

fn wire(resp: Resp, body: WireBody) -> Response<WireBody> {
    let mut r = Response::new(body);
    *r.status_mut() =
        StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = r.headers_mut();
    for (k, v) in resp.headers {
        h.append(k, v);
    }
    r
}

fn add_request_id(app: &App, resp: &mut Resp) {
    let n = app.next();
    let id = format!("{:016x}", crate::util::mix(n ^ app.id_salt));
    if n % 4 == 0 {
        resp.set("x-request-id", &format!("{id}, {id}"));
    } else {
        resp.set("x-request-id", &id);
    }
    if n % 3 == 0 {
        resp.set("x-zendesk-request-id", &id);
    }
}

async fn handle(
    app: Arc<App>,
    req: Request<Incoming>,
    content: bool,
) -> Result<Response<WireBody>, io::Error> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let raw_path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let host = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or(&app.authority)
        .to_string();
    let path = raw_path
        .strip_suffix(".json")
        .unwrap_or(&raw_path)
        .to_string();
    let req = Req {
        method: parts.method.clone(),
        path,
        query: crate::util::parse_query(&raw_query),
        headers: parts.headers,
        body,
        base: format!("{}://{}", app.scheme, host),
    };

    if raw_path.starts_with("/__emulator") && !content {
        let mut resp = crate::control::handle(&app, &req);
        add_request_id(&app, &mut resp);
        let body = WireBody::Full(Some(resp.body.clone()));
        return Ok(wire(resp, body));
    }

    let mut headers = Vec::with_capacity(req.headers.len());
    for name in req.headers.keys() {
        let value = req
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        headers.push((name.as_str().to_string(), value));
    }
    lock(&app.log).push(LoggedRequest {
        method: req.method.as_str().to_string(),
        path: raw_path.clone(),
        query: raw_query,
        headers,
        body_len: req.body.len(),
    });

    let fault = lock(&app.faults).take(req.method.as_str(), &raw_path);
    let mut resp = match &fault {
        Some(Fault::Reset) => return Err(io::Error::other("injected fault: reset")),
        Some(Fault::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            answer(&app, &req, content)
        }
        Some(Fault::Status {
            status,
            headers,
            body,
            content_type,
        }) => {
            let body = body.clone().unwrap_or_default();
            let ct = content_type.clone().unwrap_or_else(|| {
                if serde_json::from_str::<serde_json::Value>(&body).is_ok() {
                    JSON.into()
                } else {
                    "text/plain; charset=utf-8".into()
                }
            });
            let mut r = Resp::raw(*status, &ct, body);
            for (k, v) in headers {
                r.set(k, v);
            }
            r
        }
        Some(Fault::MalformedJson) => Resp::raw(
            200,
            JSON,
            &b"{\"tickets\":[{\"id\":1,\"subject\":\"trunc"[..],
        ),
        Some(Fault::Redirect { status, location }) => {
            let mut r = Resp::raw(
                status.unwrap_or(302),
                "text/html; charset=utf-8",
                format!(
                    "<html><body>You are being <a href=\"{location}\">redirected</a>.</body></html>"
                ),
            );
            r.set("location", location);
            r
        }
        _ => answer(&app, &req, content),
    };
    add_request_id(&app, &mut resp);

    match fault {
        Some(Fault::Stall { ms }) => {
            let body = resp.body.clone();
            let half = body.len() / 2;
            let len = body.len() as u64;
            let wb = WireBody::split(
                body.slice(..half),
                Duration::from_millis(ms),
                Some(body.slice(half..)),
                Some(len),
            );
            Ok(wire(resp, wb))
        }
        Some(Fault::Truncate) => {
            let body = resp.body.clone();
            let half = body.len() / 2;
            let promised = body.len() as u64 + 1024;
            let mut r = wire(
                resp,
                WireBody::split(body.slice(..half), Duration::from_millis(50), None, None),
            );
            r.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(promised));
            Ok(r)
        }
        _ => {
            let body = if resp.status == 204 || resp.status == 304 {
                WireBody::Full(None)
            } else {
                WireBody::Full(Some(resp.body.clone()))
            };
            Ok(wire(resp, body))
        }
    }
}

/// The answer of the main origin (the API) or of the content origin.
fn answer(app: &App, req: &Req, content: bool) -> crate::http::Resp {
    if content {
        crate::content::serve(app, req)
    } else {
        crate::routes::dispatch(app, req)
    }
}
