//! OAuth from C: the rotation callback, the current token set, the
//! authorization-code exchange and PKCE (the OAuth setters sit with the other
//! `zdk_config_set_*` functions in `config.rs`).

use super::boundary::{
    FfiError, Out, arg, arg_opt_str, arg_str, free_arg, guard, guard_value, out,
};
use super::client::zdk_client;
use super::result::zdk_result;
use crate::client::Client;
use crate::error::Error;
use crate::oauth::{OAuthProvider, TokenSet, unix_seconds};
use crate::secret::Secret;
use std::ffi::{CString, c_char, c_void};
use std::ptr;
use std::sync::Arc;
use zeroize::Zeroize;

/// Receives every new token set of a refresh-token client, so the application can
/// persist the rotated refresh token (the previous one stops working at once).
/// The strings are borrowed for the duration of the call; `expires_at_unix` is 0 when
/// the token does not expire. Called on the thread that renewed the token; it must
/// be thread-safe and must not call zdkit with the same client.
pub type zdk_token_rotation_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        access_token: *const c_char,
        refresh_token: *const c_char,
        expires_at_unix: i64,
    ),
>;

/// A C string that is zeroed when dropped (for secrets handed to C).
struct SecretCString(Option<CString>);

impl SecretCString {
    fn new(text: &str) -> SecretCString {
        SecretCString(CString::new(text.replace('\0', " ")).ok())
    }
    fn as_ptr(&self) -> *const c_char {
        self.0.as_ref().map_or(ptr::null(), |c| c.as_ptr())
    }
}

impl Drop for SecretCString {
    fn drop(&mut self) {
        if let Some(text) = self.0.take() {
            text.into_bytes_with_nul().zeroize();
        }
    }
}

struct RotationTarget {
    callback: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, i64),
    userdata: *mut c_void,
}
// SAFETY: zdk_config_set_oauth_refresh_token documents that the callback and its
// userdata must be usable from any thread; zdkit only passes the pointer back.
unsafe impl Send for RotationTarget {}
// SAFETY: as above.
unsafe impl Sync for RotationTarget {}

impl RotationTarget {
    fn call(&self, token: &TokenSet) {
        let access = SecretCString::new(token.access_token.expose());
        let refresh = SecretCString::new(token.refresh_token.as_ref().map_or("", Secret::expose));
        let expires = token.expires_at.map_or(0, unix_seconds);
        // SAFETY: the application registered this function and userdata.
        unsafe { (self.callback)(self.userdata, access.as_ptr(), refresh.as_ptr(), expires) };
    }
}

/// `provider` with a C rotation callback and its userdata (NULL `on_rotate`: unchanged).
pub(super) fn with_rotation(
    provider: OAuthProvider,
    on_rotate: zdk_token_rotation_callback,
    userdata: *mut c_void,
) -> OAuthProvider {
    match on_rotate {
        Some(callback) => {
            let target = RotationTarget { callback, userdata };
            provider.on_rotate(Arc::new(move |token: &TokenSet| target.call(token)))
        }
        None => provider,
    }
}

/// An OAuth token set. Its strings are zeroed when it is freed. Immutable.
pub struct zdk_token_set {
    access_token: SecretCString,
    refresh_token: Option<SecretCString>,
    scope: Option<CString>,
    expires_at: i64,
}

impl zdk_token_set {
    fn new(token: &TokenSet) -> zdk_token_set {
        zdk_token_set {
            access_token: SecretCString::new(token.access_token.expose()),
            refresh_token: token
                .refresh_token
                .as_ref()
                .map(|r| SecretCString::new(r.expose())),
            scope: token.scope.as_deref().map(super::last_error::to_cstring),
            expires_at: token.expires_at.map_or(0, unix_seconds),
        }
    }
}

