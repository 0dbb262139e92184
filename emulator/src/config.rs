//! Command-line flags and the optional `--config FILE` (JSON or TOML).

use serde::Deserialize;
use std::path::Path;

/// Default number of seeded tickets when neither `--tickets` nor the config says.
pub const DEFAULT_TICKETS: u64 = 100;
/// Default number of seeded users when neither `--users` nor the config says.
pub const DEFAULT_USERS: u64 = 20;

/// Everything the emulator is started with: flags merged over the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on (`--host`).
    pub host: Option<String>,
    /// Port to listen on, 0 for any (`--port`).
    pub port: Option<u16>,
    /// Serve HTTPS with a fresh self-signed certificate (`--tls`).
    pub tls: Option<bool>,
    /// Number of seeded tickets (`--tickets`).
    pub tickets: Option<u64>,
    /// Number of seeded users (`--users`).
    pub users: Option<u64>,
    /// Account rate limit `N/SECONDS` (`--rate-limit`).
    pub rate_limit: Option<String>,
    /// Endpoint rate-limit buckets (only enforced when an account limit is set, or when
    /// listed here explicitly).
    pub rate_limits: RateLimitsConfig,
    /// Extra users, appended after the seeded ones.
    pub users_list: Vec<UserConfig>,
    /// Extra API tokens (valid with the email of any active user, as on Zendesk).
    pub api_tokens: Vec<String>,
    /// Extra OAuth clients.
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// Pre-issued OAuth access (and refresh) tokens.
    pub oauth_tokens: Vec<OAuthTokenConfig>,
    /// Pre-registered authorization codes for the `authorization_code` grant.
    pub oauth_codes: Vec<OAuthCodeConfig>,
    /// Size of the request log ring buffer (default 10,000).
    pub request_log_size: Option<usize>,
}

/// Endpoint bucket limits.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitsConfig {
    /// `zendesk-ratelimit-incremental-exports` (Zendesk: 10 per 60 s).
    pub incremental_exports: Option<Bucket>,
    /// `zendesk-ratelimit-tickets-index` for list tickets (Zendesk: 100 per 60 s).
    pub tickets_index: Option<Bucket>,
    /// `zendesk-ratelimit-tickets-update`, per ticket per user (Zendesk: 30 per 600 s).
    pub ticket_updates: Option<Bucket>,
}

/// One fixed-window budget.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// Requests allowed per window.
    pub limit: u64,
    /// Window length in seconds.
    pub seconds: u64,
}

/// A user added by the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    /// Display name.
    pub name: String,
    /// Unique email (used with API tokens).
    pub email: String,
    /// `admin`, `agent` or `end-user` (default `end-user`).
    #[serde(default)]
    pub role: Option<String>,
}

/// An OAuth client added by the config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthClientConfig {
    /// The client's `client_id` string (Zendesk calls it the identifier).
    pub identifier: String,
    /// The client secret.
    pub secret: String,
    /// Email of the user that `client_credentials` tokens act as (default the admin).
    #[serde(default)]
    pub user: Option<String>,
    /// Lifetime when the request gives no `expires_in`; `0` means no expiry (default 1800).
    #[serde(default)]
    pub default_expires_in: Option<u64>,
}

/// A pre-issued OAuth token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthTokenConfig {
    /// The bearer token.
    pub access_token: String,
    /// An optional refresh token paired with it.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// Client identifier it belongs to (default `emulator-client`).
    #[serde(default)]
    pub client: Option<String>,
    /// Email of the user it acts as (default the admin).
    #[serde(default)]
    pub user: Option<String>,
    /// Scopes (default `["read", "write"]`).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Seconds until the access token expires, from start-up (default never).
    #[serde(default)]
    pub expires_in: Option<u64>,
}

