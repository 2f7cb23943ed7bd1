//! The browser viewer (feature `web`): a Yew page and the Web Worker that decodes for it.
//!
//! The page never parses. It hands the user's [`File`](web_sys::File)s to the worker
//! ([`worker::DecodeReactor`]), which reads each file in slices, feeds one
//! [`Decoder`](crate::decoder::Decoder) per file and streams [`protocol::Report`]s back.
//! [`state::LoadState`] folds those reports into what the views show; every transition is a
//! plain function so it can be tested without a DOM.
//!
//! ```text
//! app.rs (bin) ──▶ start_app ──▶ view::App ──bridge::use_decode_worker──▶ worker_loader.js
//! worker.rs (bin) ──▶ start_worker ──▶ worker::DecodeReactor (one Decoder per file)
//! ```

pub mod bridge;
pub mod codec;
pub mod protocol;
pub mod state;
pub mod trace;
pub mod view;
pub mod worker;

use yew_agent::Registrable;

/// The worker's loader script (`www/worker_loader.js`, copied by Trunk next to `worker.js`),
/// relative to the page so that `dist/` can be served from any path.
pub const WORKER_PATH: &str = "./worker_loader.js";

/// The address a decoding worker is started from, with `query` (`part=1&workers=2`) for it to
/// read (`location.search` and `location.hash`, see [`worker_query`]).
///
/// The served page starts [`WORKER_PATH`] with `?query`. The single file (`dist/keytrail.html`,
/// scripts/pack.mjs) has no files next to it: its boot code makes the worker's script a Blob URL
/// ([`single_file_worker`]). A Blob URL takes no query (it would no longer name the blob), so
/// there `query` goes after a `#`.
pub fn worker_url(query: &str) -> String {
    match single_file_worker() {
        Some(blob) => format!("{blob}#{query}"),
        None if query.is_empty() => WORKER_PATH.to_string(),
        None => format!("{WORKER_PATH}?{query}"),
    }
}

/// What [`worker_url`] passed to this worker: its address's query and fragment, together.
pub fn worker_query() -> String {
    let location = js_sys::Reflect::get(&js_sys::global(), &"location".into()).ok();
    let part = |key: &str| {
        location
            .as_ref()
            .and_then(|l| js_sys::Reflect::get(l, &key.into()).ok())
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    part("search") + &part("hash")
}

/// The single file's worker Blob URL, `__keytrail_worker_url`: the page's boot code makes it,
/// and so does each worker's, for the next worker of a chain (in a `file://` page every worker
/// has an opaque origin of its own, and may start workers only from Blob URLs it made itself).
fn single_file_worker() -> Option<String> {
    js_sys::Reflect::get(&js_sys::global(), &"__keytrail_worker_url".into())
        .ok()?
        .as_string()
}

/// A blob's (or a file's) size in bytes, as the page and the worker both read it.
pub fn blob_len(blob: &web_sys::Blob) -> u64 {
    gloo::file::Blob::from(blob.clone()).size()
}

/// `performance.now()` where there is one (0 elsewhere).
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"performance".into())
        .ok()
        .filter(|p| !p.is_undefined())
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            let now: js_sys::Function = wasm_bindgen::JsCast::dyn_into(now).ok()?;
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or(0.0)
}

/// Mounts the viewer on `<body>`. Called by the `app` binary.
pub fn start_app() {
    yew::Renderer::<view::App>::new().render();
}

/// Registers the decoding reactor in the current worker scope. Called by the `worker` binary.
pub fn start_worker() {
    worker::DecodeReactor::registrar()
        .encoding::<codec::JsCodec>()
        .register();
}
