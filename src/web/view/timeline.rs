//! An account's logon sessions on a timeline, with its key events as ticks on the session they
//! ran in.

use yew::prelude::*;

use super::account_name;
use super::findings::{logon_type_label, or_dash, time_text, FindingsProps};
use crate::model::session::{Session, Tick};
use crate::web::text::Text;

/// Lanes shown at most; older sessions are summarised.
const LANES: usize = 24;
/// The most key events drawn on a timeline.
const MAX_TICKS: usize = 5_000;
const TL_WIDTH: f64 = 1200.0;
const TL_LABEL: f64 = 240.0;
const TL_ROW: f64 = 20.0;

/// The logon sessions of the one account the table is filtered to, as bars from logon to
/// logoff, with that account's key events as ticks on the session they ran in.
#[component]
pub fn SessionTimeline(props: &FindingsProps) -> Html {
    let text = props.text;
    let t = &text.rules;
    let app = props.state.get();
    let Some(tl) = &app.timeline else {
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

fn timeline_svg(text: &'static Text, all: &[Session], all_ticks: &[Tick]) -> Html {
    let t = &text.rules;
    let first = all.len().saturating_sub(LANES);
    let shown = &all[first..];
    // Key events of the account, on their session's lane (as worked out when the sessions came).
    let keys: Vec<(usize, i64, bool)> = all_ticks
        .iter()
        .filter(|k| k.session >= first)
        .take(MAX_TICKS)
        .map(|k| (k.session - first, k.time, k.failed))
        .collect();
    let times = shown
        .iter()
        .flat_map(|s| [s.logon_time, s.logoff_time])
        .flatten()
        .chain(keys.iter().map(|k| k.1));
    let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    if lo > hi {
        return html! { <p class="quiet">{ t.timeline_empty }</p> };
    }
    #[allow(clippy::cast_precision_loss)]
    let span = (hi - lo).max(60_000_000_000) as f64;
    #[allow(clippy::cast_precision_loss)]
    let x = |ns: i64| TL_LABEL + (ns - lo) as f64 / span * (TL_WIDTH - TL_LABEL - 10.0);
    #[allow(clippy::cast_precision_loss)]
    let height = shown.len() as f64 * TL_ROW + 34.0;
    let lanes = shown.iter().enumerate().map(|(i, s)| {
        #[allow(clippy::cast_precision_loss)]
        let y = i as f64 * TL_ROW + 4.0;
        let start = x(s.logon_time.unwrap_or(lo));
        let end = x(s.logoff_time.unwrap_or(hi));
        let open = s.logoff_time.is_none();
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
        html! {
            <g class="lane" data-testid="session-lane">
                <text x={format!("{:.1}", TL_LABEL - 6.0)} y={format!("{:.1}", y + 12.0)} class="label" text-anchor="end">{ label }</text>
                <rect x={format!("{start:.1}")} y={format!("{:.1}", y + 3.0)} width={format!("{:.1}", (end - start).max(2.0))}
                    height="12" class={classes!("session-bar", open.then_some("open"), (!s.privileges.is_empty()).then_some("privileged"))}>
                    <title>{ tip }</title>
                </rect>
            </g>
        }
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
        <>
            if all.len() > shown.len() {
                <p class="quiet">{ format!("+{} …", all.len() - shown.len()) }</p>
            }
            <svg class="timeline-svg" viewBox={format!("0 0 {TL_WIDTH} {height:.0}")} role="img"
                aria-label={t.timeline}>
                { for lanes }
                { for ticks }
                <line x1={format!("{TL_LABEL:.1}")} x2={format!("{:.1}", TL_WIDTH - 10.0)}
                    y1={format!("{:.1}", axis_y - 6.0)} y2={format!("{:.1}", axis_y - 6.0)} class="axis" />
                <text x={format!("{TL_LABEL:.1}")} y={format!("{axis_y:.1}")} class="tick" dy="10">{ time_text(Some(lo)) }</text>
                <text x={format!("{:.1}", TL_WIDTH - 10.0)} y={format!("{axis_y:.1}")} class="tick" dy="10" text-anchor="end">{ time_text(Some(hi)) }</text>
            </svg>
            <p class="legend">
                <span class="swatch session-bar"></span>{ " " }{ t.session }{ "  " }
                <span class="swatch key-tick"></span>{ " " }{ t.key_event }
            </p>
        </>
    }
}
