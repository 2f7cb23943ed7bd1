use yew::prelude::*;

use super::Shared;
use crate::text::{self, Text};

/// Props of [`StatusBar`].
#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
}

/// The event count, the bytes read, the progress bar and one line per file.
#[component]
pub fn StatusBar(props: &StatusBarProps) -> Html {
    super::renders::count("StatusBar");
    let text = props.text;
    let app = props.state.get();
    let state = &app.load;
    let read = state.bytes_read();
    let total = state.bytes_total();
    let events = state.events();
    let repaired = state.repaired();
    html! {
        <section class="status" aria-live="polite">
            <p class="totals">
                <span class="count" data-testid="event-count">{ events }</span>
                { " " }{ text.events(events) }
                if total > 0 {
                    <span class="sep">{ " · " }</span>
                    <span data-testid="bytes-read">
                        { text.read }{ " " }{ text::bytes(read) }{ " " }{ text.of }{ " " }
                        { text::bytes(total) }
                    </span>
                }
                if repaired > 0 {
                    <span class="sep">{ " · " }</span>
                    <span class="warn" data-testid="repaired-note">
                        { repaired }{ " " }{ text.events(repaired) }{ " " }{ text.repaired_note }
                    </span>
                }
                if let [only] = state.files.as_slice() {
                    <span class="sep">{ " · " }</span>
                    <span class="file-name" title={only.name.clone()}>{ &only.name }</span>
                    if only.cancelled {
                        <span class="warn">{ " (" }{ text.cancelled }{ ")" }</span>
                    } else if let Some(reason) = &only.failed {
                        <span class="error">{ " " }{ text.read_failed }{ ": " }{ reason }</span>
                    }
                }
                if state.worker_stopped {
                    <span class="error" role="alert">{ " " }{ text.worker_stopped }</span>
                }
            </p>
            if total > 0 {
                <progress data-testid="progress" max={total.to_string()}
                    value={read.to_string()} data-busy={state.busy().to_string()}
                    data-cancelled={state.cancelled().to_string()}></progress>
            }
            if state.files.len() > 1 {
                <table class="files">
                    <caption class="visually-hidden">{ text.files }</caption>
                    <tbody>
                        { for state.files.iter().map(|f| html! {
                            <tr key={f.id}>
                                <td class="name" title={f.name.clone()}>{ &f.name }</td>
                                <td class="num">{ text::bytes(f.size) }</td>
                                <td class="num">{ f.events }{ " " }{ text.events(f.events) }</td>
                                <td class="state">
                                    if let Some(reason) = &f.failed {
                                        <span class="error">{ text.read_failed }{ ": " }{ reason }</span>
                                    } else if f.cancelled {
                                        <span class="warn">{ text.cancelled }</span>
                                    } else if f.done {
                                        { text.done }
                                    } else {
                                        { text.decoding }
                                    }
                                </td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
