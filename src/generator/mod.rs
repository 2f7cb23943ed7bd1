//! A deterministic generator of realistic Windows Security event exports.
//!
//! [`events`] simulates a small domain (CONTOSO: a domain controller, a certification
//! authority, servers and workstations) and streams the Security events it would log: key
//! storage provider events (5059 key migration, 5058 key file, 5061 cryptographic operation)
//! and the logon events needed to correlate them (4624, 4672, 4634, 4647). [`write`] spells
//! them in any of the export [`Format`]s and [`Encoding`]s the decoder must read.
//!
//! The same [`Spec`] always gives the same events and the same bytes, on every platform: the
//! generator uses its own integer-only PRNG (SplitMix64) and no clock.
//!
//! What every stream contains, whatever the seed (tests and the demo rely on it):
//! - within the first 10 events, on `CA01.contoso.local`: a 4624 (service logon) and 4672 for
//!   `svc-backup`, then a 5059 export (`%%2464`) of the machine key (`%%2499`)
//!   `CONTOSO-CA01-CA`, and later that session's 4634;
//! - the same logon ID (`0x38e2d`) used on two computers (DC01 and WS-0142);
//! - values with `&` (`R&D-backup`), `<` and non-ASCII (`山田`, `山田-署名<2026>`);
//! - a burst of failed exports (Audit Failure, `ReturnCode` `0x80090010` …) within the first
//!   40 events; events at night appear after about 800 events.
//!
//! ```
//! use keytrail::generator::{events, write, Encoding, Format, Spec};
//!
//! let spec = Spec { seed: 5059, events: 20 };
//! let mut out = Vec::new();
//! let bytes = write(events(&spec), Format::Wevtutil, Encoding::Utf8, &mut out).unwrap();
//! assert_eq!(bytes, out.len() as u64);
//! assert!(String::from_utf8(out).unwrap().contains("<EventID>5059</EventID>"));
//! ```

use std::io::{self, Write};

pub mod evtx;
pub mod hostile;
mod rng;
mod siem;
mod sim;
mod text;
mod time;
mod writers;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The seed: the same seed gives the same events.
    pub seed: u64,
    /// How many events.
    pub events: usize,
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            seed: 5059,
            events: 1000,
        }
    }
}

/// One generated event, with the raw values as Windows writes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenEvent {
    /// `System/EventID`.
    pub event_id: u32,
    /// `System/EventRecordID` (increasing per computer).
    pub record_id: u64,
    /// `System/TimeCreated/@SystemTime` in nanoseconds since the Unix epoch, UTC; always a
    /// multiple of 1,000 so that every format (6, 7 or 9 fraction digits) spells it exactly.
    pub time_nanos: i64,
    /// `System/Computer`.
    pub computer: String,
    /// `System/Keywords` (0x8020000000000000 Audit Success, 0x8010000000000000 Audit Failure).
    pub keywords: u64,
    /// `System/Task`.
    pub task: u16,
    /// `System/Level`.
    pub level: u8,
    /// `System/Opcode`.
    pub opcode: u8,
    /// `System/Version`.
    pub version: u8,
    /// `System/Execution/@ProcessID` (the computer's lsass.exe).
    pub process_id: u32,
    /// `System/Execution/@ThreadID`.
    pub thread_id: u32,
    /// `EventData/Data`: name and raw value, in document order.
    pub data: Vec<(String, String)>,
}

impl GenEvent {
    /// The raw value of the named `Data` field, if the event has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.data
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The events of `spec`, streamed (memory does not grow with `spec.events`).
pub fn events(spec: &Spec) -> impl Iterator<Item = GenEvent> {
    sim::Sim::new(spec)
}

/// Deterministic events of routine key activity only, the patterns real machines show (see
/// `model::routine`): people signing in with the Connected Devices Platform's certificate
/// (probed for, created, exported), computer accounts exporting their GUID-named keys, Remote
/// Desktop's keys. With `incident`, the planted incident as well: at the first hour out of
/// business hours, `CONTOSO\dadmin` exports SQL01's machine key over Remote Desktop (a 5058 read
/// and a 5059 export), and `CONTOSO\svc-backup` exports a user key of its own.
pub fn routine_events(spec: &Spec, incident: bool) -> impl Iterator<Item = GenEvent> {
    sim::Sim::routine(spec, incident)
}

/// What a generated log holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scenario {
    /// The busy demo ([`events`]): routine background, many findings, the planted incident.
    #[default]
    Demo,
    /// Routine key activity only ([`routine_events`] without the incident).
    Routine,
    /// Routine key activity and the planted incident ([`routine_events`] with it).
    Incident,
}

