//! Events as SIEMs and PowerShell hand them over, turned back into the event XML Windows wrote:
//! one conversion per shape, shared by the readers ([`json`](super::json),
//! [`clixml`](super::clixml)), the detail pane and the export (which read an event's bytes again),
//! so that every event goes through the one event parser and nothing downstream knows the shape.
//!
//! A conversion writes the event element by element ([`Elements`]): as XML text ([`Rec::to_xml`],
//! what the detail pane shows and copies) or, when a file is read, straight into the decoded
//! event by the event parser's own steps ([`EventParser::build`](crate::decoder::EventParser)),
//! which gives the event (and the repairs) that parsing the XML would give without writing and
//! reading it. Documents are read into [`node::Value`](super::node), `serde_json`'s tree with
//! borrowed strings.
//!
//! - NXLog `im_msvistalog` JSON: System values under their NXLog names (`EventID`, `EventTime`,
//!   `Hostname`, `RecordNumber`, `Keywords` as a signed decimal…), every other key an `EventData`
//!   field, `%%` codes raw.
//! - Elastic Agent / winlogbeat (ECS): `winlog.*`, `@timestamp`, `host.name`; `_source` of a search
//!   hit or a `_bulk` line. Values winlogbeat rendered from msobjs.dll (`"User key."`) go back to
//!   their `%%` code when the table knows the text; `event.original`, when kept, is the XML itself.
//! - `evtx_dump -o json/jsonl`: the XML as JSON (`#attributes`, `#text`, or `NAME_attributes`).
//! - Splunk `XmlWinEventLog`: the XML in `_raw`.
//! - PowerShell `EventLogRecord`s (`ConvertTo-Json`, `Export-Clixml`): positional `Properties`,
//!   named by the event's template ([`table::template`]), `Data1…DataN` when it is not known.

use super::node::{Map, Value};
use crate::decoder::table::{self, Slot};
use crate::decoder::value::{parse_number, parse_time};
use crate::decoder::{escape_xml, Elements};
use std::borrow::Cow;

const XMLNS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";
/// The Security channel's keyword bit, which Windows sets on every event of that channel.
const SECURITY_CHANNEL_BIT: u64 = 0x8000_0000_0000_0000;
/// The text `ConvertTo-Json` writes for an `EventProperty` it did not descend into.
pub(crate) const EVENT_PROPERTY: &str = "System.Diagnostics.Eventing.Reader.EventProperty";

/// What one document of an export is.
#[derive(Debug)]
pub(crate) enum Doc<'a> {
    /// A Windows event.
    Event(Rec<'a>),
    /// A `ConvertTo-Json` event whose property values were lost (depth 2): what is left.
    Lost(Rec<'a>),
    /// An Elasticsearch `_bulk` action line: not a document.
    Skip,
    /// Valid, but not a Windows event.
    Other,
}

/// One event of a converted shape, ready to be written as its XML ([`Rec::to_xml`]) or built
/// straight into a decoded event ([`Rec::write`] into a [`Builder`](crate::decoder)): the same
/// elements either way.
// One at a time, on the stack: boxing the large variant would cost an allocation per event.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum Rec<'a> {
    /// The event's XML itself (Splunk's `_raw`, ECS `event.original`).
    Xml(&'a str),
    /// System fields and body.
    Fields(EventXml<'a>),
    /// `evtx_dump`'s JSON of the `Event` element.
    Dump(&'a Value<'a>),
}

impl Rec<'_> {
    /// The event's XML, on one line.
    pub fn to_xml(&self) -> String {
        match self {
            Rec::Xml(xml) => xml.to_string(),
            other => {
                let mut w = XmlText(String::with_capacity(1024));
                other.write(&mut w);
                w.0
            }
        }
    }

    /// Writes the event's elements.
    pub fn write(&self, s: &mut impl Elements) {
        match self {
            Rec::Xml(xml) => s.fragment(xml),
            Rec::Fields(e) => e.write(s),
            Rec::Dump(event) => evtx_dump(s, event),
        }
    }
}

/// [`Elements`] written as XML text.
pub(crate) struct XmlText(pub String);

impl XmlText {
    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let o = &mut self.0;
        o.push('<');
        o.push_str(name);
        for (k, v) in attrs {
            o.push(' ');
            o.push_str(k);
            o.push_str("=\"");
            escape_xml(o, v, true);
            o.push('"');
        }
    }
}

impl Elements for XmlText {
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.open(name, attrs);
        self.0.push('>');
    }

    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.open(name, attrs);
        self.0.push_str("/>");
    }

    fn text(&mut self, text: &str) {
        escape_xml(&mut self.0, text, false);
    }

    fn end(&mut self, name: &str) {
        self.0.push_str("</");
        self.0.push_str(name);
        self.0.push('>');
    }

    fn fragment(&mut self, xml: &str) {
        self.0.push_str(xml);
    }
}

/// The attributes of `pairs` whose value is not empty (Windows leaves the others out).
fn present<'a, const N: usize>(pairs: [(&'a str, &'a str); N]) -> ([(&'a str, &'a str); N], usize) {
    let mut out = [("", ""); N];
    let mut n = 0;
    for p in pairs {
        if !p.1.is_empty() {
            out[n] = p;
            n += 1;
        }
    }
    (out, n)
}

