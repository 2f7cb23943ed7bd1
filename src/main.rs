//! `keytrail`: the native command-line tool. Same decoder as the viewer.
//!
//! Exit status: 0 when every event decoded, 3 when some were skipped (the rest is still written)
//! or a file (one found in a folder too) is not an event log, 4 when `findings` found something
//! that needs a look, 2 for usage errors or unreadable files.

mod cli;

use anyhow::{Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use cli::findings::{Findings, FindingsJob};
use cli::input::{self, Input};
use cli::job::{self, FileJob, Place};
use cli::output;
use keytrail::decoder::Event;
use keytrail::generator::{self, Encoding, Format, Scenario, Spec};
use keytrail::model::rules::{self, RuleFile, RuleSet};
use keytrail::model::{export, Summary};
use keytrail::text::Lang;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// What every command shares, after the per-command help.
const AFTER_HELP: &str = "\
A DIR stands for every file under it, in path order. Each file is read by its content, not
its name: a binary .evtx log, event XML in any of its export shapes, NXLog im_msvistalog
JSON, Elastic Agent / winlogbeat (ECS) documents (lines, _bulk bodies, _search hits), evtx_dump JSON and JSON Lines, Splunk XmlWinEventLog
results (_raw in JSON or CSV), Get-WinEvent | Export-Clixml, and Get-WinEvent |
ConvertTo-Json (use -Depth 4: at the default depth the field values are lost). FILE may be
- for standard input, .evtx included: it is read as it streams, never held whole in
memory nor copied to a temporary file.
Problems go to standard error as FILE:LINE:COLUMN: event N: reason, and in an .evtx file
as FILE:chunk C, offset 0xB: record R: reason.
Files are decoded --jobs at a time (large XML and .evtx files in parts); the output is the
same whatever the number. A progress bar is drawn on standard error when it is a terminal.
Exit status: 0 all events decoded, 3 some skipped or input not event XML, 4 findings that
need a look (findings only), 2 usage error or unreadable file.";

/// keytrail — decode Windows Security event logs: .evtx files, exported XML, and the JSON, CSV
/// and CliXml of SIEMs and PowerShell.
#[derive(Parser)]
#[command(name = "keytrail", version, after_help = AFTER_HELP, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Counts per account (domain\user and SID): per event ID, per operation, per outcome.
    #[command(after_help = AFTER_HELP)]
    Summary {
        #[command(flatten)]
        reading: Reading,
        /// Plain text or one JSON document.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// One JSON object or CSV row per decoded event.
    #[command(after_help = AFTER_HELP)]
    Export {
        #[command(flatten)]
        reading: Reading,
        /// JSON Lines (`json` is the same), CSV, or ECS documents as NDJSON.
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// The rules whose ids each event's `findings` lists (default: the built-in rules).
        #[arg(long, value_name = "rules.json")]
        rules: Option<String>,
        /// Write an Elasticsearch/OpenSearch `_bulk` body: each document behind a
        /// {"create":{"_index":INDEX,"_id":…}} line, the _id a hash of computer, channel and
        /// record ID (loading the same export twice adds nothing). On standard output only if
        /// it is at most --max-bytes; otherwise give -o.
        #[arg(long, value_name = "INDEX")]
        bulk: Option<String>,
        /// Write PREFIX-0001.ndjson, PREFIX-0002.ndjson, … of at most --max-bytes each (a
        /// document is never cut from its action line).
        #[arg(short = 'o', long = "output", value_name = "PREFIX")]
        output: Option<String>,
        /// The largest file -o writes, or _bulk body on standard output (1000000, 90MB,
        /// 64MiB…) [default: 90MB, below the engines' default 100 MB request limit].
        #[arg(long, value_name = "BYTES", value_parser = size_arg)]
        max_bytes: Option<u64>,
    },
    /// Events that match monitoring rules, routine Windows activity told apart.
    ///
    /// Each finding comes with its rule, account, reason and logon session, and whether it is
    /// routine Windows activity (with the routine pattern's id) or needs a look. Findings that
    /// need a look come first, routine ones after. The built-in rules are used unless --rules
    /// is given; a rules file may add routine patterns of its own and switch off the built-in
    /// ones (README, "Routine key activity"). Business hours are counted in UTC unless the rules
    /// name a time zone (`"outside_hours": {"time_zone": "Europe/Berlin", …}`), daylight saving
    /// time included.
    #[command(after_help = AFTER_HELP)]
    Findings {
        #[command(flatten)]
        reading: Reading,
        /// A rules file (JSON: an array of rules, or {"rules", "routine", "builtin_routine"}).
        #[arg(long, value_name = "rules.json")]
        rules: Option<String>,
        /// Plain text (tab-separated) or one JSON document.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        /// Exit with status 4 for routine findings too, not only for those that need a look.
        #[arg(long)]
        count_routine: bool,
    },
    /// A print-ready report of the review (one HTML file, no script): the files with their
    /// SHA-256, the time covered, the events per ID, the problems, each rule's findings, the
    /// per-account chart, the rules as JSON and a box for the reviewer to sign. The page's
    /// "Report" button writes the same document.
    #[command(after_help = AFTER_HELP)]
    Report {
        #[command(flatten)]
        reading: Reading,
        /// Where to write the report.
        #[arg(
            short = 'o',
            long = "output",
            value_name = "report.html",
            required = true
        )]
        output: String,
        /// A rules file (JSON, as for `findings`; default: the built-in rules).
        #[arg(long, value_name = "rules.json")]
        rules: Option<String>,
        /// The report's language.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
    },
    /// Writes a realistic, deterministic log (default: 1000 events, wevtutil, utf8).
    Generate(GenerateArgs),
}

