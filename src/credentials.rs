//! Credentials: where the `Authorization` header of each request comes from.
//!
//! Every mode sits behind [`CredentialProvider`], so OAuth providers that mint or
//! refresh tokens plug into the client without touching the transport.

use crate::error::{Error, Result};
use crate::secret::Secret;
use base64::Engine as _;
use std::fmt;

/// A function that posts a JSON body to the OAuth token endpoint and returns the
/// parsed answer (or an authentication error carrying Zendesk's `error` and
/// `error_description`).
pub type TokenEndpoint<'a> = &'a dyn Fn(&serde_json::Value) -> Result<serde_json::Value>;

/// What a provider may use while producing a header value: providers that must call
/// the token endpoint do so through the client's own transport.
pub struct AuthContext<'a> {
    /// The origin requests go to (`https://acme.zendesk.com`).
    pub base_url: &'a url::Url,
    pub(crate) token_endpoint: Option<TokenEndpoint<'a>>,
    /// The deadline of the call that needs the credential: a token request, and any
    /// wait for another thread's token request, end by then.
    pub(crate) deadline: Option<std::time::Instant>,
}

impl AuthContext<'_> {
    /// The deadline of the call that needs the credential, if it has one.
    pub fn deadline(&self) -> Option<std::time::Instant> {
        self.deadline
    }
}

impl AuthContext<'_> {
    /// Posts `body` to `/oauth/tokens` on the client's origin.
    pub fn request_token(&self, body: &serde_json::Value) -> Result<serde_json::Value> {
        match self.token_endpoint {
            Some(endpoint) => endpoint(body),
            None => Err(Error::new(
                crate::ErrorKind::Internal,
                "no token endpoint is available in this context",
            )),
        }
    }
}

impl fmt::Debug for AuthContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthContext")
            .field("base_url", &self.base_url.as_str())
            .finish_non_exhaustive()
    }
}

/// A source of `Authorization` header values. Implementations are shared by every
/// thread using the client.
pub trait CredentialProvider: Send + Sync + fmt::Debug {
    /// The complete `Authorization` header value for the next request
    /// (`Basic …` or `Bearer …`).
    fn authorization(&self, context: &AuthContext<'_>) -> Result<Secret>;

    /// The `Authorization` value when it is at hand without waiting (no token to
    /// request, no other thread to wait for); `None` sends the caller to
    /// [`CredentialProvider::authorization`] on a thread that may block. The async
    /// engine asks this first, so its driver thread never blocks on a credential.
    /// The default, `None`, is always correct.
    fn cached_authorization(&self) -> Option<Secret> {
        None
    }

    /// Called when the server answered 401 to a request that carried `rejected`.
    /// Return true when a new value is available and the request should be sent once
    /// more (an OAuth provider that refreshed its token); static credentials return false.
    fn on_unauthorized(&self, rejected: &Secret) -> bool {
        let _ = rejected;
        false
    }

    /// A description safe to log (no secret): `"API token of agent@example.com"`.
    fn describe(&self) -> String;

    /// The current OAuth token set, for providers that manage one.
    fn token_set(&self) -> Option<crate::oauth::TokenSet> {
        None
    }
}

/// A provider for clients that only talk to the token endpoint (code exchange):
/// it refuses to authorize API requests.
#[derive(Debug)]
pub(crate) struct NoCredential;

impl CredentialProvider for NoCredential {
    fn authorization(&self, _context: &AuthContext<'_>) -> Result<Secret> {
        Err(Error::invalid(
            "this client has no credential for API requests",
        ))
    }

    fn describe(&self) -> String {
        "no credential".to_owned()
    }
}

/// The credential modes Zendesk accepts.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// An API token, sent as `Basic base64("{email}/token:{token}")`.
    ApiToken {
        /// The email of the user whose permissions the token carries.
        email: String,
        /// The API token.
        token: Secret,
    },
    /// An OAuth access token, sent as `Bearer {token}`.
    OAuthToken(Secret),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::ApiToken { email, .. } => f
                .debug_struct("ApiToken")
                .field("email", email)
                .field("token", &"[redacted]")
                .finish(),
            Credential::OAuthToken(_) => f.write_str("OAuthToken([redacted])"),
        }
    }
}

