use yew::prelude::*;

use super::{account_name, minute_text, Shared};
use crate::decoder::view::OperationKind;
use crate::decoder::view::Outcome;
use crate::model::chart::{fit_label, DAY, HOUR, MINUTE, WEEK};
use crate::model::store::Sym;
use crate::text::{value_in, Text};
use crate::web::state::Action;

/// Props of [`AccountChart`] and [`ActivityChart`].
#[derive(Properties, PartialEq)]
pub struct ChartProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The page state.
    pub state: Shared,
    /// Called when an account is clicked.
    pub on_action: Callback<Action>,
}

/// Colours for operations (`op0`…`op7` in the style sheet).
const PALETTE: usize = 8;
/// Colours for activity series (`s0`…`s5`).
const SERIES: usize = 6;

const WIDTH: i64 = 760;
const LABEL: i64 = 200;
/// Where account names start (left-aligned, so the start of a long name is never cut off).
const LABEL_X: i64 = 4;
/// The font size of chart text (`.chart svg` in the style sheet), in pixels.
const FONT_PX: f64 = 11.0;
const ROW: i64 = 22;
const TOP: i64 = 6;
const AXIS: i64 = 40;

fn fmt_f(x: f64) -> String {
    format!("{x:.1}")
}

/// The colour family of an operation (as logged or in words), in [`OperationKind`] order:
/// 0 import, 1 read from file, 2 create/delete, 3 write to file, 4 export, 5 open, 6 use of the
/// key, 7 anything else.
pub fn family(operation: &str) -> usize {
    OperationKind::of(operation) as usize
}

