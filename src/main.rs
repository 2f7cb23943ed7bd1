//! `keytrail`: the native command-line tool. Same decoder as the viewer.
//!
//! Exit status: 0 when every event decoded, 3 when some were skipped (the rest is still written),
//! 4 when `findings` found something that needs a look, 2 for usage errors or unreadable files.

use anyhow::{bail, Context, Result};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use keytrail::decoder::view::is_key_event;
use keytrail::decoder::{Item, Severity, Timestamp};
use keytrail::generator::{self, Encoding, Format, Scenario, Spec};
use keytrail::ingest::Reader;
use keytrail::model::rules::{self, RowSubject, RuleFile, RuleSet};
use keytrail::model::session::SessionIndex;
use keytrail::model::store::Store;
use keytrail::model::{export, Summary};
use keytrail::text::Lang;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

/// What every command shares, after the per-command help.
const AFTER_HELP: &str = "\
Each FILE is read by its content, not its name: a binary .evtx log, event XML in any of
its export shapes, NXLog im_msvistalog JSON, Elastic Agent / winlogbeat (ECS) documents
(lines, _bulk bodies, _search hits), evtx_dump JSON and JSON Lines, Splunk XmlWinEventLog
results (_raw in JSON or CSV), Get-WinEvent | Export-Clixml, and Get-WinEvent |
ConvertTo-Json (use -Depth 4: at the default depth the field values are lost). FILE may be
- for standard input, .evtx included: it is read as it streams, never held whole in
memory nor copied to a temporary file.
Problems go to standard error as FILE:LINE:COLUMN: event N: reason, and in an .evtx file
as FILE:chunk C, offset 0xB: record R: reason.
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
        /// Logs to read (- for standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Plain text or one JSON document.
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// One JSON object or CSV row per decoded event.
    #[command(after_help = AFTER_HELP)]
    Export {
        /// Logs to read (- for standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// JSON Lines (`json` is the same) or CSV.
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// The rules whose ids each event's `findings` lists (default: the built-in rules).
        #[arg(long, value_name = "rules.json")]
        rules: Option<String>,
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
        /// Logs to read (- for standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
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
        /// Logs to read (- for standard input).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
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
}

/// The generator's shapes (see `generator::Format`), and `evtx`.
const FORMATS: [&str; 19] = [
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
        Command::Summary { files, format } => {
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            let mut summary = Summary::default();
            let skipped = decode_files(&files, |_, ev| {
                summary.add(ev);
                Ok(())
            })?;
            let text = match format {
                TextOrJson::Json => summary.to_json(),
                TextOrJson::Text => summary.to_text(),
            };
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{}", text.trim_end())?;
            Ok(if skipped { 3 } else { 0 })
        }
        Command::Export {
            files,
            format,
            rules,
        } => {
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            let rules = RuleSet::compile_file(rule_file(rules.as_deref())?)
                .map_err(|e| usage(e.to_string()))?;
            let csv = format == ExportFormat::Csv;
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            if csv {
                writeln!(out, "{}", export::csv_header())?;
            }
            let mut line = String::with_capacity(4096);
            let skipped = decode_files(&files, |file, ev| {
                let findings = rules
                    .matched(rules.mask(ev))
                    .map(|r| r.id.as_str())
                    .collect();
                let record = export::Record::new(file, ev, findings);
                line.clear();
                if csv {
                    record.write_csv(&mut line);
                } else {
                    record.write_json(&mut line);
                }
                line.push('\n');
                out.write_all(line.as_bytes())
                    .context("writing to standard output")
            })?;
            out.flush()?;
            Ok(if skipped { 3 } else { 0 })
        }
        Command::Findings {
            files,
            rules,
            format,
            count_routine,
        } => {
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            findings(&files, rules.as_deref(), format, count_routine)
        }
        Command::Report {
            files,
            output,
            rules,
            lang,
        } => {
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            let lang = match lang {
                LangArg::En => Lang::En,
                LangArg::Ja => Lang::Ja,
            };
            report(&files, rules.as_deref(), &output, lang)
        }
        Command::Generate(args) => generate(args),
    }
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

