//! The driver thread: one libcurl multi handle, the calls in flight, their timers.
//!
//! The thread owns everything it touches (no lock is held while a transfer runs or a
//! callback is called); other threads talk to it through the engine's inbox and wake
//! it with `curl_multi_wakeup`. Each turn of its loop takes the inbox, fires the
//! timers that are due, lets libcurl move every transfer, hands finished transfers
//! to their call's decisions, then sleeps in `curl_multi_poll` until a socket is
//! ready, the next timer is due, or it is woken.

use super::auth::{AuthJob, AuthQueue};
use super::{Authorized, CallState, Completion, EngineShared};
use crate::call::{Call, Step};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::secret::Secret;
use crate::transport::{Collector, clean, collect};
use curl::easy::Easy2;
use curl::multi::{Easy2Handle, Multi};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

/// The longest the driver sleeps without looking at its inbox (it is woken for
/// every command anyway; this only bounds the damage of a lost wake-up).
const MAX_POLL: Duration = Duration::from_millis(500);

/// Idle easy handles kept for the next transfers.
const MAX_IDLE_HANDLES: usize = 64;

/// A message for the driver.
pub(crate) enum Command {
    /// A new call.
    Start(Box<Pending>),
    /// Cancel this call.
    Cancel(u64),
    /// The auth thread's answer for this call.
    Authorized(u64, Authorized),
}

/// A call on its way to the driver.
pub(crate) struct Pending {
    pub(crate) client: Client,
    pub(crate) call: Call<'static>,
    pub(crate) on_done: Completion,
    pub(crate) state: Arc<CallState>,
}

/// Where a call is.
enum Stage {
    /// Between steps.
    Ready,
    /// Waiting for its timer (pacing or a retry back-off).
    Waiting,
    /// Waiting for the auth thread.
    Authorizing,
    /// Its transfer is in the multi handle.
    Transferring(Box<InTransfer>),
}

struct InTransfer {
    easy: Easy2Handle<Collector>,
    authorization: Secret,
    started: Instant,
    timeout: Duration,
}

struct Active {
    client: Client,
    call: Call<'static>,
    on_done: Option<Completion>,
    state: Arc<CallState>,
    stage: Stage,
}

struct Driver {
    shared: Arc<EngineShared>,
    auth: Arc<AuthQueue>,
    multi: Multi,
    calls: HashMap<u64, Active>,
    timers: BinaryHeap<Reverse<(Instant, u64)>>,
    idle: Vec<Easy2<Collector>>,
}

/// The driver thread's body: sets up the multi handle, reports that it runs (or why
/// not), then serves until the engine shuts down.
pub(crate) fn run(shared: Arc<EngineShared>, auth: Arc<AuthQueue>, ready: Sender<Result<()>>) {
    let mut multi = Multi::new();
    // HTTP/2 multiplexing (libcurl's default since 7.62, said out loud).
    if let Err(e) = multi.pipelining(false, true) {
        let _ = ready.send(Err(Error::new(
            ErrorKind::Internal,
            format!("libcurl refused a multi option: {}", e.description()),
        )));
        return;
    }
    let _ = shared.waker.set(multi.waker());
    let _ = ready.send(Ok(()));
    let mut driver = Driver {
        shared,
        auth,
        multi,
        calls: HashMap::new(),
        timers: BinaryHeap::new(),
        idle: Vec::new(),
    };
    driver.serve();
}

impl Driver {
    fn serve(&mut self) {
        loop {
            let (commands, shutdown) = {
                let mut inbox = self
                    .shared
                    .inbox
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                (std::mem::take(&mut inbox.commands), inbox.shutdown)
            };
            if shutdown {
                for command in commands {
                    if let Command::Start(pending) = command {
                        self.admit(*pending);
                    }
                }
                self.cancel_all();
                return;
            }
            for command in commands {
                self.apply(command);
            }
            self.fire_timers();
            if let Err(e) = self.multi.perform() {
                self.fail_all_transfers(&e);
            }
            self.collect_finished();
            let wait = self
                .timers
                .peek()
                .map_or(MAX_POLL, |Reverse((at, _))| {
                    at.saturating_duration_since(Instant::now())
                })
                .min(MAX_POLL);
            let _ = self.multi.poll(&mut [], wait);
        }
    }