/// Per account, its key operations as one stacked bar split by operation and outcome; a
/// click on the name or the bar filters the table to that account.
#[component]
pub fn AccountChart(props: &ChartProps) -> Html {
    super::renders::count("AccountChart");
    let text = props.text;
    let app = props.state.get();
    let bars = &app.charts.bars;
    if bars.is_empty() {
        return html! {
            <figure class="chart" data-testid="account-chart">
                <figcaption>{ text.chart_accounts }</figcaption>
                <p class="quiet">{ text.chart_empty }</p>
            </figure>
        };
    }
    // One colour per kind of operation (see `family`), legend in name order.
    let mut operations: Vec<Sym> = bars
        .iter()
        .flat_map(|b| b.segments.iter().map(|s| s.operation))
        .collect();
    operations.sort_by(|a, b| {
        crate::model::query::compare_text(app.store.str(*a), app.store.str(*b)).then(a.cmp(b))
    });
    operations.dedup();
    let colour = |op: Sym| format!("op{}", family(app.store.str(op)) % PALETTE);
    let max = bars.iter().map(|b| b.total).max().unwrap_or(1).max(1);
    let plot = WIDTH - LABEL - 50;
    #[allow(clippy::cast_precision_loss)]
    let scale = |n: u64| n as f64 * plot as f64 / max as f64;
    let n = i64::try_from(bars.len()).unwrap_or(0);
    let height = TOP + n * ROW + AXIS;
    let selected = &app.table.filter.accounts;
    // Names fit between the left edge and the bars, shortened with a `…` when they do not.
    #[allow(clippy::cast_precision_loss)]
    let label_room = (LABEL - 8 - LABEL_X) as f64 / FONT_PX;
    let rows = bars.iter().enumerate().map(|(i, bar)| {
        let y = TOP + i64::try_from(i).unwrap_or(0) * ROW;
        let name = account_name(&app.store, bar.account, text);
        let onclick = {
            let cb = props.on_action.clone();
            let account = bar.account;
            Callback::from(move |_: MouseEvent| cb.emit(Action::ToggleAccount(account)))
        };
        // A bar is a button from the keyboard too: Tab to it, Enter or Space toggles the filter.
        let onkeydown = {
            let cb = props.on_action.clone();
            let account = bar.account;
            Callback::from(move |e: KeyboardEvent| {
                if matches!(e.key().as_str(), "Enter" | " ") {
                    e.prevent_default();
                    cb.emit(Action::ToggleAccount(account));
                }
            })
        };
        let is_selected = selected.contains(&bar.account);
        let mut x = f64::from(i32::try_from(LABEL).unwrap_or(0));
        let segments = bar.segments.iter().map(|s| {
            let w = scale(s.count);
            let x0 = x;
            x += w;
            let failure = s.outcome == Some(Outcome::Failure);
            let outcome = text.outcome(s.outcome);
            let tip = format!(
                "{name}\n{}: {} ({outcome})",
                value_in(text.lang, app.store.str(s.operation)),
                s.count
            );
            html! {
                <g class="segment">
                    <rect class={classes!("seg", colour(s.operation))} x={fmt_f(x0)} y={(y + 3).to_string()}
                        width={fmt_f(w.max(0.5))} height={(ROW - 6).to_string()}>
                        <title>{ tip.clone() }</title>
                    </rect>
                    if failure {
                        <rect class="hatch" x={fmt_f(x0)} y={(y + 3).to_string()} width={fmt_f(w.max(0.5))}
                            height={(ROW - 6).to_string()} fill="url(#kt-hatch)">
                            <title>{ tip }</title>
                        </rect>
                    }
                </g>
            }
        });
        html! {
            <g class={classes!("bar", is_selected.then_some("selected"))} data-account={name.to_string()}
                data-total={bar.total.to_string()} {onclick} {onkeydown} role="button" tabindex="0"
                aria-pressed={is_selected.to_string()} aria-label={format!("{name}: {}", bar.total)}>
                <rect class="hit" x="0" y={y.to_string()} width={WIDTH.to_string()} height={ROW.to_string()} />
                <text class="label" x={LABEL_X.to_string()} y={(y + ROW / 2 + 4).to_string()}
                    text-anchor="start">{ fit_label(&name, label_room).into_owned() }<title>{ format!("{name}: {}", bar.total) }</title></text>
                { for segments }
                <text class="total" x={fmt_f(x + 6.0)} y={(y + ROW / 2 + 4).to_string()}>{ bar.total }</text>
            </g>
        }
    });
    let axis_y = TOP + n * ROW + 4;
    let ticks = [0, max / 2, max].map(|t| {
        #[allow(clippy::cast_precision_loss)]
        let x = LABEL as f64 + scale(t);
        html! {
            <g class="tick">
                <line x1={fmt_f(x)} x2={fmt_f(x)} y1={axis_y.to_string()} y2={(axis_y + 4).to_string()} />
                <text x={fmt_f(x)} y={(axis_y + 15).to_string()} text-anchor="middle">{ t }</text>
            </g>
        }
    });
    html! {
        <figure class="chart" data-testid="account-chart">
            <figcaption>{ text.chart_accounts }</figcaption>
            // A group, not an image: its bars are buttons a screen reader reaches, each named in full.
            <svg viewBox={format!("0 0 {WIDTH} {height}")} width={WIDTH.to_string()} height={height.to_string()}
                role="group" aria-label={text.chart_accounts}>
                <defs>
                    <pattern id="kt-hatch" width="6" height="6" patternUnits="userSpaceOnUse"
                        patternTransform="rotate(45)">
                        <line class="hatch-line" x1="0" y1="0" x2="0" y2="6" stroke-width="3" />
                    </pattern>
                </defs>
                { for rows }
                <line class="axis" x1={LABEL.to_string()} x2={(LABEL + plot).to_string()}
                    y1={axis_y.to_string()} y2={axis_y.to_string()} />
                { for ticks }
                <text class="axis-label" x={(LABEL + plot / 2).to_string()} y={(axis_y + 32).to_string()}
                    text-anchor="middle">{ text.axis_key_events }</text>
            </svg>
            <ul class="legend">
                { for operations.iter().map(|&op| html! {
                    <li><svg width="12" height="12"><rect class={classes!("seg", colour(op))} width="12" height="12" /></svg>
                        { value_in(text.lang, app.store.str(op)).to_string() }</li>
                }) }
                <li><svg width="12" height="12"><rect class="seg swatch-neutral" width="12" height="12" />
                    <rect width="12" height="12" fill="url(#kt-hatch)" /></svg>{ text.failure_legend }</li>
            </ul>
            <p class="hint">{ text.chart_hint }</p>
        </figure>
    }
}

/// A bucket size for people, in `text`'s units: `5 min`, `1 h`, `1 d`, `2 w` (`5 分`…).
pub fn bucket_label(text: &Text, ns: i64) -> String {
    let [week, day, hour, minute] = text.units;
    if ns >= WEEK && ns % WEEK == 0 {
        format!("{} {week}", ns / WEEK)
    } else if ns >= DAY && ns % DAY == 0 {
        format!("{} {day}", ns / DAY)
    } else if ns >= HOUR && ns % HOUR == 0 {
        format!("{} {hour}", ns / HOUR)
    } else {
        format!("{} {minute}", (ns / MINUTE).max(1))
    }
}

