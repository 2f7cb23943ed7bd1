use std::rc::Rc;

use yew::prelude::*;

use crate::web::state::LoadState;
use crate::web::text::Text;

/// Props of [`ProblemList`].
#[derive(Properties, PartialEq)]
pub struct ProblemListProps {
    /// The strings to show.
    pub text: Rc<Text>,
    /// The loading state.
    pub state: Rc<LoadState>,
}

/// The problems found in the input, with how many events were lost.
#[component]
pub fn ProblemList(props: &ProblemListProps) -> Html {
    let ProblemListProps { text, state } = props;
    if state.files.is_empty() {
        return html! {};
    }
    let count = state.problem_count();
    let listed = u64::try_from(state.problems.len()).unwrap_or(u64::MAX);
    let several_files = state.files.len() > 1;
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
                        <li class={classes!(p.skip.then_some("skip"))}>
                            if several_files {
                                <span class="file">
                                    { state.file(p.file).map(|f| f.name.as_str()).unwrap_or_default() }
                                    { ": " }
                                </span>
                            }
                            { &p.text }
                        </li>
                    }) }
                </ol>
            }
        </section>
    }
}
