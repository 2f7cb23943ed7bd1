//! The viewer's components. [`App`] picks the language and theme; [`Viewer`] wires the worker to
//! the state; the others only render props and report user gestures through `on*` callbacks.

mod charts;
mod detail_pane;
mod drop_zone;
mod event_table;
mod filters;
mod findings;
mod problem_list;
mod renders;
mod status_bar;
mod timeline;

pub use charts::{bucket_label, AccountChart, ActivityChart, ChartProps};
pub use detail_pane::{DetailPane, DetailPaneProps};
pub use drop_zone::{DropZone, DropZoneProps};
pub use event_table::{EventTable, EventTableProps, ROW_HEIGHT};
pub use filters::{Filters, FiltersProps};
pub use findings::{FindingsPanel, FindingsProps};
pub use problem_list::{problem_text, ProblemList, ProblemListProps};
pub use status_bar::{StatusBar, StatusBarProps};
pub use timeline::SessionTimeline;

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, File, HtmlSelectElement, HtmlTextAreaElement};
use yew::platform::spawn_local;
use yew::prelude::*;

use super::bridge::{use_decode_worker, DecodeWorker, WorkerEvent};
use super::now_ms;
use super::protocol::{Report, Request, SourceFile};
use super::state::{Action, AppState, Clock, Parts, Versions};
use super::trace::Span;
use crate::model::rules::{self, Hours, RuleFile};
use crate::text::{Lang, Text};

/// Where the bundled demo export is, relative to the page.
pub const SAMPLE_PATH: &str = "./sample/keytrail-sample.xml";

/// The name the sample gets in the file list.
pub const SAMPLE_NAME: &str = "keytrail-sample.xml";

/// The `localStorage` keys of the two settings the page may keep (nothing else is stored).
pub const LANG_KEY: &str = "keytrail.lang";
/// See [`LANG_KEY`].
pub const THEME_KEY: &str = "keytrail.theme";
/// The monitoring rules, kept only when the user ticks "keep these rules" (never event data).
pub const RULES_KEY: &str = "keytrail.rules";

/// The page's state shared with a component, and the [`Parts`] of it the component shows. Two
/// handles are equal when they point at the same state with the same versions of those parts,
/// so a component is drawn again exactly when a part it shows changed.
#[derive(Debug, Clone)]
pub struct Shared {
    state: Rc<RefCell<AppState>>,
    parts: Parts,
    versions: Versions,
}

impl Shared {
    /// A handle on `state` for a component that shows `parts` of it.
    pub fn new(state: Rc<RefCell<AppState>>, parts: Parts) -> Self {
        let versions = state.borrow().versions().of(parts);
        Self {
            state,
            parts,
            versions,
        }
    }

    /// Reads the state.
    pub fn get(&self) -> std::cell::Ref<'_, AppState> {
        self.state.borrow()
    }
}

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.state, &other.state)
            && self.parts == other.parts
            && self.versions == other.versions
    }
}

/// A colour theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl Theme {
    fn key(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    fn from_key(key: &str) -> Self {
        match key {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }
}

/// The page: language and theme (kept as settings), then the [`Viewer`].
#[component]
pub fn App() -> Html {
    let lang = use_state(initial_lang);
    let theme = use_state(|| Theme::from_key(&setting::<String>(THEME_KEY).unwrap_or_default()));
    {
        let lang = *lang;
        use_effect_with(lang, move |lang| {
            if let Some(root) = gloo_document().and_then(|d| d.document_element()) {
                let _ = root.set_attribute("lang", lang.tag());
            }
        });
    }
    let on_lang = {
        let lang = lang.clone();
        Callback::from(move |l: Lang| {
            store_setting(LANG_KEY, l.tag());
            lang.set(l);
        })
    };
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |t: Theme| {
            store_setting(THEME_KEY, t.key());
            theme.set(t);
        })
    };
    html! {
        <Viewer text={lang.text()} theme={*theme} {on_lang} {on_theme} />
    }
}

/// The language from the saved setting, else from the browser.
fn initial_lang() -> Lang {
    if let Some(saved) = setting::<String>(LANG_KEY) {
        return Lang::from_tag(&saved);
    }
    let tag = web_sys::window()
        .and_then(|w| w.navigator().language())
        .unwrap_or_default();
    Lang::from_tag(&tag)
}

