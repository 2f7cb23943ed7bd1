//! Time zones for business hours: the offset from UTC of an IANA zone (`Europe/Berlin`) at an
//! instant, daylight saving time included.
//!
//! Natively the zone rules come from jiff's bundled copy of the IANA time zone database. In the
//! browser they come from the browser's own database through `Intl.DateTimeFormat`, so the page
//! carries no zone data. Asking `Intl` costs tens of microseconds, about a hundred times what a
//! row's other rule checks cost, so each zone's offsets are cached per UTC day: a day whose offset
//! is the same at both ends is taken to keep it throughout (no zone of the database changes its
//! offset twice within a day), and only a day with a change is asked again per quarter of an hour
//! (every change of offset in the database falls on one).

/// A time zone, looked up once, whose offset can be asked for any instant.
pub struct Zone {
    name: String,
    inner: imp::Zone,
}

impl std::fmt::Debug for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Zone {
    /// The zone named `name` (an IANA name such as `Asia/Tokyo`, or `UTC`), if this platform
    /// knows it.
    pub fn get(name: &str) -> Option<Zone> {
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        Some(Zone {
            name: name.to_string(),
            inner: imp::Zone::get(name)?,
        })
    }

    /// The zone's name as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The offset from UTC, in minutes, at `utc_secs` seconds since the Unix epoch.
    pub fn offset_minutes(&self, utc_secs: i64) -> i32 {
        self.inner.offset_minutes(utc_secs)
    }
}

/// The zone the platform runs in, when it says: the browser's (`Intl`); natively none, as
/// keytrail's command line counts in UTC unless a rules file names a zone.
pub fn local_zone() -> Option<String> {
    imp::local_zone()
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub struct Zone(jiff::tz::TimeZone);

    impl Zone {
        pub fn get(name: &str) -> Option<Zone> {
            jiff::tz::TimeZone::get(name).ok().map(Zone)
        }

        pub fn offset_minutes(&self, utc_secs: i64) -> i32 {
            jiff::Timestamp::from_second(utc_secs).map_or(0, |t| self.0.to_offset(t).seconds() / 60)
        }
    }

    pub fn local_zone() -> Option<String> {
        None
    }
}

#[cfg(all(target_arch = "wasm32", feature = "web"))]
mod imp {
    use js_sys::{Array, Date, Object, Reflect};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use wasm_bindgen::{JsCast, JsValue};

    /// The seconds of a quarter hour: on a day of change, offsets are cached per quarter hour.
    const QUARTER: i64 = 900;

    /// The seconds of a day.
    const DAY: i64 = 86_400;

    /// What is known of one UTC day's offsets.
    #[derive(Clone, Copy)]
    enum Day {
        /// The same offset from its first second to its last.
        Same(i32),
        /// The offset changes during the day: asked per quarter hour.
        Changes,
    }

    pub struct Zone {
        format: js_sys::Intl::DateTimeFormat,
        /// The day asked last: rows come mostly in time order, so most asks are of it.
        last: std::cell::Cell<Option<(i64, Day)>>,
        days: RefCell<HashMap<i64, Day>>,
        quarters: RefCell<HashMap<i64, i32>>,
    }

    /// `new Intl.DateTimeFormat('en-US', {timeZone, …})` giving every field as a number, or
    /// `None` when the browser does not know the zone (the constructor throws a RangeError).
    fn format(zone: &str) -> Option<js_sys::Intl::DateTimeFormat> {
        let options = Object::new();
        let set = |k: &str, v: &str| Reflect::set(&options, &k.into(), &v.into()).ok();
        set("timeZone", zone)?;
        set("hourCycle", "h23")?;
        for field in ["year", "month", "day", "hour", "minute", "second"] {
            set(field, "numeric")?;
        }
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor = Reflect::get(&intl, &"DateTimeFormat".into()).ok()?;
        let args = Array::of2(&"en-US".into(), &options);
        Reflect::construct(constructor.unchecked_ref::<js_sys::Function>(), &args)
            .ok()?
            .dyn_into()
            .ok()
    }

    impl Zone {
        pub fn get(name: &str) -> Option<Zone> {
            Some(Zone {
                format: format(name)?,
                last: std::cell::Cell::new(None),
                days: RefCell::new(HashMap::new()),
                quarters: RefCell::new(HashMap::new()),
            })
        }