/// A pre-registered authorization code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OAuthCodeConfig {
    /// The code.
    pub code: String,
    /// Client identifier (default `emulator-client`).
    #[serde(default)]
    pub client: Option<String>,
    /// Email of the user (default the admin).
    #[serde(default)]
    pub user: Option<String>,
    /// Scopes (default `["read", "write"]`).
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// If set, the token request must carry the same `redirect_uri`.
    #[serde(default)]
    pub redirect_uri: Option<String>,
}

/// Parsed `N/SECONDS`.
pub fn parse_rate(s: &str) -> Result<Bucket, String> {
    let (n, secs) = s
        .split_once('/')
        .ok_or_else(|| format!("--rate-limit wants N/SECONDS, got {s:?}"))?;
    let limit = n
        .trim()
        .parse()
        .map_err(|_| format!("bad count in {s:?}"))?;
    let seconds: u64 = secs
        .trim()
        .parse()
        .map_err(|_| format!("bad seconds in {s:?}"))?;
    if seconds == 0 {
        return Err("--rate-limit window must be at least 1 second".into());
    }
    Ok(Bucket { limit, seconds })
}

impl Config {
    /// Reads a JSON (`.json`, or content starting with `{`) or TOML config file.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let is_json =
            path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
        if is_json {
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            Self::from_value(v).map_err(|e| format!("{}: {e}", path.display()))
        } else {
            let v: toml::Value =
                toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let v = serde_json::to_value(v).map_err(|e| e.to_string())?;
            Self::from_value(v).map_err(|e| format!("{}: {e}", path.display()))
        }
    }

    /// `users` may be a number (seed count) or a list of user objects.
    fn from_value(mut v: serde_json::Value) -> Result<Config, String> {
        if let Some(obj) = v.as_object_mut() {
            if let Some(users) = obj.get("users") {
                if users.is_array() {
                    let list = obj.remove("users").unwrap_or_default();
                    obj.insert("users_list".into(), list);
                }
            }
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    /// Parses the command line over this config (flags win).
    pub fn apply_args(&mut self, args: &[String]) -> Result<(), String> {
        let mut i = 0;
        while i < args.len() {
            let arg = args[i].as_str();
            let (flag, inline) = match arg.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
                _ => (arg, None),
            };
            let mut value = || -> Result<String, String> {
                if let Some(v) = inline.clone() {
                    return Ok(v);
                }
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| format!("{flag} needs a value"))
            };
            match flag {
                "--host" => self.host = Some(value()?),
                "--port" => self.port = Some(value()?.parse().map_err(|_| "bad --port")?),
                "--tls" => self.tls = Some(true),
                "--tickets" => self.tickets = Some(value()?.parse().map_err(|_| "bad --tickets")?),
                "--users" => self.users = Some(value()?.parse().map_err(|_| "bad --users")?),
                "--rate-limit" => {
                    let v = value()?;
                    parse_rate(&v)?;
                    self.rate_limit = Some(v);
                }
                "--config" => {
                    let path = value()?;
                    let file = Config::load(Path::new(&path))?;
                    self.merge_file(file);
                }
                "-h" | "--help" => return Err(String::new()),
                other => return Err(format!("unknown argument {other:?}")),
            }
            i += 1;
        }
        Ok(())
    }

    /// Takes values from a config file where the command line gave none yet.
    fn merge_file(&mut self, file: Config) {
        let cli = std::mem::replace(self, file);
        self.host = cli.host.or(self.host.take());
        self.port = cli.port.or(self.port);
        self.tls = cli.tls.or(self.tls);
        self.tickets = cli.tickets.or(self.tickets);
        self.users = cli.users.or(self.users);
        self.rate_limit = cli.rate_limit.or(self.rate_limit.take());
    }
}

/// Usage text for `--help` and argument errors.
pub const USAGE: &str = "usage: zdkit-emulator [--host 127.0.0.1] [--port 0] [--tls] [--tickets N] \
[--users N] [--rate-limit N/SECONDS] [--config FILE]";