/// The logs a command reads, and how many at a time.
#[derive(Args)]
struct Reading {
    /// Logs to read: files, folders (every file under them, in path order) or - for standard
    /// input.
    #[arg(required = true, value_name = "FILE|DIR")]
    files: Vec<String>,
    /// How many files (or parts of large XML and .evtx files) are decoded at once [default: the
    /// number of cores]. The output is the same whatever the number.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
}

impl Reading {
    /// The files to read, folders expanded, and the number of decoding threads.
    fn inputs(&self) -> Result<(Vec<Input>, usize)> {
        let inputs = input::expand(&self.files)?;
        let jobs = match self.jobs {
            Some(n) => usize::from(n),
            None => std::thread::available_parallelism().map_or(1, usize::from),
        };
        Ok((inputs, jobs))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    En,
    Ja,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TextOrJson {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    #[value(alias = "json")]
    Jsonl,
    Csv,
    /// One ECS document per line (Elastic's `system.security` shape): see `model::export::ecs`.
    Ecs,
}

/// The generator's shapes (see `generator::Format`), and `evtx`.
const FORMATS: [&str; 21] = [
    "wevtutil",
    "rendered-xml",
    "rendered-xml-ja",
    "event-viewer",
    "powershell",
    "docs-paste",
    "evtx-dump",
    "python-evtx",
    "evtxecmd",
    "evtxexport",
    "copy-details-text",
    "xml-view-copy",
    "nxlog",
    "ecs",
    "evtx-dump-jsonl",
    "splunk-json",
    "splunk-csv",
    "clixml",
    "get-winevent-json",
    "get-winevent-json-depth2",
    "evtx",
];

#[derive(Args)]
struct GenerateArgs {
    /// How many events [default: 1000].
    #[arg(long, value_parser = size_arg, conflicts_with = "size")]
    events: Option<u64>,
    /// Write events until the output reaches this size (100MB, 1GiB…; the demo scenario).
    #[arg(long, value_parser = size_arg)]
    size: Option<u64>,
    /// The same seed gives the same events.
    #[arg(long, value_parser = size_arg)]
    seed: Option<u64>,
    /// The export's shape; evtx is a binary .evtx log (chunks, templates, CRC32s).
    #[arg(long, default_value = "wevtutil", value_parser = FORMATS)]
    format: String,
    /// The text encoding (not for evtx).
    #[arg(long, default_value = "utf8", value_parser = ["utf8", "utf8-bom", "utf16le", "utf16be"])]
    encoding: String,
    /// demo: many findings over routine background; routine: only what Windows does with keys
    /// every day; incident: routine, plus a person exporting a machine key out of hours and a
    /// service account's export.
    #[arg(long, value_enum, default_value_t = ScenarioArg::Demo)]
    scenario: ScenarioArg,
    /// Where to write (default: standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScenarioArg {
    Demo,
    Routine,
    Incident,
}

impl From<ScenarioArg> for Scenario {
    fn from(s: ScenarioArg) -> Self {
        match s {
            ScenarioArg::Demo => Scenario::Demo,
            ScenarioArg::Routine => Scenario::Routine,
            ScenarioArg::Incident => Scenario::Incident,
        }
    }
}

/// A size or count with an optional unit (`1000`, `24MB`, `1GiB`).
fn size_arg(s: &str) -> Result<u64, String> {
    parse_size(s).ok_or_else(|| {
        format!("`{s}` is not a number with an optional unit (KB, MB, GB, KiB, MiB, GiB)")
    })
}

/// A mistake in the command line found after parsing: reported with the usage, exit status 2.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}

fn main() -> ExitCode {
    // Help and version go to standard output with status 0; mistakes to standard error with
    // the usage, a suggestion when one is close, and status 2.
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            match e.downcast_ref::<UsageError>() {
                Some(u) => eprintln!(
                    "keytrail: {u}\n\n{}\nFor more information, try '--help'.",
                    Cli::command().render_usage()
                ),
                None => eprintln!("keytrail: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Summary { reading, format } => {
            let (inputs, jobs) = reading.inputs()?;
            let mut summary = Summary::default();
            let skipped = job::run(
                inputs,
                jobs,
                |_, _, _| SummaryJob::default(),
                |_, part| {
                    summary.merge(part);
                    Ok(())
                },
            );
            let skipped = skipped?;
            let text = match format {
                TextOrJson::Json => summary.to_json(),
                TextOrJson::Text => summary.to_text(),
            };
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{}", text.trim_end())?;
            Ok(if skipped { 3 } else { 0 })
        }
        Command::Export {
            reading,
            format,
            rules,
            bulk,
            output,
            max_bytes,
        } => export(&reading, format, rules.as_deref(), bulk, output, max_bytes),
        Command::Findings {
            reading,
            rules,
            format,
            count_routine,
        } => findings(&reading, rules.as_deref(), format, count_routine),
        Command::Report {
            reading,
            output,
            rules,
            lang,
        } => {
            let lang = match lang {
                LangArg::En => Lang::En,
                LangArg::Ja => Lang::Ja,
            };
            report(&reading, rules.as_deref(), &output, lang)
        }
        Command::Generate(args) => generate(args),
    }
}

/// One file's counts, merged in file order by the writer.
#[derive(Default)]
struct SummaryJob(Summary);

impl FileJob for SummaryJob {
    type Out = Summary;

    fn event(&mut self, ev: Event, _: &mut dyn FnMut(Summary)) {
        self.0.add(&ev);
    }

    fn end(self, emit: &mut dyn FnMut(Summary)) {
        emit(self.0);
    }
}

/// How much output a decoding thread gathers before it hands it over.
const CHUNK_BYTES: usize = 1 << 18;

/// One piece's export: its lines, written on the decoding thread, handed over in chunks of
/// whole documents.
struct ExportJob<'a> {
    file: String,
    format: ExportFormat,
    rules: &'a RuleSet,
    /// `--bulk`: the index, as a JSON string.
    bulk: Option<&'a str>,
    /// The ECS writer: it follows the file's logon sessions (each file its own, as files are
    /// decoded apart; a part of a file hands its documents in sessions it did not see opened to
    /// the writing thread, and what it learnt of them at its end).
    ecs: export::ecs::EcsExport,
    /// Whether the file goes on after this piece (its sessions are handed over at the end).
    more: bool,
    /// Whole lines, written in place.
    chunk: String,
    /// The ECS documents that go between them (the place in `chunk` of each).
    holes: Vec<(usize, Box<export::ecs::Hole>)>,
}

/// What an export's decoding thread hands over.
enum ExportOut {
    /// Whole lines, and the ECS documents that wait for the sessions of the file's earlier
    /// parts, each with its place in them.
    Lines(Vec<u8>, Vec<(usize, Box<export::ecs::Hole>)>),
    /// What a part of a file learnt of its sessions, at its end.
    Sessions(Vec<(export::ecs::SessionKey, export::ecs::Known)>),
}

impl ExportJob<'_> {
    fn hand_over(&mut self, emit: &mut dyn FnMut(ExportOut)) {
        let chunk = std::mem::replace(&mut self.chunk, String::with_capacity(CHUNK_BYTES + 8192));
        emit(ExportOut::Lines(
            chunk.into_bytes(),
            std::mem::take(&mut self.holes),
        ));
    }
}

