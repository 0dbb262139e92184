//! `zdk_config`: the settings a client is built from.

use super::boundary::{FfiError, arg_mut, arg_opt_str, arg_str, free_arg, guard, out};
use super::result::zdk_result;
use crate::config::Config;
use crate::credentials::Credential;
use crate::error::Error;
use crate::log::{LogLevel, LogSink};
use crate::secret::Secret;
use std::ffi::{c_char, c_void};
use std::time::Duration;

/// Client settings, filled in with the `zdk_config_set_*` functions and read by
/// `zdk_client_new`. A config may be reused for several clients.
///
/// Not thread-safe: do not change one config from two threads at once.
pub struct zdk_config {
    target: Option<String>,
    api_token: Option<Credential>,
    oauth_token: Option<Credential>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    proxy: Option<String>,
    no_proxy: Option<String>,
    ca_file: Option<String>,
    ca_dir: Option<String>,
    client_cert: Option<(String, String)>,
    log: Option<LogSink>,
    retry: crate::RetryPolicy,
    pacing: bool,
    max_response_bytes: Option<u64>,
    oauth: Option<super::oauth::OAuthSettings>,
}

impl zdk_config {
    fn empty() -> zdk_config {
        zdk_config {
            target: None,
            api_token: None,
            oauth_token: None,
            connect_timeout: None,
            timeout: None,
            user_agent: None,
            proxy: None,
            no_proxy: None,
            ca_file: None,
            ca_dir: None,
            client_cert: None,
            log: None,
            retry: crate::RetryPolicy::default(),
            pacing: true,
            max_response_bytes: None,
            oauth: None,
        }
    }

    /// Sets the OAuth lifecycle settings (replacing earlier ones).
    pub(crate) fn set_oauth(&mut self, settings: super::oauth::OAuthSettings) {
        self.oauth = Some(settings);
    }

    /// Validates the settings into a core [`Config`].
    pub(crate) fn build(&self) -> Result<Config, Error> {
        let mut builder = Config::builder();
        if let Some(target) = &self.target {
            builder = builder.target(target.clone());
        }
        for credential in [&self.api_token, &self.oauth_token].into_iter().flatten() {
            builder = match credential.clone() {
                Credential::ApiToken { email, token } => builder.api_token(email, token),
                Credential::OAuthToken(token) => builder.oauth_token(token),
            };
        }
        match self.oauth.clone() {
            Some(super::oauth::OAuthSettings::ClientCredentials {
                client_id,
                client_secret,
                scope,
                expires_in,
            }) => {
                builder = builder.oauth_client_credentials(
                    &client_id,
                    client_secret.expose(),
                    &scope,
                    expires_in,
                );
            }
            Some(super::oauth::OAuthSettings::Refresh {
                client_id,
                client_secret,
                refresh_token,
                on_rotate,
            }) => {
                builder = builder.oauth_refresh_token(
                    &client_id,
                    client_secret.expose(),
                    refresh_token.expose(),
                    on_rotate,
                );
            }
            None => {}
        }
        if let Some(t) = self.connect_timeout {
            builder = builder.connect_timeout(t);
        }
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        if let Some(agent) = &self.user_agent {
            builder = builder.user_agent(agent.clone());
        }
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy.clone());
        }
        if let Some(no_proxy) = &self.no_proxy {
            builder = builder.no_proxy(no_proxy.clone());
        }
        if let Some(path) = &self.ca_file {
            builder = builder.ca_file(path);
        }
        if let Some(path) = &self.ca_dir {
            builder = builder.ca_dir(path);
        }
        if let Some((cert, key)) = &self.client_cert {
            builder = builder.client_cert(cert, key);
        }
        if let Some(sink) = &self.log {
            builder = builder.log_sink(sink.clone());
        }
        if let Some(bytes) = self.max_response_bytes {
            builder = builder.max_response_bytes(bytes);
        }
        builder.retry_policy(self.retry).pacing(self.pacing).build()
    }
}

/// Severity of a log line given to a `zdk_log_callback`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum zdk_log_level {
    /// Something failed.
    ZDK_LOG_ERROR = 1,
    /// Something the application should know (an API warning, a retry).
    ZDK_LOG_WARN = 2,
    /// A notable event.
    ZDK_LOG_INFO = 3,
    /// One line per request: method, path, status, duration, request id.
    ZDK_LOG_DEBUG = 4,
}

/// Receives log lines. `message` is a NUL-terminated UTF-8 line without a secret or a
/// query string, borrowed for the duration of the call only. The callback may be
/// called from any thread that uses the client, also concurrently, so it must be
/// thread-safe. It must not call back into zdkit with the same client.
pub type zdk_log_callback = Option<
    unsafe extern "C" fn(userdata: *mut c_void, level: zdk_log_level, message: *const c_char),
