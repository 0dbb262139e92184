//! `zdk_config`: the settings a client is built from — a wrapper around the core's
//! [`ConfigBuilder`], whose setters and validation are the only definition of them.

use super::boundary::{FfiError, arg_mut, arg_opt_str, arg_str, duration_ms, free_arg, guard, out};
use super::events::zdk_event_callback;
use super::log::zdk_log_callback;
use super::oauth::zdk_token_rotation_callback;
use super::result::zdk_result;
use crate::config::{Config, ConfigBuilder, is_absolute_url};
use crate::error::Error;
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// Client settings, filled in with the `zdk_config_set_*` functions and read by
/// `zdk_client_new`. A config may be reused for several clients.
///
/// Not thread-safe: do not change one config from two threads at once.
///
/// For every `zdk_config_set_*` function: strings are copied (secrets zeroed when the
/// config is freed); a failing call leaves the config unchanged; a `_ms` duration must
/// be more than 0 and at most one day (86400000), else `ZDK_ERR_INVALID_ARGUMENT`.
pub struct zdk_config {
    builder: ConfigBuilder,
}

impl zdk_config {
    /// Applies one core setter; on an error the config is left as it was.
    pub(crate) fn set(
        &mut self,
        apply: impl FnOnce(ConfigBuilder) -> Result<ConfigBuilder, FfiError>,
    ) -> Result<(), FfiError> {
        self.builder = apply(self.builder.clone())?;
        Ok(())
    }

    /// Validates the settings into a core [`Config`] (the config stays reusable).
    pub(crate) fn build(&self) -> Result<Config, Error> {
        self.builder.clone().build()
    }
}

/// ---- Configuration: zdk_config and all its setters --------------------------
///
/// Creates an empty config. Set a target (`zdk_config_set_subdomain` or
/// `zdk_config_set_base_url`) and one credential before `zdk_client_new`.
///
/// On success `*out` owns a new config: free it with `zdk_config_free`.
///
/// Example:
///
/// ```c
/// zdk_config *config = NULL;
/// zdk_client *made = NULL;
/// zdk_result rc = zdk_config_new(&config);
/// if (rc == ZDK_OK) rc = zdk_config_set_subdomain(config, "acme");
/// if (rc == ZDK_OK) rc = zdk_config_set_oauth_token(config, "an-access-token");
/// if (rc == ZDK_OK) rc = zdk_config_set_deadline_ms(config, 30000);
/// if (rc == ZDK_OK) rc = zdk_client_new(config, &made);
/// if (rc != ZDK_OK) fprintf(stderr, "%s\n", zdk_last_error_message());
/// zdk_config_free(config);  // the client keeps what it needs
/// zdk_client_free(made);
/// ```
///
/// @param out receives the new config, owned by the caller (free with `zdk_config_free`);
///     written only on success.
/// @return `ZDK_OK` on success, else the failure's code (`ZDK_ERR_NULL_ARGUMENT`,
///     `ZDK_ERR_INVALID_UTF8`, …); `zdk_last_error_message()` describes it.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_new(out: *mut *mut zdk_config) -> zdk_result {
    guard(|| {
        out!(out)?.put(zdk_config {
            builder: Config::builder(),
        });
        Ok(())
    })
}

/// Creates a config from the environment: `ZENDESK_SUBDOMAIN` or `ZENDESK_URL`, and
/// `ZENDESK_EMAIL` + `ZENDESK_API_TOKEN`, `ZENDESK_OAUTH_TOKEN`, or
/// `ZENDESK_CLIENT_ID` + `ZENDESK_CLIENT_SECRET` (+ `ZENDESK_OAUTH_SCOPE`, default
/// `read`) for OAuth client credentials.
///
/// Fails with `ZDK_ERR_INVALID_ARGUMENT` (message says which variable to set) when
/// they are missing. On success `*out` owns a new config: free it with
/// `zdk_config_free`. Reads the environment: do not call while another thread
/// changes it.
///
/// @param out receives the new config, owned by the caller (free with `zdk_config_free`);
///     written only on success.
/// @return `ZDK_OK`; `ZDK_ERR_INVALID_ARGUMENT` when a variable is missing or invalid (the
///     message names it); `ZDK_ERR_NULL_ARGUMENT` for a NULL `out`.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_from_env(out: *mut *mut zdk_config) -> zdk_result {
    guard(|| {
        let out = out!(out)?;
        out.put(zdk_config {
            builder: ConfigBuilder::from_env()?,
        });
        Ok(())
    })
}

