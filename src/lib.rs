//! zdkit: a Zendesk Support API client with a native core.
//!
//! The core drives libcurl and speaks both Zendesk credential modes: an API token
//! (`{email}/token:{api_token}` over HTTP Basic) and an OAuth access token (Bearer).
//! The same core is exposed as a stable C ABI (see `include/zdkit.h`) and as the
//! Python package `zdkit`.
//!
//! ```no_run
//! use zdkit::{Client, Config, Request};
//! let config = Config::builder()
//!     .subdomain("acme")
//!     .api_token("agent@acme.com", "api-token")
//!     .build()?;
//! let client = Client::new(config)?;
//! let me = client.send(&Request::get("/api/v2/users/me"))?.json()?;
//! println!("{}", me["user"]["name"]);
//! # Ok::<(), zdkit::Error>(())
//! ```

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

mod client;
mod config;
mod credentials;
mod error;
#[cfg(feature = "capi")]
pub mod ffi;
mod headers;
mod incremental;
mod jobs;
mod log;
mod oauth;
mod paginate;
pub mod panic;
mod ratelimit;
mod redirect;
mod request;
mod response;
mod retry;
mod search;
mod secret;
mod transport;
mod upload;

pub use client::Client;
pub use config::{
    Config, ConfigBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT,
    EnvSettings, MAX_CONFIGURED_DURATION, SETTINGS, default_user_agent,
};
pub use credentials::{
    AuthContext, Credential, CredentialProvider, StaticCredential, TokenEndpoint,
};
pub use error::{Error, ErrorKind, Result, ZendeskErrorBody};
pub use headers::Headers;
pub use incremental::{
    CURSOR_RESOURCES, DEFAULT_EXPORT_PAGE_SIZE, ExportPage, ExportStart, IncrementalExport,
};
pub use log::{LogLevel, LogSink};
pub use oauth::{
    DEFAULT_EXPIRES_IN, MAX_TOKEN_LIFETIME, OAuthProvider, RotationCallback, TokenSet,
    authorize_url, exchange_code, exchange_code_body, pkce_challenge, pkce_pair, unix_seconds,
    zeroize_json,
};
pub use paginate::{DEFAULT_PAGE_SIZE, Page, Pager, find_items_key, parse_link_next};
pub use ratelimit::{
    EndpointBucket, LONGEST_WINDOW, MAX_RETRY_AFTER, RateLimit, parse_retry_after,
};
pub use redirect::MAX_REDIRECTS;
pub use request::{Body, Request};
pub use response::Response;
pub use retry::{
    DEFAULT_DEADLINE, DEFAULT_MAX_RETRIES, RetryPolicy, is_idempotent, new_idempotency_key,
};
pub use search::{SEARCH_LIMIT_CODE, SEARCH_RESULT_CAP, SearchPager, SearchResults};
pub use secret::Secret;
pub use transport::CancelCheck;
pub use upload::{UploadSource, guess_content_type, upload_request};

/// zdkit's version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// zdkit's version and the libcurl it runs on, with libcurl's TLS, HTTP/2 and zlib
/// libraries: `zdkit/0.1.0 libcurl/8.x OpenSSL/3.x nghttp2/1.x zlib/1.x`.
pub fn version_string() -> String {
    let curl = curl::Version::get();
    let mut text = format!("zdkit/{VERSION} libcurl/{}", curl.version());
    if let Some(tls) = curl.ssl_version() {
        text.push_str(&format!(" {tls}"));
    }
    if let Some(h2) = curl.nghttp2_version() {
        text.push_str(&format!(" nghttp2/{h2}"));
    }
    if let Some(z) = curl.libz_version() {
        text.push_str(&format!(" zlib/{z}"));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_names_zdkit_libcurl_tls_and_http2() {
        let text = super::version_string();
        assert!(
            text.starts_with(&format!("zdkit/{} libcurl/", super::VERSION)),
            "{text}"
        );
        assert!(
            text.contains("nghttp2/"),
            "HTTP/2 support is built in: {text}"
        );
        assert!(text.contains("SSL"), "a TLS library is named: {text}");
    }
}