>;

/// Userdata handed back to C; the caller promises it may be used from any thread.
struct CallbackTarget {
    callback: unsafe extern "C" fn(*mut c_void, zdk_log_level, *const c_char),
    userdata: *mut c_void,
}
impl CallbackTarget {
    fn call(&self, level: zdk_log_level, line: &str) {
        let line = super::last_error::to_cstring(line);
        // SAFETY: the application registered this function and userdata.
        unsafe { (self.callback)(self.userdata, level, line.as_ptr()) };
    }
}

// SAFETY: zdk_config_set_log_callback documents that the callback and userdata must be
// usable from any thread; zdkit only passes the pointer back.
unsafe impl Send for CallbackTarget {}
// SAFETY: as above.
unsafe impl Sync for CallbackTarget {}

/// Creates an empty config. Set a target (`zdk_config_set_subdomain` or
/// `zdk_config_set_base_url`) and one credential before `zdk_client_new`.
///
/// On success `*out` owns a new config: free it with `zdk_config_free`.
///
/// # Safety
/// `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_new(out: *mut *mut zdk_config) -> zdk_result {
    guard(|| {
        let out = out!(out)?;
        out.put(zdk_config::empty());
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
/// # Safety
/// `out` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_from_env(out: *mut *mut zdk_config) -> zdk_result {
    guard(|| {
        let out = out!(out)?;
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        // The core decides which variables count; this only translates its answer.
        let env = crate::EnvSettings::from_lookup(var)?;
        let mut config = zdk_config::empty();
        config.target = env.base_url.or(env.subdomain);
        config.api_token = env
            .api_token
            .map(|(email, token)| Credential::ApiToken { email, token });
        config.oauth_token = env.oauth_token.map(Credential::OAuthToken);
        config.oauth = env
            .client_credentials
            .map(|(client_id, client_secret, scope)| {
                super::oauth::OAuthSettings::ClientCredentials {
                    client_id,
                    client_secret,
                    scope,
                    expires_in: crate::DEFAULT_EXPIRES_IN,
                }
            });
        out.put(config);
        Ok(())
    })
}

/// Frees a config. NULL is a no-op. Clients made from it are not affected.
///
/// # Safety
/// `config` must be NULL or a config from `zdk_config_new`/`zdk_config_from_env`,
/// not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_free(config: *mut zdk_config) {
    free_arg!(config);
}

/// A duration given in milliseconds from C, checked like every timeout setting of
/// the core: more than zero and at most [`crate::MAX_CONFIGURED_DURATION`], so no
/// value can overflow later arithmetic.
pub(crate) fn duration_ms(name: &str, ms: u64) -> Result<Duration, Error> {
    let duration = Duration::from_millis(ms);
    crate::config::check_duration_setting(name, duration)?;
    Ok(duration)
}

/// Sets one setting from a string argument, with the shared checks.
fn set_string(
    config: *mut zdk_config,
    value: *const c_char,
    name: &'static str,
    apply: impl FnOnce(&mut zdk_config, &str) -> Result<(), FfiError>,
) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        // SAFETY: the caller passes a NUL-terminated string or NULL (rewritten next).
        let value = unsafe { super::boundary::read_str(value, name) }?;
        apply(config, value)
    })
}

/// Targets `https://{subdomain}.zendesk.com`, or a full base URL when the text
/// contains `://` (the same rule as `zdk_client_new_api_token`). Checked by
/// `zdk_client_new`. The string is copied.
///
/// # Safety
/// `config` is NULL or a live config; `subdomain_or_url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_target(
    config: *mut zdk_config,
    subdomain_or_url: *const c_char,
) -> zdk_result {
    set_string(config, subdomain_or_url, "subdomain_or_url", |c, v| {
        c.target = Some(v.to_owned());
        Ok(())
    })
}

/// Targets `https://{subdomain}.zendesk.com`. The string is copied.
///
/// # Safety
/// `config` is NULL or a live config; `subdomain` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_subdomain(
    config: *mut zdk_config,
    subdomain: *const c_char,
) -> zdk_result {
    set_string(config, subdomain, "subdomain", |c, v| {
        if v.contains("://") {
            return Err(Error::invalid(
                "a subdomain cannot contain ://; use zdk_config_set_base_url",
            )
            .into());
        }
        c.target = Some(v.to_owned());
        Ok(())
    })
}