fn gloo_document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// Whether the browser lets the page keep settings at all (gloo's storage assumes it does; a
/// private window or a locked-down profile may not).
fn can_keep() -> bool {
    web_sys::window().is_some_and(|w| matches!(w.local_storage(), Ok(Some(_))))
}

/// A kept setting (JSON in `localStorage`, through gloo). A value kept by an earlier version as
/// a bare string (`ja`) is read too.
fn setting<T: serde::de::DeserializeOwned>(key: &str) -> Option<T> {
    use gloo::storage::Storage as _;
    if !can_keep() {
        return None;
    }
    gloo::storage::LocalStorage::get::<T>(key).ok().or_else(|| {
        let raw = gloo::storage::LocalStorage::raw().get_item(key).ok()??;
        serde_json::from_value(serde_json::Value::String(raw)).ok()
    })
}

/// Keeps a setting.
fn store_setting<T: serde::Serialize + ?Sized>(key: &str, value: &T) {
    use gloo::storage::Storage as _;
    if can_keep() {
        let _ = gloo::storage::LocalStorage::set(key, value);
    }
}

/// Forgets a setting.
fn remove_setting(key: &str) {
    use gloo::storage::Storage as _;
    if can_keep() {
        gloo::storage::LocalStorage::delete(key);
    }
}

/// Props of [`Viewer`].
#[derive(Properties, PartialEq)]
pub struct ViewerProps {
    /// The strings to show.
    pub text: &'static Text,
    /// The colour theme.
    pub theme: Theme,
    /// Called when the user picks a language.
    pub on_lang: Callback<Lang>,
    /// Called when the user picks a theme.
    pub on_theme: Callback<Theme>,
}

/// While files are being decoded, the page is drawn again at most this often (in ms): rows and
/// progress arrive faster than anyone reads them, and each drawing takes a processor the
/// decoding workers could use. User actions and the end of a load are drawn at once.
pub const LOADING_FRAME_MS: f64 = 250.0;

/// After the first [`LOADING_FRAME_RAMP_MS`] of a load, at most this often: a long load shows
/// its progress twice a second, and its drawings (the table, the charts, the findings, about a
/// quarter of the page's work while loading, `npm run bench:trace`) leave the processors to the
/// workers.
pub const LONG_LOADING_FRAME_MS: f64 = 500.0;

/// How long a load is drawn every [`LOADING_FRAME_MS`] before every [`LONG_LOADING_FRAME_MS`].
pub const LOADING_FRAME_RAMP_MS: f64 = 1000.0;

/// The least time between two drawings, `loading_ms` into a load.
fn loading_frame_ms(loading_ms: f64) -> f64 {
    if loading_ms < LOADING_FRAME_RAMP_MS {
        LOADING_FRAME_MS
    } else {
        LONG_LOADING_FRAME_MS
    }
}

/// When the page was last drawn, and whether a drawing is already planned.
#[derive(Debug, Default)]
struct Frames {
    last: f64,
    planned: bool,
}

/// A callback that draws the page again: in the next task (not in the one that took the report
/// in, so that taking in rows and drawing them are two shorter tasks), and while `state` is
/// loading at most every [`LOADING_FRAME_MS`], then [`LONG_LOADING_FRAME_MS`] (a later drawing is planned so that the last
/// report is always shown).
fn drawing(
    state: Rc<RefCell<AppState>>,
    frames: Rc<RefCell<Frames>>,
    update: Callback<()>,
) -> Callback<()> {
    Callback::from(move |()| {
        let (busy, opened) = {
            let state = state.borrow();
            (state.load.busy(), state.load.timing.opened)
        };
        let wait = {
            let mut f = frames.borrow_mut();
            if !busy {
                // The end of a load, or a report after it: at once (in the next task).
                0.0
            } else if f.planned {
                return;
            } else {
                f.planned = true;
                let now = now_ms();
                let frame = loading_frame_ms(opened.map_or(0.0, |at| now - at));
                (frame - (now - f.last)).max(0.0)
            }
        };
        let frames = frames.clone();
        let update = update.clone();
        spawn_local(async move {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let ms = wait.ceil() as u64;
            yew::platform::time::sleep(std::time::Duration::from_millis(ms)).await;
            {
                let mut f = frames.borrow_mut();
                f.planned = false;
                f.last = now_ms();
            }
            let _span = Span::new("draw");
            update.emit(());
        });
    })
}

