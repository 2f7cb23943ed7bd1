use std::rc::Rc;

use yew::prelude::*;

use crate::web::state::LoadState;
use crate::web::text::{self, Text};

/// Props of [`StatusBar`].
#[derive(Properties, PartialEq)]
pub struct StatusBarProps {
    /// The strings to show.
    pub text: Rc<Text>,
    /// The loading state.
    pub state: Rc<LoadState>,
}

/// The event count, the bytes read, and one line per file.
#[component]
pub fn StatusBar(props: &StatusBarProps) -> Html {
    let StatusBarProps { text, state } = props;
    let read = state.bytes_read();
    let total = state.bytes_total();
    html! {
        <section class="status" aria-live="polite">
            <p class="totals">
                <span class="count" data-testid="event-count">{ state.events() }</span>
                { " " }{ text.events(state.events()) }
                if total > 0 {
                    <span class="sep">{ " · " }</span>
                    <span data-testid="bytes-read">
                        { text.read }{ " " }{ text::bytes(read) }{ " " }{ text.of }{ " " }
                        { text::bytes(total) }
                    </span>
                }
                if state.worker_stopped {
                    <span class="error" role="alert">{ " " }{ text.worker_stopped }</span>
                }
            </p>
            if total > 0 {
                <progress data-testid="progress" max={total.to_string()}
                    value={read.to_string()} data-busy={state.busy().to_string()}></progress>
            }
            if !state.files.is_empty() {
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