/// Frees a config. NULL is a no-op. Clients made from it are not affected.
///
/// @param config the config to free, or NULL.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_free(config: *mut zdk_config) {
    free_arg!(config);
}

/// The core's `target`, for a setter that accepts only one kind of target: text the
/// core reads as a URL (or as a subdomain) when `url` is false (true) is refused.
fn target_of_kind(b: ConfigBuilder, text: &str, url: bool) -> Result<ConfigBuilder, FfiError> {
    match (url, is_absolute_url(text)) {
        (false, true) => Err(Error::invalid("a subdomain cannot be a URL: set a base URL").into()),
        (true, false) => Err(Error::invalid("a base URL needs a scheme: https://…").into()),
        _ => Ok(b.target(text)),
    }
}

/// Targets `https://{subdomain}.zendesk.com`, or a full base URL when the text
/// starts with a scheme and `://` (the same rule as `zdk_client_new_api_token`).
/// Checked by `zdk_client_new`.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param subdomain_or_url a subdomain (`"acme"`) or a base URL
///     (`"https://acme.zendesk.com"`, `http://` to loopback only); copied.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_target(
    config: *mut zdk_config,
    subdomain_or_url: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.target(arg_str!(subdomain_or_url)?))))
}

/// Targets `https://{subdomain}.zendesk.com` (a URL is refused here).
///
/// @param config the config to change (not shared with another thread during the call).
/// @param subdomain the account's subdomain (`"acme"`); copied.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_subdomain(
    config: *mut zdk_config,
    subdomain: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| target_of_kind(b, arg_str!(subdomain)?, false)))
}

/// Targets a full base URL (`https://support.example.com`, the emulator's
/// `http://127.0.0.1:PORT`). Plain `http://` is accepted only for loopback hosts
/// (`zdk_client_new` fails with `ZDK_ERR_INSECURE_TRANSPORT` otherwise).
///
/// @param config the config to change (not shared with another thread during the call).
/// @param base_url the base URL, scheme included; copied.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_base_url(
    config: *mut zdk_config,
    base_url: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| target_of_kind(b, arg_str!(base_url)?, true)))
}

/// Uses an API token: `Authorization: Basic base64("{email}/token:{api_token}")`.
/// Replaces an API token set before; checked by `zdk_client_new`.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param email the email of the user the requests act as; copied.
/// @param api_token the account API token, a secret (copied, zeroed when the config is
///     freed).
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_api_token(
    config: *mut zdk_config,
    email: *const c_char,
    api_token: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.api_token(arg_str!(email)?, arg_str!(api_token)?))))
}

/// Uses an OAuth access token: `Authorization: Bearer {access_token}`. Replaces an
/// OAuth token set before; checked by `zdk_client_new`.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param access_token the OAuth access token, a secret (copied, zeroed when the config is
///     freed).
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_oauth_token(
    config: *mut zdk_config,
    access_token: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.oauth_token(arg_str!(access_token)?))))
}

