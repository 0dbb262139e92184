//! Attachment downloads: the bytes of an attachment, streamed to a file.
//!
//! Zendesk serves an attachment's bytes from another origin than the account's API
//! (`*.zdusercontent.com`): its `content_url` on the account origin answers with a
//! redirect to a signed URL there. [`Client::download`] follows that chain with the
//! download policy of [`crate::redirect::next_download_hop`]: the credential is sent
//! only while the chain is still on the account's origin, and never again once it has
//! left it — the signed URL is all the content origin gets. Ordinary calls
//! ([`Client::send`]) keep refusing every cross-origin redirect.
//!
//! The body is written to a temporary file beside the destination as it arrives (not
//! bound by `max_response_bytes`; bound by an optional `max_bytes`), synced, and
//! renamed over the destination only once complete: a failed or cut transfer leaves
//! nothing behind, and nothing is resumed silently. A failure is retried like any GET
//! (429, 5xx, cut connections, within the retry policy), from the start; a 401 on the
//! account's origin renews the credential and replays once, as for any call.

use crate::client::{Attempt, Client, deadline_after, retry_or_end, sleep_unless_cancelled};
use crate::error::{Error, ErrorKind, Result};
use crate::events::Emit;
use crate::log::LogLevel;
use crate::redirect::{MAX_REDIRECTS, next_download_hop};
use crate::response::Response;
use crate::transport::{FileSink, Transfer};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Instant;
use url::Url;

/// What to download: an attachment id (its `content_url` is looked up), or a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadSource {
    /// An attachment id: `GET /api/v2/attachments/{id}` gives its `content_url`.
    Attachment(u64),
    /// A `content_url` (or any URL or path on the account's origin, or an `https://`
    /// URL elsewhere, which gets no credential).
    Url(String),
}

impl DownloadSource {
    /// Reads a command-line style target: all digits is an attachment id, anything
    /// else a URL or path.
    pub fn parse(target: &str) -> DownloadSource {
        let trimmed = target.trim();
        match trimmed.parse::<u64>() {
            Ok(id) if trimmed.bytes().all(|b| b.is_ascii_digit()) => DownloadSource::Attachment(id),
            _ => DownloadSource::Url(target.to_owned()),
        }
    }
}

impl Client {
    /// Downloads `source` to the file `dest` (replacing it) and returns the number of
    /// bytes written. See the module documentation for the redirect, credential and
    /// atomic-write rules. A body larger than `max_bytes` fails with
    /// [`ErrorKind::ResponseTooLarge`]; a destination that cannot be written fails
    /// with [`ErrorKind::InvalidArgument`]. On any failure `dest` is left as it was.
    pub fn download(
        &self,
        source: &DownloadSource,
        dest: &Path,
        max_bytes: Option<u64>,
    ) -> Result<u64> {
        let url = match source {
            DownloadSource::Attachment(id) => self.attachment_content_url(*id)?,
            DownloadSource::Url(target) => self.download_start(target)?,
        };
        let part = PartFile::create(dest)?;
        let policy = self.config().retry;
        let deadline = deadline_after(policy.deadline);
        let mut attempt = 0;
        loop {
            let file = part.truncated()?;
            let started = Instant::now();
            match self.download_once(&url, FileSink::new(file, max_bytes), deadline) {
                Ok((response, written)) => {
                    self.config().emit_attempt(
                        "GET",
                        &response.path,
                        attempt,
                        started,
                        Ok(&response),
                    );
                    part.commit(dest)?;
                    return Ok(written);
                }
                Err(error) => {
                    let path = error.path().unwrap_or(url.path()).to_owned();
                    let this = Attempt {
                        method: "GET",
                        path: &path,
                        number: attempt,
                        started,
                    };
                    let decision =
                        retry_or_end(self.config(), &policy, &error, false, &this, deadline);
                    let Some(wait) = decision else {
                        return Err(error);
                    };
                    self.log(
                        LogLevel::Warn,
                        &format!("download GET {path}: {error}; retrying from the start"),
                    );
                    sleep_unless_cancelled(wait, self.cancel_check())?;
                    attempt += 1;
                }
            }
        }
    }

