//! Calendar arithmetic and the time spellings of the export formats (UTC only, no floats).

use crate::decoder::value;

/// A UTC instant split into its civil parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u32,
}

/// Nanoseconds per second.
const NS: i64 = 1_000_000_000;

/// Splits nanoseconds since the Unix epoch into civil UTC parts (proleptic Gregorian).
pub(crate) fn civil(time_nanos: i64) -> Civil {
    let secs = time_nanos.div_euclid(NS);
    let nanos = time_nanos.rem_euclid(NS) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (year, m, d) = value::civil_from_days(days);
    // 1970-01-01 was a Thursday (3 with Monday = 0).
    let weekday = (days + 3).rem_euclid(7) as u32;
    Civil {
        year,
        month: m,
        day: d,
        hour: sod / 3600,
        minute: (sod / 60) % 60,
        second: sod % 60,
        nanos,
        weekday,
    }
}

/// Days since the Unix epoch of a civil date (the decoder's own conversion).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    value::days_from_civil(year, i64::from(month), i64::from(day))
}

/// How a format spells `TimeCreated/@SystemTime`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TimeStyle {
    /// `2026-03-02T08:00:00.1234560Z` (wevtutil, Event Viewer).
    Fraction7Z,
    /// `2026-03-02T08:00:00.123456000Z` (documentation pages, libevtx).
    Fraction9Z,
    /// `2026-03-02T08:00:00.123456Z` (Rust evtx_dump).
    Fraction6Z,
    /// `2026-03-02 08:00:00.123456+00:00`, or without fraction when it is zero (python-evtx).
    PythonIso,
    /// `2026-03-02 08:00:00.1234560` (EvtxECmd).
    Space7,
}

/// Appends `time_nanos` in `style` to `out`.
pub(crate) fn push_time(out: &mut String, time_nanos: i64, style: TimeStyle) {
    let c = civil(time_nanos);
    let sep = match style {
        TimeStyle::PythonIso | TimeStyle::Space7 => ' ',
        _ => 'T',
    };
    push_date(out, &c);
    out.push(sep);
    push2(out, c.hour);
    out.push(':');
    push2(out, c.minute);
    out.push(':');
    push2(out, c.second);
    match style {
        TimeStyle::Fraction7Z => {
            out.push('.');
            value::push_decimal(out, u64::from(c.nanos / 100), 7);
            out.push('Z');
        }
        TimeStyle::Fraction9Z => {
            out.push('.');
            value::push_decimal(out, u64::from(c.nanos), 9);
            out.push('Z');
        }
        TimeStyle::Fraction6Z => {
            out.push('.');
            value::push_decimal(out, u64::from(c.nanos / 1000), 6);
            out.push('Z');
        }
        TimeStyle::PythonIso => {
            if c.nanos / 1000 != 0 {
                out.push('.');
                value::push_decimal(out, u64::from(c.nanos / 1000), 6);
            }
            out.push_str("+00:00");
        }
        TimeStyle::Space7 => {
            out.push('.');
            value::push_decimal(out, u64::from(c.nanos / 100), 7);
        }
    }
}

/// Appends `YYYY-MM-DD`.
pub(crate) fn push_date(out: &mut String, c: &Civil) {
    value::push_decimal(out, c.year.max(0) as u64, 4);
    out.push('-');
    push2(out, c.month);
    out.push('-');
    push2(out, c.day);
}

/// Appends the US Event Viewer spelling `3/2/2026 8:00:00 AM`.
pub(crate) fn push_us_local(out: &mut String, time_nanos: i64) {
    let c = civil(time_nanos);
    value::push_decimal(out, u64::from(c.month), 1);
    out.push('/');
    value::push_decimal(out, u64::from(c.day), 1);
    out.push('/');
    value::push_decimal(out, c.year.max(0) as u64, 4);
    out.push(' ');
    let h12 = match c.hour % 12 {
        0 => 12,
        h => h,
    };
    value::push_decimal(out, u64::from(h12), 1);
    out.push(':');
    push2(out, c.minute);
    out.push(':');
    push2(out, c.second);
    out.push_str(if c.hour < 12 { " AM" } else { " PM" });
}

fn push2(out: &mut String, v: u32) {
    value::push_decimal(out, u64::from(v), 2);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(t: i64, s: TimeStyle) -> String {
        let mut o = String::new();
        push_time(&mut o, t, s);
        o
    }

    #[test]
    fn known_instants() {
        let t = days_from_civil(2026, 3, 2) * 86_400 * NS + 8 * 3600 * NS + 123_456_000;
        assert_eq!(
            fmt(t, TimeStyle::Fraction7Z),
            "2026-03-02T08:00:00.1234560Z"
        );
        assert_eq!(
            fmt(t, TimeStyle::Fraction9Z),
            "2026-03-02T08:00:00.123456000Z"
        );
        assert_eq!(fmt(t, TimeStyle::Fraction6Z), "2026-03-02T08:00:00.123456Z");
        assert_eq!(
            fmt(t, TimeStyle::PythonIso),
            "2026-03-02 08:00:00.123456+00:00"
        );
        assert_eq!(fmt(t, TimeStyle::Space7), "2026-03-02 08:00:00.1234560");
        let whole = t - 123_456_000;
        assert_eq!(
            fmt(whole, TimeStyle::PythonIso),
            "2026-03-02 08:00:00+00:00"
        );
        assert_eq!(civil(t).weekday, 0, "2026-03-02 is a Monday");
        let mut us = String::new();
        push_us_local(&mut us, t + 6 * 3600 * NS);
        assert_eq!(us, "3/2/2026 2:00:00 PM");
        assert_eq!(civil(0).year, 1970);
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
