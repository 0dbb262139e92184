//! Response values and the body types that let faults misbehave on the wire.

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{HeaderName, HeaderValue};
use serde_json::Value;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// `Content-Type` of every JSON answer.
pub const JSON: &str = "application/json; charset=utf-8";

/// A response before it is put on the wire.
#[derive(Debug, Clone)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// Extra headers (Content-Type included).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body.
    pub body: Bytes,
}

impl Resp {
    /// A JSON response.
    pub fn json(status: u16, v: &Value) -> Resp {
        Resp::raw(
            status,
            JSON,
            Bytes::from(serde_json::to_vec(v).unwrap_or_default()),
        )
    }

    /// A response with a given content type.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
        let mut r = Resp {
            status,
            headers: Vec::with_capacity(8),
            body: body.into(),
        };
        r.set("content-type", content_type);
        r
    }

    /// 204 No Content.
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    /// `{"error": error, "description": description}`.
    pub fn error(status: u16, error: &str, description: &str) -> Resp {
        Resp::json(
            status,
            &serde_json::json!({"error": error, "description": description}),
        )
    }

    /// 404 for a missing record.
    pub fn not_found() -> Resp {
        Resp::error(404, "RecordNotFound", "Not found")
    }

    /// 404 for an unknown endpoint.
    pub fn invalid_endpoint() -> Resp {
        Resp::error(404, "InvalidEndpoint", "Not found")
    }

    /// 401 for bad or missing credentials.
    pub fn unauthorized() -> Resp {
        Resp::json(
            401,
            &serde_json::json!({"error": "Couldn't authenticate you"}),
        )
    }

    /// 422 `RecordInvalid` with one detail.
    pub fn invalid(field: &str, error: &str, description: &str) -> Resp {
        Resp::json(
            422,
            &serde_json::json!({"error": "RecordInvalid", "description": "Record validation errors",
                "details": {field: [{"description": description, "error": error}]}}),
        )
    }

    /// 400 with a JSON:API `errors` list.
    pub fn errors_list(status: u16, code: &str, title: &str, detail: &str) -> Resp {
        Resp::json(
            status,
            &serde_json::json!({"errors": [{"code": code, "title": title, "detail": detail, "status": status.to_string()}]}),
        )
    }

    /// Sets (appends) a header; invalid values are skipped.
    pub fn set(&mut self, name: &str, value: &str) {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            self.headers.push((n, v));
        }
    }
}

/// `ETag` on a successful GET answer, and `304 Not Modified` (empty body) when the
/// request's `If-None-Match` names that tag (or `*`). The tag is weak (`W/"…"`), as
/// Zendesk's, and derived from the body, so it changes exactly when the answer does.
pub fn conditional(if_none_match: Option<&str>, resp: &mut Resp) {
    use std::hash::{Hash, Hasher};
    if resp.status != 200 {
        return;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    resp.body.hash(&mut h);
    let tag = format!("W/\"{:016x}\"", h.finish());
    let strong = &tag[2..];
    let hit = if_none_match.is_some_and(|v| {
        v.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t == tag || t == strong)
    });
    resp.set("etag", &tag);
    if hit {
        resp.status = 304;
        resp.body = Bytes::new();
        resp.headers.retain(|(k, _)| k.as_str() != "content-type");
    }
}

/// The body on the wire: whole, or cut short / stalled by a fault.
pub enum WireBody {
    /// The whole body in one frame.
    Full(Option<Bytes>),
    /// Send `first`, sleep, then send `rest` (or end early when `rest` is `None`,
    /// which makes hyper close the connection short of the promised Content-Length).
    Split {
        /// Sent immediately.
        first: Option<Bytes>,
        /// The pause after `first`.
        sleep: Option<Pin<Box<tokio::time::Sleep>>>,
        /// Sent after the pause.
        rest: Option<Bytes>,
        /// Exact length for the size hint, when the body is complete.
        len: Option<u64>,
    },
}

impl WireBody {
    /// A body that sends `first`, waits `pause`, then sends `rest` (if any).
    pub fn split(first: Bytes, pause: Duration, rest: Option<Bytes>, len: Option<u64>) -> WireBody {
        WireBody::Split {
            first: Some(first),
            sleep: Some(Box::pin(tokio::time::sleep(pause))),
            rest,
            len,
        }
    }
}

impl Body for WireBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            WireBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            WireBody::Split {
                first, sleep, rest, ..
            } => {
                if let Some(b) = first.take() {
                    return Poll::Ready(Some(Ok(Frame::data(b))));
                }
                if let Some(s) = sleep {
                    if s.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *sleep = None;
                }
                Poll::Ready(rest.take().map(|b| Ok(Frame::data(b))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, WireBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            WireBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            WireBody::Full(None) => SizeHint::with_exact(0),
            WireBody::Split { len: Some(n), .. } => SizeHint::with_exact(*n),
            WireBody::Split { .. } => SizeHint::default(),
        }
    }
}

use std::future::Future as _;