/// Runs `f` once, in a task of its own, after the browser has painted the page as it is now (an
/// animation frame, then a timer), or after [`AFTER_PAINT_LATEST_MS`] if no frame comes (a
/// hidden tab paints nothing), whichever is first.
fn after_next_paint(f: impl FnOnce() + 'static) {
    let f = Rc::new(RefCell::new(Some(f)));
    let run = move || {
        let f = f.borrow_mut().take();
        if let Some(f) = f {
            f();
        }
    };
    let late = run.clone();
    gloo::timers::callback::Timeout::new(AFTER_PAINT_LATEST_MS, late).forget();
    let Some(window) = web_sys::window() else {
        return;
    };
    let frame = wasm_bindgen::closure::Closure::once_into_js(move || {
        gloo::timers::callback::Timeout::new(0, run).forget();
    });
    // Without a frame, the timer above still runs `f`.
    let _ = window.request_animation_frame(frame.unchecked_ref());
}

/// The longest [`after_next_paint`] waits for a frame, in ms.
const AFTER_PAINT_LATEST_MS: u32 = 250;

/// How much of a load's page is drawn (see `Viewer`): each part comes one painted frame after
/// the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reveal {
    /// The filters and the findings.
    Top,
    /// And the table (with the detail pane).
    Table,
    /// And the charts: all of it.
    Charts,
}

impl Reveal {
    /// The part drawn after this one, if any.
    fn next(self) -> Option<Reveal> {
        match self {
            Reveal::Top => Some(Reveal::Table),
            Reveal::Table => Some(Reveal::Charts),
            Reveal::Charts => None,
        }
    }
}

/// What the user gives the page to open.
enum Input {
    /// Files picked or dropped.
    Files(Vec<File>),
    /// Pasted text.
    Text(String),
}

impl Input {
    /// Nothing to open: no file, or only white space pasted.
    fn is_empty(&self) -> bool {
        match self {
            Input::Files(files) => files.is_empty(),
            Input::Text(text) => text.trim().is_empty(),
        }
    }
}

/// Numbers `input`, shows it as opened and hands it to the worker.
fn open_input(
    state: &Rc<RefCell<AppState>>,
    handle: &RefCell<Option<DecodeWorker>>,
    rerender: &Callback<()>,
    next_id: &RefCell<u32>,
    pasted_name: &str,
    input: Input,
) {
    let count = match &input {
        Input::Files(files) => files.len(),
        Input::Text(_) => 1,
    };
    let first_id = {
        let mut next = next_id.borrow_mut();
        let first = *next;
        *next = next.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
        first
    };
    let (files, request) = match input {
        Input::Files(files) => (
            files
                .iter()
                .map(|f| (f.name(), crate::web::blob_len(f)))
                .collect(),
            Request::Open {
                first_id,
                files: files.into_iter().map(SourceFile).collect(),
            },
        ),
        Input::Text(text) => (
            vec![(pasted_name.to_string(), text.len() as u64)],
            Request::Paste { id: first_id, text },
        ),
    };
    dispatch_to(state, handle, Action::Opened { first_id, files }, rerender);
    let sent = handle
        .borrow()
        .as_ref()
        .is_some_and(|worker| worker.send(request));
    if !sent {
        dispatch_to(state, handle, Action::WorkerStopped, rerender);
    }
}

/// [`dispatch`] to the worker in `handle`; before it exists (not possible for reports, which
/// come after the first drawing, but none is ever lost), the action is applied alone.
fn dispatch_to(
    state: &Rc<RefCell<AppState>>,
    handle: &RefCell<Option<DecodeWorker>>,
    action: Action,
    rerender: &Callback<()>,
) {
    let worker = handle.borrow().clone();
    match worker {
        Some(worker) => dispatch(state, &worker, action, rerender),
        None => {
            let _ = state.borrow_mut().apply(action, now_ms());
            rerender.emit(());
        }
    }
}