/// Targets a full base URL (`https://support.example.com`, the emulator's
/// `http://127.0.0.1:PORT`). Plain `http://` is accepted only for loopback hosts
/// (`zdk_client_new` fails with `ZDK_ERR_INSECURE_TRANSPORT` otherwise). Copied.
///
/// # Safety
/// `config` is NULL or a live config; `base_url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_base_url(
    config: *mut zdk_config,
    base_url: *const c_char,
) -> zdk_result {
    set_string(config, base_url, "base_url", |c, v| {
        if !v.contains("://") {
            return Err(Error::invalid(
                "a base URL needs a scheme, as in https://support.example.com",
            )
            .into());
        }
        c.target = Some(v.to_owned());
        Ok(())
    })
}

/// Uses an API token: `Authorization: Basic base64("{email}/token:{api_token}")`.
/// Replaces an API token set before. Both strings are copied; the copy of the token
/// is zeroed when the config is freed.
///
/// # Safety
/// `config` is NULL or a live config; `email`, `api_token` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_api_token(
    config: *mut zdk_config,
    email: *const c_char,
    api_token: *const c_char,
) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        let email = arg_str!(email)?;
        let token = arg_str!(api_token)?;
        let credential = Credential::ApiToken {
            email: email.to_owned(),
            token: Secret::new(token),
        };
        credential.validate()?;
        config.api_token = Some(credential);
        Ok(())
    })
}

/// Uses an OAuth access token: `Authorization: Bearer {access_token}`. Replaces an
/// OAuth token set before. Copied; the copy is zeroed when the config is freed.
///
/// # Safety
/// `config` is NULL or a live config; `access_token` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_oauth_token(
    config: *mut zdk_config,
    access_token: *const c_char,
) -> zdk_result {
    set_string(config, access_token, "access_token", |c, v| {
        let credential = Credential::OAuthToken(Secret::new(v));
        credential.validate()?;
        c.oauth_token = Some(credential);
        Ok(())
    })
}

/// Always fails with `ZDK_ERR_INVALID_ARGUMENT`: Zendesk switched off password
/// authentication. The message names the two supported modes (API token, OAuth).
/// Nothing is stored.
///
/// # Safety
/// Any pointers; none is read except for NULL checks.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_password(
    config: *mut zdk_config,
    email: *const c_char,
    password: *const c_char,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?;
        let _ = (email, password);
        Err(Config::builder()
            .subdomain("x")
            .password("", "")
            .build()
            .expect_err("passwords are always refused")
            .into())
    })
}

/// Sets the connect timeout in milliseconds (default 10000). Must be more than 0 and
/// at most one day (86400000); otherwise `ZDK_ERR_INVALID_ARGUMENT` and the setting
/// is unchanged.
///
/// # Safety
/// `config` is NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_connect_timeout_ms(
    config: *mut zdk_config,
    ms: u64,
) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        config.connect_timeout = Some(duration_ms("the connect timeout", ms)?);
        Ok(())
    })
}

/// Sets the total timeout of one transfer in milliseconds (default 60000). Must be
/// more than 0 and at most one day (86400000); otherwise `ZDK_ERR_INVALID_ARGUMENT`
/// and the setting is unchanged.
///
/// # Safety
/// `config` is NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_timeout_ms(config: *mut zdk_config, ms: u64) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        config.timeout = Some(duration_ms("the timeout", ms)?);
        Ok(())
    })
}

/// Replaces the `User-Agent` (default `zdkit/<version> libcurl/<version>`). Copied.
///
/// # Safety
/// `config` is NULL or a live config; `user_agent` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_user_agent(
    config: *mut zdk_config,
    user_agent: *const c_char,
) -> zdk_result {
    set_string(config, user_agent, "user_agent", |c, v| {
        c.user_agent = Some(v.to_owned());
        Ok(())
    })
}

/// Sets an explicit proxy URL (`http://proxy:3128`). Without one, libcurl honours the
/// `https_proxy`, `http_proxy` and `no_proxy` environment variables. `no_proxy` may
/// be NULL; otherwise it lists hosts that bypass the proxy. Copied.
///
/// # Safety
/// `config` is NULL or a live config; strings NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_proxy(
    config: *mut zdk_config,
    proxy: *const c_char,
    no_proxy: *const c_char,
) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        let proxy = arg_str!(proxy)?;
        let no_proxy = arg_opt_str!(no_proxy)?;
        config.proxy = Some(proxy.to_owned());
        config.no_proxy = no_proxy.map(str::to_owned);
        Ok(())
    })
}

/// Verifies servers with the CA certificates in this PEM file instead of the
/// system's. Copied.
///
/// # Safety
/// `config` is NULL or a live config; `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_ca_file(
    config: *mut zdk_config,
    path: *const c_char,
) -> zdk_result {
    set_string(config, path, "path", |c, v| {
        c.ca_file = Some(v.to_owned());
        Ok(())
    })
}

