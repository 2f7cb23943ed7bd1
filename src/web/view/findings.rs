//! Findings: the monitoring rules with their match counts (a click filters the table), their
//! editor, and the logon-session views (the detail pane's session, an account's timeline).

use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::{
    account_name, download, minute_text, remove_setting, store_setting, Shared, RULES_KEY,
};
use crate::model::rules::{self, presets, Hours, Pattern, RowSubject, Rule, RuleSet};
use crate::model::session::Session;
use crate::model::store::Row;
use crate::web::protocol::SessionLink;
use crate::web::state::{Action, AppState};
use crate::web::text::{visible, Lang, RuleText, Text};

/// Props of [`FindingsPanel`] and [`SessionTimeline`].
#[derive(Properties, PartialEq)]
pub struct FindingsProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
    /// Called with rule filters and new rules.
    pub on_action: Callback<Action>,
}

/// A rule's title in the language shown (its id when it has none).
pub fn rule_title(rule: &Rule, lang: Lang) -> &str {
    let t = match lang {
        Lang::Ja if !rule.title_ja.is_empty() => &rule.title_ja,
        _ => &rule.title,
    };
    if t.is_empty() {
        &rule.id
    } else {
        t
    }
}

fn rule_explanation(rule: &Rule, lang: Lang) -> &str {
    match lang {
        Lang::Ja if !rule.explanation_ja.is_empty() => &rule.explanation_ja,
        _ => &rule.explanation,
    }
}

/// The ids of the rules a row matches, space-separated (`data-findings` of table rows).
pub fn finding_ids(state: &AppState, row: u32) -> String {
    let ids: Vec<&str> = state.rules_matched(row).map(|r| r.id.as_str()).collect();
    ids.join(" ")
}

/// The titles of the rules a row matches, one per line (the flag's tooltip).
pub fn finding_titles(state: &AppState, row: u32, lang: Lang) -> String {
    let titles: Vec<&str> = state
        .rules_matched(row)
        .map(|r| rule_title(r, lang))
        .collect();
    titles.join("\n")
}

/// The rules as the JSON the editor shows and exports.
pub fn rules_json(rules: &[Rule]) -> String {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        rules: &'a [Rule],
    }
    serde_json::to_string_pretty(&Doc { rules }).unwrap_or_default()
}

/// Saves the rules in `localStorage` (only when the user asked to keep them).
fn keep(rules: &[Rule]) {
    if let Ok(json) = serde_json::to_string(rules) {
        store_setting(RULES_KEY, &json);
    }
}

