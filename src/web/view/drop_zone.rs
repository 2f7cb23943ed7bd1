use wasm_bindgen::JsCast;
use web_sys::{DragEvent, File, FileList, HtmlInputElement};
use yew::prelude::*;

use crate::text::Text;

/// Props of [`DropZone`].
#[derive(Properties, PartialEq)]
pub struct DropZoneProps {
    /// The strings to show.
    pub text: &'static Text,
    /// Whether files can be opened yet (the worker has started).
    pub ready: bool,
    /// Called with the files the user picked or dropped.
    pub on_files: Callback<Vec<File>>,
    /// Extra classes of the page (the theme).
    #[prop_or_default]
    pub class: Classes,
    /// What the zone shows below the picker.
    #[prop_or_default]
    pub children: Html,
}

/// The whole page as a drop target, with a heading and the file picker.
#[component]
pub fn DropZone(props: &DropZoneProps) -> Html {
    let text = props.text;
    // dragenter/dragleave fire for every child crossed: count them to know when the drag left.
    let depth = use_state(|| 0_i32);

    let ondragenter = {
        let depth = depth.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            depth.set(*depth + 1);
        })
    };
    let ondragleave = {
        let depth = depth.clone();
        Callback::from(move |_: DragEvent| depth.set((*depth - 1).max(0)))
    };
    // Without this the browser opens the dropped file itself.
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let ondrop = {
        let depth = depth.clone();
        let on_files = props.on_files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            depth.set(0);
            if let Some(list) = e.data_transfer().and_then(|dt| dt.files()) {
                on_files.emit(files_of(&list));
            }
        })
    };
    let onchange = {
        let on_files = props.on_files.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(list) = input.files() {
                on_files.emit(files_of(&list));
            }
            // Lets the same file be picked again.
            input.set_value("");
        })
    };

    let class = classes!(
        "drop-zone",
        props.class.clone(),
        (*depth > 0).then_some("dragging")
    );
    html! {
        <div {class} data-testid="drop-zone" data-ready={props.ready.to_string()}
            {ondragenter} {ondragleave} {ondragover} {ondrop}>
            <header class="masthead">
                <h1>{ text.title }</h1>
                <p class="privacy">{ text.privacy }</p>
                <section class="open">
                    <label class="button">
                        { text.choose_files }
                        <input type="file" multiple=true class="visually-hidden"
                            data-testid="file-input" {onchange} />
                    </label>
                    <span class="hint">
                        { if props.ready { text.drop_hint } else { text.starting } }
                    </span>
                </section>
            </header>
            { props.children.clone() }
            <div class="drop-overlay" aria-hidden="true">{ text.drop_now }</div>
        </div>
    }
}

/// The files of a `FileList`, in order.
fn files_of(list: &FileList) -> Vec<File> {
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}