impl FileJob for ExportJob<'_> {
    type Out = ExportOut;

    /// 24 MiB of lines: a part's output (an 8 MiB part of an `.evtx` file makes ~22 MB of ECS
    /// documents) waits in memory while earlier ones are written.
    const BOUND: usize = 96;

    fn event(&mut self, ev: Event, emit: &mut dyn FnMut(ExportOut)) {
        let start = self.chunk.len();
        let line = &mut self.chunk;
        if let Some(index) = self.bulk {
            let id = export::ecs::document_id(&ev);
            let _ = writeln!(
                line,
                "{{\"create\":{{\"_index\":{index},\"_id\":\"{id}\"}}}}"
            );
        }
        let rules = self.rules;
        let findings: Vec<&str> = rules
            .matched(rules.mask(&ev))
            .map(|r| r.id.as_str())
            .collect();
        match self.format {
            ExportFormat::Ecs => {
                let name = keytrail::decoder::view::event_name(ev.event_id());
                if let Some(mut hole) = self.ecs.write_part(&ev, name, &findings, line) {
                    hole.wrap(&line[start..], "\n");
                    line.truncate(start);
                    self.holes.push((start, hole));
                    return;
                }
            }
            ExportFormat::Csv => export::Record::new(&self.file, &ev, findings).write_csv(line),
            ExportFormat::Jsonl => export::Record::new(&self.file, &ev, findings).write_json(line),
        }
        line.push('\n');
        if self.chunk.len() >= CHUNK_BYTES {
            self.hand_over(emit);
        }
    }

    fn end(mut self, emit: &mut dyn FnMut(ExportOut)) {
        if !self.chunk.is_empty() || !self.holes.is_empty() {
            self.hand_over(emit);
        }
        if self.more && self.format == ExportFormat::Ecs {
            emit(ExportOut::Sessions(self.ecs.changes()));
        }
    }

    fn spill(out: &ExportOut, to: &mut Vec<u8>) -> bool {
        match out {
            ExportOut::Lines(bytes, holes) => {
                to.push(0);
                to.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
                to.extend_from_slice(bytes);
                let _ = serde_json::to_writer(&mut *to, holes);
            }
            ExportOut::Sessions(changes) => {
                to.push(2);
                let _ = serde_json::to_writer(&mut *to, changes);
            }
        }
        true
    }

    fn unspill(from: Vec<u8>) -> Option<ExportOut> {
        let (&tag, rest) = from.split_first()?;
        Some(match tag {
            0 => {
                let (len, rest) = rest.split_first_chunk::<8>()?;
                let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
                let bytes = rest.get(..len)?.to_vec();
                ExportOut::Lines(bytes, serde_json::from_slice(&rest[len..]).ok()?)
            }
            2 => ExportOut::Sessions(serde_json::from_slice(rest).ok()?),
            _ => return None,
        })
    }
}

