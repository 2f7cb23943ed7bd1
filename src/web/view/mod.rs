//! The viewer's components. [`App`] wires the worker to the state; the others only render props
//! and report user gestures through `on*` callbacks.

mod drop_zone;
mod problem_list;
mod status_bar;

pub use drop_zone::{DropZone, DropZoneProps};
pub use problem_list::{ProblemList, ProblemListProps};
pub use status_bar::{StatusBar, StatusBarProps};

use std::rc::Rc;

use web_sys::File;
use yew::prelude::*;

use super::bridge::{use_decode_worker, WorkerEvent};
use super::protocol::{Request, SourceFile};
use super::state::{Action, LoadState};
use super::text::{Text, EN};

/// The page.
#[component]
pub fn App() -> Html {
    html! { <Viewer text={Rc::new(EN)} /> }
}

/// Props of [`Viewer`].
#[derive(Properties, PartialEq)]
pub struct ViewerProps {
    /// The strings to show.
    pub text: Rc<Text>,
}

/// Opens files, sends them to the worker and shows what comes back.
#[component]
pub fn Viewer(props: &ViewerProps) -> Html {
    let text = &props.text;
    let state = use_reducer(LoadState::default);
    let next_id = use_mut_ref(|| 0_u32);

    let worker = {
        let dispatcher = state.dispatcher();
        use_decode_worker(Callback::from(move |event| match event {
            WorkerEvent::Report(report) => dispatcher.dispatch(Action::Report(report)),
            WorkerEvent::Stopped => dispatcher.dispatch(Action::WorkerStopped),
        }))
    };

    let on_files = {
        let dispatcher = state.dispatcher();
        Callback::from(move |files: Vec<File>| {
            if files.is_empty() {
                return;
            }
            let first_id = {
                let mut next = next_id.borrow_mut();
                let first = *next;
                *next = next.saturating_add(u32::try_from(files.len()).unwrap_or(u32::MAX));
                first
            };
            let meta = files.iter().map(|f| (f.name(), blob_size(f))).collect();
            dispatcher.dispatch(Action::Opened {
                first_id,
                files: meta,
            });
            let request = Request::Open {
                first_id,
                files: files.into_iter().map(SourceFile).collect(),
            };
            if !worker.send(request) {
                dispatcher.dispatch(Action::WorkerStopped);
            }
        })
    };

    // The views take a plain `Rc<LoadState>` (so they render without hooks, e.g. in tests).
    let snapshot = use_memo(state.clone(), |state| (**state).clone());
    html! {
        <DropZone text={text.clone()} ready={state.ready} on_files={on_files}>
            <StatusBar text={text.clone()} state={snapshot.clone()} />
            <ProblemList text={text.clone()} state={snapshot} />
        </DropZone>
    }
}

/// A blob's size as a byte count (`Blob.size` is an integral double).
fn blob_size(blob: &web_sys::Blob) -> u64 {
    let size = blob.size();
    if size.is_finite() && size > 0.0 {
        // Truncation is exact: sizes are integers far below 2^53.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let bytes = size as u64;
        bytes
    } else {
        0
    }
}