/// The XML of one event, System fields and body, written as `wevtutil` would.
#[derive(Debug, Default)]
pub(crate) struct EventXml<'a> {
    pub provider: Cow<'a, str>,
    pub guid: Cow<'a, str>,
    pub event_source: Cow<'a, str>,
    pub event_id: Cow<'a, str>,
    pub qualifiers: Cow<'a, str>,
    pub version: Cow<'a, str>,
    pub level: Cow<'a, str>,
    pub task: Cow<'a, str>,
    pub opcode: Cow<'a, str>,
    pub keywords: Cow<'a, str>,
    pub time: Cow<'a, str>,
    pub record_id: Cow<'a, str>,
    pub activity_id: Cow<'a, str>,
    pub related_activity_id: Cow<'a, str>,
    pub process_id: Cow<'a, str>,
    pub thread_id: Cow<'a, str>,
    pub channel: Cow<'a, str>,
    pub computer: Cow<'a, str>,
    pub user_id: Cow<'a, str>,
    /// `EventData/Data`: name (none for unnamed data) and value.
    pub data: Vec<(Option<Cow<'a, str>>, Cow<'a, str>)>,
    /// `EventData/Binary`.
    pub binary: Cow<'a, str>,
    /// A body other than `EventData` (`UserData`…), already XML.
    pub body_xml: String,
    /// `RenderingInfo` children, as the export gave them.
    pub rendering: Vec<(&'static str, Cow<'a, str>)>,
}

impl EventXml<'_> {
    /// Writes the event's elements as `wevtutil` would.
    pub fn write(&self, s: &mut impl Elements) {
        s.start("Event", &[("xmlns", XMLNS)]);
        s.start("System", &[]);
        let (a, n) = present([
            ("Name", &*self.provider),
            ("Guid", &*self.guid),
            ("EventSourceName", &*self.event_source),
        ]);
        s.empty("Provider", &a[..n]);
        let (a, n) = present([("Qualifiers", &*self.qualifiers)]);
        s.start("EventID", &a[..n]);
        s.text(&self.event_id);
        s.end("EventID");
        for (name, value) in [
            ("Version", &*self.version),
            ("Level", &*self.level),
            ("Task", &*self.task),
            ("Opcode", &*self.opcode),
            ("Keywords", &*self.keywords),
        ] {
            leaf(s, name, value);
        }
        let (a, n) = present([("SystemTime", &*self.time)]);
        s.empty("TimeCreated", &a[..n]);
        leaf(s, "EventRecordID", &self.record_id);
        let (a, n) = present([
            ("ActivityID", &*self.activity_id),
            ("RelatedActivityID", &*self.related_activity_id),
        ]);
        s.empty("Correlation", &a[..n]);
        let (a, n) = present([
            ("ProcessID", &*self.process_id),
            ("ThreadID", &*self.thread_id),
        ]);
        s.empty("Execution", &a[..n]);
        leaf(s, "Channel", &self.channel);
        leaf(s, "Computer", &self.computer);
        let (a, n) = present([("UserID", &*self.user_id)]);
        s.empty("Security", &a[..n]);
        s.end("System");
        if !self.body_xml.is_empty() {
            s.fragment(&self.body_xml);
        } else if !self.data.is_empty() || !self.binary.is_empty() {
            s.start("EventData", &[]);
            for (name, value) in &self.data {
                match name {
                    Some(name) => s.start("Data", &[("Name", name)]),
                    None => s.start("Data", &[]),
                }
                s.text(value);
                s.end("Data");
            }
            leaf(s, "Binary", &self.binary);
            s.end("EventData");
        }
        if !self.rendering.is_empty() {
            s.start("RenderingInfo", &[("Culture", "")]);
            for (name, value) in &self.rendering {
                leaf(s, name, value);
            }
            s.end("RenderingInfo");
        }
        s.end("Event");
    }
}

/// `<name>value</name>`, left out when the value is empty.
fn leaf(s: &mut impl Elements, name: &str, value: &str) {
    if value.is_empty() {
        return;
    }
    s.start(name, &[]);
    s.text(value);
    s.end(name);
}

/// A valid XML name from a JSON key (`@timestamp` → `_timestamp`).
fn element_name(key: &str) -> Cow<'_, str> {
    let valid = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let starts = key.starts_with(|c: char| c.is_alphabetic() || c == '_');
    if starts && key.chars().all(valid) {
        return Cow::Borrowed(key);
    }
    let mut out: String = key
        .chars()
        .map(|c| if valid(c) { c } else { '_' })
        .collect();
    if !starts {
        out.insert(0, '_');
    }
    Cow::Owned(out)
}

/// A scalar as text (`None` for `null`, arrays and objects), borrowed when it is a string.
fn text_of<'v>(v: &'v Value<'_>) -> Option<Cow<'v, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(match n.as_u64() {
            Some(u) => decimal(u),
            None => n.to_string(),
        })),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        _ => None,
    }
}

/// `n` in decimal, as `Number`'s `Display` writes it, without the formatting machinery.
fn decimal(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[i..].iter().map(|&d| d as char).collect()
}

/// A scalar as text (`None` for `null`, arrays and objects).
fn scalar(v: &Value<'_>) -> Option<String> {
    text_of(v).map(Cow::into_owned)
}

