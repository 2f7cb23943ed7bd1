//! Reading values in all the spellings exporters use: times, hexadecimal and decimal numbers.

use std::fmt;

/// Parses a time as exporters write it, to nanoseconds since the Unix epoch (UTC).
///
/// Accepts `T` or a space between date and time; 0 to 9 fraction digits (more are cut); and `Z`,
/// `+HH:MM`/`-HH:MM`, ` UTC` or nothing (read as UTC) after it. Impossible dates are refused.
///
/// ```
/// use keytrail::decoder::value::parse_time;
/// let a = parse_time("2015-10-14T19:42:08.135265600Z").unwrap();
/// assert_eq!(parse_time("2015-10-14 19:42:08.1352656").unwrap(), a);
/// assert_eq!(parse_time("2015-10-14 21:42:08.135265600+02:00").unwrap(), a);
/// assert_eq!(parse_time("2025-02-31T10:00:00Z"), None); // impossible dates are refused
/// assert!(parse_time("2024-02-29T10:00:00Z").is_some());
/// ```
pub fn parse_time(raw: &str) -> Option<i64> {
    let s = trim(raw).as_bytes();
    if s.len() < 19 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &b in s.get(r)? {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
        }
        Some(v)
    };
    if s[4] != b'-' || s[7] != b'-' || !matches!(s[10], b'T' | b't' | b' ') || s[13] != b':' {
        return None;
    }
    if s[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 {
        return None;
    }
    if second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0i64;
    if s.get(i) == Some(&b'.') || s.get(i) == Some(&b',') {
        i += 1;
        let mut digits = 0;
        while let Some(&b) = s.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            if digits < 9 {
                nanos = nanos * 10 + i64::from(b - b'0');
                digits += 1;
            }
            i += 1;
        }
        if digits == 0 {
            return None;
        }
        for _ in digits..9 {
            nanos *= 10;
        }
    }
    let rest = &s[i..];
    let offset_secs = match rest {
        [] | b"Z" | b"z" | b" UTC" | b" Z" | b"UTC" => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let d = |b: u8| -> Option<i64> { b.is_ascii_digit().then(|| i64::from(b - b'0')) };
            let secs = (d(*h1)? * 10 + d(*h2)?) * 3600 + (d(*m1)? * 10 + d(*m2)?) * 60;
            if *sign == b'+' {
                secs
            } else {
                -secs
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_secs;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Writes nanoseconds since the epoch as RFC 3339 UTC, with 7 fraction digits (Windows'
/// precision) or 9 when the value has finer detail.
pub(crate) fn write_rfc3339(f: &mut impl fmt::Write, nanos: i64) -> fmt::Result {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000).unsigned_abs();
    // Digit by digit into a fixed layout: `core::fmt`'s padding cost about 1,500 instructions a
    // call (measured), and every event has one or two. An `i64` of nanoseconds is always within
    // years 1677-2262.
    let mut buf = *b"0000-00-00T00:00:00.000000000Z";
    put_date_time(
        &mut buf,
        secs.div_euclid(86_400),
        secs.rem_euclid(86_400).unsigned_abs(),
    );
    let end = if frac % 100 == 0 {
        put_digits(&mut buf[20..27], frac / 100);
        27
    } else {
        put_digits(&mut buf[20..29], frac);
        29
    };
    buf[end] = b'Z';
    f.write_str(ascii(&buf[..=end]))
}

/// Fills the first 19 bytes of `buf`, laid out as `0000-00-00T00:00:00`, with the date of the
/// day `days` after 1970-01-01 (the year's last four digits) and its second `second_of_day`.
pub(crate) fn put_date_time(buf: &mut [u8], days: i64, second_of_day: u64) {
    let (y, mo, d) = civil_from_days(days);
    put_digits(&mut buf[0..4], y.unsigned_abs());
    put_digits(&mut buf[5..7], mo.into());
    put_digits(&mut buf[8..10], d.into());
    put_digits(&mut buf[11..13], second_of_day / 3600);
    put_digits(&mut buf[14..16], second_of_day / 60 % 60);
    put_digits(&mut buf[17..19], second_of_day % 60);
}

/// Fills `out` with the last `out.len()` decimal digits of `n`.
pub(crate) fn put_digits(out: &mut [u8], mut n: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// "00" to "99".
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Appends `n` in decimal with at least `width` digits (and at least one), as `{:0width$}`
/// writes it; without `core::fmt`, whose machinery costs more than the digits when a decoder
/// writes numbers per record.
pub(crate) fn push_decimal(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    // Above 32 bits, one digit at a time; below, two, with 32-bit arithmetic: in wasm a 64-bit
    // division by ten is a division, a 32-bit one a multiplication.
    while n > u64::from(u32::MAX) {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let mut m = n as u32;
    while m >= 10 {
        let pair = (m % 100) as usize * 2;
        m /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if m > 0 {
        i -= 1;
        buf[i] = b'0' + m as u8;
    }
    push_ascii(out, &buf[i.min(buf.len() - width.clamp(1, 20))..]);
}

/// Bytes known to be ASCII (digits and the like written here) as text.
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Appends bytes known to be ASCII: up to eight char by char, which is cheaper than checking
/// and copying so few as a `str` (measured with callgrind on whole logs); more as a `str`.
#[inline]
pub(crate) fn push_ascii(out: &mut String, bytes: &[u8]) {
    if bytes.len() <= 8 {
        out.extend(bytes.iter().map(|&b| char::from(b)));
    } else {
        out.push_str(ascii(bytes));
    }
}

/// [`str::trim`], answered without decoding a character when the value starts and ends with
/// printable ASCII (no white space is), as nearly every logged value does: the values read
/// per event (numbers, SIDs, `%%` codes, times) were trimmed once per lookup.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let printable = |b: Option<&u8>| b.is_some_and(|&b| (0x21..0x80).contains(&b));
    if printable(s.as_bytes().first()) && printable(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// Parses `0x…` hexadecimal in any case and padding, or plain decimal.
///
/// ```
/// use keytrail::decoder::value::parse_number;
/// assert_eq!(parse_number("0x3e7"), Some(0x3e7));
/// assert_eq!(parse_number("0x00000000000003E7"), Some(0x3e7));
/// assert_eq!(parse_number("520"), Some(520));
/// ```
pub fn parse_number(raw: &str) -> Option<u64> {
    let s = trim(raw);
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.is_empty() || hex.len() > 16 {
            let trimmed = hex.trim_start_matches('0');
            if hex.is_empty() || trimmed.len() > 16 {
                return None;
            }
            return u64::from_str_radix(if trimmed.is_empty() { "0" } else { trimmed }, 16).ok();
        }
        u64::from_str_radix(hex, 16).ok()
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else if let Some(neg) = s.strip_prefix('-') {
        // Export-Clixml writes Keywords as a signed decimal.
        neg.parse::<i64>().ok().map(|v| (-v) as u64)
    } else {
        None
    }
}

/// Days in `month` (1–12) of `year`, leap years included (proleptic Gregorian).
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick answer is `str::trim`'s, whatever stands at either end: ASCII and Unicode white
    /// space (NEL, no-break and ideographic spaces), controls, letters outside ASCII.
    #[test]
    fn trim_is_str_trim() {
        let ends = [
            "", " ", "\t", "\r\n", "\u{b}", "\u{c}", "\u{0}", "\u{1f}", "\u{7f}", "\u{85}",
            "\u{a0}", "\u{3000}", "\u{2028}", "é", "山", "a", "!", "~", "0",
        ];
        for start in ends {
            for end in ends {
                for middle in ["", "x", "0x3e7", " S-1-5-18 "] {
                    let s = format!("{start}{middle}{end}");
                    assert_eq!(trim(&s), s.trim(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn decimals_are_padded_as_format_pads_them() {
        let mut values: Vec<u64> = vec![0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65_535];
        for p in [u64::from(u32::MAX), 10u64.pow(9), 10u64.pow(10), u64::MAX] {
            values.extend([p - 1, p, p.saturating_add(1)]);
        }
        values.extend((0..2000).map(|k| k * 7919 % 100_000));
        values.extend((0..64).map(|b| 1u64 << b));
        let mut out = String::new();
        for n in values {
            for width in [0, 1, 2, 3, 4, 7, 10, 19, 20, 25] {
                out.clear();
                push_decimal(&mut out, n, width);
                // Up to 20 digits: the most a u64 has.
                let want = format!("{n:0w$}", w = width.min(20));
                assert_eq!(out, want, "{n} at width {width}");
            }
        }
    }

    #[test]
    fn every_time_spelling_reads_the_same_instant() {
        let want = parse_time("2016-07-16T00:44:06.060192Z").unwrap();
        for s in [
            "2016-07-16T00:44:06.0601920Z",
            "2016-07-16T00:44:06.060192000Z",
            "2016-07-16 00:44:06.060192+00:00",
            "2016-07-16 00:44:06.060192",
            "2016-07-16 00:44:06.060192 UTC",
            "2016-07-16T02:44:06.060192+02:00",
            "2016-07-15T23:44:06.060192-0100",
        ] {
            assert_eq!(parse_time(s), Some(want), "{s}");
        }
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2016-13-01T00:00:00Z"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2016-07-16T00:44:06.Z"), None);
    }

    #[test]
    fn rfc3339_keeps_windows_precision() {
        let t = parse_time("2015-10-14T19:42:08.135265600Z").unwrap();
        let mut s = String::new();
        write_rfc3339(&mut s, t).unwrap();
        assert_eq!(s, "2015-10-14T19:42:08.1352656Z");
        let mut s = String::new();
        write_rfc3339(&mut s, t + 1).unwrap();
        assert_eq!(s, "2015-10-14T19:42:08.135265601Z");
        let mut s = String::new();
        write_rfc3339(&mut s, -1).unwrap();
        assert_eq!(s, "1969-12-31T23:59:59.999999999Z");
    }

    #[test]
    fn rfc3339_is_written_as_core_fmt_would_over_the_whole_range() {
        // The text as `core::fmt` pads it, which the digit-by-digit writer replaced.
        let formatted = |nanos: i64| {
            let secs = nanos.div_euclid(1_000_000_000);
            let frac = nanos.rem_euclid(1_000_000_000);
            let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
            let sod = secs.rem_euclid(86_400);
            let (h, mi, s) = (sod / 3600, sod / 60 % 60, sod % 60);
            let frac = if frac % 100 == 0 {
                format!("{:07}", frac / 100)
            } else {
                format!("{frac:09}")
            };
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{frac}Z")
        };
        let mut state = 0x5059_u64;
        let samples = [i64::MIN, i64::MAX, 0, -1, 100, 1_000_000_000, -100]
            .into_iter()
            .chain((0..20_000).map(|_| {
                // xorshift: values all over the range, and with whole 100 ns half of the time.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let v = state.cast_signed();
                if state & 1 == 0 {
                    v - v % 100
                } else {
                    v
                }
            }));
        for nanos in samples {
            let mut s = String::new();
            write_rfc3339(&mut s, nanos).unwrap();
            assert_eq!(s, formatted(nanos), "{nanos}");
        }
    }

    #[test]
    fn dates_round_trip_through_day_counts() {
        for days in [-800_000, -1, 0, 1, 10_957, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, i64::from(m), i64::from(d)), days);
        }
    }

    #[test]
    fn numbers_in_every_spelling() {
        assert_eq!(parse_number("0x0"), Some(0));
        assert_eq!(parse_number("0X8020000000000000"), Some(0x8020000000000000));
        assert_eq!(parse_number("0x000000000000000000003e7"), Some(0x3e7));
        assert_eq!(
            parse_number("-9214364837600034816"),
            Some(0x8020000000000000)
        );
        assert_eq!(parse_number("0x"), None);
        assert_eq!(parse_number("0xzz"), None);
        assert_eq!(parse_number(""), None);
    }
}
