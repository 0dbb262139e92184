//! The auth thread: where async calls get an `Authorization` value that may take
//! time (an OAuth token to mint or refresh, a provider that might block).
//!
//! Why a thread of its own and not the multi handle: credential providers are a
//! synchronous interface ([`crate::credentials::CredentialProvider`]) shared with the
//! blocking client, user-supplied ones may block in their own way (a rotation
//! callback into Python waits for the GIL), and the OAuth provider's single flight is
//! a lock and a condition variable that blocking and async calls must share. Run on
//! this thread, the provider keeps all of that — sixteen async calls on an expired
//! token still make one token request, even with blocking calls in the mix — while
//! the driver thread keeps every other transfer moving. Jobs are served one at a time:
//! the first mints the token, the rest then find it cached.

use super::driver::Command;
use super::{CallState, EngineShared};
use crate::client::Client;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};
use std::thread::JoinHandle;
use std::time::Instant;

/// One call waiting for its `Authorization` value.
pub(crate) struct AuthJob {
    pub(crate) client: Client,
    pub(crate) deadline: Instant,
    pub(crate) state: Arc<CallState>,
}

#[derive(Default)]
struct Jobs {
    queue: VecDeque<AuthJob>,
    shutdown: bool,
    thread: Option<JoinHandle<()>>,
}

/// The auth thread's queue (the thread starts with the first job).
pub(crate) struct AuthQueue {
    jobs: Mutex<Jobs>,
    ready: Condvar,
    /// Set at shutdown: aborts a token request in progress.
    stopping: Arc<AtomicBool>,
    engine: Weak<EngineShared>,
}

impl AuthQueue {
    pub(crate) fn new(engine: Weak<EngineShared>) -> AuthQueue {
        AuthQueue {
            jobs: Mutex::new(Jobs::default()),
            ready: Condvar::new(),
            stopping: Arc::new(AtomicBool::new(false)),
            engine,
        }
    }

    /// Queues a job, starting the thread if needed. False when the thread cannot be
    /// started (or the engine is stopping).
    pub(crate) fn submit(self: &Arc<Self>, job: AuthJob) -> bool {
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        if jobs.shutdown {
            return false;
        }
        if jobs.thread.is_none() {
            let queue = self.clone();
            match std::thread::Builder::new()
                .name("zdkit-auth".into())
                .spawn(move || queue.serve())
            {
                Ok(thread) => jobs.thread = Some(thread),
                Err(_) => return false,
            }
        }
        jobs.queue.push_back(job);
        self.ready.notify_one();
        true
    }

    fn serve(&self) {
        loop {
            let job = {
                let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
                loop {
                    if jobs.shutdown {
                        return;
                    }
                    if let Some(job) = jobs.queue.pop_front() {
                        break job;
                    }
                    jobs = self
                        .ready
                        .wait(jobs)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            if job.state.cancelled.load(Ordering::Acquire) {
                continue;
            }
            let stopping = self.stopping.clone();
            let client = job
                .client
                .with_cancel(Arc::new(move || stopping.load(Ordering::Acquire)));
            let result =
                crate::panic::catch(|| client.authorize(job.deadline)).and_then(|result| result);
            let Some(engine) = self.engine.upgrade() else {
                return;
            };
            engine.submit(Command::Authorized(job.state.id, result));
        }
    }

    /// Tells the thread to stop (aborting a token request in progress).
    pub(crate) fn shutdown(&self) {
        self.stopping.store(true, Ordering::Release);
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.shutdown = true;
        jobs.queue.clear();
        self.ready.notify_all();
    }

    /// Waits for the thread to end (after [`AuthQueue::shutdown`]).
    pub(crate) fn join(&self) {
        let thread = self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .thread
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}