impl Scenario {
    /// The scenario named `name` (`demo`, `routine`, `incident`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "demo" => Some(Self::Demo),
            "routine" => Some(Self::Routine),
            "incident" => Some(Self::Incident),
            _ => None,
        }
    }

    /// The events of this scenario.
    pub fn events(self, spec: &Spec) -> Box<dyn Iterator<Item = GenEvent>> {
        match self {
            Self::Demo => Box::new(events(spec)),
            Self::Routine => Box::new(routine_events(spec, false)),
            Self::Incident => Box::new(routine_events(spec, true)),
        }
    }
}

/// An export format (see the design document, section "Inputs").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `wevtutil qe Security /f:xml`: `<Event>`s with no root, single quotes, one per line.
    Wevtutil,
    /// `wevtutil … /f:RenderedXml` with an English `RenderingInfo`.
    RenderedXml,
    /// `wevtutil … /f:RenderedXml` on a Japanese system (`RenderingInfo Culture='ja-JP'`).
    RenderedXmlJa,
    /// Event Viewer "Save All Events As … XML": declaration, `<Events>` root, double quotes.
    EventViewer,
    /// `(Get-WinEvent).ToXml()` redirected to a file: one event per line, CRLF.
    PowerShell,
    /// Text pasted from a documentation page: `- <Event …>`, trailing spaces, markdown
    /// escapes, code fences and prose.
    DocsPaste,
    /// Rust `evtx_dump`: a `Record N` line and a declaration per record, 2-space indent.
    EvtxDump,
    /// python-evtx `evtx_dump.py`: XML 1.1, `<Events>` root, open+close tags, padded hex.
    PythonEvtx,
    /// EvtxECmd `--xml`: no namespace, space-separated times, uppercase hex, CRLF.
    EvtxECmd,
    /// libevtx `evtxexport -f xml`: a banner line first, 9-digit fractions.
    EvtxExport,
    /// Event Viewer "Copy Details as Text": a text header, then `Event Xml:` and the event.
    CopyDetailsText,
    /// Event Viewer Details → XML View, copied: indented, single quotes, `&` not escaped.
    XmlViewCopy,
    /// NXLog `im_msvistalog` JSON, one object a line (the OTRF Security-Datasets shape).
    NxLog,
    /// winlogbeat / Elastic Agent documents (ECS) as an Elasticsearch `_bulk` body, values
    /// rendered from msobjs.dll.
    Ecs,
    /// Rust `evtx_dump -o jsonl`: the XML as JSON (`#attributes`), one record a line.
    EvtxDumpJsonl,
    /// Splunk `XmlWinEventLog` results exported with `output_mode=json`: `_raw` XML.
    SplunkJson,
    /// Splunk `XmlWinEventLog` results saved as CSV with a `_raw` column.
    SplunkCsv,
    /// `Get-WinEvent | Export-Clixml`: `<Objs>`, typed properties, positional `Properties`,
    /// local times with their offset (write it as `utf16le`, as Windows PowerShell 5.1 does).
    Clixml,
    /// `Get-WinEvent | ConvertTo-Json -Depth 4 > file` in PowerShell 7: a JSON array, 2-space
    /// indent, CRLF, local times with their offset, the values of `Properties` typed (SIDs as
    /// objects, logon IDs as numbers).
    GetWinEventJson,
    /// `Get-WinEvent | ConvertTo-Json > file` in Windows PowerShell 5.1, at the default depth of
    /// 2: every value of `Properties` lost to `"System.Diagnostics.Eventing.Reader.EventProperty"`,
    /// `"\/Date(ms)\/"` times, `\u0026`-style escapes, 5.1's indentation (write it as `utf16le`,
    /// as `>` does).
    GetWinEventJsonDepth2,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 20] = [
        Format::Wevtutil,
        Format::RenderedXml,
        Format::RenderedXmlJa,
        Format::EventViewer,
        Format::PowerShell,
        Format::DocsPaste,
        Format::EvtxDump,
        Format::PythonEvtx,
        Format::EvtxECmd,
        Format::EvtxExport,
        Format::CopyDetailsText,
        Format::XmlViewCopy,
        Format::NxLog,
        Format::Ecs,
        Format::EvtxDumpJsonl,
        Format::SplunkJson,
        Format::SplunkCsv,
        Format::Clixml,
        Format::GetWinEventJson,
        Format::GetWinEventJsonDepth2,
    ];

    /// The XML shapes (the others are JSON, CSV or CliXml).
    pub const XML: [Format; 12] = [
        Format::Wevtutil,
        Format::RenderedXml,
        Format::RenderedXmlJa,
        Format::EventViewer,
        Format::PowerShell,
        Format::DocsPaste,
        Format::EvtxDump,
        Format::PythonEvtx,
        Format::EvtxECmd,
        Format::EvtxExport,
        Format::CopyDetailsText,
        Format::XmlViewCopy,
    ];

    /// The kebab-case name (`"rendered-xml-ja"`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Wevtutil => "wevtutil",
            Format::RenderedXml => "rendered-xml",
            Format::RenderedXmlJa => "rendered-xml-ja",
            Format::EventViewer => "event-viewer",
            Format::PowerShell => "powershell",
            Format::DocsPaste => "docs-paste",
            Format::EvtxDump => "evtx-dump",
            Format::PythonEvtx => "python-evtx",
            Format::EvtxECmd => "evtxecmd",
            Format::EvtxExport => "evtxexport",
            Format::CopyDetailsText => "copy-details-text",
            Format::XmlViewCopy => "xml-view-copy",
            Format::NxLog => "nxlog",
            Format::Ecs => "ecs",
            Format::EvtxDumpJsonl => "evtx-dump-jsonl",
            Format::SplunkJson => "splunk-json",
            Format::SplunkCsv => "splunk-csv",
            Format::Clixml => "clixml",
            Format::GetWinEventJson => "get-winevent-json",
            Format::GetWinEventJsonDepth2 => "get-winevent-json-depth2",
        }
    }

    /// The format with this [`name`](Format::name).
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The text encoding of a written export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 without BOM.
    Utf8,
    /// UTF-8 with BOM (EF BB BF).
    Utf8Bom,
    /// UTF-16 little-endian with BOM (FF FE).
    Utf16Le,
    /// UTF-16 big-endian with BOM (FE FF).
    Utf16Be,
}

