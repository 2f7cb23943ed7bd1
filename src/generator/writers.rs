//! The export formats: how each tool spells one event, and what comes before and after.

use super::sim::{PROVIDER_GUID, PROVIDER_NAME};
use super::text::{self, Lang};
use super::time::{push_time, push_us_local, TimeStyle};
use super::{Format, GenEvent};

const XMLNS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

/// Where line breaks and indentation go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Everything on one line.
    OneLine,
    /// One element per line, indented by depth.
    Indented,
    /// Like `Indented`, but empty elements as an open tag and a close tag on separate lines
    /// (Rust evtx_dump).
    PairLines,
    /// python-evtx: a container's first child follows its open tag on the same line; every
    /// leaf and close tag ends its line.
    Python,
    /// Documentation pages: `- <Open>`, ` <Leaf /> `, ` </Close>`.
    Docs,
}

/// How an element without content is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Empty {
    /// `<Correlation/>`
    Tight,
    /// `<Correlation />`
    Spaced,
    /// `<Correlation></Correlation>`
    Pair,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum GuidStyle {
    BracesUpper,
    BracesLower,
    BareUpper,
    BareLower,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum HexStyle {
    /// As Windows writes it: `0x3e7`.
    Raw,
    /// EvtxECmd: `0x3E7`.
    Upper,
    /// python-evtx: `0x00000000000003e7` (HexInt64) / `0x00000000` (HexInt32).
    Padded,
}

#[derive(Clone, Copy)]
struct Style {
    quote: char,
    layout: Layout,
    indent: &'static str,
    nl: &'static str,
    empty: Empty,
    xmlns: bool,
    guid: GuidStyle,
    time: TimeStyle,
    hex: HexStyle,
    /// `&` left as is in text (Event Viewer XML View copy).
    amp_raw: bool,
    /// Non-ASCII as `&#NNN;` (python-evtx).
    ascii: bool,
    /// Markdown escapes `\_` and `\\` in text (documentation pages).
    markdown: bool,
    rendering: Option<Lang>,
    /// Message line breaks written as they are instead of `&#13;&#10;`/`&#9;`.
    literal_breaks: bool,
    /// The empty attributes python-evtx writes.
    python_attrs: bool,
    /// Event Viewer leaves some RenderingInfo fields empty.
    sparse_rendering: bool,
}

const WEVTUTIL: Style = Style {
    quote: '\'',
    layout: Layout::OneLine,
    indent: "",
    nl: "\r\n",
    empty: Empty::Tight,
    xmlns: true,
    guid: GuidStyle::BracesUpper,
    time: TimeStyle::Fraction7Z,
    hex: HexStyle::Raw,
    amp_raw: false,
    ascii: false,
    markdown: false,
    rendering: None,
    literal_breaks: false,
    python_attrs: false,
    sparse_rendering: false,
};

fn style(format: Format) -> Style {
    match format {
        Format::Wevtutil | Format::PowerShell => WEVTUTIL,
        Format::RenderedXml => Style {
            nl: "\n",
            rendering: Some(Lang::En),
            ..WEVTUTIL
        },
        Format::RenderedXmlJa => Style {
            nl: "\n",
            rendering: Some(Lang::Ja),
            ..WEVTUTIL
        },
        Format::EventViewer => Style {
            quote: '"',
            empty: Empty::Spaced,
            rendering: Some(Lang::En),
            literal_breaks: true,
            sparse_rendering: true,
            ..WEVTUTIL
        },
        Format::DocsPaste => Style {
            quote: '"',
            layout: Layout::Docs,
            nl: "\n",
            empty: Empty::Spaced,
            time: TimeStyle::Fraction9Z,
            markdown: true,
            ..WEVTUTIL
        },
        Format::EvtxDump => Style {
            quote: '"',
            layout: Layout::PairLines,
            indent: "  ",
            nl: "\n",
            empty: Empty::Pair,
            guid: GuidStyle::BareUpper,
            time: TimeStyle::Fraction6Z,
            ..WEVTUTIL
        },
        Format::PythonEvtx => Style {
            quote: '"',
            layout: Layout::Python,
            nl: "\n",
            empty: Empty::Pair,
            guid: GuidStyle::BracesLower,
            time: TimeStyle::PythonIso,
            hex: HexStyle::Padded,
            ascii: true,
            python_attrs: true,
            ..WEVTUTIL
        },
        Format::EvtxECmd => Style {
            quote: '"',
            layout: Layout::Indented,
            indent: "  ",
            nl: "\r\n",
            empty: Empty::Spaced,
            xmlns: false,
            guid: GuidStyle::BareLower,
            time: TimeStyle::Space7,
            hex: HexStyle::Upper,
            ..WEVTUTIL
        },
        Format::EvtxExport => Style {
            quote: '"',
            layout: Layout::Indented,
            indent: "  ",
            nl: "\n",
            time: TimeStyle::Fraction9Z,
            ..WEVTUTIL
        },
        Format::CopyDetailsText => Style {
            quote: '"',
            layout: Layout::Indented,
            indent: "  ",
            empty: Empty::Spaced,
            ..WEVTUTIL
        },
        Format::XmlViewCopy => Style {
            layout: Layout::Indented,
            indent: "  ",
            empty: Empty::Spaced,
            amp_raw: true,
            ..WEVTUTIL
        },
        // The shapes of `siem`; Splunk's `_raw` is wevtutil's XML.
        Format::NxLog
        | Format::Ecs
        | Format::EvtxDumpJsonl
        | Format::SplunkJson
        | Format::SplunkCsv
        | Format::Clixml
        | Format::GetWinEventJson
        | Format::GetWinEventJsonDepth2 => WEVTUTIL,
    }
}

/// What a format writes before the first event.
pub(crate) fn header(format: Format, out: &mut String) {
    match format {
        Format::EventViewer => {
            out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n<Events>")
        }
        Format::PythonEvtx => out
            .push_str("<?xml version=\"1.1\" encoding=\"utf-8\" standalone=\"yes\" ?>\n\n<Events>\n"),
        Format::EvtxExport => out.push_str("evtxexport 20240101\n\n"),
        Format::SplunkCsv
        | Format::Clixml
        | Format::GetWinEventJson
        | Format::GetWinEventJsonDepth2 => super::siem::header(format, out),
        Format::DocsPaste => out.push_str(
            "# Key events seen on the CONTOSO servers\n\nEach block below is one event as the reference pages show it.\n\n",
        ),
        _ => {}
    }
}

/// What a format writes after the last event.
pub(crate) fn footer(format: Format, out: &mut String) {
    match format {
        Format::EventViewer => out.push_str("</Events>\r\n"),
        Format::PythonEvtx => out.push_str("</Events>\n"),
        Format::Clixml | Format::GetWinEventJson | Format::GetWinEventJsonDepth2 => {
            super::siem::footer(format, out)
        }
        _ => {}
    }
}

/// What a format writes between two events (the comma of a JSON array).
pub(crate) fn separator(format: Format, out: &mut String) {
    if matches!(
        format,
        Format::GetWinEventJson | Format::GetWinEventJsonDepth2
    ) {
        out.push_str(",\r\n");
    }
}

/// Appends one event in `format`.
pub(crate) fn event(format: Format, e: &GenEvent, out: &mut String) {
    let st = style(format);
    match format {
        Format::EvtxDump => {
            out.push_str("Record ");
            out.push_str(&e.record_id.to_string());
            out.push_str("\n<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
            event_xml(&st, e, out);
        }
        Format::PythonEvtx | Format::EvtxExport => {
            event_xml(&st, e, out);
            out.push('\n');
        }
        Format::DocsPaste => {
            out.push_str("Event ");
            out.push_str(&e.event_id.to_string());
            out.push_str(" as logged on ");
            out.push_str(&e.computer);
            out.push_str(" (record ");
            out.push_str(&e.record_id.to_string());
            out.push_str("):\n\n***Event XML:***\n```\n");
            event_xml(&st, e, out);
            out.push_str("\n```\n\nThe fields are explained in the sections that follow.\n\n");
        }
        Format::CopyDetailsText => {
            copy_details_header(e, out);
            event_xml(&st, e, out);
            out.push_str("\r\n");
        }
        Format::XmlViewCopy => {
            event_xml(&st, e, out);
            out.push_str("\r\n");
        }
        Format::EventViewer | Format::EvtxECmd => event_xml(&st, e, out),
        Format::Wevtutil | Format::PowerShell | Format::RenderedXml | Format::RenderedXmlJa => {
            event_xml(&st, e, out);
            out.push_str(st.nl);
        }
        Format::NxLog
        | Format::Ecs
        | Format::EvtxDumpJsonl
        | Format::SplunkJson
        | Format::SplunkCsv
        | Format::Clixml
        | Format::GetWinEventJson
        | Format::GetWinEventJsonDepth2 => {
            let xml = |o: &mut String| event_xml(&st, e, o);
            super::siem::event(format, e, &xml, out);
        }
    }
}

fn copy_details_header(e: &GenEvent, out: &mut String) {
    let lang = Lang::En;
    let lines: [(&str, String); 9] = [
        ("Log Name:      ", "Security".to_string()),
        ("Source:        ", PROVIDER_NAME.to_string()),
        ("Date:          ", {
            let mut d = String::new();
            push_us_local(&mut d, e.time_nanos);
            d
        }),
        ("Event ID:      ", e.event_id.to_string()),
        ("Task Category: ", text::task(e.task, lang).to_string()),
        ("Level:         ", text::level(lang).to_string()),
        (
            "Keywords:      ",
            text::keyword(e.keywords, lang).to_string(),
        ),
        ("User:          ", "N/A".to_string()),
        ("Computer:      ", e.computer.clone()),
    ];
    for (label, value) in lines {
        out.push_str(label);
        out.push_str(&value);
        out.push_str("\r\n");
    }
    out.push_str("Description:\r\n");
    text::message(e.event_id, &e.data, lang, out);
    out.push_str("\r\nEvent Xml:\r\n");
}

/// The width of a hex-typed field (16 for HexInt64, 8 for HexInt32), if it is one.
fn hex_width(event_id: u32, name: &str) -> Option<usize> {
    match name {
        "SubjectLogonId" | "TargetLogonId" | "TargetLinkedLogonId" => Some(16),
        "ProcessId" if event_id == 4624 => Some(16),
        "ReturnCode" => Some(8),
        _ => None,
    }
}

fn hex_value(value: &str, width: usize, style: HexStyle) -> String {
    let digits = value
        .strip_prefix("0x")
        .or_else(|| value.strip_prefix("0X"));
    match (style, digits) {
        (HexStyle::Raw, _) | (_, None) => value.to_string(),
        (HexStyle::Upper, Some(d)) => format!("0x{}", d.to_ascii_uppercase()),
        (HexStyle::Padded, Some(d)) => match u64::from_str_radix(d, 16) {
            Ok(v) => format!("0x{:0width$x}", v, width = width),
            Err(_) => value.to_string(),
        },
    }
}

fn guid_value(guid: &str, style: GuidStyle) -> String {
    let bare = guid.trim_start_matches('{').trim_end_matches('}');
    match style {
        GuidStyle::BracesUpper => format!("{{{}}}", bare.to_ascii_uppercase()),
        GuidStyle::BracesLower => format!("{{{}}}", bare.to_ascii_lowercase()),
        GuidStyle::BareUpper => bare.to_ascii_uppercase(),
        GuidStyle::BareLower => bare.to_ascii_lowercase(),
    }
}

/// Writes elements in one style.
struct Emitter<'a> {
    st: &'a Style,
    out: &'a mut String,
    depth: usize,
}

impl Emitter<'_> {
    fn pad(&mut self) {
        match self.st.layout {
            Layout::Indented | Layout::PairLines => {
                for _ in 0..self.depth {
                    self.out.push_str(self.st.indent);
                }
            }
            Layout::Docs => self.out.push(' '),
            Layout::OneLine | Layout::Python => {}
        }
    }

    fn attrs(&mut self, attrs: &[(&str, &str)]) {
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push('=');
            self.out.push(self.st.quote);
            for ch in value.chars() {
                match ch {
                    '&' => self.out.push_str("&amp;"),
                    '<' => self.out.push_str("&lt;"),
                    '"' if self.st.quote == '"' => self.out.push_str("&quot;"),
                    '\'' if self.st.quote == '\'' => self.out.push_str("&apos;"),
                    c if self.st.ascii && !c.is_ascii() => {
                        self.out.push_str(&format!("&#{};", u32::from(c)))
                    }
                    c => self.out.push(c),
                }
            }
            self.out.push(self.st.quote);
        }
    }

    fn text(&mut self, s: &str, breaks_as_refs: bool) {
        for ch in s.chars() {
            match ch {
                '&' if self.st.amp_raw => self.out.push('&'),
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' if breaks_as_refs => self.out.push_str("&#13;"),
                '\n' if breaks_as_refs => self.out.push_str("&#10;"),
                '\t' if breaks_as_refs => self.out.push_str("&#9;"),
                '_' if self.st.markdown => self.out.push_str("\\_"),
                '\\' if self.st.markdown => self.out.push_str("\\\\"),
                c if self.st.ascii && !c.is_ascii() => {
                    self.out.push_str(&format!("&#{};", u32::from(c)))
                }
                c => self.out.push(c),
            }
        }
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        match self.st.layout {
            Layout::Docs => self.out.push_str("- "),
            _ => self.pad(),
        }
        self.out.push('<');
        self.out.push_str(name);
        self.attrs(attrs);
        self.out.push('>');
        match self.st.layout {
            Layout::OneLine | Layout::Python => {}
            _ => self.out.push_str(self.st.nl),
        }
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.pad();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        if self.st.layout != Layout::OneLine {
            self.out.push_str(self.st.nl);
        }
    }

    /// An element with text (or, for `None`, an empty element).
    fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], content: Option<&str>) {
        self.leaf_with(name, attrs, content, false);
    }

    fn leaf_with(&mut self, name: &str, attrs: &[(&str, &str)], content: Option<&str>, refs: bool) {
        self.pad();
        self.out.push('<');
        self.out.push_str(name);
        self.attrs(attrs);
        match content {
            Some(t) => {
                self.out.push('>');
                self.text(t, refs);
                self.out.push_str("</");
                self.out.push_str(name);
                self.out.push('>');
            }
            None => match (self.st.layout, self.st.empty) {
                (Layout::PairLines, _) => {
                    self.out.push('>');
                    self.out.push_str(self.st.nl);
                    self.pad();
                    self.out.push_str("</");
                    self.out.push_str(name);
                    self.out.push('>');
                }
                (_, Empty::Tight) => self.out.push_str("/>"),
                (_, Empty::Spaced) => self.out.push_str(" />"),
                (_, Empty::Pair) => {
                    self.out.push_str("></");
                    self.out.push_str(name);
                    self.out.push('>');
                }
            },
        }
        match self.st.layout {
            Layout::OneLine => {}
            Layout::Docs => {
                self.out.push(' ');
                self.out.push_str(self.st.nl);
            }
            _ => self.out.push_str(self.st.nl),
        }
    }
}

