//! Client configuration: where to connect, with which credential, and how.
//!
//! [`ConfigBuilder`] validates everything up front so a bad setting fails at
//! construction, not at the first request: HTTPS only (plain HTTP only to loopback),
//! exactly one credential, no password, no CR/LF in any header value.

use crate::credentials::{Credential, CredentialProvider, StaticCredential, check_header_safe};
use crate::error::{Error, ErrorKind, Result};
use crate::events::EventSink;
use crate::log::LogSink;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default time allowed for one whole transfer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest answer read into memory (64 MiB, counted after decompression).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;
/// The longest timeout or deadline a configuration accepts (one day): anything longer
/// is surely a unit mistake, and bounding it keeps every `Instant` arithmetic finite.
pub const MAX_CONFIGURED_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

const PASSWORD_REFUSED: &str = "Zendesk switched off password authentication for the API; \
use an API token (email + api_token) or an OAuth access token instead";

/// A validated configuration. Build one with [`Config::builder`].
#[derive(Clone)]
pub struct Config {
    pub(crate) base_url: Url,
    pub(crate) credentials: Arc<dyn CredentialProvider>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) proxy: Option<String>,
    pub(crate) no_proxy: Option<String>,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) ca_dir: Option<PathBuf>,
    pub(crate) client_cert: Option<(PathBuf, PathBuf)>,
    pub(crate) log: Option<LogSink>,
    pub(crate) events: Option<EventSink>,
    pub(crate) retry: RetryPolicy,
    pub(crate) pacing: bool,
    pub(crate) max_response_bytes: u64,
}

impl Config {
    /// Starts a configuration.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The base URL every relative path is resolved against.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The credential provider.
    pub fn credentials(&self) -> &Arc<dyn CredentialProvider> {
        &self.credentials
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The total timeout of one transfer.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The `User-Agent` header value.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }

    /// The retry policy of every call (a request may override it).
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Whether requests are paced by the rate-limit headers.
    pub fn pacing(&self) -> bool {
        self.pacing
    }

    /// The largest answer read into memory, in bytes after decompression.
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base_url", &self.base_url.as_str())
            .field("credentials", &self.credentials.describe())
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("pacing", &self.pacing)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("proxy", &self.proxy.as_deref().map(redact_url_userinfo))
            .finish_non_exhaustive()
    }
}

/// What the `ZENDESK_*` environment variables say, before it becomes a configuration:
/// the one place that knows which variables zdkit reads (Rust, C and Python alike).
#[derive(Clone)]
pub struct EnvSettings {
    /// `ZENDESK_URL`: a full base URL.
    pub base_url: Option<String>,
    /// `ZENDESK_SUBDOMAIN`, used when `ZENDESK_URL` is unset.
    pub subdomain: Option<String>,
    /// `ZENDESK_EMAIL` and `ZENDESK_API_TOKEN`.
    pub api_token: Option<(String, Secret)>,
    /// `ZENDESK_OAUTH_TOKEN`.
    pub oauth_token: Option<Secret>,
    /// `ZENDESK_CLIENT_ID`, `ZENDESK_CLIENT_SECRET` and `ZENDESK_OAUTH_SCOPE`
    /// (default `read`), for OAuth client credentials.
    pub client_credentials: Option<(String, Secret, String)>,
}

impl EnvSettings {
    /// Reads the variables through `lookup` (which returns `None` for unset or empty
    /// ones); fails with a message naming the variables to set.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let base_url = lookup("ZENDESK_URL");
        let subdomain = if base_url.is_none() {
            lookup("ZENDESK_SUBDOMAIN")
        } else {
            None
        };
        if base_url.is_none() && subdomain.is_none() {
            return Err(Error::invalid(
                "set ZENDESK_SUBDOMAIN (acme for acme.zendesk.com) or ZENDESK_URL",
            ));
        }
        let both = |a: &str, b: &str| lookup(a).zip(lookup(b));
        let env = EnvSettings {
            base_url,
            subdomain,
            api_token: both("ZENDESK_EMAIL", "ZENDESK_API_TOKEN").map(|(e, t)| (e, Secret::new(t))),
            oauth_token: lookup("ZENDESK_OAUTH_TOKEN").map(Secret::new),
            client_credentials: both("ZENDESK_CLIENT_ID", "ZENDESK_CLIENT_SECRET").map(
                |(id, secret)| {
                    let scope = lookup("ZENDESK_OAUTH_SCOPE").unwrap_or_else(|| "read".to_owned());
                    (id, Secret::new(secret), scope)
                },
            ),
        };
        if env.api_token.is_none() && env.oauth_token.is_none() && env.client_credentials.is_none()
        {
            return Err(Error::invalid(
                "set ZENDESK_EMAIL and ZENDESK_API_TOKEN, ZENDESK_OAUTH_TOKEN, or \
                 ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET",
            ));
        }
        Ok(env)
    }
}