/// The rules with their counts; a click on one shows only its matches. The editor opens below.
#[component]
pub fn FindingsPanel(props: &FindingsProps) -> Html {
    let text = props.text;
    let t = &text.rules;
    let editing = use_state(|| false);
    let app = props.state.get();
    let chips = app.rules.rules().iter().enumerate().map(|(i, rule)| {
        let total = app.tallies.get(i).map_or(0, |t| t.total);
        let active = app.filter.findings == 1 << i;
        let onclick = {
            let cb = props.on_action.clone();
            Callback::from(move |_: MouseEvent| cb.emit(Action::FilterRule(i)))
        };
        html! {
            <button type="button" class={classes!("chip", (total > 0).then_some("hit"), active.then_some("active"))}
                data-rule={rule.id.clone()} data-count={total.to_string()}
                aria-pressed={active.to_string()} title={t.show_only} {onclick}>
                <span class="count">{ total }</span>{ " " }{ rule_title(rule, text.lang) }
            </button>
        }
    });
    let about = app.rules.rules().iter().enumerate().map(|(i, rule)| {
        let tally = app.tallies.get(i);
        let accounts = tally
            .map(|t| t.accounts.iter().take(6).collect::<Vec<_>>())
            .unwrap_or_default();
        html! {
            <li data-rule={rule.id.clone()}>
                <strong>{ rule_title(rule, text.lang) }</strong>
                { " — " }{ tally.map_or(0, |t| t.total) }{ " " }{ t.matches }
                <p class="why">{ rule_explanation(rule, text.lang) }</p>
                if !accounts.is_empty() {
                    <p class="accounts" data-testid="rule-accounts">
                        { t.by_account }{ ": " }
                        { for accounts.into_iter().map(|&(sym, n)| {
                            let cb = props.on_action.clone();
                            let onclick = Callback::from(move |_: MouseEvent| {
                                cb.emit(Action::FilterRule(i));
                                cb.emit(Action::SetAccounts(vec![sym]));
                            });
                            html! {
                                <button type="button" class="link small" {onclick}>
                                    { account_name(&app.store, sym, text) }{ format!(" ({n})") }
                                </button>
                            }
                        }) }
                    </p>
                }
            </li>
        }
    });
    let on_edit = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(!*editing))
    };
    let showing = app.filter.findings != 0;
    html! {
        <section class="findings" data-testid="findings" aria-label={t.heading}>
            <div class="findings-bar">
                <h2>{ t.heading }</h2>
                { for chips }
                <span class="spacer"></span>
                <button type="button" class="link" data-testid="edit-rules"
                    aria-expanded={editing.to_string()} onclick={on_edit}>
                    { if *editing { t.close_editor } else { t.edit } }
                </button>
            </div>
            if showing {
                <p class="quiet showing">{ t.showing }</p>
            }
            if let Some(err) = &app.rules_error {
                <p class="error" data-testid="rules-error">{ t.error }{ " " }{ err }</p>
            }
            <details class="findings-more">
                <summary>{ t.intro }</summary>
                <ul>{ for about }</ul>
            </details>
            if *editing {
                <RuleEditor text={props.text} state={props.state.clone()} on_action={props.on_action.clone()} />
            }
        </section>
    }
}

