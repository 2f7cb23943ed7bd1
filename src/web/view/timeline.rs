//! An account's logon sessions on a timeline, with its key events as ticks on the session they
//! ran in.

use yew::prelude::*;

use super::account_name;
use super::findings::{logon_type_label, or_dash, time_text, FindingsProps};
use crate::model::chart::fit_label;
use crate::model::session::{timeline_layout, Fold, Session, Tick};
use crate::text::{RuleText, Text};

/// Lanes shown at most; the other sessions fold by logon type.
const LANES: usize = 24;
/// Lanes shown at most in an opened fold.
const FOLD_LANES: usize = 300;
/// The most key events drawn on a timeline.
const MAX_TICKS: usize = 5_000;
const TL_WIDTH: f64 = 1200.0;
const TL_LABEL: f64 = 240.0;
const TL_ROW: f64 = 20.0;
/// Where the time axis ends.
const TL_RIGHT: f64 = TL_WIDTH - 10.0;
/// Where lane labels start (left-aligned, so a long label never loses its start).
const TL_LABEL_X: f64 = 4.0;
/// The font size of lane labels (`.timeline-svg .label`), in pixels.
const TL_FONT_PX: f64 = 11.0;
/// The length of the arrow ending a session with no logoff.
const ARROW: f64 = 8.0;

/// The logon sessions of the one account the table is filtered to, as bars from logon to
/// logoff, with that account's key events as ticks on the session they ran in.
#[component]
pub fn SessionTimeline(props: &FindingsProps) -> Html {
    super::renders::count("SessionTimeline");
    let text = props.text;
    let t = &text.rules;
    let app = props.state.get();
    let Some(tl) = &app.charts.timeline else {
        return html! {
            <figure class="chart timeline" data-testid="session-timeline">
                <figcaption>{ t.timeline.trim_end_matches(':') }</figcaption>
                <p class="quiet">{ t.timeline_hint }</p>
            </figure>
        };
    };
    let account = account_name(&app.store, tl.account, text);
    let body = match &tl.sessions {
        None => html! { <p class="quiet">{ text.loading }</p> },
        Some(list) if list.is_empty() => html! { <p class="quiet">{ t.timeline_empty }</p> },
        Some(list) => timeline_svg(text, list, &tl.ticks),
    };
    html! {
        <figure class="chart timeline" data-testid="session-timeline" data-account={account.clone()}>
            <figcaption>{ t.timeline }{ " " }<strong>{ account }</strong></figcaption>
            { body }
        </figure>
    }
}

/// `pattern` with `{n}` replaced by `n`.
fn counted(pattern: &str, n: usize) -> String {
    pattern.replace("{n}", &n.to_string())
}

/// `Service (5)`: a fold's logon type, named when the 4624 said.
fn fold_title(t: &RuleText, fold: &Fold) -> String {
    match (fold.logon_type, fold.logon_type_name.as_deref()) {
        (Some(n), Some(name)) => format!("{name} ({n})"),
        (Some(n), None) => format!("{} {n}", t.logon_type),
        (None, _) => t.timeline_unknown_type.to_string(),
    }
}

/// One line for a fold: `Service (5): 220 sessions · 220 with no logoff in this export`.
pub(crate) fn fold_summary(t: &RuleText, fold: &Fold) -> String {
    let n = fold.sessions.len();
    let mut line = format!(
        "{}: {}",
        fold_title(t, fold),
        counted(t.timeline_sessions[usize::from(n != 1)], n)
    );
    if fold.key_sessions > 0 {
        line.push_str(" · ");
        line.push_str(&counted(t.timeline_key_sessions, fold.key_sessions));
    }
    if fold.open > 0 {
        line.push_str(" · ");
        line.push_str(&counted(t.timeline_open, fold.open));
    }
    line
}

/// The time range a timeline spans, and where an instant falls on it.
#[derive(Clone, Copy)]
struct Scale {
    lo: i64,
    hi: i64,
}

impl Scale {
    fn x(self, ns: i64) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let span = (self.hi - self.lo).max(60_000_000_000) as f64;
        #[allow(clippy::cast_precision_loss)]
        let offset = (ns - self.lo) as f64;
        TL_LABEL + offset / span * (TL_RIGHT - TL_LABEL)
    }
}

fn timeline_svg(text: &'static Text, all: &[Session], all_ticks: &[Tick]) -> Html {
    let t = &text.rules;
    let layout = timeline_layout(all, all_ticks, LANES);
    // One time scale for the lanes and the folds, over every session and key event.
    let times = all
        .iter()
        .flat_map(|s| [s.logon_time, s.logoff_time])
        .flatten()
        .chain(all_ticks.iter().map(|k| k.time));
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    if lo > hi {
        return html! { <p class="quiet">{ t.timeline_empty }</p> };
    }
    let scale = Scale { lo, hi };
    let lanes: Vec<usize> = layout.lanes.iter().map(|l| l.session).collect();
    let any_open = all.iter().any(|s| s.logoff_time.is_none());
    let folds = layout.folds.iter().map(|fold| {
        let shown = &fold.sessions[..fold.sessions.len().min(FOLD_LANES)];
        html! {
            <details class="session-fold" data-testid="session-fold"
                data-logon-type={fold.logon_type.map(|n| n.to_string()).unwrap_or_default()}
                data-sessions={fold.sessions.len().to_string()} data-open={fold.open.to_string()}>
                <summary>{ fold_summary(t, fold) }</summary>
                { lanes_svg(text, all, shown, all_ticks, scale) }
                if fold.sessions.len() > shown.len() {
                    <p class="quiet">{ format!("+{} …", fold.sessions.len() - shown.len()) }</p>
                }
            </details>
        }
    });
    html! {
        <>
            if !lanes.is_empty() {
                { lanes_svg(text, all, &lanes, all_ticks, scale) }
            }
            if !layout.folds.is_empty() {
                <div class="session-folds">
                    <p class="quiet">{ t.timeline_folded }</p>
                    { for folds }
                </div>
            }
            <p class="legend">
                <span class="swatch session-bar"></span>{ " " }{ t.session }{ "  " }
                if any_open {
                    <span class="swatch session-bar open"></span>{ " " }{ t.no_logoff }{ "  " }
                }
                <span class="swatch key-tick"></span>{ " " }{ t.key_event }
            </p>
        </>
    }
}