impl fmt::Debug for EnvSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvSettings")
            .field("base_url", &self.base_url)
            .field("subdomain", &self.subdomain)
            .field(
                "api_token",
                &self.api_token.as_ref().map(|(email, _)| email),
            )
            .field("oauth_token", &self.oauth_token.is_some())
            .field(
                "client_id",
                &self.client_credentials.as_ref().map(|(id, _, _)| id),
            )
            .finish()
    }
}

/// Every setting of a configuration, by the name the C and Python bindings use for it
/// (C: `zdk_config_set_<name>`; Python: the `zdkit.Client` keyword of that name, or
/// the keywords listed in its docs). A new setting is added here, to
/// [`ConfigBuilder`], to both bindings and to their docs; the parity tests read this
/// list.
pub const SETTINGS: &[&str] = &[
    "subdomain",
    "base_url",
    "api_token",
    "oauth_token",
    "oauth_client_credentials",
    "oauth_refresh_token",
    "connect_timeout",
    "timeout",
    "deadline",
    "max_retries",
    "never_wait",
    "rate_limit_pacing",
    "proxy",
    "no_proxy",
    "ca_file",
    "ca_dir",
    "client_cert",
    "user_agent",
    "log",
    "max_response_bytes",
    "event_callback",
];

/// Builds a [`Config`]; every setting is optional except the target and the
/// credential. Every setter replaces what the same setter set before (a builder can be
/// cloned and adjusted); `build` validates everything in one place.
#[derive(Default, Clone)]
pub struct ConfigBuilder {
    subdomain: Option<String>,
    base_url: Option<String>,
    /// One slot per credential mode: giving a mode twice replaces it, giving two
    /// modes fails at `build`.
    credentials: BTreeMap<CredentialMode, Result<CredentialChoice>>,
    password_given: bool,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    proxy: Option<String>,
    no_proxy: Option<String>,
    ca_file: Option<PathBuf>,
    ca_dir: Option<PathBuf>,
    client_cert: Option<(PathBuf, PathBuf)>,
    log: Option<LogSink>,
    events: Option<EventSink>,
    retry: RetryPolicy,
    no_pacing: bool,
    max_response_bytes: Option<u64>,
}

/// The credential modes, each with its own slot in a [`ConfigBuilder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum CredentialMode {
    ApiToken,
    OAuthToken,
    ClientCredentials,
    RefreshToken,
    Provider,
}