        pub fn offset_minutes(&self, utc_secs: i64) -> i32 {
            let day = utc_secs.div_euclid(DAY);
            let known = match self.last.get() {
                Some((d, known)) if d == day => Some(known),
                _ => self.days.borrow().get(&day).copied(),
            };
            let known = known.unwrap_or_else(|| {
                let first = self.ask(day * DAY).unwrap_or(0);
                let last = self.ask(day * DAY + DAY - 1).unwrap_or(0);
                let known = if first == last {
                    Day::Same(first)
                } else {
                    Day::Changes
                };
                self.days.borrow_mut().insert(day, known);
                known
            });
            self.last.set(Some((day, known)));
            if let Day::Same(m) = known {
                return m;
            }
            let quarter = utc_secs.div_euclid(QUARTER);
            if let Some(&m) = self.quarters.borrow().get(&quarter) {
                return m;
            }
            let m = self.ask(quarter * QUARTER).unwrap_or(0);
            self.quarters.borrow_mut().insert(quarter, m);
            m
        }

        /// The offset at `utc_secs`: the zone's wall clock then, less UTC.
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        fn ask(&self, utc_secs: i64) -> Option<i32> {
            let date = Date::new(&JsValue::from_f64(utc_secs as f64 * 1000.0));
            let parts = self.format.format_to_parts(&date);
            let mut field = [0i64; 6];
            for part in parts.iter() {
                let kind = Reflect::get(&part, &"type".into()).ok()?.as_string()?;
                let value = Reflect::get(&part, &"value".into()).ok()?.as_string()?;
                let at = ["year", "month", "day", "hour", "minute", "second"]
                    .iter()
                    .position(|k| *k == kind);
                if let Some(at) = at {
                    field[at] = value.trim().parse().ok()?;
                }
            }
            let [y, mo, d, h, mi, s] = field;
            let days = crate::decoder::value::days_from_civil(y, mo, d);
            let local = days * 86_400 + h * 3600 + mi * 60 + s;
            i32::try_from((local - utc_secs).div_euclid(60)).ok()
        }
    }

    pub fn local_zone() -> Option<String> {
        let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
        let constructor = Reflect::get(&intl, &"DateTimeFormat".into()).ok()?;
        let format = Reflect::construct(
            constructor.unchecked_ref::<js_sys::Function>(),
            &Array::new(),
        )
        .ok()?;
        let resolved = Reflect::get(&format, &"resolvedOptions".into()).ok()?;
        let options = resolved
            .dyn_into::<js_sys::Function>()
            .ok()?
            .call0(&format)
            .ok()?;
        Reflect::get(&options, &"timeZone".into()).ok()?.as_string()
    }
}

/// Without the browser or jiff (a wasm build without the viewer), no zone is known.
#[cfg(all(target_arch = "wasm32", not(feature = "web")))]
mod imp {
    pub struct Zone;

    impl Zone {
        pub fn get(_: &str) -> Option<Zone> {
            None
        }

        pub fn offset_minutes(&self, _: i64) -> i32 {
            0
        }
    }

    pub fn local_zone() -> Option<String> {
        None
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_daylight_saving_time() {
        let t = |s: &str| crate::decoder::value::parse_time(s).unwrap() / 1_000_000_000;
        let ny = Zone::get("America/New_York").unwrap();
        // 2026: EST until 8 March 07:00 UTC, EDT after.
        assert_eq!(ny.offset_minutes(t("2026-03-08T06:59:59Z")), -300);
        assert_eq!(ny.offset_minutes(t("2026-03-08T07:00:00Z")), -240);
        let tokyo = Zone::get("Asia/Tokyo").unwrap();
        assert_eq!(tokyo.offset_minutes(t("2026-07-01T00:00:00Z")), 540);
        let adelaide = Zone::get("Australia/Adelaide").unwrap();
        assert_eq!(adelaide.offset_minutes(t("2026-01-15T00:00:00Z")), 630);
        assert!(Zone::get("Mars/Olympus_Mons").is_none());
        assert!(Zone::get("").is_none());
    }
}