/// Appends the `<Event>` element of `e` in style `st` (ending with the style's line break
/// for the multi-line layouts).
fn event_xml(st: &Style, e: &GenEvent, out: &mut String) {
    let mut em = Emitter { st, out, depth: 0 };
    if st.xmlns {
        em.open("Event", &[("xmlns", XMLNS)]);
    } else {
        em.open("Event", &[]);
    }
    em.open("System", &[]);
    let guid = guid_value(PROVIDER_GUID, st.guid);
    em.leaf(
        "Provider",
        &[("Name", PROVIDER_NAME), ("Guid", &guid)],
        None,
    );
    let id = e.event_id.to_string();
    if st.python_attrs {
        em.leaf("EventID", &[("Qualifiers", "")], Some(&id));
    } else {
        em.leaf("EventID", &[], Some(&id));
    }
    em.leaf("Version", &[], Some(&e.version.to_string()));
    em.leaf("Level", &[], Some(&e.level.to_string()));
    em.leaf("Task", &[], Some(&e.task.to_string()));
    em.leaf("Opcode", &[], Some(&e.opcode.to_string()));
    em.leaf("Keywords", &[], Some(&format!("{:#018x}", e.keywords)));
    let mut t = String::new();
    push_time(&mut t, e.time_nanos, st.time);
    em.leaf("TimeCreated", &[("SystemTime", &t)], None);
    em.leaf("EventRecordID", &[], Some(&e.record_id.to_string()));
    if st.python_attrs {
        em.leaf(
            "Correlation",
            &[("ActivityID", ""), ("RelatedActivityID", "")],
            None,
        );
    } else {
        em.leaf("Correlation", &[], None);
    }
    let pid = e.process_id.to_string();
    let tid = e.thread_id.to_string();
    em.leaf(
        "Execution",
        &[("ProcessID", &pid), ("ThreadID", &tid)],
        None,
    );
    em.leaf("Channel", &[], Some("Security"));
    em.leaf("Computer", &[], Some(&e.computer));
    if st.python_attrs {
        em.leaf("Security", &[("UserID", "")], None);
    } else {
        em.leaf("Security", &[], None);
    }
    em.close("System");
    em.open("EventData", &[]);
    for (name, value) in &e.data {
        let v = if let Some(w) = hex_width(e.event_id, name) {
            hex_value(value, w, st.hex)
        } else if name == "LogonGuid" {
            guid_value(value, st.guid)
        } else {
            value.clone()
        };
        em.leaf("Data", &[("Name", name)], Some(&v));
    }
    em.close("EventData");
    if let Some(lang) = st.rendering {
        rendering_info(&mut em, e, lang);
    }
    em.close("Event");
}

fn rendering_info(em: &mut Emitter<'_>, e: &GenEvent, lang: Lang) {
    let sparse = em.st.sparse_rendering;
    em.open("RenderingInfo", &[("Culture", lang.culture())]);
    let mut msg = String::new();
    text::message(e.event_id, &e.data, lang, &mut msg);
    let refs = !em.st.literal_breaks;
    em.leaf_with("Message", &[], Some(&msg), refs);
    em.leaf("Level", &[], Some(text::level(lang)));
    // Event Viewer leaves Task empty when it has no name for it (here: 5061).
    let task = if sparse && e.event_id == 5061 {
        ""
    } else {
        text::task(e.task, lang)
    };
    em.leaf("Task", &[], Some(task));
    em.leaf("Opcode", &[], Some(text::opcode(lang)));
    em.leaf("Channel", &[], Some("Security"));
    em.leaf("Provider", &[], Some(text::provider(lang)));
    if sparse && e.record_id % 5 == 0 {
        em.leaf("Keywords", &[], Some(""));
    } else {
        em.open("Keywords", &[]);
        em.leaf("Keyword", &[], Some(text::keyword(e.keywords, lang)));
        em.close("Keywords");
    }
    em.close("RenderingInfo");
}
