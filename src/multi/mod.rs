//! The async engine: many calls of one client in flight at once, on one background
//! thread, with a completion callback per call and no futures (the core stays free
//! of any async runtime; the Python `AsyncClient` and the C `zdk_client_send_async`
//! are built on it).
//!
//! - One **driver thread** per client (started by the first async call) runs a
//!   libcurl multi handle: every transfer of the client shares its connection pool,
//!   and HTTP/2 streams are multiplexed on one connection when the server offers it.
//! - Every call goes through the same decisions as a blocking call
//!   ([`crate::call::Call`]): pacing waits and retry back-offs become timers of the
//!   driver, which never sleeps for one call and never stalls the others.
//! - Credentials that need no network (API tokens, a valid OAuth token) are read on
//!   the driver thread. Minting or refreshing an OAuth token, and any credential
//!   provider that might block, run on a separate **auth thread** (see `auth.rs`):
//!   the provider's own single flight makes concurrent calls share one token
//!   request, and the driver keeps moving the other transfers meanwhile.
//! - [`AsyncCall::cancel`] removes the transfer from the multi handle at once
//!   (libcurl closes an HTTP/1.1 connection with an answer half read, and resets an
//!   HTTP/2 stream); a cancelled call never retries.
//! - After `fork()`, a child never touches its parent's engine (its thread does not
//!   exist there and its sockets belong to the parent): the first async call in the
//!   child starts an engine of its own.

mod auth;
mod driver;

use crate::error::{Error, ErrorKind, Result};
use crate::response::Response;
use crate::secret::Secret;
use driver::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::thread::{JoinHandle, ThreadId};

thread_local! {
    /// Set on the driver thread of every engine.
    static ON_ENGINE_THREAD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True on the thread of an async engine, where completion callbacks and the
/// engine's log lines run: code there must not block (wait for an interpreter lock,
/// say), or every call of the client waits with it. A log sink that must block can
/// hand the line to another thread when this is true.
pub fn on_engine_thread() -> bool {
    ON_ENGINE_THREAD.with(std::cell::Cell::get)
}

/// The completion callback of an async call: runs exactly once, on the engine's
/// driver thread, with the call's result (a cancelled call gets an
/// [`ErrorKind::Cancelled`] error).
pub type Completion = Box<dyn FnOnce(Result<Response>) + Send + 'static>;

/// A call started with [`crate::Client::send_async`]. Cloning gives another handle
/// on the same call; dropping every handle does not cancel it.
#[derive(Clone)]
pub struct AsyncCall {
    state: Arc<CallState>,
}

impl std::fmt::Debug for AsyncCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncCall")
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

/// What a call's handles and the engine share.
pub(crate) struct CallState {
    id: u64,
    finished: AtomicBool,
    cancelled: AtomicBool,
    engine: Weak<EngineShared>,
}

impl AsyncCall {
    /// Cancels the call: a transfer in progress is aborted at once (its connection
    /// closed or its HTTP/2 stream reset), a pending wait or retry is dropped, and the
    /// completion callback runs with an [`ErrorKind::Cancelled`] error — unless the
    /// call had already completed, in which case nothing happens. Returns at once (the
    /// callback runs on the driver thread, maybe before this returns).
    pub fn cancel(&self) {
        let state = &self.state;
        if state.finished.load(Ordering::Acquire) || state.cancelled.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Some(engine) = state.engine.upgrade() {
            engine.submit(Command::Cancel(state.id));
        }
    }

    /// True once the completion callback has run (or is running).
    pub fn is_finished(&self) -> bool {
        self.state.finished.load(Ordering::Acquire)
    }
}

/// What the submitting threads, the auth thread and the driver thread share.
pub(crate) struct EngineShared {
    inbox: Mutex<Inbox>,
    /// Wakes the driver from `curl_multi_poll` (set by the driver once it runs).
    waker: OnceLock<curl::multi::MultiWaker>,
}

/// Commands waiting for the driver.
#[derive(Default)]
pub(crate) struct Inbox {
    commands: Vec<Command>,
    shutdown: bool,
}

impl EngineShared {
    /// Queues a command and wakes the driver.
    fn submit(&self, command: Command) {
        self.inbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .commands
            .push(command);
        self.wake();
    }

    fn wake(&self) {
        if let Some(waker) = self.waker.get() {
            // Fails only once the driver has dropped its multi handle.
            let _ = waker.wakeup();
        }
    }
}

/// One client's engine: the driver thread and the auth thread.
pub(crate) struct Engine {
    shared: Arc<EngineShared>,
    auth: Arc<auth::AuthQueue>,
    driver: Option<JoinHandle<()>>,
    driver_id: ThreadId,
    next_id: AtomicU64,
    pid: u32,
}

impl Engine {
    /// Starts the driver thread (the auth thread starts when first needed).
    fn start() -> Result<Engine> {
        let shared = Arc::new(EngineShared {
            inbox: Mutex::new(Inbox::default()),
            waker: OnceLock::new(),
        });
        let auth = Arc::new(auth::AuthQueue::new(Arc::downgrade(&shared)));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let driver = std::thread::Builder::new()
            .name("zdkit-async".into())
            .spawn({
                let shared = shared.clone();
                let auth = auth.clone();
                move || driver::run(shared, auth, ready_tx)
            })
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    format!("cannot start the async engine's thread: {e}"),
                )
            })?;
        let driver_id = driver.thread().id();
        match ready_rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                let _ = driver.join();
                return Err(error);
            }
            Err(_) => {
                let _ = driver.join();
                return Err(Error::new(
                    ErrorKind::Internal,
                    "the async engine's thread stopped while starting",
                ));
            }
        }
        Ok(Engine {
            shared,
            auth,
            driver: Some(driver),
            driver_id,
            next_id: AtomicU64::new(1),
            pid: std::process::id(),
        })
    }

    /// Hands a call to the driver.
    fn start_call(
        &self,
        client: crate::Client,
        call: crate::call::Call<'static>,
        on_done: Completion,
    ) -> AsyncCall {
        let state = Arc::new(CallState {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            finished: AtomicBool::new(false),
            cancelled: AtomicBool::new(false),
            engine: Arc::downgrade(&self.shared),
        });
        self.shared.submit(Command::Start(Box::new(driver::Pending {
            client,
            call,
            on_done,
            state: state.clone(),
        })));
        AsyncCall { state }
    }

    /// Stops the engine: every call still in flight completes with a
    /// [`ErrorKind::Cancelled`] error, then the threads end. Waits for them, unless
    /// called on the driver thread itself (from a completion callback): the driver
    /// then finishes right after that callback returns.
    fn shutdown(mut self) {
        self.shared
            .inbox
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .shutdown = true;
        self.shared.wake();
        self.auth.shutdown();
        if std::thread::current().id() == self.driver_id {
            return; // dropping the JoinHandle detaches the driver
        }
        if let Some(driver) = self.driver.take() {
            let _ = driver.join();
        }
        self.auth.join();
    }
}

