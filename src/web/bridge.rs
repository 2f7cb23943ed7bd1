//! The page's connection to the decoding worker.
//!
//! yew-agent's `ReactorProvider` always starts workers through a generated `blob:` script, which
//! the Content-Security-Policy (`worker-src 'self'`) refuses. [`use_decode_worker`] spawns the
//! same reactor from Trunk's loader shim ([`WORKER_PATH`](super::WORKER_PATH), a file of this
//! origin) instead — or, in the single file, from its own worker Blob URL
//! ([`worker_url`]) — and keeps the bridge for the lifetime of the component that calls it.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures::future::{self, Either};
use futures::StreamExt;
use yew::platform::spawn_local;
use yew::prelude::*;
use yew_agent::reactor::{ReactorBridge, ReactorSpawner};

use super::codec::JsCodec;
use super::protocol::{Report, Request};
use super::worker::DecodeReactor;
use super::worker_url;
use crate::ingest::file::MAX_DECODING_WORKERS;

/// What the worker tells the component.
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// A report from the worker.
    Report(Report),
    /// The worker's reactor ended: no more reports will come.
    Stopped,
}

/// Sends requests to the worker started by [`use_decode_worker`].
#[derive(Debug, Clone)]
pub struct DecodeWorker {
    requests: UnboundedSender<Request>,
}

impl DecodeWorker {
    /// Queues `request` for the worker; `false` if the worker has stopped.
    pub fn send(&self, request: Request) -> bool {
        self.requests.unbounded_send(request).is_ok()
    }
}

impl PartialEq for DecodeWorker {
    fn eq(&self, other: &Self) -> bool {
        self.requests.same_receiver(&other.requests)
    }
}

/// Starts the decoding worker when the component mounts (stops it when it unmounts) and calls
/// `on_event` (the latest one passed) with everything the worker says.
#[hook]
pub fn use_decode_worker(on_event: Callback<WorkerEvent>) -> DecodeWorker {
    let listener = use_mut_ref(|| on_event.clone());
    *listener.borrow_mut() = on_event;
    let worker = use_memo((), move |()| {
        let (requests, pending) = mpsc::unbounded();
        // `?workers=N` in the page's address sets the chain's length (the worker benchmark
        // compares counts); otherwise the worker chooses from the machine's cores.
        let path = match workers_asked() {
            Some(n) => worker_url(&format!("workers={n}")),
            None => worker_url(""),
        };
        let bridge = ReactorSpawner::<DecodeReactor>::new()
            .encoding::<JsCodec>()
            .with_loader(true)
            .as_module(false)
            .spawn(&path);
        spawn_local(relay(bridge, pending, listener));
        DecodeWorker { requests }
    });
    (*worker).clone()
}

/// The number of decoding workers the page's address asks for (`?workers=N`, 1 to
/// [`MAX_DECODING_WORKERS`]).
fn workers_asked() -> Option<u32> {
    let search = web_sys::window()?.location().search().ok()?;
    search
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("workers="))?
        .parse()
        .ok()
        .filter(|n| (1..=MAX_DECODING_WORKERS).contains(n))
}

/// Owns the bridge: forwards requests to the worker and the worker's reports to the listener,
/// until the component drops its sender (the bridge is then dropped and the worker terminated)
/// or the reactor ends.
async fn relay(
    mut bridge: ReactorBridge<DecodeReactor>,
    mut requests: UnboundedReceiver<Request>,
    listener: Rc<RefCell<Callback<WorkerEvent>>>,
) {
    loop {
        // Bind the outcome first so that both `next()` borrows end before acting on it.
        let next = match future::select(requests.next(), bridge.next()).await {
            Either::Left((request, _)) => Either::Left(request),
            Either::Right((report, _)) => Either::Right(report),
        };
        match next {
            Either::Left(Some(request)) => bridge.send_input(request),
            Either::Left(None) => return,
            Either::Right(Some(report)) => {
                let listener = listener.borrow().clone();
                listener.emit(WorkerEvent::Report(report));
            }
            Either::Right(None) => {
                let listener = listener.borrow().clone();
                listener.emit(WorkerEvent::Stopped);
                return;
            }
        }
    }
}