/// ---- OAuth: token sets, PKCE, the authorization-code exchange ---------------
///
/// Copies the client's current OAuth token set into `*out` (free it with
/// `zdk_token_set_free`). `ZDK_ERR_INVALID_ARGUMENT` when the client's credential
/// manages no token (API token, static bearer) or none was obtained yet.
///
/// @param client the client (borrowed for the call; thread-safe).
/// @param out receives a new token set owned by the caller (free with
///     `zdk_token_set_free`); written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_token_set(
    client: *const zdk_client,
    out: *mut *mut zdk_token_set,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let out = out!(out)?;
        let token = client
            .core()
            .token_set()
            .ok_or_else(|| Error::invalid("this client holds no OAuth token set (yet)"))?;
        out.put(zdk_token_set::new(&token));
        Ok(())
    })
}

/// The access token, or NULL for a NULL set. Borrowed until `zdk_token_set_free`.
/// It is a secret: never log it.
///
/// @param token_set the token set, or NULL.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_token_set_access_token(
    token_set: *const zdk_token_set,
) -> *const c_char {
    guard_value(ptr::null(), || {
        arg!(token_set).map_or(ptr::null(), |t| t.access_token.as_ptr())
    })
}

/// The refresh token, or NULL (client credentials have none). Borrowed until
/// `zdk_token_set_free`. A secret.
///
/// @param token_set the token set, or NULL.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_token_set_refresh_token(
    token_set: *const zdk_token_set,
) -> *const c_char {
    guard_value(ptr::null(), || {
        arg!(token_set)
            .ok()
            .and_then(|t| t.refresh_token.as_ref())
            .map_or(ptr::null(), |r| r.as_ptr())
    })
}

/// The granted scopes (space-separated), or NULL. Borrowed until `zdk_token_set_free`.
///
/// @param token_set the token set, or NULL.
/// @return a borrowed string (do not free), or NULL as described above.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_token_set_scope(token_set: *const zdk_token_set) -> *const c_char {
    guard_value(ptr::null(), || {
        arg!(token_set)
            .ok()
            .and_then(|t| t.scope.as_ref())
            .map_or(ptr::null(), |s| s.as_ptr())
    })
}

/// When the access token expires (Unix seconds), or 0 when it does not (or NULL).
///
/// @param token_set the token set, or NULL.
/// @return the expiry in Unix seconds, or 0.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_token_set_expires_at(token_set: *const zdk_token_set) -> i64 {
    guard_value(0, || arg!(token_set).map_or(0, |t| t.expires_at))
}

/// Frees a token set, zeroing its secrets. NULL is a no-op.
///
/// @param token_set the token set to free, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_token_set_free(token_set: *mut zdk_token_set) {
    free_arg!(token_set);
}

/// Hands C a string it frees with `zdk_string_free`.
fn string_out(out: Out<*mut c_char>, text: &str) -> Result<(), FfiError> {
    let c = CString::new(text.replace('\0', " "))
        .map_err(|_| Error::new(crate::ErrorKind::Internal, "interior NUL"))?;
    out.write(c.into_raw());
    Ok(())
}

/// Frees a string zdkit returned (`zdk_oauth_pkce_pair`, `zdk_oauth_authorize_url`),
/// zeroing it first. NULL is a no-op.
///
/// @param text the string to free, or NULL; only a string zdkit handed out.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_string_free(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: allocated by CString::into_raw in string_out.
        let owned = unsafe { CString::from_raw(text) };
        owned.into_bytes_with_nul().zeroize();
    }
}

/// A fresh PKCE pair (RFC 7636, S256): `*verifier_out` (43 characters from 32 random
/// bytes; keep it secret until the code exchange) and `*challenge_out` (for the
/// authorize URL). Free both with `zdk_string_free`.
///
/// @param verifier_out receives the code verifier, owned by the caller (free with
///     `zdk_string_free`); written only on success.
/// @param challenge_out receives the S256 code challenge, owned by the caller (free with
///     `zdk_string_free`); written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_oauth_pkce_pair(
    verifier_out: *mut *mut c_char,
    challenge_out: *mut *mut c_char,
) -> zdk_result {
    guard(|| {
        let verifier_out = out!(verifier_out)?;
        let challenge_out = out!(challenge_out)?;
        let (verifier, challenge) = crate::oauth::pkce_pair()?;
        string_out(verifier_out, verifier.expose())?;
        string_out(challenge_out, &challenge)
    })
}