/// Engines a child process inherited from its parent after `fork()`: never used,
/// never stopped (their threads do not exist in the child and their connections
/// belong to the parent), but kept reachable so leak checkers see them as held.
static INHERITED: Mutex<Vec<Engine>> = Mutex::new(Vec::new());

fn park_inherited(engine: Engine) {
    match INHERITED.try_lock() {
        Ok(mut parked) => parked.push(engine),
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner().push(engine),
        Err(std::sync::TryLockError::WouldBlock) => std::mem::forget(engine),
    }
}

/// The engine of one client (and its clones), started by the first async call.
#[derive(Default)]
pub(crate) struct EngineSlot {
    state: Mutex<SlotState>,
    /// The process the engine belongs to, readable without the lock (a child after
    /// `fork()` must not wait for a lock a thread of its parent held).
    pid: AtomicU32,
}

#[derive(Default)]
struct SlotState {
    engine: Option<Engine>,
    closed: bool,
}

impl EngineSlot {
    /// Starts a call on this slot's engine, starting the engine first if needed.
    pub(crate) fn start_call(
        &self,
        client: crate::Client,
        call: crate::call::Call<'static>,
        on_done: Completion,
    ) -> Result<AsyncCall> {
        let pid = std::process::id();
        let mut state = match self.state.try_lock() {
            Ok(state) => state,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => {
                if self.pid.load(Ordering::Acquire) != pid && self.pid.load(Ordering::Acquire) != 0
                {
                    return Err(Error::new(
                        ErrorKind::Internal,
                        "the client's async engine was in use by another thread when this \
                         process was forked: create a new client in the child",
                    ));
                }
                self.state.lock().unwrap_or_else(PoisonError::into_inner)
            }
        };
        if state.closed {
            return Err(Error::invalid(
                "the client is closed: its async calls were cancelled",
            ));
        }
        if state
            .engine
            .as_ref()
            .is_some_and(|engine| engine.pid != pid)
        {
            if let Some(inherited) = state.engine.take() {
                park_inherited(inherited);
            }
        }
        if state.engine.is_none() {
            state.engine = Some(Engine::start()?);
            self.pid.store(pid, Ordering::Release);
        }
        let engine = state.engine.as_ref().expect("the engine was just started");
        Ok(engine.start_call(client, call, on_done))
    }

    /// Cancels every call in flight and stops the engine (see [`Engine::shutdown`]);
    /// later async calls fail. Idempotent.
    pub(crate) fn close(&self) {
        let engine = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.closed = true;
            state.engine.take()
        };
        if let Some(engine) = engine {
            stop(engine);
        }
    }
}

fn stop(engine: Engine) {
    if engine.pid == std::process::id() {
        engine.shutdown();
    } else {
        park_inherited(engine);
    }
}

impl Drop for EngineSlot {
    fn drop(&mut self) {
        let engine = self
            .state
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .engine
            .take();
        if let Some(engine) = engine {
            stop(engine);
        }
    }
}

/// The outcome the auth thread hands back for one call.
pub(crate) type Authorized = Result<Secret>;