/// `keytrail export`.
fn export(
    reading: &Reading,
    format: ExportFormat,
    rules: Option<&str>,
    bulk: Option<String>,
    prefix: Option<String>,
    max_bytes: Option<u64>,
) -> Result<u8> {
    let csv = format == ExportFormat::Csv;
    if csv && (bulk.is_some() || prefix.is_some() || max_bytes.is_some()) {
        return Err(usage(
            "--bulk, -o and --max-bytes write NDJSON: not with --format csv",
        ));
    }
    if max_bytes == Some(0) {
        return Err(usage("--max-bytes must be more than 0"));
    }
    let rules = rule_set(rules)?;
    let (inputs, jobs) = reading.inputs()?;
    let max = max_bytes.unwrap_or(output::DEFAULT_MAX_BYTES);
    let lines_per_doc = if bulk.is_some() { 2 } else { 1 };
    let mut sink = match &prefix {
        Some(prefix) => output::Sink::parts(prefix, max, lines_per_doc),
        None if bulk.is_some() || max_bytes.is_some() => output::Sink::held(max)?,
        None => output::Sink::stdout(),
    };
    if csv {
        sink.write(format!("{}\n", export::csv_header()).as_bytes())?;
    }
    let index = bulk
        .as_deref()
        .map(|i| serde_json::Value::from(i).to_string());
    // The sessions of the file being written, up to the part being written (ECS documents in
    // sessions a part did not see opened are finished here).
    let mut sessions = export::ecs::EcsSessions::default();
    let mut sessions_of = None;
    let mut finished = String::new();
    let mut holes = 0u64;
    let skipped = job::run(
        inputs,
        jobs,
        |_, name, place: Place| ExportJob {
            file: name.to_string(),
            format,
            rules: &rules,
            bulk: index.as_deref(),
            ecs: if place.first {
                export::ecs::EcsExport::new()
            } else {
                export::ecs::EcsExport::part()
            },
            more: !place.last,
            chunk: String::with_capacity(CHUNK_BYTES + 8192),
            holes: Vec::new(),
        },
        |n, out| {
            // Each file's sessions are its own.
            if sessions_of != Some(n) {
                sessions_of = Some(n);
                sessions = export::ecs::EcsSessions::default();
            }
            match out {
                ExportOut::Lines(bytes, waiting) => {
                    if waiting.is_empty() {
                        return sink.write(&bytes);
                    }
                    let mut at = 0;
                    for (place, hole) in waiting {
                        sink.write(&bytes[at..place])?;
                        at = place;
                        finished.clear();
                        holes += 1;
                        sessions.finish(&hole, &mut finished);
                        sink.write(finished.as_bytes())?;
                    }
                    sink.write(&bytes[at..])
                }
                ExportOut::Sessions(changes) => {
                    sessions.apply(changes);
                    Ok(())
                }
            }
        },
    );
    let skipped = match skipped {
        Err(e) if e.is::<output::TooLarge>() => return Err(usage(e.to_string())),
        other => other?,
    };
    if std::env::var(job::PARTS_TRACE_VAR).is_ok_and(|v| v == "1") {
        eprintln!("keytrail: {holes} ECS documents finished after their part");
    }
    let written = sink.finish()?;
    if let (Some(first), Some(last)) = (written.first(), written.last()) {
        eprintln!(
            "keytrail: wrote {} file{}: {first}{}",
            written.len(),
            if written.len() == 1 { "" } else { "s" },
            if written.len() > 1 {
                format!(" … {last}")
            } else {
                String::new()
            }
        );
    }
    Ok(if skipped { 3 } else { 0 })
}