/// Applies an action to the shared state and sends the worker what it asks for.
fn dispatch(
    state: &Rc<RefCell<AppState>>,
    worker: &DecodeWorker,
    action: Action,
    rerender: &Callback<()>,
) {
    let span = Span::new(match &action {
        Action::Report(Report::Rows { .. }) => "take rows",
        Action::Report(_) => "take report",
        _ => "apply action",
    });
    let requests = state.borrow_mut().apply(action, now_ms());
    drop(span);
    for request in requests {
        if !worker.send(request) {
            state.borrow_mut().apply(Action::WorkerStopped, now_ms());
        }
    }
    // An export the worker finished is offered once.
    let ready = state.borrow_mut().table.export.ready.take();
    if let Some(file) = ready {
        download(file.name, file.mime, &file.text);
    }
    publish_timing(&state.borrow());
    rerender.emit(());
}

/// Exposes the load timings on `window.__keytrail` (read by the benchmark), and how many times
/// each component was drawn (`renders`, read by the end-to-end tests).
fn publish_timing(state: &AppState) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let t = state.load.timing;
    let object = js_sys::Object::new();
    let set = |k: &str, v: Option<f64>| {
        let value = v.map_or(JsValue::NULL, JsValue::from_f64);
        let _ = js_sys::Reflect::set(&object, &k.into(), &value);
    };
    let since = |x: Option<f64>| Some(x? - t.opened?);
    set("openedAt", t.opened);
    set("firstRowsMs", since(t.first_rows));
    set("doneMs", since(t.done));
    set("selectMs", state.table.last_select_ms);
    #[allow(clippy::cast_precision_loss)]
    set("rows", Some(state.store.rows.len() as f64));
    let _ = js_sys::Reflect::set(&object, &"renders".into(), &renders::counts());
    let _ = js_sys::Reflect::set(&window, &"__keytrail".into(), &object);
}