/// Always fails with `ZDK_ERR_INVALID_ARGUMENT`: Zendesk switched off password
/// authentication. The message names the two supported modes (API token, OAuth).
/// Nothing is stored.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param email ignored.
/// @param password ignored; never stored or logged.
/// @return always `ZDK_ERR_INVALID_ARGUMENT` (or `ZDK_ERR_NULL_ARGUMENT` for a NULL
///     argument).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_password(
    config: *mut zdk_config,
    email: *const c_char,
    password: *const c_char,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?;
        let _ = (email, password);
        // The core's refusal, from a throw-away builder: nothing reaches `config`.
        Err(Config::builder()
            .password("", "")
            .build()
            .expect_err("refused")
            .into())
    })
}

/// Sets the connect timeout in milliseconds (default 10000).
///
/// @param config the config to change (not shared with another thread during the call).
/// @param ms the timeout in milliseconds (1 to 86400000).
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_connect_timeout_ms(
    config: *mut zdk_config,
    ms: u64,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.connect_timeout(duration_ms("connect_timeout", ms)?))))
}

/// Sets the total timeout of one transfer in milliseconds (default 60000);
/// `zdk_request_set_timeout_ms` overrides it for one request.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param ms the timeout in milliseconds (1 to 86400000).
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_timeout_ms(config: *mut zdk_config, ms: u64) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.timeout(duration_ms("timeout", ms)?))))
}

/// Replaces the `User-Agent` (default `zdkit/<version> libcurl/<version>`); CR or LF
/// in it makes `zdk_client_new` fail.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param user_agent the `User-Agent` value; copied.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_user_agent(
    config: *mut zdk_config,
    user_agent: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.user_agent(arg_str!(user_agent)?))))
}

/// Sets an explicit proxy URL (`http://proxy:3128`). Without one, libcurl honours the
/// `https_proxy`, `http_proxy` and `no_proxy` environment variables. `no_proxy` may
/// be NULL (the hosts given before, here or with `zdk_config_set_no_proxy`, stay);
/// otherwise it lists hosts that bypass the proxy.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param proxy the proxy URL; copied.
/// @param no_proxy comma-separated hosts that bypass the proxy, or NULL to keep the earlier
///     list; copied.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_proxy(
    config: *mut zdk_config,
    proxy: *const c_char,
    no_proxy: *const c_char,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.set(|b| {
            let b = b.proxy(arg_str!(proxy)?);
            Ok(match arg_opt_str!(no_proxy)? {
                Some(hosts) => b.no_proxy(hosts),
                None => b,
            })
        })
    })
}

/// Sets the hosts that bypass the proxy, comma-separated as in the `no_proxy`
/// environment variable (`"localhost,.internal.example.com"`; `"*"` for all).
/// Replaces the list given before.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param hosts comma-separated host names or domains; copied.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_no_proxy(
    config: *mut zdk_config,
    hosts: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.no_proxy(arg_str!(hosts)?))))
}

/// Verifies servers with the CA certificates in this PEM file instead of the system's.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param path the PEM file's path; copied, read when a client connects.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_ca_file(
    config: *mut zdk_config,
    path: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.ca_file(arg_str!(path)?))))
}

/// Verifies servers with the hashed CA certificates in this directory.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param path the directory's path; copied, read when a client connects.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_ca_dir(
    config: *mut zdk_config,
    path: *const c_char,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.ca_dir(arg_str!(path)?))))
}

/// Presents a client certificate (mutual TLS): PEM certificate and private key files.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param cert_path the PEM certificate file; copied.
/// @param key_path the PEM private key file; copied.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_client_cert(
    config: *mut zdk_config,
    cert_path: *const c_char,
    key_path: *const c_char,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.set(|b| Ok(b.client_cert(arg_str!(cert_path)?, arg_str!(key_path)?)))
    })
}

/// Sets how many times a failed request is retried (default 3; 0 disables retries).
/// Retried: 429 and 503-with-`Retry-After` for every method; other 5xx, cut
/// connections and timeouts for GET/HEAD/PUT/DELETE/OPTIONS, and for POST/PATCH only
/// with an `Idempotency-Key` (zdkit adds one to `POST /api/v2/tickets` itself).
///
/// @param config the config to change (not shared with another thread during the call).
/// @param retries the number of retries after the first attempt.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_max_retries(
    config: *mut zdk_config,
    retries: u32,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.max_retries(retries))))
}

