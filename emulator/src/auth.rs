//! Who is calling: API token (Basic `email/token:TOKEN`), OAuth bearer, or nobody.

use crate::oauth::OAuth;
use crate::store::Store;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hyper::HeaderMap;
use serde_json::Value;

/// The built-in API token.
pub const API_TOKEN: &str = "emulator-api-token";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The user's id.
    pub user_id: u64,
    /// `admin`, `agent` or `end-user`.
    pub role: String,
    /// OAuth scopes; `None` for API tokens (full access).
    pub scopes: Option<Vec<String>>,
    /// The bearer token, for `tokens/current`.
    pub bearer: Option<String>,
}

/// The result of looking at the Authorization header.
#[derive(Debug, Clone)]
pub enum Auth {
    /// No Authorization header.
    Anonymous,
    /// Basic with a password: Zendesk switched password access off.
    Password,
    /// Wrong token, expired bearer, unknown user, malformed header.
    Invalid,
    /// A known caller.
    User(Identity),
}

/// Decodes `Authorization: Basic …` into `(user, secret)`.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let h = headers.get(hyper::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, rest) = h.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(rest.trim()).ok()?).ok()?;
    let (u, p) = decoded.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn identity(
    store: &Store,
    email: &str,
    scopes: Option<Vec<String>>,
    bearer: Option<String>,
) -> Auth {
    match store.user_by_email(email) {
        Some(u) if u.get("active").and_then(Value::as_bool) != Some(false) => {
            Auth::User(Identity {
                user_id: u.get("id").and_then(Value::as_u64).unwrap_or(0),
                role: u
                    .get("role")
                    .and_then(Value::as_str)
                    .unwrap_or("end-user")
                    .to_string(),
                scopes,
                bearer,
            })
        }
        _ => Auth::Invalid,
    }
}

/// Authenticates a request.
pub fn authenticate(
    headers: &HeaderMap,
    store: &Store,
    oauth: &OAuth,
    api_tokens: &[String],
) -> Auth {
    let Some(h) = headers.get(hyper::header::AUTHORIZATION) else {
        return Auth::Anonymous;
    };
    let Ok(h) = h.to_str() else {
        return Auth::Invalid;
    };
    let (scheme, rest) = h.trim().split_once(' ').unwrap_or((h, ""));
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = rest.trim();
        return match oauth.lookup(token) {
            Some(t) => identity(
                store,
                &t.user_email,
                Some(t.scopes.clone()),
                Some(token.to_string()),
            ),
            None => Auth::Invalid,
        };
    }
    if !scheme.eq_ignore_ascii_case("basic") {
        return Auth::Invalid;
    }
    let Some((user, secret)) = basic_credentials(headers) else {
        return Auth::Invalid;
    };
    match user.strip_suffix("/token") {
        Some(email) if secret == API_TOKEN || api_tokens.contains(&secret) => {
            identity(store, email, None, None)
        }
        Some(_) => Auth::Invalid,
        None => Auth::Password,
    }
}
