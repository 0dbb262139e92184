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
    if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = response.headers.get("location") else {
        return Ok(None);
    };
    let next = current.join(location).ok();
    match next {
        Some(next) if next.origin() == base.origin() => Ok(Some(next)),
        _ => {
            let target = next
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|| "an invalid location".to_owned());
            let message = format!(
                "HTTP {}: redirect to {target} not followed (credentials are only sent to {})",
                response.status,
                base.origin().ascii_serialization()
            );
            Err(Error::from_response(response.clone()).reframed(ErrorKind::Http, message))
        }
    }
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
}