#[derive(Clone)]
enum CredentialChoice {
    Static(Credential),
    Provider(Arc<dyn CredentialProvider>),
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("subdomain", &self.subdomain)
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials.len())
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// Targets `https://{subdomain}.zendesk.com`.
    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.subdomain = Some(subdomain.into());
        self
    }

    /// Targets a full base URL (a staging host, a proxy, the emulator). Plain `http://`
    /// is accepted only for loopback hosts.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A subdomain, or a base URL when the text starts with a scheme and `://`;
    /// replaces any subdomain or base URL given before.
    pub fn target(mut self, subdomain_or_url: impl Into<String>) -> Self {
        let target = subdomain_or_url.into();
        self.subdomain = None;
        self.base_url = None;
        if is_absolute_url(&target) {
            self.base_url(target)
        } else {
            self.subdomain(target)
        }
    }

    /// Authenticates with an API token of the user `email`.
    pub fn api_token(mut self, email: impl Into<String>, token: impl Into<Secret>) -> Self {
        let credential = Credential::ApiToken {
            email: email.into(),
            token: token.into(),
        };
        self.credentials.insert(
            CredentialMode::ApiToken,
            Ok(CredentialChoice::Static(credential)),
        );
        self
    }

    /// Authenticates with an OAuth access token (`Authorization: Bearer …`).
    pub fn oauth_token(mut self, token: impl Into<Secret>) -> Self {
        let credential = Credential::OAuthToken(token.into());
        self.credentials.insert(
            CredentialMode::OAuthToken,
            Ok(CredentialChoice::Static(credential)),
        );
        self
    }

    /// Authenticates through a custom provider (OAuth minting or refreshing).
    pub fn credential_provider(mut self, provider: Arc<dyn CredentialProvider>) -> Self {
        self.credentials.insert(
            CredentialMode::Provider,
            Ok(CredentialChoice::Provider(provider)),
        );
        self
    }

    /// OAuth client credentials: tokens for `scope` (space-separated) lasting
    /// `expires_in` seconds, minted on the first request and again before expiry.
    pub fn oauth_client_credentials(
        mut self,
        client_id: &str,
        client_secret: &str,
        scope: &str,
        expires_in: u64,
    ) -> Self {
        let provider = crate::oauth::OAuthProvider::client_credentials(
            client_id,
            client_secret,
            scope,
            expires_in,
        )
        .map(|provider| CredentialChoice::Provider(Arc::new(provider)));
        self.credentials
            .insert(CredentialMode::ClientCredentials, provider);
        self
    }

    /// An OAuth refresh token: access tokens are obtained and rotated with the
    /// refresh-token grant; `on_rotate` receives every new token set (persist its
    /// refresh token: the old one stops working).
    pub fn oauth_refresh_token(
        mut self,
        client_id: &str,
        client_secret: &str,
        refresh_token: &str,
        on_rotate: Option<crate::oauth::RotationCallback>,
    ) -> Self {
        let provider = crate::oauth::OAuthProvider::refresh_token(
            client_id,
            client_secret,
            refresh_token,
            None,
        )
        .map(|provider| match on_rotate {
            Some(callback) => provider.on_rotate(callback),
            None => provider,
        })
        .map(|provider| CredentialChoice::Provider(Arc::new(provider)));
        self.credentials
            .insert(CredentialMode::RefreshToken, provider);
        self
    }

    /// Zendesk no longer accepts passwords: `build` will fail with an error naming the
    /// supported modes. The password is dropped (and zeroed) at once.
    pub fn password(mut self, _email: impl Into<String>, password: impl Into<Secret>) -> Self {
        drop(password.into());
        self.password_given = true;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for one whole transfer (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Replaces the `User-Agent` (default `zdkit/<version> libcurl/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// An explicit proxy URL. Without it, libcurl honours the usual `https_proxy`,
    /// `http_proxy` and `no_proxy` environment variables.
    pub fn proxy(mut self, proxy: impl Into<String>) -> Self {
        self.proxy = Some(proxy.into());
        self
    }

    /// Hosts that bypass the proxy (comma-separated, as `no_proxy`).
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        self.no_proxy = Some(hosts.into());
        self
    }

    /// A PEM file of CA certificates to verify the server with.
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// A directory of hashed CA certificates (as `c_rehash` makes).
    pub fn ca_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_dir = Some(path.into());
        self
    }

    /// A client certificate and its private key (PEM) for mutual TLS.
    pub fn client_cert(mut self, cert: impl Into<PathBuf>, key: impl Into<PathBuf>) -> Self {
        self.client_cert = Some((cert.into(), key.into()));
        self
    }

    /// Retries after the first attempt (default 3; 0 disables retries).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The overall budget of one call, waits and retries included (default 120 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.retry.deadline = deadline;
        self
    }

    /// Never wait: rate-limit and server errors come back at once, for job queues
    /// that reschedule themselves.
    pub fn never_wait(mut self, never_wait: bool) -> Self {
        self.retry.never_wait = never_wait;
        self
    }

    /// Replaces the whole retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Turns rate-limit pacing on (the default) or off.
    pub fn pacing(mut self, enabled: bool) -> Self {
        self.no_pacing = !enabled;
        self
    }

    /// The largest answer read into memory, counted after decompression (default
    /// 64 MiB). A larger answer fails with [`ErrorKind::ResponseTooLarge`] having held
    /// no more than about this much. Must be at least 1.
    pub fn max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Where log lines go.
    pub fn log_sink(mut self, sink: LogSink) -> Self {
        self.log = Some(sink);
        self
    }

    /// Where events go: one [`crate::events::Event`] per answer, retry, pacing wait
    /// and token request (see [`crate::events`]). Replaces an earlier sink; `None`
    /// removes it.
    pub fn event_sink(mut self, sink: impl Into<Option<EventSink>>) -> Self {
        self.events = sink.into();
        self
    }

    /// Reads `ZENDESK_SUBDOMAIN` or `ZENDESK_URL`, and `ZENDESK_EMAIL` +
    /// `ZENDESK_API_TOKEN` or `ZENDESK_OAUTH_TOKEN`, into a builder.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Like [`ConfigBuilder::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        Ok(ConfigBuilder::default().env_settings(EnvSettings::from_lookup(lookup)?))
    }

    /// Applies what the environment said: its target and its credentials.
    pub fn env_settings(mut self, env: EnvSettings) -> Self {
        if let Some(url) = env.base_url {
            self = self.base_url(url);
        }
        if let Some(subdomain) = env.subdomain {
            self = self.subdomain(subdomain);
        }
        if let Some((email, token)) = env.api_token {
            self = self.api_token(email, token);
        }
        if let Some(token) = env.oauth_token {
            self = self.oauth_token(token);
        }
        if let Some((id, secret, scope)) = env.client_credentials {
            self = self.oauth_client_credentials(
                &id,
                secret.expose(),
                &scope,
                crate::oauth::DEFAULT_EXPIRES_IN,
            );
        }
        self
    }

    /// Validates the settings and builds the configuration.
    pub fn build(self) -> Result<Config> {
        if self.password_given {
            return Err(Error::invalid(PASSWORD_REFUSED));
        }
        let base_url = match (&self.subdomain, &self.base_url) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid("give a subdomain or a base URL, not both"));
            }
            (None, None) => {
                return Err(Error::invalid(
                    "no Zendesk account given: set a subdomain (acme) or a base URL",
                ));
            }
            (Some(sub), None) => subdomain_url(sub)?,
            (None, Some(url)) => parse_base_url(url)?,
        };
        let mut choices = self.credentials;
        if choices.len() > 1 {
            return Err(Error::invalid(
                "more than one credential given: use exactly one of an API token \
                 (email + api_token), an OAuth access token or OAuth client settings",
            ));
        }
        let choice = choices.pop_first().map(|(_, choice)| choice).transpose()?;
        let credentials: Arc<dyn CredentialProvider> = match choice {
            None => {
                return Err(Error::invalid(
                    "no credential given: use an API token (email + api_token) or an \
                     OAuth access token",
                ));
            }
            Some(CredentialChoice::Static(credential)) => {
                Arc::new(StaticCredential::new(credential)?)
            }
            Some(CredentialChoice::Provider(provider)) => provider,
        };
        let user_agent = self.user_agent.unwrap_or_else(default_user_agent);
        check_header_safe("user agent", &user_agent)?;
        let connect_timeout = self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        for (name, value) in [
            ("connect_timeout", connect_timeout),
            ("timeout", timeout),
            ("deadline", self.retry.deadline),
        ] {
            check_duration_setting(name, value)?;
        }
        let max_response_bytes = self
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES);
        if max_response_bytes == 0 {
            return Err(Error::invalid("max_response_bytes must be at least 1"));
        }
        if let Some(proxy) = &self.proxy {
            check_header_safe("proxy", proxy)?;
        }
        Ok(Config {
            base_url,
            credentials,
            connect_timeout,
            timeout,
            user_agent,
            proxy: self.proxy,
            no_proxy: self.no_proxy,
            ca_file: self.ca_file,
            ca_dir: self.ca_dir,
            client_cert: self.client_cert,
            log: self.log,
            events: self.events,
            retry: self.retry,
            pacing: !self.no_pacing,
            max_response_bytes,
        })
    }
}

