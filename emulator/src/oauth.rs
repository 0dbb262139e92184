//! OAuth: clients, minted tokens, the `POST /oauth/tokens` grant endpoint and rotation.

use crate::config::Config;
use crate::http::Resp;
use crate::util::{iso8601, now_epoch, random_token};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

/// The built-in static bearer token (admin, read write, never expires).
pub const STATIC_TOKEN: &str = "emulator-oauth-token";
/// The built-in OAuth client id.
pub const CLIENT_ID: &str = "emulator-client";
/// The built-in OAuth client secret.
pub const CLIENT_SECRET: &str = "emulator-client-secret";
/// Longest `expires_in` Zendesk accepts (2 days).
const MAX_EXPIRES_IN: u64 = 172_800;
/// Default refresh-token lifetime (30 days).
const DEFAULT_REFRESH_EXPIRES_IN: u64 = 2_592_000;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// A registered OAuth client.
#[derive(Debug, Clone)]
struct Client {
    id: u64,
    secret: String,
    user: Option<String>,
    default_expires_in: Option<u64>,
}

/// A live access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// Numeric id (for `tokens/current`).
    pub id: u64,
    /// Owning client's numeric id.
    pub client_id: u64,
    /// Email of the user it acts as (resolved per request).
    pub user_email: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Creation time, epoch seconds.
    pub created: i64,
    /// Expiry, epoch milliseconds.
    pub expires_at_ms: Option<u64>,
    /// The paired refresh token, if any.
    pub refresh: Option<String>,
}

#[derive(Debug, Clone)]
struct RefreshToken {
    client: String,
    user_email: String,
    scopes: Vec<String>,
    access: String,
    expires_at_ms: Option<u64>,
}

#[derive(Debug, Clone)]
struct Code {
    client: String,
    user_email: String,
    scopes: Vec<String>,
    redirect_uri: Option<String>,
}

/// All OAuth state.
#[derive(Debug)]
pub struct OAuth {
    clients: HashMap<String, Client>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    spent_refresh: HashSet<String>,
    codes: HashMap<String, Code>,
    counter: u64,
    /// How many tokens `POST /oauth/tokens` has minted.
    pub minted: u64,
}

fn default_scopes() -> Vec<String> {
    vec!["read".into(), "write".into()]
}

impl OAuth {
    /// The built-in client and token plus those of the config.
    pub fn new(cfg: &Config) -> OAuth {
        let admin = crate::seed::ADMIN_EMAIL.to_string();
        let mut o = OAuth {
            clients: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            spent_refresh: HashSet::new(),
            codes: HashMap::new(),
            counter: 1000,
            minted: 0,
        };
        o.clients.insert(
            CLIENT_ID.into(),
            Client {
                id: 1,
                secret: CLIENT_SECRET.into(),
                user: None,
                default_expires_in: Some(1800),
            },
        );
        for (i, c) in cfg.oauth_clients.iter().enumerate() {
            o.clients.insert(
                c.identifier.clone(),
                Client {
                    id: 2 + i as u64,
                    secret: c.secret.clone(),
                    user: c.user.clone(),
                    default_expires_in: Some(c.default_expires_in.unwrap_or(1800)),
                },
            );
        }
        o.access.insert(
            STATIC_TOKEN.into(),
            AccessToken {
                id: 1,
                client_id: 1,
                user_email: admin.clone(),
                scopes: default_scopes(),
                created: crate::seed::BASE_EPOCH,
                expires_at_ms: None,
                refresh: None,
            },
        );
        let start = now_ms();
        for t in &cfg.oauth_tokens {
            let client = t.client.clone().unwrap_or_else(|| CLIENT_ID.into());
            let client_id = o.clients.get(&client).map_or(1, |c| c.id);
            let user_email = t.user.clone().unwrap_or_else(|| admin.clone());
            let scopes = t.scopes.clone().unwrap_or_else(default_scopes);
            o.counter += 1;
            o.access.insert(
                t.access_token.clone(),
                AccessToken {
                    id: o.counter,
                    client_id,
                    user_email: user_email.clone(),
                    scopes: scopes.clone(),
                    created: now_epoch(),
                    expires_at_ms: t.expires_in.map(|s| start + s * 1000),
                    refresh: t.refresh_token.clone(),
                },
            );
            if let Some(r) = &t.refresh_token {
                o.refresh.insert(
                    r.clone(),
                    RefreshToken {
                        client,
                        user_email,
                        scopes,
                        access: t.access_token.clone(),
                        expires_at_ms: None,
                    },
                );
            }
        }
        for c in &cfg.oauth_codes {
            o.codes.insert(
                c.code.clone(),
                Code {
                    client: c.client.clone().unwrap_or_else(|| CLIENT_ID.into()),
                    user_email: c.user.clone().unwrap_or_else(|| admin.clone()),
                    scopes: c.scopes.clone().unwrap_or_else(default_scopes),
                    redirect_uri: c.redirect_uri.clone(),
                },
            );
        }
        o
    }