/// Sets the overall budget of one call in milliseconds, waits and retries included
/// (default 120000). A wait that would pass it is not started: the error comes at
/// once, with `zdk_last_error_retry_after_ms()`.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param ms the deadline in milliseconds (1 to 86400000).
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_deadline_ms(
    config: *mut zdk_config,
    ms: u64,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.deadline(duration_ms("deadline", ms)?))))
}

/// Non-zero: never wait — a rate limit or a retryable failure comes back at once
/// (`ZDK_ERR_RATE_LIMITED` with the retry-after), for job queues that reschedule
/// themselves. Zero (the default): wait and retry within the deadline.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param never_wait non-zero to never wait, zero to wait and retry.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_never_wait(
    config: *mut zdk_config,
    never_wait: i32,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.never_wait(never_wait != 0))))
}

/// Non-zero (the default): space requests out when the rate-limit headers say the
/// bucket is nearly empty, so long loops run at the account's limit without 429s.
/// Zero: send at once.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param enabled non-zero to pace requests, zero to send at once.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_rate_limit_pacing(
    config: *mut zdk_config,
    enabled: i32,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.pacing(enabled != 0))))
}

/// Sets the largest answer read into memory, in bytes, counted after decompression
/// (default 64 MiB). A larger answer fails with
/// `ZDK_ERR_RESPONSE_TOO_LARGE`, the transfer stopped having held no more than about
/// this much. 0 is refused by `zdk_client_new` (`ZDK_ERR_INVALID_ARGUMENT`).
///
/// @param config the config to change (not shared with another thread during the call).
/// @param bytes the largest answer in bytes.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_max_response_bytes(
    config: *mut zdk_config,
    bytes: u64,
) -> zdk_result {
    guard(|| arg_mut!(config)?.set(|b| Ok(b.max_response_bytes(bytes))))
}

/// Registers a log callback with its userdata (NULL `callback` removes it). See
/// `zdk_log_callback` for the threading rules. `userdata` must stay valid as long
/// as any client built from this config lives.
///
/// @param config the config to change (not shared with another thread during the call).
/// @param callback the function that receives log lines, or NULL to log nothing.
/// @param userdata handed back to `callback` untouched; owned by the caller.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_log_callback(
    config: *mut zdk_config,
    callback: zdk_log_callback,
    userdata: *mut c_void,
) -> zdk_result {
    guard(|| {
        let sink = super::log::sink(callback, userdata);
        arg_mut!(config)?.set(|b| Ok(b.log_sink(sink)))
    })
}

/// Sends events to `callback`: one `zdk_event` per answer (`ZDK_EVENT_RESPONSE`),
/// retry (`ZDK_EVENT_RETRY`), rate-limit pacing wait (`ZDK_EVENT_WAIT`) and OAuth token
/// request (`ZDK_EVENT_TOKEN`), for metrics and tracing. NULL `callback` removes it.
///
/// Thread: the callback runs on the thread that called the zdkit function making the
/// request (`zdk_client_request`, `zdk_pager_next`, `zdk_client_download`, …), before
/// that function returns; threads sharing a client call it concurrently, so it must
/// be thread-safe. zdkit holds none of its locks while calling it; it must not call
/// back into zdkit with the same client, and should return quickly (the request waits).
/// Calls made with `zdk_client_send_async` give the same events, on the client's
/// engine thread (`ZDK_EVENT_TOKEN`: on its token thread), before the call's
/// completion callback; there the callback must not block, as it holds up every call.
/// `userdata` is handed back untouched and must stay valid as long as any client built
/// from this config lives.
///
/// @param config the config to change.
/// @param callback called once per event (see above for its thread); NULL removes it.
/// @param userdata handed back to `callback` untouched; zdkit never reads it.
/// @return `ZDK_OK`, or `ZDK_ERR_NULL_ARGUMENT` for a NULL config.
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_event_callback(
    config: *mut zdk_config,
    callback: zdk_event_callback,
    userdata: *mut c_void,
) -> zdk_result {
    guard(|| {
        let sink = super::events::sink(callback, userdata);
        arg_mut!(config)?.set(|b| Ok(b.event_sink(sink)))
    })
}