/// Opens files, sends them to the worker and shows what comes back.
#[component]
pub fn Viewer(props: &ViewerProps) -> Html {
    let text = props.text;
    let state = use_mut_ref(|| {
        let mut state = AppState::with_clock(Clock(now_ms));
        // Kept rules, else the built-in ones with business hours in the browser's time zone.
        let rules = findings::kept_rules().unwrap_or_else(|| {
            let hours = Hours {
                time_zone: crate::model::zone::local_zone(),
                ..Hours::default()
            };
            RuleFile::new(rules::with_settings(rules::presets(), "", &hours))
        });
        state.apply(Action::SetRules(rules), 0.0);
        state
    });
    let next_id = use_mut_ref(|| 0_u32);
    // Files dropped (or text pasted) before every worker has loaded, opened once they have.
    let waiting = use_mut_ref(Vec::<Input>::new);
    let update = use_force_update();
    let rerender = Callback::from(move |()| update.force_update());

    // The worker's reports go into the state like any action; what a report asks for in turn (a
    // timeline made out of date by the end of a load) goes back to the worker, through a handle
    // filled in once the worker exists. While loading, they are drawn at a calm pace.
    let worker_handle = use_mut_ref(|| None::<DecodeWorker>);
    let frames = use_mut_ref(Frames::default);
    let worker = {
        let state = state.clone();
        let rerender = drawing(state.clone(), frames, rerender.clone());
        let handle = worker_handle.clone();
        let waiting = waiting.clone();
        let next_id = next_id.clone();
        let pasted_name = text.pasted_name;
        use_decode_worker(Callback::from(move |event| {
            let action = match event {
                WorkerEvent::Report(report) => Action::Report(report),
                WorkerEvent::Stopped => Action::WorkerStopped,
            };
            dispatch_to(&state, &handle, action, &rerender);
            // Once every worker has loaded, what was dropped meanwhile is opened.
            if state.borrow().load.ready {
                let inputs: Vec<Input> = waiting.borrow_mut().drain(..).collect();
                for input in inputs {
                    open_input(&state, &handle, &rerender, &next_id, pasted_name, input);
                }
            }
        }))
    };
    *worker_handle.borrow_mut() = Some(worker.clone());

    // Made once: a callback made at every drawing would differ from the last one and draw every
    // component again.
    let on_action = {
        let state = state.clone();
        let handle = worker_handle.clone();
        let rerender = rerender.clone();
        (*use_memo((), move |()| {
            Callback::from(move |action: Action| {
                dispatch_to(&state, &handle, action, &rerender);
            })
        }))
        .clone()
    };

    let on_input = {
        let state = state.clone();
        let handle = worker_handle.clone();
        let rerender = rerender.clone();
        let next_id = next_id.clone();
        let waiting = waiting.clone();
        let pasted_name = text.pasted_name;
        move |input: Input| {
            if input.is_empty() {
                return;
            }
            // Until every worker has loaded (the first says so when its chain has), a file is
            // held, not read: opening it would make the browser fetch the rest of the workers'
            // code after the user's data was opened.
            if state.borrow().load.ready {
                open_input(&state, &handle, &rerender, &next_id, pasted_name, input);
            } else {
                waiting.borrow_mut().push(input);
                rerender.emit(());
            }
        }
    };
    let on_files = {
        let on_input = on_input.clone();
        Callback::from(move |files: Vec<File>| on_input(Input::Files(files)))
    };
    let on_paste_text = Callback::from(move |pasted: String| on_input(Input::Text(pasted)));

    // Ctrl+V anywhere (outside text fields) decodes the clipboard's text. The listener is
    // registered once and calls the latest callback (which names the input in the language
    // chosen now, not at the first drawing).
    let latest_paste = use_mut_ref(|| on_paste_text.clone());
    *latest_paste.borrow_mut() = on_paste_text.clone();
    {
        let on_paste_text = latest_paste.clone();
        use_effect_with((), move |()| {
            // Not passive: a paste the page takes is not also pasted by the browser.
            let options = gloo::events::EventListenerOptions::enable_prevent_default();
            let listener = gloo_document().map(|document| {
                gloo::events::EventListener::new_with_options(
                    &document,
                    "paste",
                    options,
                    move |e| {
                        let Some(e) = e.dyn_ref::<web_sys::ClipboardEvent>() else {
                            return;
                        };
                        let in_field = e
                            .target()
                            .and_then(|t| t.dyn_into::<Element>().ok())
                            .is_some_and(|el| {
                                matches!(el.tag_name().as_str(), "TEXTAREA" | "INPUT")
                            });
                        if in_field {
                            return;
                        }
                        if let Some(text) = e
                            .clipboard_data()
                            .and_then(|d| d.get_data("text/plain").ok())
                        {
                            e.prevent_default();
                            let latest = on_paste_text.borrow().clone();
                            latest.emit(text);
                        }
                    },
                )
            });
            // Dropping the listener removes it.
            move || drop(listener)
        });
    }

    let on_sample = {
        let on_files = on_files.clone();
        Callback::from(move |_: MouseEvent| {
            let on_files = on_files.clone();
            spawn_local(async move {
                if let Some(file) = fetch_sample().await {
                    on_files.emit(vec![file]);
                }
            });
        })
    };

    let paste_open = use_state(|| false);
    let paste_ref = use_node_ref();
    let on_toggle_paste = {
        let paste_open = paste_open.clone();
        Callback::from(move |_: MouseEvent| paste_open.set(!*paste_open))
    };
    let on_paste_box = {
        let paste_ref = paste_ref.clone();
        let paste_open = paste_open.clone();
        let on_paste_text = on_paste_text.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = paste_ref.cast::<HtmlTextAreaElement>() {
                let value = area.value();
                area.set_value("");
                paste_open.set(false);
                on_paste_text.emit(value);
            }
        })
    };

    let on_lang = {
        let cb = props.on_lang.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                cb.emit(Lang::from_tag(&select.value()));
            }
        })
    };
    let on_theme = {
        let cb = props.on_theme.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                cb.emit(Theme::from_key(&select.value()));
            }
        })
    };

    let shared = |parts| Shared::new(state.clone(), parts);
    let s = state.borrow();
    let has_files = !s.load.files.is_empty();
    let has_rows = !s.store.rows.is_empty();
    let busy = s.load.busy();
    let ready = s.load.ready;
    let detail_open = s.detail.open;
    drop(s);

    // A new load's page is drawn in three tasks, each after the browser has painted the one
    // before: the filters and findings, then the table, then the charts, top to bottom so that
    // nothing already shown moves. Drawn and laid out in one go, the filled page was two
    // main-thread tasks of 100-170 ms on the 2-core machine (`npm run bench:trace`).
    let shown = use_state_eq(|| Reveal::Top);
    {
        let shown = shown.clone();
        let state = state.clone();
        use_effect_with((has_rows, *shown), move |&(has_rows, now)| {
            if !has_rows {
                shown.set(Reveal::Top);
            } else if let Some(next) = now.next() {
                // Only for the load it was planned for: after a Clear (a new generation), the
                // next load starts from the top, whatever an older step does late.
                let generation = state.borrow().generation;
                after_next_paint(move || {
                    let state = state.borrow();
                    if state.generation == generation && !state.store.rows.is_empty() {
                        shown.set(next);
                    }
                });
            }
        });
    }

    let on_cancel = {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Cancel))
    };
    let on_clear = {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(Action::Clear))
    };

    let theme_class = match props.theme {
        Theme::System => "theme-system",
        Theme::Light => "theme-light",
        Theme::Dark => "theme-dark",
    };
    html! {
        <DropZone {text} {ready} on_files={on_files} class={theme_class}>
            <section class="toolbar">
                <button type="button" class="button" data-testid="load-sample"
                    disabled={!ready} title={text.sample_hint} onclick={on_sample}>
                    { text.load_sample }
                </button>
                <button type="button" class="button secondary" data-testid="paste-toggle"
                    aria-expanded={paste_open.to_string()} onclick={on_toggle_paste}>
                    { text.paste }
                </button>
                if busy {
                    <button type="button" class="button danger" data-testid="cancel"
                        onclick={on_cancel}>{ text.cancel }</button>
                }
                if has_files {
                    <button type="button" class="button secondary" data-testid="clear-all"
                        onclick={on_clear}>{ text.clear_all }</button>
                }
                <span class="spacer"></span>
                <label class="setting">
                    { text.language }
                    <select data-testid="lang" onchange={on_lang}>
                        <option value="en" selected={text.lang == Lang::En}>{ "English" }</option>
                        <option value="ja" selected={text.lang == Lang::Ja}>{ "日本語" }</option>
                    </select>
                </label>
                <label class="setting">
                    { text.theme }
                    <select data-testid="theme" onchange={on_theme}>
                        { for [Theme::System, Theme::Light, Theme::Dark].iter().enumerate().map(|(i, t)| html! {
                            <option value={t.key()} selected={*t == props.theme}>{ text.themes[i] }</option>
                        }) }
                    </select>
                </label>
            </section>
            if *paste_open {
                <section class="paste-box">
                    <textarea ref={paste_ref} data-testid="paste-box" rows="6"
                        placeholder={text.paste_placeholder} />
                    <button type="button" class="button" data-testid="paste-decode"
                        onclick={on_paste_box}>{ text.paste_decode }</button>
                </section>
            }
            <StatusBar {text} state={shared(Parts::LOAD)} />
            if has_rows {
                <Filters {text} state={shared(Parts::FILTER | Parts::TABLE | Parts::CHARTS)} on_action={on_action.clone()} />
                <FindingsPanel {text} state={shared(Parts::RULES | Parts::FILTER)} on_action={on_action.clone()} />
                if *shown >= Reveal::Table {
                    <div class={classes!("workspace", detail_open.then_some("with-detail"))}>
                        <EventTable {text} state={shared(Parts::TABLE | Parts::RULES | Parts::LOAD)} on_action={on_action.clone()} />
                        if detail_open {
                            <DetailPane {text} state={shared(Parts::DETAIL | Parts::RULES | Parts::LOAD)} on_action={on_action.clone()} />
                        }
                    </div>
                }
                if *shown >= Reveal::Charts {
                    <section class="charts" data-testid="charts">
                        <AccountChart {text} state={shared(Parts::CHARTS | Parts::FILTER)} on_action={on_action.clone()} />
                        <ActivityChart {text} state={shared(Parts::CHARTS)} on_action={on_action.clone()} />
                        <SessionTimeline {text} state={shared(Parts::CHARTS)} on_action={on_action.clone()} />
                    </section>
                }
            } else if !busy {
                <section class="empty" data-testid="empty">
                    <h2>{ text.empty_title }</h2>
                    <p>{ text.empty_body }</p>
                    <p class="quiet">{ text.formats }</p>
                </section>
            }
            <ProblemList {text} state={shared(Parts::LOAD)} />
        </DropZone>
    }
}

