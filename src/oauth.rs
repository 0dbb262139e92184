//! OAuth that keeps working: client-credentials minting, rotating refresh tokens,
//! single-flight renewal, and the authorization-code helpers (with PKCE).
//!
//! Tokens are renewed ahead of expiry (60 s before it, or at 80 % of a short
//! lifetime) and once more when a request gets a 401, which is then replayed once.
//! When many threads find the token due at once, exactly one token request is made;
//! the others wait for its result, and a failure fails them all with the same error.
//! Every rotation is handed to the application's callback so it can persist the new
//! refresh token, and the latest token set is readable at any time.

use crate::credentials::{AuthContext, CredentialProvider, check_header_safe};
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use zeroize::Zeroize;

/// Default lifetime asked for client-credentials tokens (always sent explicitly:
/// older Zendesk OAuth clients get tokens that never expire unless asked).
pub const DEFAULT_EXPIRES_IN: u64 = 1800;
/// How long before expiry a token is renewed (or 20 % of a shorter lifetime).
pub const RENEW_MARGIN: Duration = Duration::from_secs(60);

/// An OAuth token set as Zendesk's token endpoint returns it.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSet {
    /// The access token (sent as `Authorization: Bearer …`).
    pub access_token: Secret,
    /// The refresh token, for the refresh-token grant (rotates on every use).
    pub refresh_token: Option<Secret>,
    /// When the access token expires, if it does.
    pub expires_at: Option<SystemTime>,
    /// The scopes granted (space-separated).
    pub scope: Option<String>,
    /// When the refresh token expires, if Zendesk said.
    pub refresh_token_expires_at: Option<SystemTime>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"[redacted]")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at", &self.expires_at.map(unix_seconds))
            .field("scope", &self.scope)
            .finish()
    }
}

/// Seconds since the Unix epoch.
pub fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl TokenSet {
    /// Reads a token endpoint answer (`access_token`, `refresh_token`, `expires_in`,
    /// `refresh_token_expires_in`, `scope`).
    pub fn from_answer(answer: &Value) -> Result<TokenSet> {
        let text = |key: &str| {
            answer
                .get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let access = text("access_token").ok_or_else(|| {
            Error::new(
                ErrorKind::Authentication,
                "the token endpoint answered without an access_token",
            )
        })?;
        // Token values go into every request's Authorization header: a line break
        // would inject headers, so a server cannot smuggle one in.
        check_token_value("access_token", access)?;
        let refresh_token = text("refresh_token");
        if let Some(refresh) = refresh_token {
            check_token_value("refresh_token", refresh)?;
        }
        let now = SystemTime::now();
        let after = |key: &str| lifetime(answer.get(key)).and_then(|life| now.checked_add(life));
        Ok(TokenSet {
            access_token: Secret::new(access),
            refresh_token: refresh_token.map(Secret::new),
            expires_at: after("expires_in"),
            scope: text("scope").map(clip_scope),
            refresh_token_expires_at: after("refresh_token_expires_in"),
        })
    }

    /// The `Authorization` header value.
    pub fn header_value(&self) -> Secret {
        Secret::new(format!("Bearer {}", self.access_token.expose()))
    }
}

/// The longest token lifetime zdkit believes (one year; Zendesk's longest is 90 days
/// for refresh tokens). A larger `expires_in` is clamped to it.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// Reads an `expires_in`-style lifetime: a positive number of seconds (a numeric
/// string too), clamped to [`MAX_TOKEN_LIFETIME`]. Missing, zero, negative or
/// unreadable values mean "not said": the token is then renewed when a request
/// gets a 401.
fn lifetime(value: Option<&Value>) -> Option<Duration> {
    let seconds = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (seconds.is_finite() && seconds >= 1.0)
        .then(|| Duration::from_secs_f64(seconds.min(MAX_TOKEN_LIFETIME.as_secs_f64())))
}

/// A token value from the token endpoint must be safe in a header: no CR, LF, NUL or
/// other control characters, no white space.
fn check_token_value(field: &str, value: &str) -> Result<()> {
    if value.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::new(
            ErrorKind::Authentication,
            format!(
                "the token endpoint's {field} contains white space or control characters \
                 (header injection refused; nothing was sent with it)"
            ),
        ));
    }
    Ok(())
}

/// Scopes are shown in `Debug` and to users: keep them printable and short.
fn clip_scope(scope: &str) -> String {
    scope
        .chars()
        .filter(|c| !c.is_control())
        .take(1000)
        .collect()
}

/// Overwrites every string in a JSON value with zeros (token requests and answers
/// hold secrets, and `serde_json` frees its strings without zeroing them).
pub fn zeroize_json(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(zeroize_json),
        Value::Object(map) => map.values_mut().for_each(zeroize_json),
        _ => {}
    }
}

