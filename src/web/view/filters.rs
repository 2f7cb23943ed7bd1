use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{account_name, Shared};
use crate::decoder::view::Outcome;
use crate::ingest::export::ExportShape;
use crate::model::store::Sym;
use crate::text::{event_label, value_in, visible, Text};
use crate::web::state::{format_minutes, parse_time, Action};

/// Props of [`Filters`].
#[derive(Properties, PartialEq)]
pub struct FiltersProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
    /// Called with the user's changes.
    pub on_action: Callback<Action>,
}

fn select_value(e: &Event) -> Option<String> {
    e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value())
}

fn input_value(e: &Event) -> Option<String> {
    e.target_dyn_into::<HtmlInputElement>().map(|s| s.value())
}

/// Search, filter lists, time range, row count and the exports.
#[component]
pub fn Filters(props: &FiltersProps) -> Html {
    super::renders::count("Filters");
    let text = props.text;
    let app = props.state.get();
    let filter = &app.table.filter;
    let on = |f: fn(String) -> Option<Action>| {
        let cb = props.on_action.clone();
        move |value: Option<String>| {
            if let Some(action) = value.and_then(f) {
                cb.emit(action);
            }
        }
    };
    let on_text = {
        let emit = on(|v| Some(Action::SetText(v)));
        Callback::from(move |e: InputEvent| {
            emit(e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()));
        })
    };
    let on_event = {
        let emit = on(|v| {
            Some(Action::SetEventIds(
                v.parse::<u32>().map(|id| vec![id]).unwrap_or_default(),
            ))
        });
        Callback::from(move |e: Event| emit(select_value(&e)))
    };
    let on_account = {
        let emit = on(|v| {
            Some(Action::SetAccounts(
                v.parse::<u32>().map(|s| vec![Sym(s)]).unwrap_or_default(),
            ))
        });
        Callback::from(move |e: Event| emit(select_value(&e)))
    };
    let on_operation = {
        let emit = on(|v| {
            Some(Action::SetOperations(
                v.parse::<u32>().map(|s| vec![Sym(s)]).unwrap_or_default(),
            ))
        });
        Callback::from(move |e: Event| emit(select_value(&e)))
    };
    let on_outcome = {
        let emit = on(|v| {
            let outcome = match v.as_str() {
                "success" => Some(Outcome::Success),
                "failure" => Some(Outcome::Failure),
                _ => None,
            };
            Some(Action::SetOutcome(outcome))
        });
        Callback::from(move |e: Event| emit(select_value(&e)))
    };
    let on_from = {
        let emit = on(|v| Some(Action::SetFrom(parse_time(&v))));
        Callback::from(move |e: Event| emit(input_value(&e)))
    };
    let on_to = {
        let emit = on(|v| Some(Action::SetTo(parse_time(&v))));
        Callback::from(move |e: Event| emit(input_value(&e)))
    };
    let on_reset = {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::ResetFilter))
    };
    let export = |shape: ExportShape| {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::Export(shape)))
    };
    let on_report = {
        let state = props.state.clone();
        let lang = text.lang;
        Callback::from(move |_: MouseEvent| {
            // The button is disabled meanwhile; a click that was already on its way waits too.
            if state.get().load.hashing() {
                return;
            }
            #[allow(clippy::cast_possible_truncation)] // ms since 1970, as ns, fit in i64
            let written = (js_sys::Date::now() * 1e6) as i64;
            let html = state.get().report_html(lang, Some(written));
            super::open_report(&html);
        })
    };
    let one = |v: &[Sym]| v.first().copied();
    let account = one(&filter.accounts);
    let operation = one(&filter.operations);
    let event_id = filter.event_ids.first().copied();
    let several_accounts = filter.accounts.len() > 1;
    html! {
        <section class="filters" data-testid="filters">
            <label class="search">
                <span>{ text.search }</span>
                <input type="search" data-testid="search" value={filter.text.clone()} autocomplete="off"
                    placeholder={text.search_placeholder} oninput={on_text} />
            </label>
            <label>
                <span>{ text.filter_event }</span>
                <select data-testid="filter-event" onchange={on_event}>
                    <option value="" selected={event_id.is_none()}>{ text.all }</option>
                    { for app.charts.facets.event_ids.iter().map(|&(id, count)| html! {
                        <option value={id.to_string()} selected={event_id == Some(id)}>
                            { event_label(text.lang, id) }{ format!(" ({count})") }
                        </option>
                    }) }
                </select>
            </label>
            <label>
                <span>{ text.filter_account }</span>
                <select data-testid="filter-account" onchange={on_account}>
                    <option value="" selected={account.is_none()}>
                        { if several_accounts { format!("{} ({})", text.filter_account, filter.accounts.len()) } else { text.all.to_string() } }
                    </option>
                    { for app.charts.facets.accounts.iter().map(|&(sym, count)| {
                        let name = account_name(&app.store, sym, text);
                        html! {
                            <option value={sym.0.to_string()} selected={!several_accounts && account == Some(sym)}>
                                { format!("{name} ({count})") }
                            </option>
                        }
                    }) }
                </select>
            </label>
            <label>
                <span>{ text.filter_operation }</span>
                <select data-testid="filter-operation" onchange={on_operation}>
                    <option value="" selected={operation.is_none()}>{ text.all }</option>
                    { for app.charts.facets.operations.iter().map(|&(sym, count)| html! {
                        <option value={sym.0.to_string()} selected={operation == Some(sym)}>
                            { format!("{} ({count})", value_in(text.lang, &visible(app.store.str(sym)))) }
                        </option>
                    }) }
                </select>
            </label>
            <label>
                <span>{ text.filter_outcome }</span>
                <select data-testid="filter-outcome" onchange={on_outcome}>
                    <option value="" selected={filter.outcome.is_none()}>{ text.all }</option>
                    <option value="success" selected={filter.outcome == Some(Outcome::Success)}>{ text.outcome(Some(Outcome::Success)) }</option>
                    <option value="failure" selected={filter.outcome == Some(Outcome::Failure)}>{ text.outcome(Some(Outcome::Failure)) }</option>
                </select>
            </label>
            <label>
                <span>{ text.filter_from }</span>
                <input type="datetime-local" data-testid="filter-from" autocomplete="off"
                    value={filter.from.map(format_minutes).unwrap_or_default()} onchange={on_from} />
            </label>
            <label>
                <span>{ text.filter_to }</span>
                <input type="datetime-local" data-testid="filter-to" autocomplete="off"
                    value={filter.to.map(format_minutes).unwrap_or_default()} onchange={on_to} />
            </label>
            <button type="button" class="button secondary" data-testid="reset-filters"
                disabled={filter.is_empty()} onclick={on_reset}>{ text.reset_filters }</button>
            <span class="spacer"></span>
            <span class="row-count">
                <span data-testid="row-count">{ app.table.view.len() }</span>
                { " " }{ text.rows_shown }{ " " }{ app.store.rows.len() }
            </span>
            <button type="button" class="button secondary" data-testid="export-csv"
                disabled={app.table.export.waiting.is_some()} onclick={export(ExportShape::Csv)}>{ text.export_csv }</button>
            <button type="button" class="button secondary" data-testid="export-json"
                disabled={app.table.export.waiting.is_some()} onclick={export(ExportShape::Json)}>{ text.export_json }</button>
            <button type="button" class="button secondary" data-testid="export-ecs"
                title={text.export_ecs_hint}
                disabled={app.table.export.waiting.is_some()} onclick={export(ExportShape::Ecs)}>{ text.export_ecs }</button>
            <button type="button" class="button secondary" data-testid="report" title={text.report.button_hint}
                disabled={app.store.rows.is_empty() || app.load.hashing()} onclick={on_report}>{ text.report.button }</button>
            if app.load.hashing() {
                <span class="quiet" data-testid="hashing">{ text.report.hashing }</span>
            }
            if app.table.export.waiting.is_some() {
                <span class="quiet" data-testid="exporting">{ text.exporting }</span>
            }
            if app.table.export.lost > 0 {
                <span class="warning" data-testid="export-lost">{ app.table.export.lost }{ " " }{ text.export_lost }</span>
            }
        </section>
    }
}
