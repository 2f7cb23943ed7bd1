use web_sys::Element;
use yew::prelude::*;

use super::findings::{finding_ids, finding_titles};
use super::Shared;
use crate::decoder::view::Outcome;
use crate::model::query::Column;
use crate::text::{event_label, value_in, visible, Text};
use crate::web::state::{Action, AppState};

/// The height of one table row, px (`tr.row` in `www/style.css` must match).
pub const ROW_HEIGHT: i32 = 24;

/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 12;

/// The height assumed for the scroll area before it is measured.
const DEFAULT_VIEWPORT: i32 = 520;

/// Props of [`EventTable`].
#[derive(Properties, PartialEq)]
pub struct EventTableProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
    /// Called with sorts and selections.
    pub on_action: Callback<Action>,
}

/// The columns shown: all but the file column, which appears when several files are loaded.
pub fn visible_columns(state: &AppState) -> Vec<Column> {
    Column::ALL
        .into_iter()
        .filter(|&c| c != Column::File || state.several_files())
        .collect()
}

/// The rows to render for a scroll position: `(first, end)` positions of the view.
pub fn window(scroll_top: i32, viewport: i32, rows: usize) -> (usize, usize) {
    let first = usize::try_from(scroll_top.max(0) / ROW_HEIGHT).unwrap_or(0);
    let visible = usize::try_from(viewport.max(ROW_HEIGHT) / ROW_HEIGHT + 1).unwrap_or(1);
    let start = first.saturating_sub(OVERSCAN).min(rows);
    let end = first
        .saturating_add(visible)
        .saturating_add(OVERSCAN)
        .min(rows);
    (start, end)
}

fn px(rows: usize) -> String {
    rows.saturating_mul(ROW_HEIGHT.unsigned_abs() as usize)
        .to_string()
}

/// The table's text for one cell.
fn cell_text(text: &Text, state: &AppState, row: u32, column: Column) -> String {
    let Some(r) = state.store.rows.get(row as usize) else {
        return String::new();
    };
    match column {
        Column::Event => event_label(text.lang, r.event_id),
        Column::Outcome => text.outcome(r.outcome.get()).to_string(),
        Column::Time => {
            // 2025-03-04T09:15:22.4421007Z → 2025-03-04 09:15:22
            let full = state.cell(row, column);
            full.get(..19).unwrap_or(&full).replace('T', " ")
        }
        Column::Operation | Column::KeyType | Column::Algorithm => {
            value_in(text.lang, &visible(&state.cell(row, column))).to_string()
        }
        _ => visible(&state.cell(row, column)).into_owned(),
    }
}

