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

#![allow(non_camel_case_types)]

mod boundary;
mod client;
mod config;
mod iterate;
mod last_error;
mod log;
mod oauth;
mod request;
mod response;
mod result;
mod version;

pub use client::*;
pub use config::*;
pub use iterate::*;
pub use last_error::*;
pub use log::*;
pub use oauth::*;
pub use request::*;
pub use response::*;
pub use result::*;
pub use version::*;
