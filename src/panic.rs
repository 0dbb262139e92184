//! The panic boundary shared by the C ABI and the Python extension.
//!
//! A panic inside zdkit is a bug, but it must never take the host down, unwind into C,
//! reach Python as `PanicException` (which `except Exception` does not catch), or print
//! to the host's stderr. [`catch`] runs a closure, turns a panic into an
//! [`ErrorKind::Internal`] error, and keeps the standard panic message off stderr while
//! it runs; panics elsewhere in the process are reported as before.

use crate::error::{Error, ErrorKind};
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// How many [`catch`] calls are active on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

static INSTALL: Once = Once::new();

/// Installs, once per process, a panic hook that stays silent for panics raised inside
/// [`catch`] and hands every other panic to the hook that was there before.
fn install_quiet_hook() {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Leaves the depth counter as it found it, also when the closure unwinds.
struct DepthGuard;

impl DepthGuard {
    fn enter() -> DepthGuard {
        DEPTH.with(|depth| depth.set(depth.get().saturating_add(1)));
        DepthGuard
    }
}

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

/// Runs `body`; a panic becomes an [`ErrorKind::Internal`] error whose message says zdkit
/// panicked (with the panic's text when it is a string), and nothing is printed.
pub fn catch<T>(body: impl FnOnce() -> T) -> Result<T, Error> {
    install_quiet_hook();
    let _depth = DepthGuard::enter();
    catch_unwind(AssertUnwindSafe(body)).map_err(|payload| {
        let detail = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned());
        let message = match detail {
            Some(detail) => format!("zdkit panicked (a bug; please report it): {detail}"),
            None => "zdkit panicked (a bug; please report it)".to_owned(),
        };
        Error::new(ErrorKind::Internal, message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error_and_the_depth_is_restored() {
        let error = catch(|| -> u8 { panic!("boom {}", 7) }).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Internal);
        assert!(error.message().contains("boom 7"), "{error}");
        assert_eq!(catch(|| 5).unwrap(), 5);
        assert_eq!(DEPTH.with(Cell::get), 0);
    }
}