/// True when `text` starts with a URL scheme followed by `://` (`https://…`), as
/// opposed to a path (whose query may well contain `://`) or a subdomain.
pub(crate) fn is_absolute_url(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Checks a timeout or deadline setting: more than zero and at most
/// [`MAX_CONFIGURED_DURATION`].
pub(crate) fn check_duration_setting(name: &str, value: Duration) -> Result<()> {
    if value.is_zero() || value > MAX_CONFIGURED_DURATION {
        return Err(Error::invalid(format!(
            "{name} must be more than 0 and at most {} seconds",
            MAX_CONFIGURED_DURATION.as_secs()
        )));
    }
    Ok(())
}

/// `zdkit/<version> libcurl/<version>`.
pub fn default_user_agent() -> String {
    format!(
        "zdkit/{} libcurl/{}",
        env!("CARGO_PKG_VERSION"),
        curl::Version::get().version()
    )
}

fn subdomain_url(subdomain: &str) -> Result<Url> {
    let valid = !subdomain.is_empty()
        && subdomain.len() <= 63
        && subdomain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !subdomain.starts_with('-')
        && !subdomain.ends_with('-');
    if !valid {
        let hint = if subdomain.contains('.') {
            " (to use a full host name, pass a base URL such as https://support.example.com)"
        } else {
            ""
        };
        return Err(Error::invalid(format!(
            "invalid subdomain {:?}: use letters, digits and hyphens only, as in acme for acme.zendesk.com{hint}",
            clip_for_message(subdomain)
        )));
    }
    Url::parse(&format!(
        "https://{}.zendesk.com/",
        subdomain.to_ascii_lowercase()
    ))
    .map_err(|e| Error::invalid(format!("invalid subdomain: {e}")))
}

/// Parses and checks a base URL: http(s) only, no credentials in it, no query or
/// fragment, plain HTTP only to loopback.
pub(crate) fn parse_base_url(text: &str) -> Result<Url> {
    check_header_safe("base URL", text)?;
    let mut url =
        Url::parse(text.trim()).map_err(|e| Error::invalid(format!("invalid base URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid(
            "the base URL must not contain credentials: Zendesk only reads the Authorization header",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "the base URL must not have a query string or fragment",
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(Error::new(
                ErrorKind::InsecureTransport,
                format!(
                    "refusing to send credentials over plain HTTP to {}: use https:// \
                     (plain http is allowed only to loopback addresses)",
                    url.host_str().unwrap_or("")
                ),
            ));
        }
        other => {
            return Err(Error::invalid(format!(
                "unsupported URL scheme {other:?}: use https://"
            )));
        }
    }
    if url.host().is_none() {
        return Err(Error::invalid("the base URL has no host"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// True when the URL's host is a loopback address or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn clip_for_message(text: &str) -> String {
    text.chars().take(80).collect()
}

fn redact_url_userinfo(text: &str) -> String {
    match Url::parse(text) {
        Ok(mut url) if url.password().is_some() || !url.username().is_empty() => {
            let _ = url.set_password(None);
            let _ = url.set_username("[redacted]");
            url.to_string()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> ConfigBuilder {
        Config::builder().oauth_token("tok")
    }

    #[test]
    fn setters_replace_and_a_builder_clones() {
        let context = crate::credentials::AuthContext {
            base_url: &Url::parse("https://acme.zendesk.com/").unwrap(),
            token_endpoint: None,
            deadline: None,
        };
        let header = |builder: ConfigBuilder| {
            let config = builder.build().unwrap();
            config
                .credentials()
                .authorization(&context)
                .unwrap()
                .expose()
                .to_owned()
        };
        let first = Config::builder().subdomain("acme").oauth_token("first");
        let second = first.clone().oauth_token("second");
        assert_eq!(header(first), "Bearer first");
        assert_eq!(header(second), "Bearer second");
        // Two modes are still refused; a failed mode is replaced by a good one.
        let two = base().subdomain("acme").api_token("a@b.c", "t");
        assert!(
            two.build()
                .unwrap_err()
                .message()
                .contains("more than one credential")
        );
        let repaired = Config::builder()
            .subdomain("acme")
            .oauth_client_credentials("id", "secret", "", 60)
            .oauth_client_credentials("id", "secret", "read", 60);
        assert!(repaired.build().is_ok());
        // `target` replaces a subdomain or base URL given before.
        let c = base()
            .subdomain("acme")
            .target("https://support.example.com")
            .build()
            .unwrap();
        assert_eq!(c.base_url().as_str(), "https://support.example.com/");
        let c = base()
            .base_url("https://x.test")
            .target("acme")
            .build()
            .unwrap();
        assert_eq!(c.base_url().as_str(), "https://acme.zendesk.com/");
    }

    #[test]
    fn export_start_refuses_a_cursor_and_a_start_time_together() {
        use crate::incremental::ExportStart;
        assert!(ExportStart::from_options(Some(5), Some("c".into())).is_err());
        assert_eq!(
            ExportStart::from_options(None, Some("c".into())).unwrap(),
            ExportStart::Cursor("c".into())
        );
        assert_eq!(
            ExportStart::from_options(None, None).unwrap(),
            ExportStart::StartTime(0)
        );
    }

    #[test]
    fn subdomain_becomes_zendesk_url() {
        let c = base().subdomain("Acme").build().unwrap();
        assert_eq!(c.base_url().as_str(), "https://acme.zendesk.com/");
        assert!(base().subdomain("acme.zendesk.com").build().is_err());
        assert!(base().subdomain("-x").build().is_err());
        assert!(base().subdomain("a b").build().is_err());
    }

    #[test]
    fn plain_http_only_to_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9/x",
        ] {
            base().base_url(ok).build().unwrap();
        }
        let err = base().base_url("http://example.com").build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsecureTransport);
        assert!(base().base_url("ftp://example.com").build().is_err());
        assert!(base().base_url("https://u:p@example.com").build().is_err());
        assert!(base().base_url("https://example.com/?a=b").build().is_err());
    }

    #[test]
    fn exactly_one_credential_and_no_password() {
        let none = Config::builder().subdomain("acme").build().unwrap_err();
        assert!(none.to_string().contains("API token"));
        let two = base()
            .api_token("a@b.c", "t")
            .subdomain("acme")
            .build()
            .unwrap_err();
        assert!(two.to_string().contains("more than one"));
        let pw = Config::builder()
            .subdomain("acme")
            .password("a@b.c", "hunter2")
            .build()
            .unwrap_err();
        assert!(pw.to_string().contains("API token") && pw.to_string().contains("OAuth"));
        assert!(!pw.to_string().contains("hunter2"));
    }

    #[test]
    fn header_injection_is_refused() {
        assert!(
            base()
                .subdomain("acme")
                .user_agent("x\r\ny: z")
                .build()
                .is_err()
        );
        assert!(
            Config::builder()
                .subdomain("acme")
                .api_token("a@b.c\n", "t")
                .build()
                .is_err()
        );
    }

    #[test]
    fn from_lookup_reads_zendesk_variables() {
        let vars = |name: &str| match name {
            "ZENDESK_SUBDOMAIN" => Some("acme".to_owned()),
            "ZENDESK_OAUTH_TOKEN" => Some("canary-tok".to_owned()),
            _ => None,
        };
        let config = ConfigBuilder::from_lookup(vars).unwrap().build().unwrap();
        assert_eq!(config.base_url().host_str(), Some("acme.zendesk.com"));
        assert!(!format!("{config:?}").contains("canary"));
        assert!(ConfigBuilder::from_lookup(|_| None).is_err());
    }

    #[test]
    fn default_user_agent_names_zdkit_and_libcurl() {
        let ua = default_user_agent();
        assert!(ua.starts_with("zdkit/") && ua.contains(" libcurl/"));
    }
}
