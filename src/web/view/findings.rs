//! Findings: the monitoring rules with their match counts (a click filters the table), their
//! editor, and the pieces of the detail pane and the timeline that show findings and sessions.

use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::{
    account_name, download, minute_text, remove_setting, store_setting, Shared, RULES_KEY,
};
use crate::model::routine::RoutinePattern;
use crate::model::rules::{self, presets, Hours, Pattern, RowSubject, RuleFile};
use crate::model::session::Session;
use crate::model::store::Row;
pub use crate::text::rule_title;
use crate::text::{reason_in, rule_explanation, visible, Lang, Text};
use crate::web::state::{Action, AppState};

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

/// Saves the rules and routine patterns in `localStorage` (only when the user asked to keep
/// them).
fn keep(file: &RuleFile) {
    store_setting(RULES_KEY, file);
}

/// The rules with their counts, what needs a look first; a click on one shows only its matches
/// that need a look. Routine matches fold into one line per pattern, under the rule. The editor
/// opens below.
#[component]
pub fn FindingsPanel(props: &FindingsProps) -> Html {
    super::renders::count("FindingsPanel");
    let text = props.text;
    let t = &text.rules;
    let ja = text.lang == Lang::Ja;
    let editing = use_state(|| false);
    let app = props.state.get();
    let chips = app.rules.set.rules().iter().enumerate().map(|(i, rule)| {
        let tally = app.rules.tallies.get(i).cloned().unwrap_or_default();
        let needs = tally.needs_look();
        let active = app.table.filter.findings == 1 << i && app.table.filter.routine == Some(0);
        let onclick = {
            let cb = props.on_action.clone();
            Callback::from(move |_: MouseEvent| cb.emit(Action::FilterRule(i)))
        };
        html! {
            <button type="button" class={classes!("chip", (needs > 0).then_some("hit"), active.then_some("active"))}
                data-rule={rule.id.clone()} data-count={tally.total.to_string()}
                data-needs={needs.to_string()} data-routine={tally.routine.to_string()}
                aria-pressed={active.to_string()} title={t.show_only} {onclick}>
                <span class="count" title={t.needs_look}>{ needs }</span>{ " " }{ rule_title(rule, text.lang) }
                if tally.routine > 0 {
                    { " " }<span class="routine-count">{ format!("+{} {}", tally.routine, t.routine) }</span>
                }
            </button>
        }
    });
    // Routine matches, one line per pattern after the chips: how many events, which Windows
    // component does it and why, and which rules they match.
    let any_rules = u32::MAX >> (32 - app.rules.set.len().clamp(1, 32));
    let routine_lines: Vec<Html> = app
        .rules
        .routine_rows
        .iter()
        .filter_map(|&(class, n)| {
            let p = app.rules.set.routine().pattern(class)?;
            let active = app.table.filter.findings == any_rules && app.table.filter.routine == Some(class);
            let by_rule: Vec<String> = app
                .rules
                .set
                .rules()
                .iter()
                .zip(&app.rules.tallies)
                .filter_map(|(rule, t)| {
                    let k = t.patterns.iter().find(|&&(c, _)| c == class)?.1;
                    Some(format!("{} {k}", rule_title(rule, text.lang)))
                })
                .collect();
            let cb = props.on_action.clone();
            let onclick = Callback::from(move |_: MouseEvent| cb.emit(Action::FilterRoutine(class)));
            Some(html! {
                <li data-pattern={p.id.clone()} data-count={n.to_string()}>
                    <button type="button" class={classes!("link", "routine-line", active.then_some("active"))}
                        aria-pressed={active.to_string()} title={t.routine_show} {onclick}>
                        <span class="count">{ n }</span>{ " " }<strong>{ p.title_in(ja) }</strong>
                    </button>
                    <span class="rules">{ " · " }{ by_rule.join(if ja { "、" } else { " · " }) }</span>
                    <span class="why">{ p.explanation_in(ja) }</span>
                </li>
            })
        })
        .collect();
    let about = app.rules.set.rules().iter().enumerate().map(|(i, rule)| {
        let tally = app.rules.tallies.get(i);
        let accounts = tally
            .map(|t| t.accounts.iter().take(6).collect::<Vec<_>>())
            .unwrap_or_default();
        let last = accounts.len().saturating_sub(1);
        html! {
            <li data-rule={rule.id.clone()}>
                <strong>{ rule_title(rule, text.lang) }</strong>
                { " — " }{ tally.map_or(0, |t| t.total) }{ " " }{ t.matches }
                if let Some(tl) = tally.filter(|tl| tl.routine > 0) {
                    { format!(" ({} {}, {} {})", tl.needs_look(), t.needs_look, tl.routine, t.routine) }
                }
                <p class="why">{ rule_explanation(rule, text.lang) }</p>
                if !accounts.is_empty() {
                    <p class="accounts" data-testid="rule-accounts">
                        { t.by_account }{ " (" }{ t.needs_look }{ "): " }
                        { for accounts.into_iter().enumerate().map(|(k, &(sym, n))| {
                            let cb = props.on_action.clone();
                            let onclick = Callback::from(move |_: MouseEvent| {
                                cb.emit(Action::FilterRule(i));
                                cb.emit(Action::SetAccounts(vec![sym]));
                            });
                            html! {
                                <>
                                    <button type="button" class="link small" {onclick}>
                                        { account_name(&app.store, sym, text) }{ format!(" ({n})") }
                                    </button>
                                    if k < last { <span class="sep">{ if ja { "、" } else { ", " } }</span> }
                                </>
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
    let showing = match app.table.filter.routine {
        _ if app.table.filter.findings == 0 => None,
        Some(0) => Some(t.showing),
        Some(_) => Some(t.showing_routine),
        None => None,
    };
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
            if !routine_lines.is_empty() {
                <ul class="routine-lines" data-testid="routine-lines">{ for routine_lines }</ul>
            }
            if let Some(s) = showing {
                <p class="quiet showing">{ s }</p>
            }
            if let Some(err) = &app.rules.error {
                <p class="error" data-testid="rules-error">{ t.error }{ " " }{ text.lang.catalogue().rule_error(err) }</p>
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
    super::renders::count("RuleEditor");
    let text = props.text;
    let t = &text.rules;
    let app = props.state.get();
    let keys_ref = use_node_ref();
    let from_ref = use_node_ref();
    let to_ref = use_node_ref();
    let offset_ref = use_node_ref();
    let zone_ref = use_node_ref();
    let day_refs: Vec<NodeRef> = (0..7).map(|_| NodeRef::default()).collect();
    let day_refs = use_mut_ref(|| day_refs);
    let json_ref = use_node_ref();
    let routine_account_ref = use_node_ref();
    let routine_key_ref = use_node_ref();
    let routine_note_ref = use_node_ref();
    let routine_op_ref = use_node_ref();
    let error = use_state(|| None::<String>);
    let kept = use_state(|| kept_rules().is_some());

    let current_keys = app
        .rules
        .set
        .rules()
        .iter()
        .find(|r| r.id == rules::SENSITIVE_KEY_RULE)
        .and_then(|r| r.key_names.as_ref())
        .map(|k| k.iter().map(Pattern::text).collect::<Vec<_>>().join("\n"))
        .unwrap_or_default();
    let hours = app
        .rules
        .set
        .rules()
        .iter()
        .find_map(|r| r.outside_hours.clone())
        .unwrap_or_default();
    let file = app.rules.set.file();
    let json = file.to_json();
    // Fields show the rules in use: a new key replaces them when the rules change.
    let stamp = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        json.hash(&mut h);
        h.finish()
    };
    drop(app);

    // Uses `file`: the state compiles it (an error is shown by the panel); kept if asked.
    let apply_file = {
        let cb = props.on_action.clone();
        let state = props.state.clone();
        let kept = kept.clone();
        move |file: RuleFile| {
            cb.emit(Action::SetRules(file));
            let app = state.get();
            if *kept && app.rules.error.is_none() {
                keep(&app.rules.set.file());
            }
        }
    };
    // The rules in use with `change` made to them.
    let change_file = {
        let apply_file = apply_file.clone();
        let state = props.state.clone();
        move |change: &dyn Fn(&mut RuleFile)| {
            let mut file = state.get().rules.set.file();
            change(&mut file);
            apply_file(file);
        }
    };

    // Rules as JSON text (the editor's box or an imported file): used, or the error shown.
    let apply_json = {
        let apply_file = apply_file.clone();
        let error = error.clone();
        let lang = text.lang;
        move |text: &str| match RuleFile::from_json(text) {
            Ok(file) => {
                error.set(None);
                apply_file(file);
            }
            Err(e) => error.set(Some(lang.catalogue().rule_error(&e))),
        }
    };

    let on_apply = {
        let change_file = change_file.clone();
        let (keys_ref, from_ref, to_ref, offset_ref, zone_ref) = (
            keys_ref.clone(),
            from_ref.clone(),
            to_ref.clone(),
            offset_ref.clone(),
            zone_ref.clone(),
        );
        let day_refs = day_refs.clone();
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
                input_value(&zone_ref),
            );
            let Some(hours) = Hours::from_fields(&fields.0, &fields.1, days, &fields.2, &fields.3)
            else {
                error.set(Some(hours_error.into()));
                return;
            };
            error.set(None);
            change_file(&|file| {
                file.rules = rules::with_settings(std::mem::take(&mut file.rules), &keys, &hours);
            });
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
        let apply_file = apply_file.clone();
        Callback::from(move |_: MouseEvent| apply_file(RuleFile::new(presets())))
    };

    let on_export = {
        let state = props.state.clone();
        Callback::from(move |_: MouseEvent| {
            let json = state.get().rules.set.file().to_json();
            download("keytrail-rules.json", "application/json", &json);
        })
    };

    let on_builtin = {
        let change_file = change_file.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let on = input.checked();
                change_file(&|file| file.builtin_routine = on);
            }
        })
    };

    let on_add_routine = {
        let change_file = change_file.clone();
        let refs = (
            routine_account_ref.clone(),
            routine_key_ref.clone(),
            routine_note_ref.clone(),
            routine_op_ref.clone(),
        );
        let error = error.clone();
        let need = t.routine_need;
        Callback::from(move |_: MouseEvent| {
            let (account, key, note) = (
                input_value(&refs.0),
                input_value(&refs.1),
                input_value(&refs.2),
            );
            let op = refs
                .3
                .cast::<web_sys::HtmlSelectElement>()
                .map(|s| s.value())
                .unwrap_or_default();
            let Some(pattern) = RoutinePattern::own(&account, &key, &op, &note) else {
                error.set(Some(need.into()));
                return;
            };
            error.set(None);
            change_file(&|file| {
                let mut p = pattern.clone();
                let n = file.routine.len() + 1;
                p.id = format!("own-{n}");
                while file.routine.iter().any(|q| q.id == p.id) {
                    p.id.push('\'');
                }
                file.routine.push(p);
            });
            for r in [&refs.0, &refs.1, &refs.2] {
                if let Some(i) = r.cast::<HtmlInputElement>() {
                    i.set_value("");
                }
            }
        })
    };
    let own_list = file.routine.iter().enumerate().map(|(i, p)| {
        let change_file = change_file.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            change_file(&|file| {
                if i < file.routine.len() {
                    file.routine.remove(i);
                }
            })
        });
        html! {
            <li data-routine={p.id.clone()}>
                <span>{ p.title_in(text.lang == Lang::Ja) }</span>{ " " }
                <button type="button" class="link small" {onclick}>{ t.remove }</button>
            </li>
        }
    });

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
                keep(&state.get().rules.set.file());
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
                    <label>{ t.time_zone }{ " " }
                        <input ref={zone_ref} type="text" data-testid="time-zone" spellcheck="false"
                            placeholder="Europe/Berlin" value={hours.time_zone.clone().unwrap_or_default()} /></label>
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
            <fieldset class="field routine-editor" data-testid="routine-editor">
                <legend>{ t.routine_heading }</legend>
                <p class="quiet">{ t.routine_intro }</p>
                <label class="keep">
                    <input type="checkbox" data-testid="builtin-routine" checked={file.builtin_routine}
                        onchange={on_builtin} />
                    { t.routine_builtin }
                </label>
                <ul class="own-routine">{ for own_list }</ul>
                <div class="routine-add">
                    <label>{ t.routine_account }{ " " }
                        <input ref={routine_account_ref} type="text" data-testid="routine-account"
                            placeholder="CONTOSO\\svc-backup" /></label>
                    <label>{ t.routine_key }{ " " }
                        <input ref={routine_key_ref} type="text" data-testid="routine-key"
                            placeholder="Backup-Key-*" /></label>
                    <label>{ t.routine_operation }{ " " }
                        <select ref={routine_op_ref} data-testid="routine-operation">
                            <option value="%%2464" selected=true>{ t.routine_export }</option>
                            <option value="">{ t.routine_any_operation }</option>
                        </select></label>
                    <label>{ t.routine_note }{ " " }
                        <input ref={routine_note_ref} type="text" data-testid="routine-note" /></label>
                    <button type="button" class="button secondary" data-testid="add-routine"
                        onclick={on_add_routine}>{ t.routine_add }</button>
                </div>
            </fieldset>
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

/// The detail pane's findings for row `index`: every rule it matches, with the reason; the
/// routine pattern it is, if any; and the other half of its probe-then-create pair, as a link.
pub fn row_findings(
    text: &'static Text,
    app: &AppState,
    index: u32,
    on_action: &Callback<Action>,
) -> Html {
    let t = &text.rules;
    let ja = text.lang == Lang::Ja;
    let i = index as usize;
    let row = &app.store.rows[i];
    let subject = RowSubject {
        row,
        store: &app.store,
    };
    let matches = app.rules.set.matches(&subject);
    let routine = app.rules.set.routine().pattern(app.store.routine_of(i));
    let pair = app.store.pair_of(i).map(|p| {
        let other = &app.store.rows[p];
        let probe = other.outcome.get() == Some(crate::decoder::view::Outcome::Failure);
        let seconds = match (row.time(), other.time()) {
            (Some(a), Some(b)) => format!(" ({:+.1} s)", (b - a) as f64 / 1e9),
            _ => String::new(),
        };
        let cb = on_action.clone();
        let to = p as u32;
        let onclick = Callback::from(move |_: MouseEvent| cb.emit(Action::SelectRow(to)));
        html! {
            <p class="pair" data-testid="detail-pair">
                <button type="button" class="link" {onclick}>
                    { if probe { t.pair_probe } else { t.pair_create } }
                    { format!(" — {} {}{seconds}", other.event_id, event_time(other)) }
                </button>
            </p>
        }
    });
    if matches.is_empty() && routine.is_none() && pair.is_none() {
        return Html::default();
    }
    html! {
        <section class="detail-findings" data-testid="detail-findings">
            <h4>{ t.detail_findings }</h4>
            if let Some(p) = routine {
                <p class="routine" data-testid="detail-routine" data-pattern={p.id.clone()}>
                    <strong>{ t.routine_is }{ " " }{ p.title_in(ja) }</strong>
                    <span class="note">{ " " }{ p.explanation_in(ja) }</span>
                </p>
            }
            { pair.unwrap_or_default() }
            <ul>
                { for matches.iter().map(|m| html! {
                    <li data-rule={m.rule.id.clone()}>
                        <strong>{ rule_title(m.rule, text.lang) }</strong>
                        <div class="reason">{ visible(&reason_in(text.lang, &m.reason)).into_owned() }</div>
                        <div class="note">{ rule_explanation(m.rule, text.lang) }</div>
                    </li>
                }) }
            </ul>
        </section>
    }
}

/// A row's time to the second, UTC.
fn event_time(row: &Row) -> String {
    row.time()
        .map(|t| crate::decoder::Timestamp(t).to_string())
        .unwrap_or_default()
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

pub(crate) fn logon_type_label(s: &Session) -> String {
    match (s.logon_type, s.logon_type_name.as_deref()) {
        (Some(n), Some(name)) => format!("{n} {name}"),
        (Some(n), None) => n.to_string(),
        _ => "-".into(),
    }
}

/// Reads rules kept in `localStorage`, if the user chose to keep some.
/// Rules kept by an earlier version (a bare array of rules) are read too.
pub fn kept_rules() -> Option<RuleFile> {
    let json = super::setting::<serde_json::Value>(RULES_KEY)?;
    RuleFile::from_json(&json.to_string()).ok()
}