/// Uses OAuth client credentials: `POST /oauth/tokens` with
/// `grant_type=client_credentials` on the client's origin, for `scope` (space-separated,
/// NULL means `"read"`) and `expires_in` seconds (0 means 1800; always sent, since
/// older Zendesk OAuth clients otherwise get tokens that never expire). The token is
/// minted on the first request, again shortly before it expires, and once more when
/// a request gets 401 (which is then replayed once). Replaces other OAuth settings;
/// copied, the secret zeroed when the config is freed. Clients built from one config
/// share its token (as with the core's builder).
///
/// @param config the config to change (not shared with another thread during the call).
/// @param client_id the OAuth client's identifier; copied.
/// @param client_secret the OAuth client's secret (copied, zeroed when the config is
///     freed).
/// @param scope space-separated scopes, or NULL for `"read"`; copied.
/// @param expires_in the lifetime to ask for, in seconds, or 0 for 1800.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_oauth_client_credentials(
    config: *mut zdk_config,
    client_id: *const c_char,
    client_secret: *const c_char,
    scope: *const c_char,
    expires_in: u64,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.set(|b| {
            let expires_in = match expires_in {
                0 => crate::oauth::DEFAULT_EXPIRES_IN,
                seconds => seconds,
            };
            let provider = crate::oauth::OAuthProvider::client_credentials(
                arg_str!(client_id)?,
                arg_str!(client_secret)?,
                arg_opt_str!(scope)?.unwrap_or("read"),
                expires_in,
            )?;
            Ok(b.credential_provider(Arc::new(provider)))
        })
    })
}

/// Uses an OAuth refresh token: access tokens come from `grant_type=refresh_token`,
/// on the first request, before expiry and after a 401. **Refresh tokens rotate**:
/// each renewal returns a new refresh token and kills the old one, so `on_rotate`
/// (may be NULL) receives every new token set to persist; `zdk_client_token_set`
/// reads the latest at any time. `userdata` must stay valid while any client built
/// from this config lives. Replaces other OAuth settings; strings are copied.
/// Clients built from one config share its token set, so a rotation made by one is
/// seen by all (a rotated refresh token cannot be used twice).
///
/// @param config the config to change (not shared with another thread during the call).
/// @param client_id the OAuth client's identifier; copied.
/// @param client_secret the OAuth client's secret (copied, zeroed when the config is
///     freed).
/// @param refresh_token the refresh token to start from, a secret (copied, zeroed when the
///     config is freed).
/// @param on_rotate called with every new token set, or NULL.
/// @param userdata handed back to `on_rotate` untouched; owned by the caller.
/// @return `ZDK_OK` when stored; `ZDK_ERR_NULL_ARGUMENT`, `ZDK_ERR_INVALID_UTF8` or
///     `ZDK_ERR_INVALID_ARGUMENT` otherwise (the config is then unchanged).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_oauth_refresh_token(
    config: *mut zdk_config,
    client_id: *const c_char,
    client_secret: *const c_char,
    refresh_token: *const c_char,
    on_rotate: zdk_token_rotation_callback,
    userdata: *mut c_void,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.set(|b| {
            let provider = crate::oauth::OAuthProvider::refresh_token(
                arg_str!(client_id)?,
                arg_str!(client_secret)?,
                arg_str!(refresh_token)?,
                None,
            )?;
            let provider = super::oauth::with_rotation(provider, on_rotate, userdata);
            Ok(b.credential_provider(Arc::new(provider)))
        })
    })
}