/// The bundled sample as a `File`: in the served page, fetched (a file of this page's origin);
/// in the single file, unpacked from its data block (`#keytrail-sample`, gzip + base64, see
/// scripts/pack.mjs), with no request at all.
async fn fetch_sample() -> Option<File> {
    let window = web_sys::window()?;
    let response = match window.document()?.get_element_by_id(SAMPLE_BLOCK) {
        Some(block) => unpack_block(&block.text_content()?)?,
        None => JsFuture::from(window.fetch_with_str(SAMPLE_PATH))
            .await
            .ok()?
            .dyn_into()
            .ok()?,
    };
    if !response.ok() {
        return None;
    }
    let blob = JsFuture::from(response.blob().ok()?).await.ok()?;
    let parts = js_sys::Array::of1(&blob);
    File::new_with_blob_sequence(&parts, SAMPLE_NAME).ok()
}

/// The single file's data block holding the sample.
const SAMPLE_BLOCK: &str = "keytrail-sample";

/// A data block's bytes (base64 of gzip) as a `Response` whose body is them unpacked, by the
/// single file's own `__keytrail_unpack` (scripts/pack.mjs: the browser's `DecompressionStream`,
/// no network).
fn unpack_block(base64: &str) -> Option<web_sys::Response> {
    let unpack: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"__keytrail_unpack".into())
            .ok()?
            .dyn_into()
            .ok()?;
    unpack
        .call1(&JsValue::NULL, &base64.into())
        .ok()?
        .dyn_into()
        .ok()
}