fn input_value(r: &NodeRef) -> String {
    r.cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// The rule editor: sensitive key names, business hours, every rule as JSON, import, export,
/// and whether the browser keeps the rules.
#[component]
fn RuleEditor(props: &FindingsProps) -> Html {
    let text = props.text;
    let t = &text.rules;
    let app = props.state.get();
    let keys_ref = use_node_ref();
    let from_ref = use_node_ref();
    let to_ref = use_node_ref();
    let offset_ref = use_node_ref();
    let day_refs: Vec<NodeRef> = (0..7).map(|_| NodeRef::default()).collect();
    let day_refs = use_mut_ref(|| day_refs);
    let json_ref = use_node_ref();
    let error = use_state(|| None::<String>);
    let kept = use_state(|| super::setting(RULES_KEY).is_some());

    let current_keys = app
        .rules
        .rules()
        .iter()
        .find(|r| r.id == rules::SENSITIVE_KEY_RULE)
        .and_then(|r| r.key_names.as_ref())
        .map(|k| k.iter().map(Pattern::text).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default();
    let hours = app
        .rules
        .rules()
        .iter()
        .find_map(|r| r.outside_hours.clone())
        .unwrap_or_default();
    let json = rules_json(app.rules.rules());
    // Fields show the rules in use: a new key replaces them when the rules change.
    let stamp = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        json.hash(&mut h);
        h.finish()
    };
    drop(app);

    // Uses `list`: the state compiles it (an error is shown by the panel); kept if asked.
    let apply_list = {
        let cb = props.on_action.clone();
        let state = props.state.clone();
        let kept = kept.clone();
        move |list: Vec<Rule>| {
            cb.emit(Action::SetRules(list));
            let app = state.get();
            if *kept && app.rules_error.is_none() {
                keep(app.rules.rules());
            }
        }
    };

    // Rules as JSON text (the editor's box or an imported file): used, or the error shown.
    let apply_json = {
        let apply_list = apply_list.clone();
        let error = error.clone();
        move |text: &str| match RuleSet::from_json(text) {
            Ok(list) => {
                error.set(None);
                apply_list(list);
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };

    let on_apply = {
        let apply_list = apply_list.clone();
        let (keys_ref, from_ref, to_ref, offset_ref) = (
            keys_ref.clone(),
            from_ref.clone(),
            to_ref.clone(),
            offset_ref.clone(),
        );
        let day_refs = day_refs.clone();
        let state = props.state.clone();
        let error = error.clone();
        let hours_error = t.hours_error;
        Callback::from(move |_: MouseEvent| {
            let keys = keys_ref
                .cast::<HtmlTextAreaElement>()
                .map(|a| a.value())
                .unwrap_or_default();
            let days: Vec<u8> = day_refs
                .borrow()
                .iter()
                .zip(1u8..)
                .filter(|(r, _)| r.cast::<HtmlInputElement>().is_some_and(|i| i.checked()))
                .map(|(_, d)| d)
                .collect();
            let fields = (
                input_value(&from_ref),
                input_value(&to_ref),
                input_value(&offset_ref),
            );
            let Some(hours) = Hours::from_fields(&fields.0, &fields.1, days, &fields.2) else {
                error.set(Some(hours_error.into()));
                return;
            };
            error.set(None);
            let list = state.get().rules.rules().to_vec();
            apply_list(rules::with_settings(list, &keys, &hours));
        })
    };

    let on_apply_json = {
        let apply_json = apply_json.clone();
        let json_ref = json_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let text = json_ref
                .cast::<HtmlTextAreaElement>()
                .map(|a| a.value())
                .unwrap_or_default();
            apply_json(&text);
        })
    };

    let on_reset = {
        let apply_list = apply_list.clone();
        Callback::from(move |_: MouseEvent| apply_list(presets()))
    };

    let on_export = {
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| {
            let json = rules_json(state.get().rules.rules());
            download("keytrail-rules.json", "application/json", &json);
        })
    };

    let on_import = {
        let apply_json = apply_json.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let apply_json = apply_json.clone();
            spawn_local(async move {
                let text = JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                apply_json(&text);
            });
        })
    };

    let on_keep = {
        let kept = kept.clone();
        let state = props.state.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            if input.checked() {
                keep(state.get().rules.rules());
            } else {
                remove_setting(RULES_KEY);
            }
            kept.set(input.checked());
        })
    };

    let days = day_refs.borrow().clone();
    html! {
        <div class="rule-editor" data-testid="rule-editor">
            if let Some(e) = &*error {
                <p class="error" data-testid="rule-editor-error">{ t.error }{ " " }{ e }</p>
            }
            <div class="editor-grid">
                <label class="field keys">
                    <span>{ t.sensitive_keys }</span>
                    <textarea ref={keys_ref} data-testid="sensitive-keys" rows="4"
                        key={format!("k{stamp}")} value={current_keys} />
                </label>
                <fieldset class="field hours">
                    <legend>{ t.hours }</legend>
                    <label>{ t.hours_from }{ " " }
                        <input ref={from_ref} type="number" min="0" max="23" data-testid="hours-from"
                            value={hours.start.to_string()} /></label>
                    <label>{ t.hours_to }{ " " }
                        <input ref={to_ref} type="number" min="1" max="24" data-testid="hours-to"
                            value={hours.end.to_string()} /></label>
                    <label>{ t.utc_offset }{ " " }
                        <input ref={offset_ref} type="number" min="-840" max="840" step="15"
                            data-testid="utc-offset" value={hours.utc_offset_minutes.to_string()} /></label>
                    <div class="days">
                        <span>{ t.days }</span>
                        { for days.into_iter().zip(1u8..).map(|(r, d)| html! {
                            <label class="day">
                                <input ref={r} type="checkbox" checked={hours.days.contains(&d)} />
                                { t.day_names[usize::from(d - 1)] }
                            </label>
                        }) }
                    </div>
                </fieldset>
                <div class="field actions">
                    <button type="button" class="button" data-testid="apply-settings"
                        onclick={on_apply}>{ t.apply_settings }</button>
                    <label class="keep">
                        <input type="checkbox" data-testid="keep-rules" checked={*kept} onchange={on_keep} />
                        { t.keep }
                    </label>
                </div>
            </div>
            <label class="field json">
                <span>{ t.json }</span>
                <textarea ref={json_ref} data-testid="rules-json" rows="10" spellcheck="false"
                    key={format!("j{stamp}")} value={json} />
            </label>
            <div class="actions">
                <button type="button" class="button secondary" data-testid="apply-json"
                    onclick={on_apply_json}>{ t.apply_json }</button>
                <button type="button" class="button secondary" data-testid="reset-rules"
                    onclick={on_reset}>{ t.reset }</button>
                <label class="button secondary file">
                    { t.import }
                    <input type="file" accept=".json,application/json" data-testid="import-rules"
                        class="visually-hidden" onchange={on_import} />
                </label>
                <button type="button" class="button secondary" data-testid="export-rules"
                    onclick={on_export}>{ t.export }</button>
            </div>
        </div>
    }
}

