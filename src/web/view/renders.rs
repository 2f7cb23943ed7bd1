//! How many times each component was drawn, published on `window.__keytrail.renders` (the
//! end-to-end tests check that a selection or a detail does not draw the charts again).

use wasm_bindgen::JsValue;

thread_local! {
    /// Drawings per component name.
    static RENDERS: js_sys::Object = js_sys::Object::new();
}

/// Counts one drawing of the component `name`.
pub fn count(name: &str) {
    RENDERS.with(|renders| {
        let key = JsValue::from_str(name);
        let n = js_sys::Reflect::get(renders, &key)
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0);
        let _ = js_sys::Reflect::set(renders, &key, &JsValue::from_f64(n + 1.0));
    });
}

/// The counts (a live object: later drawings show in it).
pub fn counts() -> js_sys::Object {
    RENDERS.with(Clone::clone)
}