    /// The live (unexpired) access token, if any.
    pub fn lookup(&self, token: &str) -> Option<&AccessToken> {
        let t = self.access.get(token)?;
        match t.expires_at_ms {
            Some(exp) if now_ms() >= exp => None,
            _ => Some(t),
        }
    }

    /// `tokens/current` body for a live token.
    pub fn describe(&self, token: &str, user_id: u64, base: &str) -> Value {
        let Some(t) = self.lookup(token) else {
            return Value::Null;
        };
        let shown: String = token.chars().take(10).collect();
        json!({"token": {
            "id": t.id,
            "url": format!("{base}/api/v2/oauth/tokens/{}.json", t.id),
            "token": shown,
            "client_id": t.client_id,
            "user_id": user_id,
            "scopes": t.scopes,
            "created_at": iso8601(t.created),
            "used_at": iso8601(now_epoch()),
            "expires_at": t.expires_at_ms.map(|ms| iso8601((ms / 1000) as i64)),
            "refresh_token": t.refresh.as_ref().map(|r| r.chars().take(10).collect::<String>()),
            "refresh_token_expires_at": null
        }})
    }

    /// Admin API `POST /api/v2/oauth/tokens`: a long-lived token for `client_id`.
    pub fn create_admin_token(
        &mut self,
        client_id: u64,
        scopes: Vec<String>,
        user_email: String,
        user_id: u64,
        base: &str,
    ) -> Resp {
        if !self.clients.values().any(|c| c.id == client_id) {
            return Resp::invalid("client_id", "InvalidValue", "Client: is invalid");
        }
        self.counter += 1;
        let token = random_token(self.counter);
        let id = self.counter;
        self.access.insert(
            token.clone(),
            AccessToken {
                id,
                client_id,
                user_email,
                scopes: scopes.clone(),
                created: now_epoch(),
                expires_at_ms: None,
                refresh: None,
            },
        );
        Resp::json(
            201,
            &json!({"token": {"id": id, "url": format!("{base}/api/v2/oauth/tokens/{id}.json"), "token": token.chars().take(10).collect::<String>(),
                "full_token": token, "client_id": client_id, "user_id": user_id, "scopes": scopes,
                "created_at": iso8601(now_epoch()), "used_at": null, "expires_at": null, "refresh_token": null}}),
        )
    }

    fn check_client(&self, id: Option<&str>, secret: Option<&str>) -> Result<&Client, Resp> {
        match (id.and_then(|i| self.clients.get(i)), secret) {
            (Some(c), Some(s)) if c.secret == s => Ok(c),
            _ => Err(oauth_error(
                401,
                "invalid_client",
                "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
            )),
        }
    }

