//! `zdk_client`: builds clients and sends requests.

use super::boundary::{
    FfiError, Out, arg, arg_bytes, arg_opt_str, arg_str, free_arg, guard, guard_value, out,
};
use super::config::zdk_config;
use super::request::zdk_request;
use super::response::{deliver, zdk_response};
use super::result::zdk_result;
use crate::client::Client;
use crate::config::Config;
use crate::request::Request;
use std::ffi::c_char;

/// A Zendesk API client: a base URL, a credential and a pool of connections.
///
/// Thread-safe: one client may be used by many threads at once (connections are
/// pooled and reused). Free it once, after every thread is done with it.
pub struct zdk_client {
    client: Client,
}

impl zdk_client {
    /// The core client.
    pub(crate) fn core(&self) -> &Client {
        &self.client
    }
}

fn new_client(config: Config, out: Out<*mut zdk_client>) -> Result<(), FfiError> {
    out.put(zdk_client {
        client: Client::new(config)?,
    });
    Ok(())
}

/// ---- Clients and requests ---------------------------------------------------
///
/// Creates a client from a config (which is only read, and may be freed or reused
/// afterwards). Fails with `ZDK_ERR_INVALID_ARGUMENT` or
/// `ZDK_ERR_INSECURE_TRANSPORT` when the settings are wrong: no target, no or two
/// credentials, plain HTTP to a non-loopback host, CR/LF in a value.
///
/// On success `*out` owns the client: free it with `zdk_client_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_new(
    config: *const zdk_config,
    out: *mut *mut zdk_client,
) -> zdk_result {
    guard(|| {
        let config = arg!(config)?;
        let out = out!(out)?;
        new_client(config.build()?, out)
    })
}

/// Creates a client that authenticates with an API token
/// (`Authorization: Basic base64("{email}/token:{api_token}")`).
///
/// `subdomain_or_url` is a base URL when it contains `://` (`https://…`, or
/// `http://` to a loopback address only), else a subdomain (`acme` for
/// `https://acme.zendesk.com`). Default timeouts: connect 10 s, total 60 s.
/// Strings are copied; the token copy is zeroed when the client is freed.
///
/// On success `*out` owns the client: free it with `zdk_client_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_new_api_token(
    subdomain_or_url: *const c_char,
    email: *const c_char,
    api_token: *const c_char,
    out: *mut *mut zdk_client,
) -> zdk_result {
    guard(|| {
        let target = arg_str!(subdomain_or_url)?;
        let email = arg_str!(email)?;
        let token = arg_str!(api_token)?;
        let out = out!(out)?;
        let config = Config::builder()
            .target(target)
            .api_token(email, token)
            .build()?;
        new_client(config, out)
    })
}

/// Creates a client that authenticates with an OAuth access token
/// (`Authorization: Bearer {access_token}`). `subdomain_or_url` as in
/// `zdk_client_new_api_token`. Strings are copied; the token copy is zeroed when
/// the client is freed.
///
/// On success `*out` owns the client: free it with `zdk_client_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_new_oauth(
    subdomain_or_url: *const c_char,
    access_token: *const c_char,
    out: *mut *mut zdk_client,
) -> zdk_result {
    guard(|| {
        let target = arg_str!(subdomain_or_url)?;
        let token = arg_str!(access_token)?;
        let out = out!(out)?;
        let config = Config::builder()
            .target(target)
            .oauth_token(token)
            .build()?;
        new_client(config, out)
    })
}

/// Sends a request and hands back the answer.
fn send(
    client: &zdk_client,
    request: &Request,
    out: Out<*mut zdk_response>,
) -> Result<(), FfiError> {
    deliver(client.client.send(request), out)
}