/// Checks that a credential part is non-empty and free of CR, LF and NUL, which would
/// let it inject headers. The error names the field, never the value.
pub(crate) fn check_header_safe(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("{field} is empty")));
    }
    if value.chars().any(|c| matches!(c, '\r' | '\n' | '\0')) {
        return Err(Error::invalid(format!(
            "{field} contains a line break or NUL character (header injection refused)"
        )));
    }
    Ok(())
}

impl Credential {
    /// Validates the parts of the credential.
    pub fn validate(&self) -> Result<()> {
        match self {
            Credential::ApiToken { email, token } => {
                check_header_safe("email", email)?;
                if !email.contains('@') {
                    return Err(Error::invalid(
                        "email does not look like an email address (expected name@domain)",
                    ));
                }
                check_header_safe("API token", token.expose())
            }
            Credential::OAuthToken(token) => {
                check_header_safe("OAuth access token", token.expose())?;
                if token.expose().chars().any(char::is_whitespace) {
                    return Err(Error::invalid("OAuth access token contains white space"));
                }
                Ok(())
            }
        }
    }

    /// The `Authorization` header value for this credential.
    pub fn header_value(&self) -> Secret {
        match self {
            Credential::ApiToken { email, token } => {
                let plain = Secret::new(format!("{email}/token:{}", token.expose()));
                let encoded = zeroize::Zeroizing::new(
                    base64::engine::general_purpose::STANDARD.encode(plain.expose()),
                );
                Secret::new(format!("Basic {}", encoded.as_str()))
            }
            Credential::OAuthToken(token) => Secret::new(format!("Bearer {}", token.expose())),
        }
    }
}

/// A provider for a credential that never changes (API token or a fixed OAuth token).
#[derive(Debug)]
pub struct StaticCredential {
    credential: Credential,
    header: Secret,
}

impl StaticCredential {
    /// Validates `credential` and precomputes its header value.
    pub fn new(credential: Credential) -> Result<Self> {
        credential.validate()?;
        let header = credential.header_value();
        Ok(StaticCredential { credential, header })
    }
}

impl CredentialProvider for StaticCredential {
    fn authorization(&self, _context: &AuthContext<'_>) -> Result<Secret> {
        Ok(self.header.clone())
    }

    fn cached_authorization(&self) -> Option<Secret> {
        Some(self.header.clone())
    }

    fn describe(&self) -> String {
        match &self.credential {
            Credential::ApiToken { email, .. } => format!("API token of {email}"),
            Credential::OAuthToken(_) => "OAuth access token".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_token_header_is_basic_email_slash_token() {
        let c = Credential::ApiToken {
            email: "agent@example.com".into(),
            token: Secret::new("abc"),
        };
        let expected =
            base64::engine::general_purpose::STANDARD.encode("agent@example.com/token:abc");
        assert_eq!(c.header_value().expose(), format!("Basic {expected}"));
    }

    #[test]
    fn injection_and_empty_values_are_refused() {
        let bad = Credential::OAuthToken(Secret::new("abc\r\nX-Evil: 1"));
        let err = bad.validate().unwrap_err();
        assert!(err.to_string().contains("header injection"));
        assert!(!err.to_string().contains("abc"));
        assert!(Credential::OAuthToken(Secret::new("")).validate().is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let c = Credential::ApiToken {
            email: "a@b.c".into(),
            token: Secret::new("canary-77"),
        };
        assert!(!format!("{c:?}").contains("canary"));
        let p = StaticCredential::new(c).unwrap();
        assert!(!format!("{p:?}").contains("canary"));
    }
}
