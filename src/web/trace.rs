//! Where the time of a load goes, for Chrome's performance tools (`npm run bench:trace`).
//!
//! [`Span`] marks one stage of the path from a file to the screen (a slice read, decoded, sent;
//! a batch taken in, the page drawn) with `console.timeStamp(label, start, end, track)`: in a
//! recording (DevTools' Performance panel, or a trace taken over the DevTools protocol) it is a
//! span on a track of its own; when nothing records, the browser ignores it. Nothing is kept:
//! no performance entry, no buffer.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = timeStamp)]
    fn time_stamp(label: &str, start: f64, end: f64, track: &str);
}

/// The track the spans are drawn on.
const TRACK: &str = "keytrail";

/// One stage, timed from its creation to its drop.
#[must_use = "a span measures until it is dropped"]
pub struct Span {
    label: &'static str,
    start: f64,
}

impl Span {
    /// Starts timing the stage `label`.
    pub fn new(label: &'static str) -> Self {
        Self {
            label,
            start: super::now_ms(),
        }
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        time_stamp(self.label, self.start, super::now_ms(), TRACK);
    }
}

/// Runs `f` as the stage `label`.
pub fn timed<T>(label: &'static str, f: impl FnOnce() -> T) -> T {
    let _span = Span::new(label);
    f()
}
