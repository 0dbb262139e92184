//! `zdk_client_download`: an attachment's bytes, streamed to a file.

use super::boundary::{FfiError, arg, arg_str, guard, out};
use super::client::zdk_client;
use super::result::zdk_result;
use crate::download::DownloadSource;
use std::ffi::c_char;

/// The body of both download exports.
fn download(
    client: &zdk_client,
    source: &str,
    path: &str,
    max_bytes: Option<u64>,
    bytes_out: super::boundary::Out<u64>,
) -> Result<(), FfiError> {
    if path.is_empty() {
        return Err(crate::Error::invalid("the destination path is empty").into());
    }
    let source = DownloadSource::parse(source);
    let written = client
        .core()
        .download(&source, std::path::Path::new(path), max_bytes)?;
    bytes_out.write(written);
    Ok(())
}

/// ---- Downloads ---------------------------------------------------------------
///
/// Downloads an attachment to the file `path` and writes the number of bytes to
/// `*bytes_out` (blocking; thread-safe).
///
/// `url` is an attachment's `content_url` (or any URL or path on the client's origin,
/// or an `https://` URL elsewhere, which gets no credential), or an attachment id in
/// decimal (`"12345"`: its `content_url` is looked up with
/// `GET /api/v2/attachments/12345.json`).
///
/// Redirects from the client's origin to the content origin (Zendesk serves the bytes
/// from `*.zdusercontent.com`) are followed; the credential is sent only while on the
/// client's origin, never to the content origin (it gets only the signed URL). Plain
/// `http://` locations are followed only to loopback addresses. `zdk_client_request`
/// still refuses every cross-origin redirect.
///
/// The body is streamed to a temporary file beside `path` (not bound by
/// `zdk_config_set_max_response_bytes`; no total timeout, but the transfer fails when
/// no byte arrives for the client's timeout) and renamed to `path` only once complete:
/// on any failure `path` is left as it was and nothing else remains. A failure is
/// retried from the start like any GET (429, 5xx, cut connections), within the
/// client's retry policy. Errors: the HTTP ones of `zdk_client_request` (with
/// `zdk_last_error_*`, but no response is handed out), `ZDK_ERR_TRANSPORT` for a cut
/// transfer, `ZDK_ERR_INVALID_ARGUMENT` when `path` cannot be written.
///
/// @param client the client.
/// @param url the attachment's `content_url`, or its id in decimal.
/// @param path the file to write; replaced only when the download is complete.
/// @param bytes_out receives the number of bytes written (with `ZDK_OK` only).
/// @return `ZDK_OK`, or the code of the failure (the thread's last error describes it;
///     `path` is then left as it was).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_download(
    client: *const zdk_client,
    url: *const c_char,
    path: *const c_char,
    bytes_out: *mut u64,
) -> zdk_result {
    // SAFETY: the same arguments, under the same contract; 0 is "no limit".
    unsafe { zdk_client_download_max(client, url, path, 0, bytes_out) }
}

/// `zdk_client_download` that accepts at most `max_bytes` bytes (0: no limit): a
/// larger body stops the transfer with `ZDK_ERR_RESPONSE_TOO_LARGE`, leaving `path` as
/// it was.
///
/// @param client the client.
/// @param url the attachment's `content_url`, or its id in decimal.
/// @param path the file to write; replaced only when the download is complete.
/// @param max_bytes the largest size accepted; 0: no limit.
/// @param bytes_out receives the number of bytes written (with `ZDK_OK` only).
/// @return `ZDK_OK`, or the code of the failure (the thread's last error describes it;
///     `path` is then left as it was).
/// @since 0.1
#[unsafe(no_mangle)]
pub unsafe extern "C" fn zdk_client_download_max(
    client: *const zdk_client,
    url: *const c_char,
    path: *const c_char,
    max_bytes: u64,
    bytes_out: *mut u64,
) -> zdk_result {
    guard(|| {
        let client = arg!(client)?;
        let url = arg_str!(url)?;
        let path = arg_str!(path)?;
        let bytes_out = out!(bytes_out)?;
        let limit = (max_bytes > 0).then_some(max_bytes);
        download(client, url, path, limit, bytes_out)
    })
}
