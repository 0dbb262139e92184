//! The redirect policy: credentials go to the client's origin and nowhere else.
//!
//! A redirect is followed only when its target has the same scheme, host and port as
//! the client's base URL, at most [`MAX_REDIRECTS`] times per request (the client
//! re-sends the credential there). Any other target is refused: the call fails with
//! an [`ErrorKind::Http`] error holding the 3xx response, and nothing is sent to the
//! other host.

use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use url::Url;

/// Redirects followed per request, all on the same origin.
pub const MAX_REDIRECTS: usize = 5;

/// Where a redirect leads: `Some(url)` for a redirect on `base`'s origin, `None` when
/// `response` is not a redirect (or has no `Location`), an error when it points to
/// another origin or to something that is not a URL.
pub fn next_hop(response: &Response, current: &Url, base: &Url) -> Result<Option<Url>> {
    match location(response, current) {
        None => Ok(None),
        Some(Some(next)) if next.origin() == base.origin() => Ok(Some(next)),
        Some(next) => Err(not_followed(
            response,
            next.as_ref(),
            base,
            "credentials are only sent to",
        )),
    }
}

/// Where a redirect leads in a download (see [`crate::download`]): like
/// [`next_hop`], but another origin is followed too when it is HTTPS (or plain HTTP
/// to a loopback address), since it is where Zendesk serves the file's bytes. The
/// caller sends no credential there: only the signed URL itself.
pub fn next_download_hop(response: &Response, current: &Url, base: &Url) -> Result<Option<Url>> {
    match location(response, current) {
        None => Ok(None),
        Some(Some(next))
            if next.scheme() == "https"
                || (next.scheme() == "http" && crate::config::is_loopback(&next)) =>
        {
            if next.username().is_empty() && next.password().is_none() {
                Ok(Some(next))
            } else {
                Err(not_followed(
                    response,
                    Some(&next),
                    base,
                    "a location with credentials in it; downloads go to",
                ))
            }
        }
        Some(next) => Err(not_followed(
            response,
            next.as_ref(),
            base,
            "downloads only follow https:// locations from",
        )),
    }
}

/// The target of a redirect answer: `None` when `response` is not a redirect or has
/// no `Location`; `Some(None)` when the location is not a URL.
fn location(response: &Response, current: &Url) -> Option<Option<Url>> {
    if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        return None;
    }
    let location = response.headers.get("location")?;
    Some(current.join(location).ok())
}

/// The error for a redirect that is not followed (it holds the 3xx response).
fn not_followed(response: &Response, next: Option<&Url>, base: &Url, rule: &str) -> Error {
    let target = next
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|| "an invalid location".to_owned());
    let message = format!(
        "HTTP {}: redirect to {target} not followed ({rule} {})",
        response.status,
        base.origin().ascii_serialization()
    );
    Error::from_response(response.clone()).reframed(ErrorKind::Http, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::tests::response_with;

    #[test]
    fn only_same_origin_redirects_are_followed() {
        let base = Url::parse("https://acme.zendesk.com/").unwrap();
        let current = base.join("api/v2/tickets").unwrap();
        let mut moved = response_with(&[("Location", "/api/v2/tickets.json")]);
        moved.status = 301;
        assert_eq!(
            next_hop(&moved, &current, &base).unwrap().unwrap().as_str(),
            "https://acme.zendesk.com/api/v2/tickets.json"
        );
        for elsewhere in [
            "https://evil.test/x",
            "http://acme.zendesk.com/x",
            "https://acme.zendesk.com:8443/x",
            "//evil.test/x",
        ] {
            let mut away = response_with(&[("Location", elsewhere)]);
            away.status = 302;
            let error = next_hop(&away, &current, &base).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Http, "{elsewhere}");
        }
        assert!(
            next_hop(&response_with(&[]), &current, &base)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn downloads_follow_https_and_loopback_but_nothing_else() {
        let base = Url::parse("https://acme.zendesk.com/").unwrap();
        let current = base.join("attachments/token/abc/").unwrap();
        let hop = |location: &str| {
            let mut moved = response_with(&[("Location", location)]);
            moved.status = 302;
            next_download_hop(&moved, &current, &base)
        };
        for followed in [
            "https://acme.zdusercontent.com/attachment/1/x.png?token=t",
            "http://127.0.0.1:9/x",
            "http://localhost:9/x",
            "/attachments/other",
        ] {
            assert!(hop(followed).unwrap().is_some(), "{followed}");
        }
        for refused in [
            "http://evil.test/x",
            "ftp://acme.zdusercontent.com/x",
            "https://u:p@acme.zdusercontent.com/x",
            "file:///etc/passwd",
        ] {
            assert_eq!(
                hop(refused).unwrap_err().kind(),
                ErrorKind::Http,
                "{refused}"
            );
        }
    }
}