/// An account as shown: bidi controls made visible, and a word for events without one.
pub fn account_name(
    store: &crate::model::store::Store,
    sym: crate::model::store::Sym,
    text: &Text,
) -> String {
    let name = store.str(sym);
    if name.is_empty() {
        text.no_account.to_string()
    } else {
        crate::text::visible(name).into_owned()
    }
}

/// An instant as shown in charts and timelines: `YYYY-MM-DD HH:MM` (UTC).
pub fn minute_text(ns: i64) -> String {
    super::state::format_minutes(ns).replace('T', " ")
}

/// Offers `content` as a download named `name`: a blob behind an object URL, and a clicked
/// `<a download>`; the URL is revoked a second later, once the click has been handled.
pub fn download(name: &str, mime: &str, content: &str) {
    let Some(document) = gloo_document() else {
        return;
    };
    let url = gloo::file::ObjectUrl::from(gloo::file::Blob::new_with_options(content, Some(mime)));
    if let Ok(a) = document.create_element("a") {
        if let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>() {
            a.set_href(&url);
            a.set_download(name);
            a.click();
        }
    }
    gloo::timers::callback::Timeout::new(1_000, move || drop(url)).forget();
}

thread_local! {
    /// The object URL of the last report opened: kept until the next one (the new tab may load
    /// it, or be reloaded, any time after the click).
    static REPORT_URL: RefCell<Option<gloo::file::ObjectUrl>> = const { RefCell::new(None) };
}

/// Opens a report (`crate::report`: no script, its own Content-Security-Policy) in a new tab
/// for the user to print: a blob behind an object URL, so nothing is requested; the tab gets no
/// handle on this page (`noopener`).
pub fn open_report(html: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let url =
        gloo::file::ObjectUrl::from(gloo::file::Blob::new_with_options(html, Some("text/html")));
    let _ = window.open_with_url_and_target_and_features(&url, "_blank", "noopener");
    REPORT_URL.with(|last| *last.borrow_mut() = Some(url));
}

/// Puts `text` on the clipboard; `then` is called once it is there (the browser may refuse).
pub fn copy_text(text: &str, then: Callback<()>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(text);
    spawn_local(async move {
        if JsFuture::from(promise).await.is_ok() {
            then.emit(());
        }
    });
}