/// Sends one request and waits for the whole answer (blocking; thread-safe).
///
/// - `method`: any HTTP method (`"GET"`, `"POST"`, `"PUT"`, `"PATCH"`, `"DELETE"`).
/// - `path`: relative to the base URL (`"/api/v2/tickets.json?page[size]=100"`) or a
///   full URL on the client's origin (a `links.next` URL); any other origin fails with
///   `ZDK_ERR_INVALID_ARGUMENT` and nothing is sent.
/// - `body`/`body_len`: the request body, sent with `Content-Type: application/json`;
///   `body` may be NULL only when `body_len` is 0 (no body).
///
/// Returns `ZDK_OK` for a 2xx answer, with `*out` set to the response. For any other
/// HTTP answer it returns the matching error code (`ZDK_ERR_NOT_FOUND` for 404, …)
/// **and still sets `*out`** to the response, so its status, body and request id can
/// be read. For transport errors (DNS, connect, TLS, timeout) `*out` is not written:
/// initialise it to NULL. Either way, free a non-NULL `*out` with
/// `zdk_response_free`. Error detail: `zdk_last_error_*` on the same thread.
///
/// Redirects are followed only on the client's origin; credentials are never sent
/// to another host.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_request(
    client: *const zdk_client,
    method: *const c_char,
    path: *const c_char,
    body: *const u8,
    body_len: usize,
    out: *mut *mut zdk_response,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let method = arg_str!(method)?;
        let path = arg_str!(path)?;
        let body = arg_bytes!(body, body_len)?;
        let out = out!(out)?;
        let mut request = Request::new(method, path);
        if !body.is_empty() {
            request = request.body("application/json", body.to_vec());
        }
        send(client, &request, out)
    })
}

/// Sends a request built with `zdk_request_new` (which is only read: it may be sent
/// again, or by several threads). Results and ownership as `zdk_client_request`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_send(
    client: *const zdk_client,
    request: *const zdk_request,
    out: *mut *mut zdk_response,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let request = arg!(request)?;
        let out = out!(out)?;
        send(client, &request.request, out)
    })
}

/// Uploads bytes (`POST /api/v2/uploads.json?filename=…`) for a ticket comment.
/// `content_type` NULL guesses from the file name; `token` NULL starts a new upload,
/// or names an earlier one to add to. `data` may be NULL only when `len` is 0.
/// Results and `*out` as `zdk_client_request`; the body is
/// `{"upload":{"token":…,"attachment":…}}`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_upload(
    client: *const zdk_client,
    filename: *const c_char,
    content_type: *const c_char,
    data: *const u8,
    len: usize,
    token: *const c_char,
    out: *mut *mut zdk_response,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let filename = arg_str!(filename)?;
        let content_type = arg_opt_str!(content_type)?;
        let data = arg_bytes!(data, len)?;
        let token = arg_opt_str!(token)?;
        let out = out!(out)?;
        let request = crate::upload::upload_request(
            filename,
            crate::upload::UploadSource::Bytes(data),
            content_type,
            token,
        )?;
        send(client, &request, out)
    })
}

/// Uploads a file streamed from disk (never loaded whole into memory). Otherwise as
/// `zdk_client_upload`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_upload_file(
    client: *const zdk_client,
    filename: *const c_char,
    path: *const c_char,
    content_type: *const c_char,
    token: *const c_char,
    out: *mut *mut zdk_response,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let filename = arg_str!(filename)?;
        let path = arg_str!(path)?;
        let content_type = arg_opt_str!(content_type)?;
        let token = arg_opt_str!(token)?;
        let out = out!(out)?;
        let source = crate::upload::UploadSource::Path(std::path::Path::new(path));
        let request = crate::upload::upload_request(filename, source, content_type, token)?;
        send(client, &request, out)
    })
}

/// Polls `GET /api/v2/job_statuses/{job_id}` with back-off until the job is
/// `completed` (`ZDK_OK`, `*out` = the last poll, body `{"job_status":…}`) or
/// `failed`/`killed` (`ZDK_ERR_JOB_FAILED`, `*out` set likewise; the results are in
/// `zdk_last_error_details_json()`). Past `timeout_ms`: `ZDK_ERR_TIMEOUT`.
/// `timeout_ms` must be more than 0 and at most one day (86400000), else
/// `ZDK_ERR_INVALID_ARGUMENT` and nothing is sent.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_wait_for_job(
    client: *const zdk_client,
    job_id: *const c_char,
    timeout_ms: u64,
    out: *mut *mut zdk_response,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let job_id = arg_str!(job_id)?;
        let out = out!(out)?;
        // The core range-checks the timeout (nothing is sent when it is out of range).
        let timeout = std::time::Duration::from_millis(timeout_ms);
        deliver(client.client.wait_for_job_response(job_id, timeout), out)
    })
}

/// Frees a client and closes its connections. NULL is a no-op. No other thread may
/// be using it. Its async calls still in flight are cancelled first (see
/// `zdk_client_send_async`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_free(client: *mut zdk_client) {
    guard_value((), || {
        if let Ok(client) = arg!(client) {
            // Pagers may share the core client: its async calls end with this handle.
            client.client.close_async();
        }
    });
    free_arg!(client);
}
