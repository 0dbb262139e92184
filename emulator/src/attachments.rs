//! Attachments and the content origin.
//!
//! An attachment's `content_url` is `{main origin}/api/v2/attachments/{id}/{file name}`: the
//! main origin answers it with a 302 to the content origin (the emulator's second port, the
//! stand-in for Zendesk's separate user-content host), `{content}/attachments/{id}/{name}
//! ?expires=…&signature=…`. The content origin serves the bytes only with a valid, unexpired
//! signature and never looks at credentials.
//!
//! Seeded tickets whose id is a multiple of 4 carry one text attachment on their first
//! comment; uploads keep their bytes (bounded) until reset.

use bytes::Bytes;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Seeded attachment ids are this plus the ticket id.
pub const SEEDED_BASE: u64 = 1_400_000_000_000;
/// How long a signed content URL stays valid.
pub const SIGNED_FOR_SECONDS: i64 = 300;
/// Upload bytes kept at most (older uploads are forgotten past this).
pub const MAX_STORED_BYTES: usize = 256 << 20;

/// One stored file.
#[derive(Debug, Clone)]
pub struct File {
    /// The attachment record (without URLs).
    pub meta: Map<String, Value>,
    /// Its bytes.
    pub bytes: Bytes,
}

/// Uploaded files by attachment id, and the key that signs content URLs.
pub struct Files {
    /// Files by id.
    pub by_id: HashMap<u64, File>,
    /// Total bytes held.
    pub total: usize,
    key: std::collections::hash_map::RandomState,
}

impl Default for Files {
    fn default() -> Self {
        Files {
            by_id: HashMap::new(),
            total: 0,
            key: std::collections::hash_map::RandomState::new(),
        }
    }
}

impl Files {
    /// Keeps an uploaded file (forgetting everything first when the cap would be passed).
    pub fn keep(&mut self, id: u64, file: File) {
        if self.total + file.bytes.len() > MAX_STORED_BYTES {
            self.by_id.clear();
            self.total = 0;
        }
        self.total += file.bytes.len();
        self.by_id.insert(id, file);
    }

    /// The file `id`: uploaded, or seeded.
    pub fn get(&self, id: u64, tickets: &crate::store::Collection) -> Option<File> {
        if let Some(f) = self.by_id.get(&id) {
            return Some(f.clone());
        }
        let t = id.checked_sub(SEEDED_BASE)?;
        (t % 4 == 0 && tickets.is_seeded(t) && tickets.exists(t)).then(|| seeded(t))
    }

    /// The signature of `(id, expires)` under this run's secret key.
    pub fn sign(&self, id: u64, expires: i64) -> String {
        let a = self.key.hash_one(("zdkit-emulator-content", id, expires));
        let b = self.key.hash_one((a, id ^ 0x5EED, expires));
        format!("{a:016x}{b:016x}")
    }

    /// Whether `signature` signs `(id, expires)` and has not expired.
    pub fn verify(&self, id: u64, expires: i64, signature: &str, now: i64) -> bool {
        let good = self.sign(id, expires);
        now <= expires
            && good.len() == signature.len()
            && good
                .bytes()
                .zip(signature.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// Forgets every upload.
    pub fn clear(&mut self) {
        self.by_id.clear();
        self.total = 0;
    }
}

/// The bytes of seeded ticket `t`'s attachment.
fn seeded_bytes(t: u64) -> Bytes {
    let line = format!("Diagnostic log attached to ticket {t}: all systems nominal.\n");
    Bytes::from(line.repeat(1 + (t % 5) as usize * 20))
}

/// Seeded ticket `t`'s attachment.
pub fn seeded(t: u64) -> File {
    let bytes = seeded_bytes(t);
    File {
        meta: record(
            SEEDED_BASE + t,
            &format!("details-{t}.txt"),
            "text/plain",
            bytes.len(),
        ),
        bytes,
    }
}

/// An attachment record without its URLs.
pub fn record(id: u64, name: &str, content_type: &str, size: usize) -> Map<String, Value> {
    match json!({"id": id, "file_name": name, "content_type": content_type, "size": size,
        "width": null, "height": null, "inline": false, "deleted": false,
        "malware_access_override": false, "malware_scan_result": "malware_not_found", "thumbnails": []})
    {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The comment attachments of seeded ticket `t` (its first comment's).
pub fn seeded_for_comment(t: u64) -> Value {
    if t % 4 == 0 {
        json!([Value::Object(seeded(t).meta)])
    } else {
        json!([])
    }
}

/// Adds `url`, `content_url` and `mapped_content_url` (on `base`) to every attachment
/// record found under an `attachments` key anywhere in `v`.
pub fn decorate(v: &mut Value, base: &str) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if k == "attachments" {
                    for a in child.as_array_mut().into_iter().flatten() {
                        add_urls(a, base);
                    }
                } else {
                    decorate(child, base);
                }
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|x| decorate(x, base)),
        _ => {}
    }
}

/// Adds the URLs of one attachment record.
pub fn add_urls(a: &mut Value, base: &str) {
    let Some(m) = a.as_object_mut() else { return };
    let Some(id) = m.get("id").and_then(Value::as_u64) else {
        return;
    };
    let name = m
        .get("file_name")
        .and_then(Value::as_str)
        .unwrap_or("file")
        .to_string();
    let content = format!(
        "{base}/api/v2/attachments/{id}/{}",
        crate::util::percent_encode(&name)
    );
    m.insert(
        "url".into(),
        json!(format!("{base}/api/v2/attachments/{id}.json")),
    );
    m.insert("content_url".into(), json!(content));
    m.insert("mapped_content_url".into(), json!(content));
}
