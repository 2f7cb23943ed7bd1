use yew::prelude::*;

use super::findings::{logon_type_label, or_dash, row_findings, time_text};
use super::{copy_text, Shared};
use crate::model::session::Session;
use crate::text::explain;
use crate::text::{code_in, event_label, event_name, visible, RuleText, Text};
use crate::web::protocol::{Detail, FieldLine, SessionLink};
use crate::web::state::{Action, AppState, DetailState};

/// Props of [`DetailPane`].
#[derive(Properties, PartialEq)]
pub struct DetailPaneProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
    /// Called to close the pane.
    pub on_action: Callback<Action>,
}

/// Every field of a detail as `name: raw (decoded)` lines.
pub fn fields_text(detail: &Detail) -> String {
    let mut out = String::new();
    for f in detail.system.iter().chain(&detail.fields) {
        if f.raw.is_empty() {
            continue;
        }
        out.push_str(&f.name);
        out.push_str(": ");
        out.push_str(&f.raw);
        if let Some(d) = &f.decoded {
            out.push_str(" (");
            out.push_str(d);
            out.push(')');
        }
        out.push('\n');
    }
    out
}

/// A decoded value in the language shown: a `%%NNNN` code (`raw`) in the language's word, with
/// Windows' English beside it; a key algorithm in keytrail's words of the language; anything
/// else as decoded.
fn decoded_text(text: &Text, name: &str, raw: &str, decoded: &str) -> String {
    let shown = visible(decoded);
    if name == "AlgorithmName" {
        if let Some(what) = text.lang.catalogue().algorithm(raw) {
            return what;
        }
    }
    match code_in(text.lang, raw) {
        Some(word) => format!("{word} ({shown})"),
        None => shown.into_owned(),
    }
}

/// A table of fields: name, value (as logged, decoded, what it means) and a copy button; `copied`
/// is told what was copied.
fn field_table(
    text: &'static Text,
    testid: &'static str,
    fields: &[FieldLine],
    skip_empty: bool,
    copied: &Callback<String>,
) -> Html {
    html! {
        <table class="fields" data-testid={testid}>
            <thead class="visually-hidden">
                <tr>
                    <th scope="col">{ text.field }</th>
                    <th scope="col">{ format!("{} · {} · {}", text.raw, text.decoded, text.meaning) }</th>
                    <th scope="col">{ text.copy }</th>
                </tr>
            </thead>
            { field_rows(text, fields, skip_empty, copied) }
        </table>
    }
}

fn field_rows(
    text: &'static Text,
    fields: &[FieldLine],
    skip_empty: bool,
    copied: &Callback<String>,
) -> Html {
    html! {
        <tbody>
            { for fields.iter().filter(|f| !skip_empty || !f.raw.is_empty()).map(|f| {
                let note = explain::field(&f.name).map(|n| n.get(text.lang));
                // The event's name, in the page's language (the worker sends none).
                let name = (f.name == "EventID")
                    .then(|| f.raw.trim().parse().ok().and_then(|id| event_name(text.lang, id)))
                    .flatten()
                    .map(str::to_string);
                let decoded = name.as_ref().or(f.decoded.as_ref());
                let raw = f.raw.clone();
                let done = copied.reform({
                    let name = f.name.clone();
                    move |()| name.clone()
                });
                let onclick = Callback::from(move |_: MouseEvent| copy_text(&raw, done.clone()));
                html! {
                    <tr data-field={f.name.clone()}>
                        <th scope="row" class="name">{ &f.name }</th>
                        <td class="value">
                            <code class="raw">{ visible(&f.raw).into_owned() }</code>
                            if let Some(d) = decoded {
                                if d != &f.raw {
                                    <div class="decoded">{ decoded_text(text, &f.name, &f.raw, d) }</div>
                                }
                            }
                            if let Some(note) = note {
                                <div class="note">{ note }</div>
                            }
                        </td>
                        <td class="copy">
                            <button type="button" class="link small" title={format!("{} {}", text.copy, f.name)}
                                {onclick}>{ text.copy }</button>
                        </td>
                    </tr>
                }
            }) }
        </tbody>
    }
}

fn selected_findings(text: &'static Text, app: &AppState, on_action: &Callback<Action>) -> Html {
    match app.table.selected {
        Some(i) if (i as usize) < app.store.rows.len() => row_findings(text, app, i, on_action),
        _ => Html::default(),
    }
}