/// The URL to send a user to so they grant your OAuth client access
/// (`{base}/oauth/authorizations/new?response_type=code&…`). `state` and
/// `code_challenge` may be NULL. Free `*out` with `zdk_string_free`.
///
/// @param subdomain_or_url a subdomain (`"acme"`) or a base URL
///     (`"https://acme.zendesk.com"`, `http://` to loopback only); copied.
/// @param client_id the OAuth client's identifier; copied.
/// @param redirect_uri where Zendesk sends the user back; copied.
/// @param scope space-separated scopes; copied.
/// @param state an opaque value returned with the redirect, or NULL.
/// @param code_challenge the PKCE challenge from `zdk_oauth_pkce_pair`, or NULL.
/// @param out receives a new string owned by the caller (free with `zdk_string_free`);
///     written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_oauth_authorize_url(
    subdomain_or_url: *const c_char,
    client_id: *const c_char,
    redirect_uri: *const c_char,
    scope: *const c_char,
    state: *const c_char,
    code_challenge: *const c_char,
    out: *mut *mut c_char,
) -> zdk_result {
    guard(|| {
        let target = arg_str!(subdomain_or_url)?;
        let client_id = arg_str!(client_id)?;
        let redirect_uri = arg_str!(redirect_uri)?;
        let scope = arg_str!(scope)?;
        let state = arg_opt_str!(state)?;
        let challenge = arg_opt_str!(code_challenge)?;
        let out = out!(out)?;
        let client = Client::for_token_endpoint(target)?;
        let url = crate::oauth::authorize_url(
            client.config().base_url(),
            client_id,
            redirect_uri,
            scope,
            state,
            challenge,
        );
        string_out(out, &url)
    })
}

/// Exchanges an authorization `code` (from the redirect) for a token set with
/// `grant_type=authorization_code`; `code_verifier` is the PKCE verifier or NULL.
/// Refusals (`invalid_grant`, `invalid_client`) give `ZDK_ERR_AUTHENTICATION` with
/// Zendesk's code and description. Free `*out` with `zdk_token_set_free`.
///
/// @param subdomain_or_url a subdomain (`"acme"`) or a base URL
///     (`"https://acme.zendesk.com"`, `http://` to loopback only); copied.
/// @param client_id the OAuth client's identifier; copied.
/// @param client_secret the OAuth client's secret; read during the call, never logged.
/// @param code the authorization code from the redirect; copied.
/// @param redirect_uri the same redirect URI the authorize URL named; copied.
/// @param code_verifier the PKCE verifier, or NULL.
/// @param out receives a new token set owned by the caller (free with
///     `zdk_token_set_free`); written only on success.
/// @return `ZDK_OK`; `ZDK_ERR_AUTHENTICATION` when Zendesk refuses the code or client;
///     another code for a transport or argument error.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_oauth_exchange_code(
    subdomain_or_url: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
    code: *const c_char,
    redirect_uri: *const c_char,
    code_verifier: *const c_char,
    out: *mut *mut zdk_token_set,
) -> zdk_result {
    guard(|| {
        let target = arg_str!(subdomain_or_url)?;
        let client_id = arg_str!(client_id)?;
        let secret = arg_str!(client_secret)?;
        let code = arg_str!(code)?;
        let redirect_uri = arg_str!(redirect_uri)?;
        let verifier = arg_opt_str!(code_verifier)?;
        let out = out!(out)?;
        let token = crate::oauth::exchange_code(
            target,
            client_id,
            &Secret::new(secret),
            code,
            redirect_uri,
            verifier,
        )?;
        out.put(zdk_token_set::new(&token));
        Ok(())
    })
}