/// The events, virtualised: only the rows in view (and a few more) are in the DOM, between two
/// spacer rows whose heights stand for the others. Sort by clicking a heading; select with the
/// mouse or the keyboard (arrows, Page Up/Down, Home, End; Enter opens the detail).
#[component]
pub fn EventTable(props: &EventTableProps) -> Html {
    super::renders::count("EventTable");
    let text = props.text;
    let scroller = use_node_ref();
    let scroll_top = use_state(|| 0_i32);
    let viewport = use_state(|| DEFAULT_VIEWPORT);
    let app = props.state.get();
    let rows = app.table.view.len();
    let columns = visible_columns(&app);
    let selected_position = app.selected_position();

    // Keep the selected row in view when it moves.
    {
        let scroller = scroller.clone();
        use_effect_with(selected_position, move |position| {
            let Some(position) = *position else {
                return;
            };
            let Some(el) = scroller.cast::<Element>() else {
                return;
            };
            let head = 28;
            let y = i32::try_from(position)
                .unwrap_or(i32::MAX / 2)
                .saturating_mul(ROW_HEIGHT);
            let top = el.scroll_top();
            let height = el.client_height() - head;
            if y < top {
                el.set_scroll_top(y);
            } else if y + ROW_HEIGHT > top + height {
                el.set_scroll_top(y + ROW_HEIGHT - height);
            }
        });
    }

    let onscroll = {
        let scroll_top = scroll_top.clone();
        let viewport = viewport.clone();
        let scroller = scroller.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<Element>() {
                scroll_top.set(el.scroll_top());
                viewport.set(el.client_height());
            }
        })
    };
    let page = usize::try_from(*viewport / ROW_HEIGHT - 1)
        .unwrap_or(1)
        .max(1);
    let onkeydown = {
        let cb = props.on_action.clone();
        Callback::from(move |e: KeyboardEvent| {
            let step = isize::try_from(page).unwrap_or(10);
            let action = match e.key().as_str() {
                "ArrowDown" => Action::MoveSelection(1),
                "ArrowUp" => Action::MoveSelection(-1),
                "PageDown" => Action::MoveSelection(step),
                "PageUp" => Action::MoveSelection(-step),
                "Home" => Action::SelectFirst,
                "End" => Action::SelectLast,
                "Enter" => Action::OpenDetail,
                "Escape" => Action::CloseDetail,
                _ => return,
            };
            e.prevent_default();
            cb.emit(action);
        })
    };

    let (start, end) = window(*scroll_top, *viewport, rows);
    let span = columns.len().to_string();
    let sort = app.table.sort;
    let headers = columns.iter().map(|&column| {
        let aria = match sort {
            Some(s) if s.column == column && s.descending => "descending",
            Some(s) if s.column == column => "ascending",
            _ => "none",
        };
        let onclick = {
            let cb = props.on_action.clone();
            Callback::from(move |_: MouseEvent| cb.emit(Action::SortBy(column)))
        };
        let arrow = match aria {
            "ascending" => " ▲",
            "descending" => " ▼",
            _ => "",
        };
        html! {
            <th scope="col" class={classes!("c", column.key())} aria-sort={aria}
                data-column={column.key()}>
                <button type="button" class="sort" title={text.sort_hint} {onclick}>
                    { text.column(column) }{ arrow }
                </button>
            </th>
        }
    });
    let body = (start..end).map(|position| {
        let row = app.table.view[position];
        let outcome = app.store.rows.get(row as usize).and_then(|r| r.outcome.get());
        let is_selected = selected_position == Some(position);
        let onclick = {
            let cb = props.on_action.clone();
            Callback::from(move |_: MouseEvent| cb.emit(Action::SelectAt { position, open: true }))
        };
        let flagged = app.store.findings_of(row as usize) != 0;
        let routine = flagged
            .then(|| app.rules.set.routine().pattern(app.store.routine_of(row as usize)))
            .flatten();
        let class = classes!(
            "row",
            (position % 2 == 1).then_some("odd"),
            is_selected.then_some("selected"),
            (outcome == Some(Outcome::Failure)).then_some("failure"),
            flagged.then_some("finding"),
            routine.is_some().then_some("routine"),
        );
        let findings = flagged.then(|| finding_ids(&app, row));
        let flag = flagged.then(|| {
            let mut title = format!("{}\n{}", text.rules.flagged, finding_titles(&app, row, text.lang));
            if let Some(p) = routine {
                title.push_str(&format!(
                    "\n{} {}",
                    text.rules.routine_is,
                    p.title_in(text.lang == crate::text::Lang::Ja)
                ));
            }
            html! { <span class="flag" title={title} aria-label={text.rules.flagged}>{ "⚑" }</span> }
        });
        let pattern = routine.map(|p| p.id.clone());
        html! {
            <tr key={row} {class} data-row={row.to_string()} data-findings={findings}
                data-routine={pattern}
                aria-rowindex={(position + 2).to_string()}
                aria-selected={is_selected.to_string()} {onclick}>
                { for columns.iter().map(|&column| {
                    let value = cell_text(text, &app, row, column);
                    if column == Column::Event {
                        if let Some(flag) = flag.clone() {
                            return html! { <td class={classes!("c", column.key())} title={value.clone()}>{ flag }{ value }</td> };
                        }
                    }
                    let class = classes!(
                        "c",
                        column.key(),
                        (column == Column::Outcome && outcome == Some(Outcome::Success)).then_some("ok"),
                        (column == Column::Outcome && outcome == Some(Outcome::Failure)).then_some("bad"),
                    );
                    html! { <td {class} title={value.clone()}>{ value }</td> }
                }) }
            </tr>
        }
    });
    html! {
        <div class="table-wrap">
            <div class="table-scroll" ref={scroller} tabindex="0" {onscroll} {onkeydown}
                data-testid="table-scroll" aria-label={text.table_caption}>
                <table class="events" data-testid="events-table" aria-rowcount={(rows + 1).to_string()}>
                    <caption class="visually-hidden">{ text.table_caption }</caption>
                    <colgroup>
                        { for columns.iter().map(|c| html! { <col class={classes!("col", c.key())} /> }) }
                    </colgroup>
                    <thead><tr>{ for headers }</tr></thead>
                    <tbody>
                        if start > 0 {
                            <tr class="spacer" aria-hidden="true"><td colspan={span.clone()}>
                                <svg width="1" height={px(start)}></svg>
                            </td></tr>
                        }
                        { for body }
                        if end < rows {
                            <tr class="spacer" aria-hidden="true"><td colspan={span.clone()}>
                                <svg width="1" height={px(rows - end)}></svg>
                            </td></tr>
                        }
                    </tbody>
                </table>
                if rows == 0 {
                    <p class="empty-rows">{ text.no_rows }</p>
                }
            </div>
            <p class="hint keys">{ text.keyboard_hint }</p>
        </div>
    }
}