/// The selected event, decoded again by the worker: every field raw and decoded, explained,
/// Windows' own rendering, the raw XML, copy buttons.
#[component]
pub fn DetailPane(props: &DetailPaneProps) -> Html {
    super::renders::count("DetailPane");
    let text = props.text;
    let app = props.state.get();
    let on_close = {
        let cb = props.on_action.clone();
        Callback::from(move |_: MouseEvent| cb.emit(Action::CloseDetail))
    };
    // What was last put on the clipboard, said in a status line (read out by screen readers).
    let copied = use_state(|| None::<String>);
    let on_copied = {
        let copied = copied.clone();
        Callback::from(move |what: String| copied.set(Some(what)))
    };
    // Another event: nothing of it was copied yet.
    let token = match &app.detail.content {
        Some(DetailState::Ready(detail)) => Some(detail.token),
        _ => None,
    };
    {
        let copied = copied.clone();
        use_effect_with(token, move |_| copied.set(None));
    }
    let body = match &app.detail.content {
        None => html! { <p class="quiet">{ text.select_hint }</p> },
        Some(DetailState::Loading { .. }) => html! { <p class="quiet">{ text.loading }</p> },
        Some(DetailState::Ready(detail)) => {
            let note = explain::event(detail.event_id);
            // The texts to copy are made on a click, from the detail then shown, not at every
            // drawing.
            let copy = |what: &'static str, make: fn(&Detail) -> String| {
                let state = props.state.clone();
                let done = on_copied.reform(move |()| what.to_string());
                Callback::from(move |_: MouseEvent| {
                    if let Some(DetailState::Ready(detail)) = &state.get().detail.content {
                        copy_text(&make(detail), done.clone());
                    }
                })
            };
            let copy_xml = copy(text.raw_xml, |d| d.xml.clone());
            let copy_fields = copy(text.event_fields, fields_text);
            html! {
                <>
                    <h3 class="event-name" data-testid="detail-event">
                        { event_label(text.lang, detail.event_id) }
                    </h3>
                    if let Some(error) = &detail.error {
                        <p class="error">{ text.lang.catalogue().detail_error(error) }</p>
                    }
                    if let Some(note) = note {
                        <p class="summary">{ note.summary.get(text.lang) }</p>
                    }
                    { selected_findings(text, &app, &props.on_action) }
                    { session_section(text, detail.session.as_ref(), app.load.busy()) }
                    <div class="actions">
                        <button type="button" class="button secondary" data-testid="copy-fields"
                            onclick={copy_fields}>{ text.copy_fields }</button>
                        <button type="button" class="button secondary" data-testid="copy-xml"
                            onclick={copy_xml}>{ text.copy_xml }</button>
                        <span class="quiet copied" role="status" data-testid="copied">
                            if let Some(what) = &*copied {
                                { text.copied }{ ": " }{ what }
                            }
                        </span>
                    </div>
                    <h4>{ text.event_fields }</h4>
                    { field_table(text, "detail-fields", &detail.fields, false, &on_copied) }
                    if let Some(note) = note {
                        <details class="advice" open=true>
                            <summary>{ text.monitoring }</summary>
                            <ul>
                                { for note.advice.iter().map(|a| html! { <li>{ a.get(text.lang) }</li> }) }
                            </ul>
                        </details>
                    }
                    <h4>{ text.system_fields }</h4>
                    { field_table(text, "detail-system", &detail.system, true, &on_copied) }
                    if !detail.rendering.is_empty() {
                        <h4>{ text.rendering_info }{ " " }<span class="quiet">{ &detail.culture }</span></h4>
                        <dl class="rendering">
                            { for detail.rendering.iter().map(|(n, v)| html! {
                                <><dt>{ n }</dt><dd>{ visible(v).into_owned() }</dd></>
                            }) }
                        </dl>
                    }
                    <h4>{ text.raw_xml }</h4>
                    <pre class="xml" data-testid="detail-xml">{ visible(&detail.xml).into_owned() }</pre>
                </>
            }
        }
    };
    html! {
        <aside class="detail" data-testid="event-detail" aria-label={text.detail}>
            <header>
                <h2>{ text.detail }</h2>
                <button type="button" class="icon" data-testid="close-detail"
                    title={text.close} aria-label={text.close} onclick={on_close}>{ "✕" }</button>
            </header>
            <div class="detail-body">{ body }</div>
        </aside>
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

/// A logon session's fields, as a definition list.
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