/// `keytrail findings`: decodes every file, keeps the sessions, then matches the key events and
/// tells routine activity apart.
fn findings(
    files: &[&str],
    rules_path: Option<&str>,
    format: TextOrJson,
    count_routine: bool,
) -> Result<u8> {
    let json = format == TextOrJson::Json;
    let rules = RuleSet::compile_file(rule_file(rules_path)?).map_err(|e| usage(e.to_string()))?;
    // Sessions may be logged after the key events that use them (newest-first exports), so
    // the session of each finding is looked up once every file is read. Until then the key
    // events are kept as compact rows (strings interned once): the matching ones, and the
    // others a routine sequence may need (the create after a probe). Their reasons are worded
    // from the rows, as the viewer does.
    let mut sessions = SessionIndex::new();
    let mut hits = Store::new();
    let skipped = decode_files(files, |file, ev| {
        sessions.add(ev);
        if is_key_event(ev.event_id()) || rules.mask(ev) != 0 {
            let n = files.iter().position(|f| *f == file).unwrap_or(0);
            hits.push_event(u16::try_from(n).unwrap_or(u16::MAX), ev);
        }
        Ok(())
    })?;
    rules::mark(&rules, &mut hits, 0);
    let mut stdout = BufWriter::new(io::stdout().lock());
    let (mut needs, mut routine) = (0usize, 0usize);
    if json {
        write!(stdout, "{{\"findings\":[")?;
    }
    // What needs a look first, then what is routine, each in file order.
    let order = (0..hits.len())
        .filter(|&i| hits.routine_of(i) == 0)
        .chain((0..hits.len()).filter(|&i| hits.routine_of(i) != 0));
    for i in order {
        if hits.findings_of(i) == 0 {
            continue;
        }
        let row = &hits.rows[i];
        let text = |sym| hits.str(sym);
        let (computer, account, logon_id) =
            (text(row.computer), text(row.account), text(row.logon_id));
        let session = sessions.link(computer, logon_id, row.time()).describe();
        let time = row.time().map(|t| Timestamp(t).to_string());
        let pattern = rules.routine().pattern(hits.routine_of(i));
        let paired = hits.pair_of(i).map(|p| hits.rows[p].number);
        let subject = RowSubject { row, store: &hits };
        for m in rules.matches(&subject) {
            let (id, title) = (&m.rule.id, &m.rule.title);
            let reason = m.reason.to_string();
            let file = files[usize::from(row.file)];
            if json {
                let v = serde_json::json!({
                    "rule": id,
                    "title": title,
                    "routine": pattern.is_some(),
                    "pattern": pattern.map(|p| &p.id),
                    "pattern_title": pattern.map(|p| &p.title),
                    "paired_event": paired,
                    "file": file,
                    "event": row.number,
                    "event_id": row.event_id,
                    "record_id": row.record_id(),
                    "time": time,
                    "computer": computer,
                    "account": account,
                    "sid": text(row.sid),
                    "logon_id": logon_id,
                    "session": session,
                    "reason": reason,
                });
                let sep = if needs + routine == 0 { "\n" } else { ",\n" };
                write!(stdout, "{sep}{v}")?;
            } else {
                let class = pattern.map_or_else(
                    || "needs-a-look".to_string(),
                    |p| format!("routine:{}", p.id),
                );
                writeln!(
                    stdout,
                    "{id}\t{class}\t{file}\tevent {}\t{}\t{computer}\t{account}\t{reason}\t{session}",
                    row.number,
                    time.as_deref().unwrap_or(""),
                )?;
            }
            if pattern.is_some() {
                routine += 1;
            } else {
                needs += 1;
            }
        }
    }
    if json {
        writeln!(stdout, "\n],\"needs_look\":{needs},\"routine\":{routine}}}")?;
    } else {
        writeln!(
            stdout,
            "{} findings: {needs} need a look, {routine} routine",
            needs + routine
        )?;
    }
    stdout.flush()?;
    let flagged = needs > 0 || (count_routine && routine > 0);
    Ok(if skipped {
        3
    } else if flagged {
        4
    } else {
        0
    })
}