/// Called with every new token set (so the application can persist the rotated
/// refresh token). It runs on the thread that renewed the token.
pub type RotationCallback = Arc<dyn Fn(&TokenSet) + Send + Sync>;

/// How new tokens are obtained.
#[derive(Clone)]
enum Grant {
    ClientCredentials { scope: String, expires_in: u64 },
    RefreshToken,
}

struct State {
    token: Option<TokenSet>,
    /// When the current token was issued (for the 80 % rule).
    issued: Option<SystemTime>,
    /// The refresh token to use next (refresh grant).
    refresh_token: Option<Secret>,
    renewing: bool,
    generation: u64,
    last_failure: Option<(u64, Error)>,
}

/// A credential provider that mints or refreshes OAuth tokens.
pub struct OAuthProvider {
    client_id: String,
    client_secret: Secret,
    grant: Grant,
    state: Mutex<State>,
    changed: Condvar,
    on_rotate: Option<RotationCallback>,
}

impl fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("grant", &self.describe())
            .finish()
    }
}

impl OAuthProvider {
    fn new(
        client_id: &str,
        client_secret: &str,
        grant: Grant,
        refresh: Option<Secret>,
    ) -> Result<Self> {
        check_header_safe("OAuth client id", client_id)?;
        check_header_safe("OAuth client secret", client_secret)?;
        Ok(OAuthProvider {
            client_id: client_id.to_owned(),
            client_secret: Secret::new(client_secret),
            grant,
            state: Mutex::new(State {
                token: None,
                issued: None,
                refresh_token: refresh,
                renewing: false,
                generation: 0,
                last_failure: None,
            }),
            changed: Condvar::new(),
            on_rotate: None,
        })
    }

    /// Client credentials: tokens for `scope` (space-separated, e.g. `"read write"`)
    /// lasting `expires_in` seconds, minted again before they expire.
    pub fn client_credentials(
        client_id: &str,
        client_secret: &str,
        scope: &str,
        expires_in: u64,
    ) -> Result<Self> {
        if scope.trim().is_empty() {
            return Err(Error::invalid(
                "the OAuth scope is empty (use \"read\", \"read write\", …)",
            ));
        }
        if expires_in == 0 {
            return Err(Error::invalid("expires_in must be at least 1 second"));
        }
        Self::new(
            client_id,
            client_secret,
            Grant::ClientCredentials {
                scope: scope.trim().to_owned(),
                expires_in,
            },
            None,
        )
    }

    /// A refresh token: the access token is obtained (and rotated, with a new refresh
    /// token each time) with the refresh-token grant. `current` is an optional access
    /// token still valid from a previous run.
    pub fn refresh_token(
        client_id: &str,
        client_secret: &str,
        refresh_token: &str,
        current: Option<(Secret, Option<SystemTime>)>,
    ) -> Result<Self> {
        check_header_safe("refresh token", refresh_token)?;
        let provider = Self::new(
            client_id,
            client_secret,
            Grant::RefreshToken,
            Some(Secret::new(refresh_token)),
        )?;
        if let Some((access, expires_at)) = current {
            check_header_safe("OAuth access token", access.expose())?;
            let mut state = provider.lock_state();
            state.token = Some(TokenSet {
                access_token: access,
                refresh_token: Some(Secret::new(refresh_token)),
                expires_at,
                scope: None,
                refresh_token_expires_at: None,
            });
            state.issued = Some(SystemTime::now());
            drop(state);
        }
        Ok(provider)
    }

    /// Registers the rotation callback.
    pub fn on_rotate(mut self, callback: RotationCallback) -> Self {
        self.on_rotate = Some(callback);
        self
    }

    /// The current token set, if one was obtained.
    pub fn current(&self) -> Option<TokenSet> {
        self.lock_state().token.clone()
    }

    fn due(state: &State) -> bool {
        let Some(token) = &state.token else {
            return true;
        };
        let Some(expires_at) = token.expires_at else {
            return false;
        };
        let lifetime = state
            .issued
            .and_then(|issued| expires_at.duration_since(issued).ok())
            .unwrap_or(RENEW_MARGIN * 5);
        let margin = RENEW_MARGIN.min(lifetime / 5);
        SystemTime::now() + margin >= expires_at
    }

    fn request_body(&self, state: &State) -> Result<Value> {
        Ok(match &self.grant {
            Grant::ClientCredentials { scope, expires_in } => json!({
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret.expose(),
                "scope": scope,
                "expires_in": expires_in,
            }),
            Grant::RefreshToken => {
                let refresh = state.refresh_token.as_ref().ok_or_else(|| {
                    Error::new(
                        ErrorKind::Authentication,
                        "no refresh token left to renew the access token",
                    )
                })?;
                json!({
                    "grant_type": "refresh_token",
                    "refresh_token": refresh.expose(),
                    "client_id": self.client_id,
                    "client_secret": self.client_secret.expose(),
                })
            }
        })
    }