    fn apply(&mut self, command: Command) {
        match command {
            Command::Start(pending) => {
                let id = pending.state.id;
                self.admit(*pending);
                if let Some(active) = self.calls.get_mut(&id) {
                    let step = active.call.start(&active.client);
                    self.advance(id, step);
                }
            }
            Command::Cancel(id) => self.cancel(id, "the call was cancelled"),
            Command::Authorized(id, result) => {
                let Some(active) = self.calls.get_mut(&id) else {
                    return; // cancelled meanwhile
                };
                if !matches!(active.stage, Stage::Authorizing) {
                    return;
                }
                active.stage = Stage::Ready;
                match result {
                    Ok(authorization) => self.start_transfer(id, authorization),
                    Err(error) => {
                        let error = active.call.hop_error(error);
                        let step = active.call.on_failure(&active.client, error);
                        self.advance(id, step);
                    }
                }
            }
        }
    }

    /// Takes a new call in (a call cancelled before it arrived finishes at once).
    fn admit(&mut self, pending: Pending) {
        let id = pending.state.id;
        self.calls.insert(
            id,
            Active {
                client: pending.client,
                call: pending.call,
                on_done: Some(pending.on_done),
                state: pending.state,
                stage: Stage::Ready,
            },
        );
        let cancelled = self
            .calls
            .get(&id)
            .is_some_and(|active| active.state.cancelled.load(Ordering::Acquire));
        if cancelled {
            self.cancel(id, "the call was cancelled");
        }
    }

    /// Carries out a call's next step.
    fn advance(&mut self, id: u64, step: Step) {
        match step {
            Step::Done(result) => self.finish(id, result),
            Step::Wait(wait) => {
                if let Some(active) = self.calls.get_mut(&id) {
                    active.stage = Stage::Waiting;
                    let at = Instant::now().checked_add(wait).unwrap_or_else(|| {
                        Instant::now() + Duration::from_secs(365 * 24 * 60 * 60)
                    });
                    self.timers.push(Reverse((at, id)));
                }
            }
            Step::Send => {
                let Some(active) = self.calls.get_mut(&id) else {
                    return;
                };
                match active.client.config().credentials().cached_authorization() {
                    Some(authorization) => self.start_transfer(id, authorization),
                    None => {
                        active.stage = Stage::Authorizing;
                        let job = AuthJob {
                            client: active.client.clone(),
                            deadline: active.call.deadline(),
                            state: active.state.clone(),
                        };
                        if !self.auth.submit(job) {
                            active.stage = Stage::Ready;
                            let error = Error::new(
                                ErrorKind::Internal,
                                "cannot start the thread that obtains credentials",
                            );
                            let step = active.call.on_failure(&active.client, error);
                            self.advance(id, step);
                        }
                    }
                }
            }
        }
    }

    /// Puts the current hop of a call into the multi handle.
    fn start_transfer(&mut self, id: u64, authorization: Secret) {
        let Some(active) = self.calls.get_mut(&id) else {
            return;
        };
        let mut easy = self
            .idle
            .pop()
            .unwrap_or_else(|| Easy2::new(Collector::default()));
        let prepared = active
            .call
            .transfer(&active.client, &authorization)
            .and_then(|transfer| {
                let timeout = transfer.timeout;
                active.client.transport().configure(&mut easy, &transfer)?;
                if transfer.url.scheme() == "https" {
                    // Wait for a connection that may multiplex rather than open more.
                    let _ = easy.pipewait(true);
                }
                Ok(timeout)
            });
        let failure = match prepared {
            Ok(timeout) => match self.multi.add2(easy) {
                Ok(mut handle) => {
                    let _ = handle.set_token(id as usize);
                    active.stage = Stage::Transferring(Box::new(InTransfer {
                        easy: handle,
                        authorization,
                        started: Instant::now(),
                        timeout,
                    }));
                    return;
                }
                Err(e) => Error::new(
                    ErrorKind::Internal,
                    format!("libcurl refused the transfer: {}", e.description()),
                ),
            },
            Err(error) => {
                clean(&mut easy, false);
                self.idle.push(easy);
                error
            }
        };
        let step = active.call.on_failure(&active.client, failure);
        self.advance(id, step);
    }