/// `keytrail report`: decodes every file into rows (as the page holds them), taking each file's
/// SHA-256 as it is read, marks the findings, and writes the report (`keytrail::report`).
fn report(files: &[&str], rules_path: Option<&str>, output: &str, lang: Lang) -> Result<u8> {
    use keytrail::ingest::file::{problem_line, MAX_PROBLEMS_PER_FILE};
    use keytrail::report::{FileEntry, ProblemEntry, Review};
    use std::cell::{Cell, RefCell};

    let rules = RuleSet::compile_file(rule_file(rules_path)?).map_err(|e| usage(e.to_string()))?;
    let entries = RefCell::new(
        files
            .iter()
            .map(|&name| FileEntry {
                name: name.to_string(),
                size: 0,
                sha256: None,
                format: None,
                events: 0,
                problems: 0,
                skipped: 0,
            })
            .collect::<Vec<_>>(),
    );
    // Files are read one after the other: the one being read is the number of those ended.
    let current = Cell::new(0usize);
    let mut problems = Vec::new();
    let mut store = Store::new();
    let skipped = decode_files_with(
        files,
        |_, ev| {
            let i = current.get();
            store.push_event(u16::try_from(i).unwrap_or(u16::MAX), ev);
            entries.borrow_mut()[i].events += 1;
            Ok(())
        },
        |_, p| {
            let i = current.get();
            let entry = &mut entries.borrow_mut()[i];
            // The page keeps as many of each file's problems.
            if entry.problems < MAX_PROBLEMS_PER_FILE {
                problems.push(ProblemEntry {
                    file: i,
                    line: problem_line(p),
                });
            }
            entry.problems += 1;
            entry.skipped += u64::from(p.is_skip());
        },
        |_, reader| {
            let i = current.get();
            let entry = &mut entries.borrow_mut()[i];
            entry.size = reader.fed();
            entry.sha256 = reader.sha256();
            entry.format = reader.format();
            current.set(i + 1);
        },
    )?;
    rules::mark(&rules, &mut store, 0);
    let written = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_nanos()).ok());
    let files = entries.into_inner();
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

/// Decodes each file in turn, streaming, calling `each` per event; problems go to stderr.
/// Returns whether any event was skipped (or an input was not event XML). All files are opened
/// first, so an unreadable one fails before anything is written.
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

fn decode_files(
    files: &[&str],
    each: impl FnMut(&str, &keytrail::decoder::Event) -> Result<()>,
) -> Result<bool> {
    decode_files_with(files, each, |_, _| {}, |_, _| {})
}

/// [`decode_files`], telling `problem` each problem too, and `end` each file's reader once the
/// file is read (its SHA-256, format and size).
fn decode_files_with(
    files: &[&str],
    mut each: impl FnMut(&str, &keytrail::decoder::Event) -> Result<()>,
    mut problem: impl FnMut(&str, &keytrail::decoder::Problem),
    mut end: impl FnMut(&str, &Reader),
) -> Result<bool> {
    let mut readers: Vec<(&str, Box<dyn Read>)> = Vec::with_capacity(files.len());
    for &f in files {
        let r: Box<dyn Read> = if f == "-" {
            Box::new(io::stdin().lock())
        } else {
            Box::new(File::open(f).with_context(|| format!("cannot open `{f}`"))?)
        };
        readers.push((f, r));
    }
    let mut skipped = false;
    let mut stderr = io::stderr().lock();
    let mut buf = vec![0u8; 1 << 20];
    let mut out = Vec::with_capacity(1024);
    for (name, mut reader) in readers {
        let mut decoder = Reader::new();
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => bail!("cannot read `{name}`: {e}"),
            };
            decoder.push(&buf[..n], &mut out);
            for item in out.drain(..) {
                handle(
                    name,
                    item,
                    &mut each,
                    &mut problem,
                    &mut stderr,
                    &mut skipped,
                )?;
            }
        }
        decoder.finish(&mut out);
        for item in out.drain(..) {
            handle(
                name,
                item,
                &mut each,
                &mut problem,
                &mut stderr,
                &mut skipped,
            )?;
        }
        end(name, &decoder);
    }
    Ok(skipped)
}

fn handle(
    name: &str,
    item: Item,
    each: &mut impl FnMut(&str, &keytrail::decoder::Event) -> Result<()>,
    problem: &mut impl FnMut(&str, &keytrail::decoder::Problem),
    stderr: &mut impl Write,
    skipped: &mut bool,
) -> Result<()> {
    match item {
        Item::Event(ev) => each(name, &ev),
        Item::Problem(p) => {
            problem(name, &p);
            if matches!(p.severity, Severity::Skipped | Severity::Rejected) {
                *skipped = true;
            }
            let _ = writeln!(stderr, "{name}:{p}");
            Ok(())
        }
    }
}