    /// Locks the state. Nothing panics while holding it, and the single flight resets
    /// its flag on every path (see [`Renewal`]), so a poisoned lock still holds
    /// consistent state and is used as it is.
    fn lock_state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current token, renewing it first when due (single-flight). The token
    /// request, and any wait for another thread's, ends by the calling request's
    /// deadline.
    fn token(&self, context: &AuthContext<'_>) -> Result<TokenSet> {
        let deadline = context.deadline();
        let mut state = self.lock_state();
        loop {
            if !Self::due(&state) {
                if let Some(token) = &state.token {
                    return Ok(token.clone());
                }
            }
            if state.renewing {
                let generation = state.generation;
                while state.renewing && state.generation == generation {
                    state = match deadline {
                        None => self
                            .changed
                            .wait(state)
                            .unwrap_or_else(PoisonError::into_inner),
                        Some(deadline) => {
                            let left = deadline.saturating_duration_since(Instant::now());
                            if left.is_zero() {
                                return Err(Error::new(
                                    ErrorKind::Timeout,
                                    "the call's deadline passed while another thread was \
                                     renewing the OAuth token",
                                ));
                            }
                            self.changed
                                .wait_timeout(state, left)
                                .unwrap_or_else(PoisonError::into_inner)
                                .0
                        }
                    };
                }
                if let Some((failed, error)) = &state.last_failure {
                    if *failed == generation + 1 {
                        return Err(error.clone());
                    }
                }
                continue;
            }
            state.renewing = true;
            let body = self.request_body(&state);
            drop(state);
            let mut renewal = Renewal {
                provider: self,
                finished: false,
            };
            let outcome = body.and_then(|mut body| {
                let answer = context.request_token(&body);
                zeroize_json(&mut body);
                let mut answer = answer?;
                let token = TokenSet::from_answer(&answer);
                zeroize_json(&mut answer);
                token
            });
            let result = renewal.finish(outcome);
            if let (Ok(token), Some(callback)) = (&result, &self.on_rotate) {
                let callback = callback.clone();
                let token = token.clone();
                // A panicking callback must not take the client down: the token set
                // stays readable through `current()`.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(&token)));
            }
            return result;
        }
    }
}

/// The single flight of one renewal: whatever happens (success, error, or a panic
/// unwinding through the token request), the `renewing` flag is cleared, the
/// generation moves on and every waiter is woken.
struct Renewal<'a> {
    provider: &'a OAuthProvider,
    finished: bool,
}

impl Renewal<'_> {
    /// Records the outcome of the token request and wakes the waiters.
    fn finish(&mut self, outcome: Result<TokenSet>) -> Result<TokenSet> {
        self.finished = true;
        let mut state = self.provider.lock_state();
        state.renewing = false;
        state.generation += 1;
        let result = match outcome {
            Ok(mut token) => {
                if token.refresh_token.is_none() {
                    token.refresh_token = state.refresh_token.clone();
                } else {
                    state.refresh_token = token.refresh_token.clone();
                }
                state.token = Some(token.clone());
                state.issued = Some(SystemTime::now());
                state.last_failure = None;
                Ok(token)
            }
            Err(error) => {
                state.last_failure = Some((state.generation, error.clone()));
                Err(error)
            }
        };
        self.provider.changed.notify_all();
        result
    }
}

impl Drop for Renewal<'_> {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.finish(Err(Error::new(
                ErrorKind::Internal,
                "the OAuth token renewal was interrupted",
            )));
        }
    }
}

impl CredentialProvider for OAuthProvider {
    fn authorization(&self, context: &AuthContext<'_>) -> Result<Secret> {
        Ok(self.token(context)?.header_value())
    }

    fn cached_authorization(&self) -> Option<Secret> {
        let state = self.lock_state();
        if state.renewing || Self::due(&state) {
            return None;
        }
        state.token.as_ref().map(TokenSet::header_value)
    }

    fn on_unauthorized(&self, rejected: &Secret) -> bool {
        let mut state = self.lock_state();
        match &state.token {
            Some(token) if token.header_value() == *rejected => {
                // The server refused the token we hold: renew on the next request.
                state.token = None;
                true
            }
            Some(_) => true, // another thread already renewed it: replay with the new one
            None => true,
        }
    }

    fn describe(&self) -> String {
        match &self.grant {
            Grant::ClientCredentials { scope, .. } => {
                format!(
                    "OAuth client credentials of {} (scope {scope:?})",
                    self.client_id
                )
            }
            Grant::RefreshToken => format!("OAuth refresh token of {}", self.client_id),
        }
    }