    fn mint(
        &mut self,
        client_name: &str,
        user_email: String,
        scopes: Vec<String>,
        expires_in: Option<u64>,
        refresh_expires_in: Option<u64>,
    ) -> Value {
        self.counter += 1;
        self.minted += 1;
        let access = random_token(self.counter);
        let client = self.clients.get(client_name).cloned();
        let client_id = client.as_ref().map_or(1, |c| c.id);
        let now = now_ms();
        let refresh = refresh_expires_in.map(|_| random_token(self.counter ^ 0xABCD));
        self.access.insert(
            access.clone(),
            AccessToken {
                id: self.counter,
                client_id,
                user_email: user_email.clone(),
                scopes: scopes.clone(),
                created: now_epoch(),
                expires_at_ms: expires_in.map(|s| now + s * 1000),
                refresh: refresh.clone(),
            },
        );
        let mut body = json!({
            "access_token": access,
            "token_type": "bearer",
            "scope": scopes.join(" "),
            "expires_in": expires_in,
        });
        if let (Some(r), Some(rexp)) = (refresh, refresh_expires_in) {
            self.refresh.insert(
                r.clone(),
                RefreshToken {
                    client: client_name.to_string(),
                    user_email,
                    scopes,
                    access: body["access_token"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    expires_at_ms: Some(now + rexp * 1000),
                },
            );
            body["refresh_token"] = json!(r);
            body["refresh_token_expires_in"] = json!(rexp);
        }
        body
    }

    /// Handles `POST /oauth/tokens` with the parsed parameters.
    pub fn grant(&mut self, p: &HashMap<String, String>) -> Resp {
        let get = |k: &str| p.get(k).map(String::as_str).filter(|s| !s.is_empty());
        let expires_in = match get("expires_in").map(str::parse::<u64>) {
            None => None,
            Some(Ok(n)) if (1..=MAX_EXPIRES_IN).contains(&n) => Some(n),
            Some(_) => {
                return oauth_error(
                    400,
                    "invalid_request",
                    "expires_in must be between 1 and 172800 seconds.",
                );
            }
        };
        let refresh_expires_in = match get("refresh_token_expires_in").map(str::parse::<u64>) {
            None => DEFAULT_REFRESH_EXPIRES_IN,
            Some(Ok(n)) if n >= 1 => n,
            Some(_) => {
                return oauth_error(
                    400,
                    "invalid_request",
                    "refresh_token_expires_in is invalid.",
                );
            }
        };
        let client = match self.check_client(get("client_id"), get("client_secret")) {
            Ok(c) => c.clone(),
            Err(r) => return r,
        };
        let client_name = get("client_id").unwrap_or_default().to_string();
        let lifetime = expires_in.or(client.default_expires_in.filter(|n| *n > 0));
        let scopes_of = |s: Option<&str>| {
            s.map(|s| s.split_whitespace().map(String::from).collect::<Vec<_>>())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(default_scopes)
        };
        let body = match get("grant_type") {
            Some("client_credentials") => {
                let user = client
                    .user
                    .clone()
                    .unwrap_or_else(|| crate::seed::ADMIN_EMAIL.into());
                self.mint(&client_name, user, scopes_of(get("scope")), lifetime, None)
            }
            Some("authorization_code") => {
                let Some(code) = get("code").and_then(|c| self.codes.get(c)).cloned() else {
                    return invalid_grant();
                };
                if code.client != client_name
                    || code
                        .redirect_uri
                        .as_deref()
                        .is_some_and(|u| get("redirect_uri") != Some(u))
                {
                    return invalid_grant();
                }
                self.codes.remove(get("code").unwrap_or_default());
                self.mint(
                    &client_name,
                    code.user_email,
                    code.scopes,
                    lifetime,
                    Some(refresh_expires_in),
                )
            }
            Some("refresh_token") => {
                let Some(rt) = get("refresh_token") else {
                    return invalid_grant();
                };
                let Some(old) = self.refresh.get(rt).cloned() else {
                    return invalid_grant();
                };
                if old.client != client_name || old.expires_at_ms.is_some_and(|e| now_ms() >= e) {
                    return invalid_grant();
                }
                // Rotation: the old refresh token and its access token die.
                self.refresh.remove(rt);
                self.spent_refresh.insert(rt.to_string());
                self.access.remove(&old.access);
                self.mint(
                    &client_name,
                    old.user_email,
                    old.scopes,
                    lifetime,
                    Some(refresh_expires_in),
                )
            }
            Some(_) => {
                return oauth_error(
                    400,
                    "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server.",
                );
            }
            None => return oauth_error(400, "invalid_request", "grant_type is required."),
        };
        Resp::json(201, &body)
    }
}

fn invalid_grant() -> Resp {
    oauth_error(
        400,
        "invalid_grant",
        "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
    )
}

fn oauth_error(status: u16, error: &str, description: &str) -> Resp {
    Resp::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// Parses a token request body: JSON object or form-encoded. Numbers become strings.
pub fn parse_params(body: &[u8], basic: Option<(String, String)>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) {
        for (k, v) in m {
            let s = match v {
                Value::String(s) => s,
                Value::Null => continue,
                other => other.to_string(),
            };
            out.insert(k, s);
        }
    } else if let Ok(text) = std::str::from_utf8(body) {
        out.extend(crate::util::parse_query(text.trim()));
    }
    if let Some((id, secret)) = basic {
        out.entry("client_id".into()).or_insert(id);
        out.entry("client_secret".into()).or_insert(secret);
    }
    out
}