/// The sessions `rows` (indices into `all`) as lanes, top to bottom, with their key events.
fn lanes_svg(
    text: &'static Text,
    all: &[Session],
    rows: &[usize],
    all_ticks: &[Tick],
    scale: Scale,
) -> Html {
    let t = &text.rules;
    let mut row_of = vec![None; all.len()];
    for (row, &i) in rows.iter().enumerate() {
        if let Some(slot) = row_of.get_mut(i) {
            *slot = Some(row);
        }
    }
    // Key events of the account, on their session's lane (as worked out when the sessions came).
    let keys: Vec<(usize, i64, bool)> = all_ticks
        .iter()
        .filter_map(|k| Some((row_of.get(k.session).copied().flatten()?, k.time, k.failed)))
        .take(MAX_TICKS)
        .collect();
    let x = |ns: i64| scale.x(ns);
    #[allow(clippy::cast_precision_loss)]
    let height = rows.len() as f64 * TL_ROW + 34.0;
    #[allow(clippy::cast_precision_loss)]
    let label_room = (TL_LABEL - 10.0 - TL_LABEL_X) / TL_FONT_PX;
    let lanes = rows.iter().enumerate().filter_map(|(row, &i)| {
        let s = all.get(i)?;
        #[allow(clippy::cast_precision_loss)]
        let y = row as f64 * TL_ROW + 4.0;
        let start = x(s.logon_time.unwrap_or(scale.lo));
        let open = s.logoff_time.is_none();
        // A session with no logoff runs on to the right edge, where an arrow says it goes on.
        let end = if open {
            TL_RIGHT - ARROW
        } else {
            x(s.logoff_time.unwrap_or(scale.hi))
        };
        let host = s.computer.split('.').next().unwrap_or(&s.computer);
        let label = format!("{host} · {}", logon_type_label(s));
        let tip = format!(
            "{} 0x{:x} · {}\n{}: {}\n{}: {}\n{}: {}\n{}: {}",
            s.computer,
            s.logon_id,
            logon_type_label(s),
            t.ip,
            or_dash(&s.ip_address),
            t.logon_time,
            time_text(s.logon_time),
            t.logoff_time,
            s.logoff_time
                .map_or_else(|| t.no_logoff.to_string(), |o| time_text(Some(o))),
            t.privileges,
            if s.privileges.is_empty() { t.no_privileges.to_string() } else { s.privileges.join(", ") },
        );
        let bar_y = y + 3.0;
        Some(html! {
            <g class="lane" data-testid="session-lane" data-open={open.to_string()}>
                <text x={format!("{TL_LABEL_X:.1}")} y={format!("{:.1}", y + 12.0)} class="label" text-anchor="start">
                    { fit_label(&label, label_room).into_owned() }<title>{ label.clone() }</title>
                </text>
                <rect x={format!("{start:.1}")} y={format!("{bar_y:.1}")} width={format!("{:.1}", (end - start).max(2.0))}
                    height="12" class={classes!("session-bar", open.then_some("open"), (!s.privileges.is_empty()).then_some("privileged"))}>
                    <title>{ tip.clone() }</title>
                </rect>
                if open {
                    <path class="open-end" d={format!("M{:.1} {:.1} l{ARROW:.1} 6 l-{ARROW:.1} 6 z", TL_RIGHT - ARROW, bar_y)}>
                        <title>{ t.no_logoff }</title>
                    </path>
                    <text class="open-note" x={format!("{:.1}", TL_RIGHT - ARROW - 4.0)} y={format!("{:.1}", y + 12.0)}
                        text-anchor="end">{ t.no_logoff }</text>
                }
            </g>
        })
    });
    let ticks = keys.iter().map(|&(lane, time, failed)| {
        #[allow(clippy::cast_precision_loss)]
        let y = lane as f64 * TL_ROW + 4.0;
        let cx = x(time);
        html! {
            <line x1={format!("{cx:.1}")} x2={format!("{cx:.1}")} y1={format!("{:.1}", y + 1.0)} y2={format!("{:.1}", y + 17.0)}
                class={classes!("key-tick", failed.then_some("failed"))}>
                <title>{ format!("{} {}", t.key_event, time_text(Some(time))) }</title>
            </line>
        }
    });
    let axis_y = height - 14.0;
    html! {
        <svg class="timeline-svg" viewBox={format!("0 0 {TL_WIDTH} {height:.0}")} role="img"
            aria-label={t.timeline}>
            { for lanes }
            { for ticks }
            <line x1={format!("{TL_LABEL:.1}")} x2={format!("{TL_RIGHT:.1}")}
                y1={format!("{:.1}", axis_y - 6.0)} y2={format!("{:.1}", axis_y - 6.0)} class="axis" />
            <text x={format!("{TL_LABEL:.1}")} y={format!("{axis_y:.1}")} class="tick" dy="10">{ time_text(Some(scale.lo)) }</text>
            <text x={format!("{TL_RIGHT:.1}")} y={format!("{axis_y:.1}")} class="tick" dy="10" text-anchor="end">{ time_text(Some(scale.hi)) }</text>
        </svg>
    }
}