/// Events over time for the accounts chosen in the filter (else the three busiest), one line
/// per account.
#[component]
pub fn ActivityChart(props: &ChartProps) -> Html {
    super::renders::count("ActivityChart");
    let text = props.text;
    let app = props.state.get();
    let Some(activity) = app.charts.activity.as_ref().filter(|a| {
        a.series
            .first()
            .is_some_and(|(_, counts)| !counts.is_empty())
    }) else {
        return html! {};
    };
    let buckets = activity.series.first().map_or(0, |(_, c)| c.len());
    let max = activity
        .series
        .iter()
        .flat_map(|(_, c)| c.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    let (left, right, top, plot_h) = (50.0_f64, 20.0_f64, 8.0_f64, 150.0_f64);
    #[allow(clippy::cast_precision_loss)]
    let plot_w = WIDTH as f64 - left - right;
    #[allow(clippy::cast_precision_loss)]
    let x_of = |i: usize| left + plot_w * (i as f64 + 0.5) / buckets.max(1) as f64;
    #[allow(clippy::cast_precision_loss)]
    let y_of = |n: u64| top + plot_h - plot_h * n as f64 / max as f64;
    let bottom = top + plot_h;
    let end = activity.start.saturating_add(
        activity
            .bucket_ns
            .saturating_mul(i64::try_from(buckets).unwrap_or(0)),
    );
    let lines = activity.series.iter().enumerate().map(|(k, (account, counts))| {
        let points: Vec<String> = counts
            .iter()
            .enumerate()
            .map(|(i, &c)| format!("{},{}", fmt_f(x_of(i)), fmt_f(y_of(c))))
            .collect();
        let name = account_name(&app.store, *account, text);
        let dots = counts.iter().enumerate().filter(|(_, &c)| c > 0).map(|(i, &c)| {
            let at = activity.start.saturating_add(activity.bucket_ns.saturating_mul(i64::try_from(i).unwrap_or(0)));
            html! {
                <circle class={classes!("dot", format!("s{}", k % SERIES))} cx={fmt_f(x_of(i))} cy={fmt_f(y_of(c))} r="2.5">
                    <title>{ format!("{name}\n{} UTC: {c}", minute_text(at)) }</title>
                </circle>
            }
        });
        html! {
            <g class="series" data-account={name.clone()}>
                <polyline class={classes!("line", format!("s{}", k % SERIES))} points={points.join(" ")} fill="none" />
                { for dots }
            </g>
        }
    });
    let height = bottom + 44.0;
    html! {
        <figure class="chart" data-testid="activity-chart">
            <figcaption>
                { text.chart_activity }
                <span class="quiet">{ format!(" · {} {}", text.per, bucket_label(text, activity.bucket_ns)) }</span>
            </figcaption>
            <svg viewBox={format!("0 0 {WIDTH} {}", fmt_f(height))} width={WIDTH.to_string()} height={fmt_f(height)}
                role="img" aria-label={text.chart_activity}>
                <line class="axis" x1={fmt_f(left)} x2={fmt_f(left + plot_w)} y1={fmt_f(bottom)} y2={fmt_f(bottom)} />
                <line class="axis" x1={fmt_f(left)} x2={fmt_f(left)} y1={fmt_f(top)} y2={fmt_f(bottom)} />
                <line class="grid" x1={fmt_f(left)} x2={fmt_f(left + plot_w)} y1={fmt_f(top)} y2={fmt_f(top)} />
                <text class="tick-label" x={fmt_f(left - 6.0)} y={fmt_f(top + 4.0)} text-anchor="end">{ max }</text>
                <text class="tick-label" x={fmt_f(left - 6.0)} y={fmt_f(bottom)} text-anchor="end">{ "0" }</text>
                <text class="tick-label" x={fmt_f(left)} y={fmt_f(bottom + 16.0)}>{ minute_text(activity.start) }</text>
                <text class="tick-label" x={fmt_f(left + plot_w)} y={fmt_f(bottom + 16.0)} text-anchor="end">{ minute_text(end) }</text>
                <text class="axis-label" x={fmt_f(left + plot_w / 2.0)} y={fmt_f(bottom + 34.0)} text-anchor="middle">{ text.axis_time }</text>
                <text class="axis-label" x="12" y={fmt_f(top + plot_h / 2.0)} text-anchor="middle"
                    transform={format!("rotate(-90 12 {})", fmt_f(top + plot_h / 2.0))}>{ text.axis_events }</text>
                { for lines }
            </svg>
            <ul class="legend">
                { for activity.series.iter().enumerate().map(|(k, (account, _))| {
                    let onclick = {
                        let cb = props.on_action.clone();
                        let account = *account;
                        Callback::from(move |_: MouseEvent| cb.emit(Action::ToggleAccount(account)))
                    };
                    html! {
                        <li><svg width="14" height="4"><line class={classes!("line", format!("s{}", k % SERIES))} x1="0" x2="14" y1="2" y2="2" /></svg>
                            <button type="button" class="link" {onclick}>{ account_name(&app.store, *account, text) }</button></li>
                    }
                }) }
            </ul>
        </figure>
    }
}