impl Encoding {
    /// Every encoding.
    pub const ALL: [Encoding; 4] = [
        Encoding::Utf8,
        Encoding::Utf8Bom,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
    ];

    /// The name (`"utf8"`, `"utf8-bom"`, `"utf16le"`, `"utf16be"`).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf8",
            Encoding::Utf8Bom => "utf8-bom",
            Encoding::Utf16Le => "utf16le",
            Encoding::Utf16Be => "utf16be",
        }
    }

    /// The encoding with this [`name`](Encoding::name).
    pub fn from_name(name: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// Buffers text, transcodes it and counts the bytes written.
struct Sink<W: Write> {
    out: W,
    encoding: Encoding,
    buf: Vec<u8>,
    bytes: u64,
}

const SINK_CAPACITY: usize = 64 * 1024;

impl<W: Write> Sink<W> {
    fn new(out: W, encoding: Encoding) -> Sink<W> {
        let mut buf = Vec::with_capacity(SINK_CAPACITY + 4096);
        match encoding {
            Encoding::Utf8 => {}
            Encoding::Utf8Bom => buf.extend_from_slice(&[0xEF, 0xBB, 0xBF]),
            Encoding::Utf16Le => buf.extend_from_slice(&[0xFF, 0xFE]),
            Encoding::Utf16Be => buf.extend_from_slice(&[0xFE, 0xFF]),
        }
        Sink {
            out,
            encoding,
            bytes: buf.len() as u64,
            buf,
        }
    }

    fn put(&mut self, s: &str) -> io::Result<()> {
        let before = self.buf.len();
        match self.encoding {
            Encoding::Utf8 | Encoding::Utf8Bom => self.buf.extend_from_slice(s.as_bytes()),
            Encoding::Utf16Le => {
                for u in s.encode_utf16() {
                    self.buf.extend_from_slice(&u.to_le_bytes());
                }
            }
            Encoding::Utf16Be => {
                for u in s.encode_utf16() {
                    self.buf.extend_from_slice(&u.to_be_bytes());
                }
            }
        }
        self.bytes += (self.buf.len() - before) as u64;
        if self.buf.len() >= SINK_CAPACITY {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<u64> {
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.out.flush()?;
        Ok(self.bytes)
    }
}

/// Writes events in one format and encoding, one at a time.
struct Writer<W: Write> {
    format: Format,
    sink: Sink<W>,
    text: String,
    /// Events written so far.
    events: u64,
}

impl<W: Write> Writer<W> {
    fn new(format: Format, encoding: Encoding, out: W) -> io::Result<Writer<W>> {
        let mut w = Writer {
            format,
            sink: Sink::new(out, encoding),
            text: String::with_capacity(8192),
            events: 0,
        };
        writers::header(format, &mut w.text);
        w.flush_text()?;
        Ok(w)
    }

    fn flush_text(&mut self) -> io::Result<()> {
        self.sink.put(&self.text)?;
        self.text.clear();
        Ok(())
    }

    fn event(&mut self, e: &GenEvent) -> io::Result<()> {
        if self.events > 0 {
            writers::separator(self.format, &mut self.text);
        }
        self.events += 1;
        writers::event(self.format, e, &mut self.text);
        self.flush_text()
    }

    fn finish(mut self) -> io::Result<u64> {
        writers::footer(self.format, &mut self.text);
        self.flush_text()?;
        self.sink.finish()
    }
}

/// Writes `events` to `out` in `format` and `encoding` (UTF-16 and the UTF-8 BOM get a byte
/// order mark; the text, including any `encoding="utf-8"` declaration, is the same in every
/// encoding). Streams: memory does not grow with the number of events. Returns the number of
/// bytes written.
pub fn write<W: Write>(
    events: impl IntoIterator<Item = GenEvent>,
    format: Format,
    encoding: Encoding,
    out: W,
) -> io::Result<u64> {
    let mut w = Writer::new(format, encoding, out)?;
    for e in events {
        w.event(&e)?;
    }
    w.finish()
}

/// The export of `spec`'s events in `format` and `encoding`, in memory (tests, examples).
pub fn export(spec: &Spec, format: Format, encoding: Encoding) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(events(spec), format, encoding, &mut bytes);
    bytes
}

/// Writes the events of seed `spec_seed` until at least `target_bytes` bytes are written
/// (then the format's closing text). Returns `(events, bytes)` written.
pub fn write_to_size<W: Write>(
    spec_seed: u64,
    target_bytes: u64,
    format: Format,
    encoding: Encoding,
    out: W,
) -> io::Result<(u64, u64)> {
    let spec = Spec {
        seed: spec_seed,
        events: usize::MAX,
    };
    let mut w = Writer::new(format, encoding, out)?;
    let mut n = 0u64;
    let mut it = events(&spec);
    while w.sink.bytes < target_bytes {
        match it.next() {
            Some(e) => {
                w.event(&e)?;
                n += 1;
            }
            None => break,
        }
    }
    let bytes = w.finish()?;
    Ok((n, bytes))
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
