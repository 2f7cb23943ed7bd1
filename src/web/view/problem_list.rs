use yew::prelude::*;

use super::Shared;
use crate::web::state::ShownProblem;
use crate::web::text::{problem_message, Lang, Text};

/// Props of [`ProblemList`].
#[derive(Properties, PartialEq)]
pub struct ProblemListProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
}

/// How one problem reads in the list: the worker's English text as it is, or in Japanese
/// `行 L、列 C: イベント N: reason`.
pub fn problem_text(text: &Text, p: &ShownProblem) -> String {
    let line = &p.line;
    match text.lang {
        Lang::En => line.text(),
        Lang::Ja => {
            let at = line.position();
            let mut out = match at.evtx_chunk() {
                _ if !at.is_binary() => format!(
                    "{} {}、{} {}: ",
                    text.line, line.line, text.column, line.column
                ),
                Some(chunk) => format!("チャンク {chunk}、オフセット {:#x}: ", at.byte),
                None => format!("ファイル ヘッダー、オフセット {:#x}: ", at.byte),
            };
            if let Some(n) = line.event {
                out.push_str(&format!("{} {n}: ", text.event_word));
            }
            out.push_str(&problem_message(
                text.lang,
                &line.code,
                &line.params,
                &line.reason,
            ));
            if line.skip_note {
                out.push_str(&format!(" ({})", text.skipped_word));
            }
            out
        }
    }
}

/// The problems found in the input, with how many events were lost.
#[component]
pub fn ProblemList(props: &ProblemListProps) -> Html {
    let text = props.text;
    let app = props.state.get();
    let state = &app.load;
    if state.files.is_empty() {
        return html! {};
    }
    let count = state.problem_count();
    let listed = u64::try_from(state.problems.len()).unwrap_or(u64::MAX);
    html! {
        <section class="problems" data-testid="problems">
            <h2>{ text.problems }</h2>
            if count == 0 {
                <p class="quiet">{ text.no_problems }</p>
            } else {
                <p>
                    { text.problems_found }{ ": " }
                    <span data-testid="problem-count">{ count }</span>
                    { " · " }{ text.events_skipped }{ ": " }
                    <span data-testid="skipped-count">{ state.skipped() }</span>
                    if count > listed {
                        { " (" }{ count - listed }{ " " }{ text.more_problems }{ ")" }
                    }
                </p>
                <ol>
                    { for state.problems.iter().map(|p| html! {
                        <li class={classes!(p.line.skip.then_some("skip"), p.line.repaired.then_some("repaired"))}
                            data-code={p.line.code.clone()}>
                            <span class="file">
                                { state.file(p.file).map(|f| f.name.as_str()).unwrap_or_default() }
                            </span>
                            <span class="where">{ problem_text(text, p) }</span>
                            if p.line.repaired {
                                <span class="tag">{ text.repaired_word }</span>
                            }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