/// `NAME_attributes`, the attributes `evtx_dump` may keep beside element `NAME`.
fn sibling<'v, 'a>(obj: &'v Map<'a>, name: &str) -> Option<&'v Value<'a>> {
    const SUFFIX: &str = "_attributes";
    obj.iter()
        .find(|(k, _)| {
            k.len() == name.len() + SUFFIX.len() && k.starts_with(name) && k.ends_with(SUFFIX)
        })
        .map(|(_, v)| v)
}

/// The value at `path`, nested (`winlog` → `event_id`) or flattened (`"winlog.event_id"`).
fn get<'a, 'b>(v: &'a Value<'b>, path: &[&str]) -> Option<&'a Value<'b>> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    let obj = v.as_object()?;
    if let Some(found) = obj.get(first).and_then(|inner| get(inner, rest)) {
        return Some(found);
    }
    if rest.is_empty() {
        return None;
    }
    obj.iter().find(|(k, _)| is_dotted(k, path)).map(|(_, v)| v)
}

/// Whether `key` is the parts of `path` joined by dots (`winlog.event_id`).
fn is_dotted(key: &str, path: &[&str]) -> bool {
    let mut rest = key;
    for (i, part) in path.iter().enumerate() {
        if i > 0 {
            match rest.strip_prefix('.') {
                Some(r) => rest = r,
                None => return false,
            }
        }
        match rest.strip_prefix(part) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

fn text_at<'v>(v: &'v Value<'_>, path: &[&str]) -> Cow<'v, str> {
    get(v, path).and_then(text_of).unwrap_or_default()
}

/// A GUID as Windows writes it in event XML: braces, upper case.
pub(crate) fn guid(raw: &str) -> String {
    let bare = raw.trim().trim_start_matches('{').trim_end_matches('}');
    if bare.is_empty() {
        return String::new();
    }
    format!("{{{}}}", bare.to_ascii_uppercase())
}

/// [`guid`], without a copy when the text already is one as Windows writes it.
fn guid_of(raw: Cow<'_, str>) -> Cow<'_, str> {
    let bare = raw.trim().trim_start_matches('{').trim_end_matches('}');
    let written = !bare.is_empty()
        && raw.len() == bare.len() + 2
        && raw.starts_with('{')
        && raw.ends_with('}')
        && !bare.bytes().any(|b| b.is_ascii_lowercase());
    if written {
        raw
    } else {
        Cow::Owned(guid(&raw))
    }
}

/// Nanoseconds as `TimeCreated/@SystemTime` (RFC 3339 UTC, 7 fraction digits).
pub(crate) fn iso(nanos: i64) -> String {
    let mut s = String::with_capacity(28);
    let _ = crate::decoder::value::write_rfc3339(&mut s, nanos);
    s
}

/// A time as an export writes it, as `TimeCreated/@SystemTime`; the text as it is when it is not
/// a time (the event parser then says so).
fn time_text(raw: &str) -> String {
    ps_time(raw).map_or_else(|| raw.to_string(), iso)
}

/// A time in any spelling an export uses: RFC 3339 with or without offset, `2017-12-19
/// 17:45:02` (read as UTC), or .NET's `/Date(1700000000000)/` of `ConvertTo-Json` in Windows
/// PowerShell 5.1.
pub(crate) fn ps_time(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    if let Some(inner) = raw
        .strip_prefix("/Date(")
        .or_else(|| raw.strip_prefix("\\/Date("))
    {
        let digits: String = inner
            .chars()
            .enumerate()
            .take_while(|&(i, c)| c.is_ascii_digit() || (i == 0 && c == '-'))
            .map(|(_, c)| c)
            .collect();
        return digits.parse::<i64>().ok()?.checked_mul(1_000_000);
    }
    parse_time(raw)
}

/// Keywords in any spelling (signed or unsigned decimal, hex) as Windows writes them (`0x…`).
fn keywords_text(v: &Value<'_>) -> String {
    let raw = match v {
        Value::Number(n) => n
            .as_i64()
            .map(|i| i as u64)
            .or_else(|| n.as_u64())
            .map(|u| u.to_string()),
        Value::String(s) => Some(s.to_string()),
        _ => None,
    };
    match raw.as_deref().and_then(parse_number) {
        Some(bits) => format!("{bits:#x}"),
        None => raw.unwrap_or_default(),
    }
}

/// What one JSON document is: see the [module documentation](self).
pub(crate) fn json_doc<'a>(v: &'a Value<'a>) -> Doc<'a> {
    let Some(obj) = v.as_object() else {
        return Doc::Other;
    };
    if is_bulk_action(obj) {
        return Doc::Skip;
    }
    // A search hit or an export of one.
    let source = obj.get("_source").filter(|s| s.is_object()).unwrap_or(v);
    // Splunk: `{"result": {"_raw": …}}` lines, or the results themselves.
    let raw = get(source, &["result", "_raw"])
        .or_else(|| get(source, &["_raw"]))
        .or_else(|| get(source, &["event", "original"]))
        .and_then(Value::as_str);
    if let Some(raw) = raw.filter(|r| r.trim_start().starts_with("<Event")) {
        return Doc::Event(Rec::Xml(raw));
    }
    if let Some(event) = source.get("Event").filter(|e| e.is_object()) {
        return Doc::Event(Rec::Dump(event));
    }
    if get(source, &["winlog"]).is_some() || get(source, &["winlog", "event_id"]).is_some() {
        return ecs(source).map_or(Doc::Other, |e| Doc::Event(Rec::Fields(e)));
    }
    let has = |k: &str| source.get(k).is_some();
    if has("Id") && has("ProviderName") && (has("TimeCreated") || has("Properties")) {
        let record = PsRecord::from_json(source);
        let e = Rec::Fields(record.event());
        return if record.lost {
            Doc::Lost(e)
        } else {
            Doc::Event(e)
        };
    }
    if has("EventID") && (has("SourceName") || has("EventTime") || has("SourceModuleType")) {
        return Doc::Event(Rec::Fields(nxlog(source)));
    }
    Doc::Other
}

/// `{"index": {…}}` and its kin, the action lines of an Elasticsearch `_bulk` body.
fn is_bulk_action(obj: &Map<'_>) -> bool {
    obj.len() == 1
        && obj
            .iter()
            .all(|(k, v)| matches!(k, "index" | "create" | "update" | "delete") && v.is_object())
}

/// The keys of an NXLog `im_msvistalog` record that are not `EventData` fields.
const NXLOG_SYSTEM: [&str; 42] = [
    "EventTime",
    "EventReceivedTime",
    "Hostname",
    "Keywords",
    "EventType",
    "SeverityValue",
    "Severity",
    "EventID",
    "SourceName",
    "ProviderGuid",
    "Version",
    "Task",
    "TaskValue",
    "OpcodeValue",
    "Opcode",
    "Level",
    "LevelValue",
    "RecordNumber",
    "ActivityID",
    "RelatedActivityID",
    "ProcessID",
    "ThreadID",
    "ExecutionProcessID",
    "ExecutionThreadID",
    "Channel",
    "channel",
    "Domain",
    "AccountName",
    "UserID",
    "AccountType",
    "Message",
    "Category",
    "SourceModuleName",
    "SourceModuleType",
    "MessageSourceAvailable",
    "ERROR_EVT_UNRESOLVED",
    "@timestamp",
    "@version",
    "host",
    "port",
    "tags",
    "type",
];

/// Where `key` is in [`NXLOG_SYSTEM`], if it is there.
fn nxlog_slot(key: &str) -> Option<usize> {
    Some(match key {
        "EventTime" => 0,
        "EventReceivedTime" => 1,
        "Hostname" => 2,
        "Keywords" => 3,
        "EventType" => 4,
        "SeverityValue" => 5,
        "Severity" => 6,
        "EventID" => 7,
        "SourceName" => 8,
        "ProviderGuid" => 9,
        "Version" => 10,
        "Task" => 11,
        "TaskValue" => 12,
        "OpcodeValue" => 13,
        "Opcode" => 14,
        "Level" => 15,
        "LevelValue" => 16,
        "RecordNumber" => 17,
        "ActivityID" => 18,
        "RelatedActivityID" => 19,
        "ProcessID" => 20,
        "ThreadID" => 21,
        "ExecutionProcessID" => 22,
        "ExecutionThreadID" => 23,
        "Channel" => 24,
        "channel" => 25,
        "Domain" => 26,
        "AccountName" => 27,
        "UserID" => 28,
        "AccountType" => 29,
        "Message" => 30,
        "Category" => 31,
        "SourceModuleName" => 32,
        "SourceModuleType" => 33,
        "MessageSourceAvailable" => 34,
        "ERROR_EVT_UNRESOLVED" => 35,
        "@timestamp" => 36,
        "@version" => 37,
        "host" => 38,
        "port" => 39,
        "tags" => 40,
        "type" => 41,
        _ => return None,
    })
}
fn nxlog<'v>(v: &'v Value<'_>) -> EventXml<'v> {
    // One pass over the record: System keys to their slots, the others are the fields.
    let mut system: [Option<&Value<'_>>; NXLOG_SYSTEM.len()] = [None; NXLOG_SYSTEM.len()];
    let mut fields = Vec::new();
    for (k, value) in v.as_object().into_iter().flatten() {
        match nxlog_slot(k) {
            Some(i) => system[i] = system[i].or(Some(value)),
            None => fields.push((k, value)),
        }
    }
    let value = |k: &str| nxlog_slot(k).and_then(|i| system[i]);
    let t = |k: &str| value(k).and_then(text_of).unwrap_or_default();
    let first = |keys: &[&str]| {
        keys.iter()
            .map(|k| t(k))
            .find(|s| !s.is_empty())
            .unwrap_or_default()
    };
    let mut e = EventXml {
        provider: t("SourceName"),
        guid: guid_of(t("ProviderGuid")),
        event_id: t("EventID"),
        version: t("Version"),
        // NXLog gives the task as a number in `Task` (older) or `TaskValue`, the opcode in
        // `OpcodeValue` (its `Opcode` and `Category` are the names).
        task: first(&["TaskValue", "Task"]),
        opcode: t("OpcodeValue"),
        level: t("LevelValue"),
        keywords: value("Keywords")
            .map(keywords_text)
            .unwrap_or_default()
            .into(),
        time: time_text(&t("EventTime")).into(),
        record_id: t("RecordNumber"),
        activity_id: guid_of(t("ActivityID")),
        related_activity_id: guid_of(t("RelatedActivityID")),
        process_id: first(&["ExecutionProcessID", "ProcessID"]),
        thread_id: first(&["ExecutionThreadID", "ThreadID"]),
        channel: first(&["Channel", "channel"]),
        computer: t("Hostname"),
        user_id: t("UserID"),
        ..EventXml::default()
    };
    if e.task.parse::<u64>().is_err() {
        if let Some(n) = table::task_of(&e.task) {
            e.task = n.to_string().into();
        }
    }
    e.data.reserve(fields.len());
    for (k, value) in fields {
        let value = text_of(value).unwrap_or_else(|| value.to_string().into());
        e.data.push((Some(k.into()), value));
    }
    let message = t("Message");
    if !message.is_empty() {
        e.rendering.push(("Message", message));
    }
    e
}

fn ecs<'v>(v: &'v Value<'_>) -> Option<EventXml<'v>> {
    let w = |path: &[&str]| {
        // Paths below `winlog` are at most three deep (`process.thread.id`).
        let mut full = ["winlog"; 4];
        full[1..=path.len()].copy_from_slice(path);
        text_at(v, &full[..=path.len()])
    };
    let mut event_id = w(&["event_id"]);
    if event_id.is_empty() {
        event_id = text_at(v, &["event", "code"]);
    }
    if event_id.is_empty() {
        return None;
    }
    let channel = w(&["channel"]);
    let mut computer = w(&["computer_name"]);
    if computer.is_empty() {
        computer = text_at(v, &["host", "name"]);
    }
    // winlogbeat gives the keywords by name.
    let names: Vec<String> = match get(v, &["winlog", "keywords"]) {
        Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    };
    let mut bits = table::keyword_bits(names.iter().map(String::as_str));
    if bits == 0 {
        bits = match &*text_at(v, &["event", "outcome"]) {
            "success" => table::AUDIT_SUCCESS,
            "failure" => table::AUDIT_FAILURE,
            _ => 0,
        };
    }
    if bits != 0 && channel.eq_ignore_ascii_case("Security") {
        bits |= SECURITY_CHANNEL_BIT;
    }
    let task_name = w(&["task"]);
    let mut e = EventXml {
        provider: w(&["provider_name"]),
        guid: guid_of(w(&["provider_guid"])),
        event_id,
        version: w(&["version"]),
        task: table::task_of(&task_name)
            .map(|t| t.to_string())
            .unwrap_or_default()
            .into(),
        opcode: match &*w(&["opcode"]) {
            "Info" | "Info " => "0".into(),
            other => other
                .parse::<u64>()
                .map(|n| n.to_string())
                .unwrap_or_default()
                .into(),
        },
        keywords: if bits == 0 {
            Cow::Borrowed("")
        } else {
            format!("{bits:#x}").into()
        },
        time: time_text(&text_at(v, &["@timestamp"])).into(),
        record_id: w(&["record_id"]),
        activity_id: guid_of(w(&["activity_id"])),
        related_activity_id: guid_of(w(&["related_activity_id"])),
        process_id: w(&["process", "pid"]),
        thread_id: w(&["process", "thread", "id"]),
        channel,
        computer,
        user_id: w(&["user", "identifier"]),
        ..EventXml::default()
    };
    if let Some(Value::Object(data)) = get(v, &["winlog", "event_data"]) {
        for (k, value) in data {
            let value = text_of(value).unwrap_or_else(|| value.to_string().into());
            // Back to the code Windows logged when the text is one of msobjs.dll's.
            let value = match table::code_of(&value) {
                Some(code) if !value.trim().is_empty() => format!("%%{code}").into(),
                _ => value,
            };
            e.data.push((Some(k.into()), value));
        }
    } else if let Some(Value::Object(data)) = get(v, &["winlog", "user_data"]) {
        let root = data
            .get("xml_name")
            .and_then(Value::as_str)
            .unwrap_or("EventXML");
        let mut body = XmlText(String::with_capacity(256));
        body.start("UserData", &[]);
        let mut inner = Map::new();
        for (k, value) in data {
            if k != "xml_name" {
                inner.insert(k.into(), value.clone());
            }
        }
        generic(&mut body, root, &Value::Object(inner), None);
        body.end("UserData");
        e.body_xml = body.0;
    }
    for (name, path) in [
        ("Message", &["message"][..]),
        ("Level", &["log", "level"][..]),
        ("Task", &["winlog", "task"][..]),
        ("Opcode", &["winlog", "opcode"][..]),
    ] {
        let value = text_at(v, path);
        if !value.is_empty() {
            e.rendering.push((name, value));
        }
    }
    Some(e)
}

/// `evtx_dump`'s JSON of one record back to its XML.
fn evtx_dump(s: &mut impl Elements, event: &Value<'_>) {
    s.start("Event", &[("xmlns", XMLNS)]);
    if let Some(obj) = event.as_object() {
        for (k, v) in obj {
            if k == "#attributes" || k.ends_with("_attributes") {
                continue;
            }
            if k == "EventData" {
                event_data(s, v);
            } else {
                generic(s, k, v, sibling(obj, k));
            }
        }
    }
    s.end("Event");
}

static NULL: Value<'static> = Value::Null;

/// One `<Data>` of `evtx_dump`'s `EventData`.
fn data(s: &mut impl Elements, name: Option<&str>, text: &str) {
    match name {
        Some(name) => s.start("Data", &[("Name", name)]),
        None => s.start("Data", &[]),
    }
    s.text(text);
    s.end("Data");
}

/// `EventData` of `evtx_dump`: a named field is a key, unnamed ones are `Data` (a value, a list,
/// or `{"#text": [...]}`).
fn event_data(s: &mut impl Elements, v: &Value<'_>) {
    s.start("EventData", &[]);
    if let Some(obj) = v.as_object() {
        for (k, value) in obj {
            let name = match k {
                "#attributes" => continue,
                "Data" => None,
                "Binary" => {
                    if let Some(b) = text_of(value) {
                        leaf(s, "Binary", &b);
                    }
                    continue;
                }
                name => Some(name),
            };
            let texts: &[Value] = match value {
                Value::Array(a) => a,
                Value::Object(m) => match m.get("#text") {
                    Some(Value::Array(a)) => a,
                    Some(t) => std::slice::from_ref(t),
                    None => std::slice::from_ref(&NULL),
                },
                other => std::slice::from_ref(other),
            };
            for t in texts {
                data(s, name, &text_of(t).unwrap_or_default());
            }
        }
    }
    s.end("EventData");
}

/// Any JSON value as XML, the shape `evtx_dump` gives the XML: an object's `#attributes` (or its
/// sibling `NAME_attributes`) are attributes, `#text` its text, other keys its children (a list
/// repeats the element).
fn generic(s: &mut impl Elements, key: &str, v: &Value<'_>, beside: Option<&Value<'_>>) {
    if let Value::Array(items) = v {
        for item in items {
            generic(s, key, item, None);
        }
        return;
    }
    let name = element_name(key);
    let mut attrs: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    for a in [v.get("#attributes"), beside].into_iter().flatten() {
        if let Value::Object(a) = a {
            for (k, value) in a {
                attrs.push((element_name(k), text_of(value).unwrap_or_default()));
            }
        }
    }
    let attrs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (&**k, &**v)).collect();
    s.start(&name, &attrs);
    match v {
        Value::Object(obj) => {
            if let Some(t) = obj.get("#text") {
                let t: Cow<'_, str> = match t {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(scalar)
                        .collect::<Vec<_>>()
                        .join("")
                        .into(),
                    other => text_of(other).unwrap_or_default(),
                };
                s.text(&t);
            }
            for (k, value) in obj {
                if k == "#attributes" || k == "#text" || k.ends_with("_attributes") {
                    continue;
                }
                generic(s, k, value, sibling(obj, k));
            }
        }
        other => s.text(&text_of(other).unwrap_or_default()),
    }
    s.end(&name);
}

/// What a PowerShell value is, as far as writing it as Windows would goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PsKind {
    Str,
    /// An integer, written in decimal (negative for signed types).
    Int,
    Bool,
    /// A date and time (`DT`, `/Date(…)/`, ISO).
    Time,
    Guid,
    Null,
}

/// One PowerShell value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PsValue {
    pub kind: PsKind,
    pub text: String,
}