    /// Hands every finished transfer to its call's decisions.
    fn collect_finished(&mut self) {
        let mut finished = Vec::new();
        self.multi.messages(|message| {
            if let (Ok(token), Some(result)) = (message.token(), message.result()) {
                finished.push((token as u64, result));
            }
        });
        for (id, result) in finished {
            let Some(active) = self.calls.get_mut(&id) else {
                continue;
            };
            let Stage::Transferring(transfer) = std::mem::replace(&mut active.stage, Stage::Ready)
            else {
                continue;
            };
            let InTransfer {
                easy,
                authorization,
                started,
                timeout,
            } = *transfer;
            let outcome = match self.multi.remove2(easy) {
                Ok(mut easy) => {
                    let outcome = match result {
                        Ok(()) => Ok(collect(&mut easy, started)),
                        Err(e) => Err(active.client.transport().curl_failure(&easy, &e, timeout)),
                    };
                    clean(&mut easy, false);
                    if self.idle.len() < MAX_IDLE_HANDLES {
                        self.idle.push(easy);
                    }
                    outcome
                }
                Err(e) => Err(Error::new(
                    ErrorKind::Internal,
                    format!("libcurl could not release a transfer: {}", e.description()),
                )),
            };
            let step = active
                .call
                .on_transfer(&active.client, outcome, &authorization);
            self.advance(id, step);
        }
    }

    /// Moves the calls whose wait is over.
    fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(Reverse((at, id))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(active) = self.calls.get_mut(&id) else {
                continue;
            };
            if !matches!(active.stage, Stage::Waiting) {
                continue;
            }
            active.stage = Stage::Ready;
            let step = active.call.after_wait(&active.client);
            self.advance(id, step);
        }
    }

    /// Ends a call: its callback runs (a panic in it is contained).
    fn finish(&mut self, id: u64, result: Result<crate::Response>) {
        let Some(mut active) = self.calls.remove(&id) else {
            return;
        };
        if let Stage::Transferring(transfer) = std::mem::replace(&mut active.stage, Stage::Ready) {
            // Aborts the transfer: libcurl closes an HTTP/1.1 connection with an
            // answer half read and resets an HTTP/2 stream.
            if let Ok(mut easy) = self.multi.remove2(transfer.easy) {
                clean(&mut easy, false);
            }
        }
        active.state.finished.store(true, Ordering::Release);
        if let Some(on_done) = active.on_done.take() {
            let _ = crate::panic::catch(move || on_done(result));
        }
    }

    /// Cancels a call wherever it is.
    fn cancel(&mut self, id: u64, why: &str) {
        let Some(active) = self.calls.get(&id) else {
            return;
        };
        active.state.cancelled.store(true, Ordering::Release);
        let error = active.call.framed(Error::new(ErrorKind::Cancelled, why));
        self.finish(id, Err(error));
    }

    fn cancel_all(&mut self) {
        let ids: Vec<u64> = self.calls.keys().copied().collect();
        for id in ids {
            self.cancel(id, "the client was closed with the call in flight");
        }
    }

    /// libcurl's multi handle failed as a whole (out of memory): every transfer in it
    /// fails with an internal error (and is retried by its call's policy if it may).
    fn fail_all_transfers(&mut self, e: &curl::MultiError) {
        let ids: Vec<u64> = self
            .calls
            .iter()
            .filter(|(_, active)| matches!(active.stage, Stage::Transferring(_)))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            let error = Error::new(
                ErrorKind::Internal,
                format!("libcurl's multi handle failed: {}", e.description()),
            );
            self.finish(id, Err(error));
        }
    }
}