/// Verifies servers with the hashed CA certificates in this directory. Copied.
///
/// # Safety
/// `config` is NULL or a live config; `path` NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_ca_dir(
    config: *mut zdk_config,
    path: *const c_char,
) -> zdk_result {
    set_string(config, path, "path", |c, v| {
        c.ca_dir = Some(v.to_owned());
        Ok(())
    })
}

/// Presents a client certificate (mutual TLS): PEM certificate and private key
/// files. Copied.
///
/// # Safety
/// `config` is NULL or a live config; paths NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_client_cert(
    config: *mut zdk_config,
    cert_path: *const c_char,
    key_path: *const c_char,
) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        let cert = arg_str!(cert_path)?;
        let key = arg_str!(key_path)?;
        config.client_cert = Some((cert.to_owned(), key.to_owned()));
        Ok(())
    })
}

/// Registers a log callback with its userdata (NULL `callback` removes it). See
/// `zdk_log_callback` for the threading rules. `userdata` must stay valid as long
/// as any client built from this config lives.
///
/// # Safety
/// `config` is NULL or a live config; `callback` a valid function or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_log_callback(
    config: *mut zdk_config,
    callback: zdk_log_callback,
    userdata: *mut c_void,
) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        config.log = callback.map(|callback| {
            let target = CallbackTarget { callback, userdata };
            LogSink::new(move |level, line| {
                let level = match level {
                    LogLevel::Error => zdk_log_level::ZDK_LOG_ERROR,
                    LogLevel::Warn => zdk_log_level::ZDK_LOG_WARN,
                    LogLevel::Info => zdk_log_level::ZDK_LOG_INFO,
                    LogLevel::Debug => zdk_log_level::ZDK_LOG_DEBUG,
                };
                target.call(level, line);
            })
        });
        Ok(())
    })
}

/// Sets how many times a failed request is retried (default 3; 0 disables retries).
/// Retried: 429 and 503-with-`Retry-After` for every method; other 5xx, cut
/// connections and timeouts for GET/HEAD/PUT/DELETE/OPTIONS, and for POST/PATCH only
/// with an `Idempotency-Key` (zdkit adds one to `POST /api/v2/tickets` itself).
///
/// # Safety
/// `config` is NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_max_retries(
    config: *mut zdk_config,
    retries: u32,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.retry.max_retries = retries;
        Ok(())
    })
}

/// Sets the overall budget of one call in milliseconds, waits and retries included
/// (default 120000). A wait that would pass it is not started: the error comes at
/// once, with `zdk_last_error_retry_after_ms()`. Must be more than 0 and at most one
/// day (86400000); otherwise `ZDK_ERR_INVALID_ARGUMENT` and the setting is unchanged.
///
/// # Safety
/// `config` is NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_deadline_ms(
    config: *mut zdk_config,
    ms: u64,
) -> zdk_result {
    guard(|| {
        let config = arg_mut!(config)?;
        config.retry.deadline = duration_ms("the deadline", ms)?;
        Ok(())
    })
}

/// Non-zero: never wait — a rate limit or a retryable failure comes back at once
/// (`ZDK_ERR_RATE_LIMITED` with the retry-after), for job queues that reschedule
/// themselves. Zero (the default): wait and retry within the deadline.
///
/// # Safety
/// `config` is NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_never_wait(
    config: *mut zdk_config,
    never_wait: i32,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.retry.never_wait = never_wait != 0;
        Ok(())
    })
}

/// Non-zero (the default): space requests out when the rate-limit headers say the
/// bucket is nearly empty, so long loops run at the account's limit without 429s.
/// Zero: send at once.
///
/// # Safety
/// `config` is NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_rate_limit_pacing(
    config: *mut zdk_config,
    enabled: i32,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.pacing = enabled != 0;
        Ok(())
    })
}

/// Sets the largest answer read into memory, in bytes, counted after decompression
/// (default 64 MiB, `DEFAULT_MAX_RESPONSE_BYTES`). A larger answer fails with
/// `ZDK_ERR_RESPONSE_TOO_LARGE`, the transfer stopped having held no more than about
/// this much. 0 is refused by `zdk_client_new` (`ZDK_ERR_INVALID_ARGUMENT`).
///
/// # Safety
/// `config` is NULL or a live config.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_config_set_max_response_bytes(
    config: *mut zdk_config,
    bytes: u64,
) -> zdk_result {
    guard(|| {
        arg_mut!(config)?.max_response_bytes = Some(bytes);
        Ok(())
    })
}