/// `keytrail generate`.
fn generate(args: GenerateArgs) -> Result<u8> {
    let scenario = Scenario::from(args.scenario);
    let seed = args.seed.unwrap_or(Spec::default().seed);
    let output = args.output.as_deref();
    if args.size.is_some() && scenario != Scenario::Demo {
        return Err(usage("--size makes the demo scenario only; use --events"));
    }
    if args.format == "evtx" {
        return generate_evtx(scenario, seed, args.events, args.size, output);
    }
    let format = Format::from_name(&args.format)
        .ok_or_else(|| usage(format!("unknown format `{}`", args.format)))?;
    let encoding = Encoding::from_name(&args.encoding)
        .ok_or_else(|| usage(format!("unknown encoding `{}`", args.encoding)))?;
    let sink: Box<dyn Write> = match output {
        Some(path) if path != "-" => {
            Box::new(File::create(path).with_context(|| format!("cannot create `{path}`"))?)
        }
        _ => Box::new(io::stdout().lock()),
    };
    let sink = BufWriter::with_capacity(1 << 20, sink);
    if let Some(size) = args.size {
        let (events, bytes) = generator::write_to_size(seed, size, format, encoding, sink)?;
        eprintln!("keytrail: wrote {events} events, {bytes} bytes");
    } else {
        let events = args.events.unwrap_or(1000) as usize;
        let spec = Spec { seed, events };
        let bytes = generator::write(scenario.events(&spec), format, encoding, sink)?;
        eprintln!("keytrail: wrote {events} events, {bytes} bytes");
    }
    Ok(0)
}