/// The detail pane's findings for one row: every rule it matches, with the reason.
pub fn row_findings(text: &'static Text, app: &AppState, row: &Row) -> Html {
    let subject = RowSubject {
        row,
        store: &app.store,
    };
    let matches = app.rules.matches(&subject);
    if matches.is_empty() {
        return Html::default();
    }
    html! {
        <section class="detail-findings" data-testid="detail-findings">
            <h4>{ text.rules.detail_findings }</h4>
            <ul>
                { for matches.iter().map(|m| html! {
                    <li data-rule={m.rule.id.clone()}>
                        <strong>{ rule_title(m.rule, text.lang) }</strong>
                        <div class="reason">{ visible(&m.reason).into_owned() }</div>
                        <div class="note">{ rule_explanation(m.rule, text.lang) }</div>
                    </li>
                }) }
            </ul>
        </section>
    }
}

pub(crate) fn time_text(ns: Option<i64>) -> String {
    ns.map(minute_text).unwrap_or_default()
}

pub(crate) fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() {
        "-"
    } else {
        s
    }
}

/// The detail pane's logon session: where the event's logon ID leads.
pub fn session_section(text: &'static Text, link: Option<&SessionLink>, busy: bool) -> Html {
    let t = &text.rules;
    let Some(link) = link else {
        return Html::default();
    };
    let body = match link {
        SessionLink::WellKnown(name) => html! {
            <p data-testid="session-well-known">{ t.well_known }{ " " }<strong>{ name }</strong></p>
        },
        SessionLink::NotInExport => html! {
            <>
                <p data-testid="session-missing">{ t.not_in_export }</p>
                if busy { <p class="quiet">{ t.still_reading }</p> }
            </>
        },
        SessionLink::Session(s) => session_fields(t, s),
    };
    html! {
        <section class="detail-session" data-testid="detail-session">
            <h4>{ t.session }</h4>
            { body }
        </section>
    }
}

pub(crate) fn logon_type_label(s: &Session) -> String {
    match (s.logon_type, s.logon_type_name.as_deref()) {
        (Some(n), Some(name)) => format!("{n} {name}"),
        (Some(n), None) => n.to_string(),
        _ => "-".into(),
    }
}

fn session_fields(t: &RuleText, s: &Session) -> Html {
    let logoff = s
        .logoff_time
        .map_or_else(|| t.no_logoff.to_string(), |x| time_text(Some(x)));
    let privileges = if s.privileges.is_empty() {
        t.no_privileges.to_string()
    } else {
        s.privileges.join(", ")
    };
    let rows = [
        (t.logon_type, logon_type_label(s)),
        (t.workstation, or_dash(&s.workstation).to_string()),
        (t.ip, or_dash(&s.ip_address).to_string()),
        (t.auth, or_dash(&s.authentication_package).to_string()),
        (t.logon_process, or_dash(&s.logon_process).to_string()),
        (t.logon_time, time_text(s.logon_time)),
        (t.logoff_time, logoff),
        (t.privileges, privileges),
    ];
    html! {
        <dl class="session" data-testid="session-fields">
            { for rows.into_iter().map(|(k, v)| html! { <><dt>{ k }</dt><dd>{ v }</dd></> }) }
        </dl>
    }
}

/// Reads rules kept in `localStorage`, if the user chose to keep some.
pub fn kept_rules() -> Option<Vec<Rule>> {
    let json = super::setting(RULES_KEY)?;
    RuleSet::from_json(&json).ok()
}
