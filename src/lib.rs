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

mod call;
mod client;
pub mod config;
pub mod credentials;
pub mod download;
pub mod error;
pub mod events;
#[cfg(feature = "capi")]
pub mod ffi;
mod headers;
mod incremental;
pub mod iterate;
mod jobs;
mod json_bounds;
mod json_skip;
mod json_structure;
pub mod log;
mod multi;
pub mod oauth;
pub mod page_scan;
mod paginate;
pub mod panic;
pub mod ratelimit;
pub mod redirect;
mod request;
mod response;
pub mod retry;
mod search;
mod secret;
mod transport;
pub mod upload;
pub mod webhook;

pub use client::Client;
pub use config::{Config, ConfigBuilder};
pub use error::{Error, ErrorKind, Result};
pub use headers::Headers;
pub use jobs::{JobPoll, JobWait};
pub use multi::{AsyncCall, Completion, on_engine_thread};
pub use request::{Body, Request};
pub use response::Response;
pub use secret::Secret;
pub use transport::CancelCheck;

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