/// The rules file at `path` (`--rules`), or the built-in rules.
fn rule_file(path: Option<&str>) -> Result<RuleFile> {
    Ok(match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read rules `{path}`"))?;
            RuleFile::from_json(&text).map_err(|e| usage(e.to_string()))?
        }
        None => RuleFile::new(rules::presets()),
    })
}

/// The rules of [`rule_file`], compiled (a mistake in them is a usage error).
fn rule_set(path: Option<&str>) -> Result<RuleSet> {
    RuleSet::compile_file(rule_file(path)?).map_err(|e| usage(e.to_string()))
}

/// `keytrail findings`: decodes every file, keeps the sessions, matches the key events and
/// tells routine activity apart, in memory that does not grow with the findings
/// ([`cli::findings`]).
fn findings(
    reading: &Reading,
    rules_path: Option<&str>,
    format: TextOrJson,
    count_routine: bool,
) -> Result<u8> {
    let rules = rule_set(rules_path)?;
    let (inputs, jobs) = reading.inputs()?;
    let files: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let mut found = Findings::new(&rules)?;
    let skipped = job::run(
        inputs,
        jobs,
        |_, _, _| FindingsJob::new(&rules),
        |n, events| found.add(n, &events),
    );
    let skipped = skipped?;
    let mut stdout = BufWriter::new(io::stdout().lock());
    let counts = found.write(&files, format == TextOrJson::Json, &mut stdout)?;
    stdout.flush()?;
    let flagged = counts.needs > 0 || (count_routine && counts.routine > 0);
    Ok(if skipped {
        3
    } else if flagged {
        4
    } else {
        0
    })
}

/// `keytrail report`: decodes every file (`--jobs` at a time) into rows, as the page holds them,
/// with each file's SHA-256 taken as it is read; marks the findings and writes the report
/// (`keytrail::report`).
fn report(reading: &Reading, rules_path: Option<&str>, output: &str, lang: Lang) -> Result<u8> {
    use keytrail::ingest::file::MAX_PROBLEMS_PER_FILE;
    use keytrail::model::store::Store;
    use keytrail::report::{FileEntry, ProblemEntry, Review};

    let rules = rule_set(rules_path)?;
    let (inputs, jobs) = reading.inputs()?;
    let mut files: Vec<FileEntry> = inputs
        .iter()
        .map(|input| FileEntry {
            name: input.name.clone(),
            size: 0,
            sha256: None,
            format: None,
            events: 0,
            problems: 0,
            skipped: 0,
        })
        .collect();
    let mut problems = Vec::new();
    let mut store = Store::new();
    let skipped = job::run(
        inputs,
        jobs,
        |_, _, _| ReportJob::default(),
        |n, part| {
            let entry = &mut files[n];
            match part {
                ReportPart::Events(events) => {
                    for ev in &events {
                        store.push_event(u16::try_from(n).unwrap_or(u16::MAX), ev);
                    }
                    entry.events += events.len() as u64;
                }
                ReportPart::Problem(line) => {
                    entry.problems += 1;
                    entry.skipped += u64::from(line.skip());
                    // The page keeps as many of each file's problems.
                    if entry.problems <= MAX_PROBLEMS_PER_FILE {
                        problems.push(ProblemEntry { file: n, line });
                    }
                }
                ReportPart::Read {
                    size,
                    sha256,
                    format,
                } => {
                    entry.size = size;
                    entry.sha256 = sha256;
                    entry.format = format;
                }
            }
            Ok(())
        },
    );
    let skipped = skipped?;
    rules::mark(&rules, &mut store, 0);
    let written = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok());
    let html = keytrail::report::html(&Review {
        lang,
        written,
        files: &files,
        problems: &problems,
        store: &store,
        rules: &rules,
    });
    std::fs::write(output, html).with_context(|| format!("cannot write `{output}`"))?;
    Ok(if skipped { 3 } else { 0 })
}