    /// The `content_url` of attachment `id`.
    fn attachment_content_url(&self, id: u64) -> Result<Url> {
        let answer = self
            .get(&format!("/api/v2/attachments/{id}.json"))?
            .json()?;
        let content_url = answer["attachment"]["content_url"]
            .as_str()
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Decode,
                    format!("attachment {id} has no content_url in Zendesk's answer"),
                )
            })?;
        self.download_start(content_url)
    }

    /// The first URL of a download: a path or URL on the account's origin, or an
    /// `https://` URL elsewhere (loopback `http://` too, as for every target).
    fn download_start(&self, target: &str) -> Result<Url> {
        if !crate::config::is_absolute_url(target) {
            return self.resolve_url(target, &[]);
        }
        let mut url =
            Url::parse(target).map_err(|e| Error::invalid(format!("invalid URL: {e}")))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::invalid("the URL must not contain credentials"));
        }
        let secure =
            url.scheme() == "https" || (url.scheme() == "http" && crate::config::is_loopback(&url));
        if !secure {
            return Err(Error::new(
                ErrorKind::InsecureTransport,
                "downloads use https:// (plain http only to a loopback address)",
            ));
        }
        url.set_fragment(None);
        Ok(url)
    }

    /// One pass along the redirect chain; the body of the final 2xx answer goes to
    /// `sink`. Returns the final answer and the bytes written.
    fn download_once(
        &self,
        first: &Url,
        mut sink: FileSink,
        deadline: Instant,
    ) -> Result<(Response, u64)> {
        let base = self.config().base_url().clone();
        let mut url = first.clone();
        let mut left_origin = false;
        let mut replayed = false;
        for _ in 0..=MAX_REDIRECTS {
            left_origin |= url.origin() != base.origin();
            let authorization = if left_origin {
                None
            } else {
                let endpoint = |body: &serde_json::Value| self.token_request_before(body, deadline);
                let context = self.auth_context(&endpoint, deadline);
                Some(self.config().credentials().authorization(&context)?)
            };
            let transfer = Transfer {
                method: "GET",
                url: &url,
                authorization: authorization.as_ref(),
                headers: &[],
                body: None,
                timeout: self.config().timeout,
                cancel: self.cancel_check().cloned(),
                sensitive: false,
            };
            let (outcome, returned) = self.transport().perform_streaming(&transfer, Some(sink));
            sink = returned
                .ok_or_else(|| Error::new(ErrorKind::Internal, "the file sink was lost"))?;
            let response = outcome
                .map_err(|e| e.with_request("GET", url.path()))?
                .into_response("GET", url.path());
            self.log(
                LogLevel::Debug,
                &format!(
                    "download GET {} -> {} in {:.1} ms{}",
                    url.path(),
                    response.status,
                    response.elapsed.as_secs_f64() * 1000.0,
                    if left_origin {
                        " (content origin, no credential)"
                    } else {
                        ""
                    }
                ),
            );
            if let Some(next) = next_download_hop(&response, &url, &base)? {
                url = next;
                continue;
            }
            if response.is_success() {
                return Ok((response, sink.written));
            }
            // A refused credential on the account's origin: renewed and replayed once,
            // as for any call.
            if let (401, Some(sent), false) = (response.status, &authorization, replayed) {
                replayed = true;
                if self.config().credentials().on_unauthorized(sent) {
                    continue;
                }
            }
            return Err(Error::from_response(response));
        }
        Err(Error::new(
            ErrorKind::Http,
            format!("more than {MAX_REDIRECTS} redirects while downloading"),
        )
        .with_request("GET", first.path()))
    }
}

/// The temporary file a download is written to, beside its destination; removed
/// unless committed.
struct PartFile {
    path: PathBuf,
    committed: std::cell::Cell<bool>,
}

impl PartFile {
    /// Creates `.<name>.<random>.zdkit-part` in `dest`'s directory.
    fn create(dest: &Path) -> Result<PartFile> {
        let name = dest
            .file_name()
            .ok_or_else(|| Error::invalid(format!("{} is not a file name", dest.display())))?;
        if dest.is_dir() {
            return Err(Error::invalid(format!(
                "{} is a directory: give the file to write",
                dest.display()
            )));
        }
        let mut random = [0u8; 6];
        getrandom::fill(&mut random)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("no randomness: {e}")))?;
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let dir = dest.parent().filter(|p| !p.as_os_str().is_empty());
        let file_name = format!(".{}.{suffix}.zdkit-part", name.to_string_lossy());
        let path = dir.map_or_else(|| PathBuf::from(&file_name), |d| d.join(&file_name));
        File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                Error::invalid(format!(
                    "cannot create a file beside {}: {e}",
                    dest.display()
                ))
            })?;
        Ok(PartFile {
            path,
            committed: std::cell::Cell::new(false),
        })
    }

    /// The file, emptied (a retry starts over).
    fn truncated(&self) -> Result<File> {
        File::options()
            .write(true)
            .truncate(true)
            .open(&self.path)
            .map_err(|e| Error::invalid(format!("cannot write {}: {e}", self.path.display())))
    }

    /// Syncs the file and renames it over `dest`.
    fn commit(&self, dest: &Path) -> Result<()> {
        let unwritable =
            |e: std::io::Error| Error::invalid(format!("cannot write {}: {e}", dest.display()));
        File::options()
            .write(true)
            .open(&self.path)
            .and_then(|f| f.sync_all())
            .map_err(unwritable)?;
        std::fs::rename(&self.path, dest).map_err(unwritable)?;
        self.committed.set(true);
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.committed.get() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_of_digits_is_an_attachment_id() {
        assert_eq!(
            DownloadSource::parse("123"),
            DownloadSource::Attachment(123)
        );
        assert_eq!(DownloadSource::parse(" 7 "), DownloadSource::Attachment(7));
        for url in [
            "+5",
            "https://acme.zendesk.com/attachments/token/x/",
            "/a",
            "99999999999999999999999",
        ] {
            assert_eq!(
                DownloadSource::parse(url),
                DownloadSource::Url(url.to_owned())
            );
        }
    }

    #[test]
    fn an_uncommitted_part_file_is_removed() {
        let dir = std::env::temp_dir().join(format!("zdkit-part-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let dest = dir.join("file.bin");
        {
            let part = PartFile::create(&dest).unwrap();
            assert!(part.path.exists());
        }
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let part = PartFile::create(&dest).unwrap();
        std::io::Write::write_all(&mut part.truncated().unwrap(), b"bytes").unwrap();
        part.commit(&dest).unwrap();
        drop(part);
        assert_eq!(std::fs::read(&dest).unwrap(), b"bytes");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        assert!(PartFile::create(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