impl PsValue {
    pub fn new(kind: PsKind, text: impl Into<String>) -> Self {
        Self {
            kind,
            text: text.into(),
        }
    }

    fn from_json(v: &Value<'_>) -> Self {
        match v {
            Value::Null => Self::new(PsKind::Null, ""),
            Value::Bool(b) => Self::new(PsKind::Bool, b.to_string()),
            Value::Number(n) => Self::new(PsKind::Int, n.to_string()),
            Value::String(s) if s.starts_with("/Date(") => Self::new(PsKind::Time, s.clone()),
            Value::String(s) => Self::new(PsKind::Str, s.clone()),
            // A SecurityIdentifier ({"BinaryLength", "AccountDomainSid", "Value"}), a DateTime
            // of Windows PowerShell ({"value", "DisplayHint", "DateTime"}).
            Value::Object(m) => match m.get("Value").or_else(|| m.get("value")) {
                Some(inner) => Self::from_json(inner),
                None => Self::new(PsKind::Str, v.to_string()),
            },
            Value::Array(a) => Self::new(
                PsKind::Str,
                a.iter()
                    .map(|x| Self::from_json(x).text)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }

    /// The value as Windows writes it in event XML for a field of manifest type `ty`.
    fn as_windows(&self, ty: &str) -> String {
        match (self.kind, ty) {
            (PsKind::Null, _) => String::new(),
            (PsKind::Int, "HexInt64" | "HexInt32" | "Pointer") => self
                .text
                .parse::<i128>()
                .map(|n| format!("{:#x}", n as u64))
                .unwrap_or_else(|_| self.text.clone()),
            (PsKind::Guid, _) | (_, "GUID") => guid(&self.text),
            (PsKind::Time, _) | (_, "FILETIME") => time_text(&self.text),
            _ => self.text.clone(),
        }
    }
}

/// An `EventLogRecord` as PowerShell serialised it: its properties by name, and the positional
/// values of `Properties`.
#[derive(Debug, Default)]
pub(crate) struct PsRecord {
    pub props: Vec<(String, PsValue)>,
    pub properties: Vec<PsValue>,
    /// Whether the values of `Properties` were lost (`ConvertTo-Json` at depth 2).
    pub lost: bool,
    /// `TimeCreated` as PowerShell wrote it (local time with its offset).
    pub local_time: String,
}

impl PsRecord {
    fn from_json(v: &Value<'_>) -> Self {
        let mut r = Self::default();
        let Some(obj) = v.as_object() else {
            return r;
        };
        for (k, value) in obj {
            if k == "Properties" {
                if let Value::Array(items) = value {
                    for item in items {
                        match item {
                            Value::String(s) if s == EVENT_PROPERTY => r.lost = true,
                            Value::Object(m) if m.contains_key("Value") => {
                                r.properties
                                    .push(PsValue::from_json(m.get("Value").unwrap_or(&NULL)));
                            }
                            other => r.properties.push(PsValue::from_json(other)),
                        }
                    }
                }
                continue;
            }
            if k == "KeywordsDisplayNames" {
                if let Value::Array(a) = value {
                    let names: Vec<String> = a.iter().filter_map(scalar).collect();
                    r.props
                        .push((k.to_string(), PsValue::new(PsKind::Str, names.join(", "))));
                }
                continue;
            }
            let mut pv = PsValue::from_json(value);
            if k == "TimeCreated" && pv.kind == PsKind::Str {
                pv.kind = PsKind::Time;
            }
            if matches!(k, "ProviderId" | "ActivityId" | "RelatedActivityId") {
                pv.kind = if pv.text.is_empty() {
                    PsKind::Null
                } else {
                    PsKind::Guid
                };
            }
            r.props.push((k.to_string(), pv));
        }
        r
    }

    fn prop(&self, name: &str) -> Option<&PsValue> {
        self.props.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn text(&self, name: &str) -> String {
        self.prop(name)
            .filter(|v| v.kind != PsKind::Null)
            .map(|v| v.text.clone())
            .unwrap_or_default()
    }

    /// The event's XML.
    pub fn event(&self) -> EventXml<'static> {
        let t = |n: &str| -> Cow<'static, str> { self.text(n).into() };
        let time_raw = t("TimeCreated");
        let mut e = EventXml {
            provider: t("ProviderName"),
            guid: guid_of(t("ProviderId")),
            event_id: t("Id"),
            qualifiers: t("Qualifiers"),
            version: t("Version"),
            level: t("Level"),
            task: t("Task"),
            opcode: t("Opcode"),
            keywords: match t("Keywords") {
                k if k.is_empty() => k,
                k => keywords_text(&Value::String(k)).into(),
            },
            time: time_text(&time_raw).into(),
            record_id: t("RecordId"),
            activity_id: guid_of(t("ActivityId")),
            related_activity_id: guid_of(t("RelatedActivityId")),
            process_id: t("ProcessId"),
            thread_id: t("ThreadId"),
            channel: t("LogName"),
            computer: t("MachineName"),
            user_id: t("UserId"),
            ..EventXml::default()
        };
        let id = e.event_id.parse::<u32>().unwrap_or(0);
        let version = e.version.parse::<u8>().unwrap_or(0);
        // The template of the event's version; if the count of values says otherwise, that of
        // the version with as many fields.
        let n = self.properties.len();
        let slots: &[Slot] = table::template(id, version)
            .filter(|s| s.len() == n)
            .or_else(|| (0..8).find_map(|v| table::template(id, v).filter(|s| s.len() == n)))
            .unwrap_or(&[]);
        for (i, value) in self.properties.iter().enumerate() {
            match slots.get(i) {
                Some(slot) => e
                    .data
                    .push((Some(slot.name.into()), value.as_windows(slot.ty).into())),
                None => e.data.push((
                    Some(format!("Data{}", i + 1).into()),
                    value.as_windows("").into(),
                )),
            }
        }
        for (name, prop) in [
            ("Message", "Message"),
            ("Level", "LevelDisplayName"),
            ("Task", "TaskDisplayName"),
            ("Opcode", "OpcodeDisplayName"),
        ] {
            let value = t(prop);
            if !value.is_empty() {
                e.rendering.push((name, value));
            }
        }
        let local = if self.local_time.is_empty() {
            time_raw
        } else {
            self.local_time.clone().into()
        };
        if !local.is_empty() && local != e.time {
            e.rendering.push(("TimeCreated", local));
        }
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decoder::{Event, EventParser, SysField};
    use crate::generator::{self, Encoding, Format};

    type Outcome = crate::decoder::Built;

    /// The event of the document's XML, and the event built from its elements.
    fn both(rec: &Rec<'_>) -> (Outcome, Outcome) {
        let mut parser = EventParser::default();
        let via_xml = parser.parse(&rec.to_xml());
        let built = parser.build(256, |b| rec.write(b));
        (via_xml, built)
    }

    fn assert_same(via_xml: &Outcome, built: &Outcome, what: &str) {
        match (via_xml, built) {
            (Ok((x, xr)), Ok((b, br))) => {
                assert_eq!(x.event_id(), b.event_id(), "{what}");
                for f in SysField::ALL {
                    assert_eq!(x.system(f), b.system(f), "{what}: {f:?}");
                }
                assert_eq!(
                    (x.time(), x.keywords(), x.record_id()),
                    (b.time(), b.keywords(), b.record_id()),
                    "{what}"
                );
                assert_eq!(x.body_kind(), b.body_kind(), "{what}");
                assert_eq!(x.body_root(), b.body_root(), "{what}");
                let fields = |e: &Event| {
                    e.fields()
                        .map(|f| (f.name.to_string(), f.value.to_string()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(fields(x), fields(b), "{what}");
                assert_eq!(x.culture(), b.culture(), "{what}");
                let rendering = |e: &Event| {
                    e.rendering()
                        .map(|(n, v)| (n.to_string(), v.to_string()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(rendering(x), rendering(b), "{what}");
                assert_eq!(x.repaired, b.repaired, "{what}");
                assert_eq!(xr, br, "{what}: repairs");
                // And the rest, down to where each value sits in the event's text.
                assert_eq!(x, b, "{what}");
            }
            (Err(x), Err(b)) => assert_eq!(x, b, "{what}"),
            (x, b) => panic!(
                "{what}: {:?} / {:?}",
                x.as_ref().map(|e| &e.1),
                b.as_ref().map(|e| &e.1)
            ),
        }
    }

    fn check_line(line: &str) -> bool {
        let value: Value = serde_json::from_str(line).expect(line);
        match json_doc(&value) {
            Doc::Event(rec) | Doc::Lost(rec) => {
                let (x, b) = both(&rec);
                assert_same(&x, &b, line);
                true
            }
            Doc::Skip | Doc::Other => false,
        }
    }

    #[test]
    fn guid_of_is_guid() {
        for raw in [
            "{54849625-5478-4994-A5BA-3E3B0328C30D}",
            "{54849625-5478-4994-a5ba-3e3b0328c30d}",
            "54849625-5478-4994-A5BA-3E3B0328C30D",
            " {X} ",
            "{{X}}",
            "{}",
            "",
            "{ X }",
        ] {
            assert_eq!(guid_of(raw.into()), guid(raw), "{raw}");
        }
    }

    #[test]
    fn decimal_writes_as_display_does() {
        for n in [0, 7, 10, 4624, 1 << 40, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn every_generated_event_is_built_as_its_xml_decodes() {
        for format in [
            Format::NxLog,
            Format::Ecs,
            Format::EvtxDumpJsonl,
            Format::SplunkJson,
        ] {
            let mut bytes = Vec::new();
            let (events, _) =
                generator::write_to_size(5059, 1 << 20, format, Encoding::Utf8, &mut bytes)
                    .expect("generate");
            let text = std::str::from_utf8(&bytes).expect("UTF-8");
            let checked = text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .filter(|l| check_line(l))
                .count() as u64;
            assert_eq!(checked, events, "{format:?}");
        }
    }

    #[test]
    fn awkward_values_are_built_as_their_xml_decodes() {
        let big = "x".repeat((1 << 20) + 1);
        let deep = format!(
            r#"{{"Event": {{"System": {{"EventID": 1}}, "UserData": {}1{}}}}}"#,
            r#"{"a": "#.repeat(70),
            "}".repeat(70)
        );
        let lines = [
            // NXLog: control characters, markup, references written as text, a tab, CR LF.
            r#"{"EventID": 4624, "EventTime": "2024-01-01 00:00:00", "SourceName": "S", "A": "x\u0001y\u0000z", "B": "a & b <c> \"q\" &amp; &#1;", "C": "l1\r\nl2\tt", "D": null, "E": [1, {"x": 2}], "F": 1.5e300, "Message": "m\r\n\u001f"}"#,
            // Control characters in a field's name (an attribute).
            r#"{"EventID": 1, "SourceName": "S", "N\u0002\n\t\"": "v"}"#,
            r#"{"EventID": "", "SourceName": "S"}"#,
            r#"{"EventID": "x1", "SourceName": "S"}"#,
            r#"{"EventID": 1, "SourceName": "S", "EventTime": "not a time"}"#,
            r#"{"EventID": 1, "SourceName": "S", "Keywords": -9214364837600034816, "Task": "Logon"}"#,
            // ECS with UserData.
            r#"{"@timestamp": "2024-01-01T00:00:00Z", "winlog": {"event_id": 1102, "channel": "Security", "keywords": ["Audit Success"], "user_data": {"xml_name": "LogFileCleared", "SubjectUserSid": "S-1-5-18", "Inner": {"Leaf": "v\u0003"}}}}"#,
            r#"{"winlog": {"event_id": 4625, "event_data": {"Status": "0xc000006d", "KeyType": "User key."}}, "message": "- x"}"#,
            // evtx_dump: attributes, #text lists, unnamed data, a System with text, an Event
            // inside the body, a repeated element.
            r##"{"Event": {"#attributes": {"xmlns": "x"}, "System": {"Provider": {"#attributes": {"Name": "P\u0001", "Guid": "{G}"}}, "EventID": {"#attributes": {"Qualifiers": 0}, "#text": 7036}, "TimeCreated": {"#attributes": {"SystemTime": "2024-01-01T00:00:00.1234567Z"}}}, "EventData": {"Data": ["a", null, {"x": 1}], "Binary": "0A0B", "Named": {"#text": ["p", "q"]}, "Empty": {}}}}"##,
            r##"{"Event": {"System": {"#text": " - ", "EventID": 1}, "EventData": {"Data": {"#text": "a\\_b"}}}}"##,
            r##"{"Event": {"System": {"EventID": 1}, "UserData": {"Event": {"x": 1}}}}"##,
            r##"{"Event": {"System": {"EventID": 1}, "UserData": {"Rec": {"A": [1, 2], "B_attributes": {"k": "v"}, "B": "b"}}}}"##,
            &deep,
        ];
        for line in lines {
            assert!(check_line(line), "{line}");
        }
        let huge = format!(r#"{{"EventID": 1, "SourceName": "S", "Big": "{big}"}}"#);
        assert!(check_line(&huge));
        let huge_name = format!(r#"{{"EventID": 1, "SourceName": "S", "{big}": "v"}}"#);
        assert!(check_line(&huge_name));
    }
}
