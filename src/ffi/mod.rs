//! The C ABI: `extern "C"` functions over the core, and nothing else.
//!
//! Conventions (see `include/zdkit.h`, generated from these doc comments):
//! - every function checks every pointer for NULL and every string for UTF-8;
//! - every function catches panics and reports [`zdk_result::ZDK_ERR_PANIC`], so
//!   nothing unwinds into C;
//! - error detail of the last failing call is kept per thread
//!   (`zdk_last_error_*`), so it is safe with many threads;
//! - what `_new` and `**out` give the caller is freed once with the matching `_free`.
//!
//! No logic lives here that the core lacks: this layer only translates.
//!
//! The safety contract of every `unsafe extern "C"` function here is the same and is
//! stated once, in plain C wording, in the preamble of `include/zdkit.h` (written from
//! `cbindgen.toml`): each handle NULL or live, each string NULL or NUL-terminated, each
//! (pointer, length) NULL or readable, each out parameter NULL or writable. A function's
//! own doc comment states any further rule.

#![allow(non_camel_case_types)]
// The contract above replaces a `# Safety` section per function.
#![allow(clippy::missing_safety_doc)]

mod boundary;

// cbindgen writes the functions of zdkit.h in this order (one module, one section);
// rustfmt keeps the order because the declarations are separated.
mod result;

mod version;

mod last_error;

mod config;

mod log;

mod events;

mod client;

mod download;

mod request;

mod response;

mod iterate;

mod r#async;

mod oauth;

mod webhook;

pub use r#async::*;
pub use client::*;
pub use config::*;
pub use download::*;
pub use events::*;
pub use iterate::*;
pub use last_error::*;
pub use log::*;
pub use oauth::*;
pub use request::*;
pub use response::*;
pub use result::*;
pub use version::*;
pub use webhook::*;