/// What a file gives the report, from its decoding thread.
enum ReportPart {
    /// Events, in file order.
    Events(Vec<Event>),
    /// A problem, where it was found among the events.
    Problem(keytrail::ingest::file::ProblemLine),
    /// The file read to its end: its size, SHA-256 and format.
    Read {
        size: u64,
        sha256: Option<String>,
        format: Option<keytrail::ingest::Format>,
    },
}

/// One file's part of the report: its events in batches, its problems, its reader's totals.
#[derive(Default)]
struct ReportJob(Vec<Event>);

/// Events handed over at a time.
const REPORT_BATCH: usize = 4096;

impl FileJob for ReportJob {
    type Out = ReportPart;

    /// Each file's SHA-256, from one reader.
    const WHOLE: bool = true;

    fn event(&mut self, ev: Event, emit: &mut dyn FnMut(ReportPart)) {
        self.0.push(ev);
        if self.0.len() >= REPORT_BATCH {
            emit(ReportPart::Events(std::mem::take(&mut self.0)));
        }
    }

    fn problem(&mut self, problem: &keytrail::decoder::Problem, emit: &mut dyn FnMut(ReportPart)) {
        if !self.0.is_empty() {
            emit(ReportPart::Events(std::mem::take(&mut self.0)));
        }
        emit(ReportPart::Problem(keytrail::ingest::file::problem_line(
            problem,
        )));
    }

    fn read(&mut self, reader: &keytrail::ingest::Reader, emit: &mut dyn FnMut(ReportPart)) {
        emit(ReportPart::Read {
            size: reader.fed(),
            sha256: reader.sha256(),
            format: reader.format(),
        });
    }

    fn end(self, emit: &mut dyn FnMut(ReportPart)) {
        if !self.0.is_empty() {
            emit(ReportPart::Events(self.0));
        }
    }
}

/// `1000`, `100MB`, `1GB`, `64KiB`…
fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// `generate --format evtx`: a binary log (its header is written last, so a file is written in
/// place and standard output gets the file once it is whole).
fn generate_evtx(
    scenario: Scenario,
    seed: u64,
    events: Option<u64>,
    size: Option<u64>,
    output: Option<&str>,
) -> Result<u8> {
    let spec = Spec {
        seed,
        events: match size {
            Some(_) => usize::MAX,
            None => events.unwrap_or(1000) as usize,
        },
    };
    let until = size.unwrap_or(u64::MAX);
    let written = match output {
        Some(path) if path != "-" => {
            let file = File::create(path).with_context(|| format!("cannot create `{path}`"))?;
            let mut file = BufWriter::with_capacity(1 << 20, file);
            generator::evtx::write(scenario.events(&spec), until, &mut file)?
        }
        _ => {
            let mut file = io::Cursor::new(Vec::new());
            let written = generator::evtx::write(scenario.events(&spec), until, &mut file)?;
            io::stdout().lock().write_all(&file.into_inner())?;
            written
        }
    };
    eprintln!(
        "keytrail: wrote {} events in {} chunks, {} bytes",
        written.events, written.chunks, written.bytes
    );
    Ok(0)
}
