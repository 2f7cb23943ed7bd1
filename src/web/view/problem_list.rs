use yew::prelude::*;

use super::Shared;
use crate::text::Text;
use crate::web::state::ShownProblem;

/// Props of [`ProblemList`].
#[derive(Properties, PartialEq)]
pub struct ProblemListProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
}

/// How one problem reads in the list, in the page's language: where (`LINE:COLUMN: event N: `,
/// in an `.evtx` file the chunk and offset), why, and "(event skipped)" when an event was lost
/// and the reason does not say so itself. In English, the CLI's text.
pub fn problem_text(text: &Text, p: &ShownProblem) -> String {
    let words = text.lang.catalogue();
    match p {
        ShownProblem::Batch(error) => words.batch_refused(error),
        ShownProblem::File { line, .. } => {
            let mut out = words.place(line.position(), line.event);
            out.push_str(&words.problem(&line.kind));
            if line.skip_note() {
                out.push_str(&format!(" ({})", text.skipped_word));
            }
            out
        }
    }
}

/// The problems found in the input, with how many events were lost.
#[component]
pub fn ProblemList(props: &ProblemListProps) -> Html {
    super::renders::count("ProblemList");
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
                        <li class={classes!(p.skip().then_some("skip"), p.repaired().then_some("repaired"))}
                            data-code={p.code()}>
                            <span class="file">
                                { p.file().and_then(|f| state.file(f)).map(|f| f.name.as_str()).unwrap_or_default() }
                            </span>
                            <span class="where">{ problem_text(text, p) }</span>
                            if p.repaired() {
                                <span class="tag">{ text.repaired_word }</span>
                            }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