    fn token_set(&self) -> Option<TokenSet> {
        self.current()
    }
}

/// Base64url without padding (RFC 7636 §A).
fn base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 code challenge of a PKCE verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    base64url(&Sha256::digest(verifier.as_bytes()))
}

/// A fresh PKCE pair `(code_verifier, code_challenge)`: 32 random bytes from the
/// operating system, base64url-encoded (43 characters), and their S256 challenge.
pub fn pkce_pair() -> Result<(Secret, String)> {
    let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
    getrandom::fill(bytes.as_mut())
        .map_err(|e| Error::new(ErrorKind::Internal, format!("no randomness for PKCE: {e}")))?;
    let verifier = base64url(bytes.as_ref());
    let challenge = pkce_challenge(&verifier);
    Ok((Secret::new(verifier), challenge))
}

/// The URL to send a user to so they grant access (`/oauth/authorizations/new`).
pub fn authorize_url(
    base_url: &url::Url,
    client_id: &str,
    redirect_uri: &str,
    scope: &str,
    state: Option<&str>,
    code_challenge: Option<&str>,
) -> String {
    let mut url = base_url
        .join("oauth/authorizations/new")
        .unwrap_or_else(|_| base_url.clone());
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", scope);
        if let Some(state) = state {
            query.append_pair("state", state);
        }
        if let Some(challenge) = code_challenge {
            query
                .append_pair("code_challenge", challenge)
                .append_pair("code_challenge_method", "S256");
        }
    }
    url.to_string()
}

/// The body of an authorization-code exchange.
pub fn exchange_code_body(
    client_id: &str,
    client_secret: &Secret,
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> Value {
    let mut body = json!({
        "grant_type": "authorization_code",
        "code": code,
        "client_id": client_id,
        "client_secret": client_secret.expose(),
        "redirect_uri": redirect_uri,
    });
    if let Some(verifier) = code_verifier {
        body["code_verifier"] = Value::String(verifier.to_owned());
    }
    body
}

/// The authorization-code exchange: posts the code (and PKCE verifier) to
/// `subdomain_or_url`'s token endpoint and returns the token set. The request body
/// and the answer are zeroed once read.
pub fn exchange_code(
    subdomain_or_url: &str,
    client_id: &str,
    client_secret: &Secret,
    code: &str,
    redirect_uri: &str,
    code_verifier: Option<&str>,
) -> Result<TokenSet> {
    let client = crate::Client::for_token_endpoint(subdomain_or_url)?;
    let mut body = exchange_code_body(client_id, client_secret, code, redirect_uri, code_verifier);
    let answer = client.token_request(&body);
    zeroize_json(&mut body);
    let mut answer = answer?;
    let token = TokenSet::from_answer(&answer);
    zeroize_json(&mut answer);
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_the_rfc_7636_test_vector() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let (verifier, challenge) = pkce_pair().unwrap();
        assert_eq!(verifier.expose().len(), 43);
        assert_eq!(pkce_challenge(verifier.expose()), challenge);
        assert_ne!(pkce_pair().unwrap().0, verifier);
    }

    #[test]
    fn token_sets_are_redacted_and_due_before_expiry() {
        let answer = json!({"access_token": "canary-access", "refresh_token": "canary-refresh", "expires_in": 10, "scope": "read"});
        let token = TokenSet::from_answer(&answer).unwrap();
        assert!(!format!("{token:?}").contains("canary"));
        let mut state = State {
            token: Some(token),
            issued: Some(SystemTime::now()),
            refresh_token: None,
            renewing: false,
            generation: 0,
            last_failure: None,
        };
        assert!(!OAuthProvider::due(&state), "fresh: 10 s left, margin 2 s");
        // Issued 9 s ago with a 10 s life: 1 s left is inside the 2 s (20 %) margin.
        state.issued = Some(SystemTime::now() - Duration::from_secs(9));
        state.token.as_mut().unwrap().expires_at = Some(SystemTime::now() + Duration::from_secs(1));
        assert!(OAuthProvider::due(&state), "inside the 20 % margin");
        let provider =
            OAuthProvider::client_credentials("id", "canary-secret", "read", 60).unwrap();
        assert!(!format!("{provider:?}").contains("canary"));
    }

    #[test]
    fn authorize_url_carries_pkce() {
        let base = url::Url::parse("https://acme.zendesk.com/").unwrap();
        let url = authorize_url(
            &base,
            "app",
            "https://x.test/cb",
            "read write",
            Some("s1"),
            Some("abc"),
        );
        assert!(url.starts_with(
            "https://acme.zendesk.com/oauth/authorizations/new?response_type=code&client_id=app"
        ));
        assert!(
            url.contains("scope=read+write")
                && url.contains("code_challenge=abc&code_challenge_method=S256")
        );
    }
}
