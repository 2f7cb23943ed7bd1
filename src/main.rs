//! `keytrail`: the native command-line tool. Same decoder as the viewer.
//!
//! Exit status: 0 when every event decoded, 3 when some were skipped (the rest is still written),
//! 2 for usage errors or unreadable files.

use anyhow::{bail, Context, Result};
use keytrail::decoder::view::is_key_event;
use keytrail::decoder::{Item, Severity, Timestamp};
use keytrail::generator::{self, Encoding, Format, Scenario, Spec};
use keytrail::ingest::Reader;
use keytrail::model::rules::{self, RowSubject, RuleFile, RuleSet};
use keytrail::model::session::SessionIndex;
use keytrail::model::store::Store;
use keytrail::model::{export, Summary};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
keytrail — decode Windows Security event logs: .evtx files and exported XML

USAGE:
  keytrail summary FILE... [--format text|json]
      Counts per account (domain\\user and SID): per event ID, per operation, per outcome.
  keytrail export FILE... [--format jsonl|csv]
      One JSON object or CSV row per decoded event (default jsonl).
  keytrail findings FILE... [--rules rules.json] [--format text|json] [--count-routine]
      Events that match monitoring rules (the built-in presets unless --rules is given),
      each with its rule, account, reason and logon session, and whether it is routine
      Windows activity (with the routine pattern's id) or needs a look. Findings that need
      a look come first, routine ones after. Exit status 4 when a finding needs a look,
      0 when none does; with --count-routine, 4 for routine findings too (3 and 2 as for
      export). A rules file may add routine patterns of its own and switch off the
      built-in ones (see README, Routine key activity).
  keytrail generate [--events N | --size BYTES] [--seed S] [--format FORMAT]
                    [--encoding utf8|utf8-bom|utf16le|utf16be]
                    [--scenario demo|routine|incident] [-o FILE]
      Writes a realistic, deterministic export (default: 1000 events, wevtutil, utf8).
      SCENARIO: demo (default: many findings over routine background), routine (only
      what Windows does with keys every day), incident (routine, plus a person exporting
      a machine key out of hours and a service account's export; --events only).
      FORMAT: wevtutil rendered-xml rendered-xml-ja event-viewer powershell docs-paste
              evtx-dump python-evtx evtxecmd evtxexport copy-details-text xml-view-copy
              evtx (a binary .evtx log: chunks, templates, CRC32s; --encoding does not apply)

Each FILE is read by its content, not its name: a binary .evtx log or event XML in any of
its export shapes. FILE may be - for standard input, .evtx included: it is read as it
streams, chunk by chunk, never held whole in memory nor copied to a temporary file.
Problems go to standard error as FILE:LINE:COLUMN: event N: reason, and in an .evtx file
as FILE:chunk C, offset 0xB: record R: reason.
Exit status: 0 all events decoded, 3 some skipped or input not event XML, 4 findings that
need a look (findings only), 2 usage error or unreadable file.
";

/// A mistake in the command line: reported with the usage text, exit status 2.
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            match e.downcast_ref::<UsageError>() {
                Some(u) => eprintln!("keytrail: {u}\n\n{USAGE}"),
                None => eprintln!("keytrail: {e:#}"),
            }
            ExitCode::from(2)
        }
    }
}

/// Positional arguments, and `--flag value` options in order.
type Args<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

/// Splits arguments into positional ones and `--flag value` options.
fn parse_args<'a>(args: &'a [String], flags: &[&str]) -> Result<Args<'a>> {
    parse_args_with(args, flags, &[])
}

/// As [`parse_args`], with `switches`: options that take no value (kept with the value `""`).
fn parse_args_with<'a>(args: &'a [String], flags: &[&str], switches: &[&str]) -> Result<Args<'a>> {
    let mut pos = Vec::new();
    let mut opts = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.starts_with("--") || (a.starts_with('-') && a.len() == 2) {
            let (name, inline) = match a.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (a.as_str(), None),
            };
            if switches.contains(&name) && inline.is_none() {
                opts.push((name, ""));
                continue;
            }
            if !flags.contains(&name) {
                return Err(usage(format!("unknown option `{name}`")));
            }
            let value = match inline {
                Some(v) => v,
                None => it
                    .next()
                    .map(String::as_str)
                    .ok_or_else(|| usage(format!("`{name}` needs a value")))?,
            };
            opts.push((name, value));
        } else {
            pos.push(a.as_str());
        }
    }
    Ok((pos, opts))
}

fn opt<'a>(opts: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    opts.iter().rev().find(|(n, _)| *n == name).map(|&(_, v)| v)
}

fn run(args: &[String]) -> Result<u8> {
    let Some(cmd) = args.first() else {
        return Err(usage("no command given"));
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "summary" => {
            let (files, opts) = parse_args(rest, &["--format"])?;
            let format = opt(&opts, "--format").unwrap_or("text");
            if !matches!(format, "text" | "json") {
                return Err(usage(format!("unknown summary format `{format}`")));
            }
            if files.is_empty() {
                return Err(usage("summary needs at least one FILE"));
            }
            let mut summary = Summary::default();
            let skipped = decode_files(&files, |_, ev| {
                summary.add(ev);
                Ok(())
            })?;
            let text = if format == "json" {
                summary.to_json()
            } else {
                summary.to_text()
            };
            let mut stdout = io::stdout().lock();
            writeln!(stdout, "{}", text.trim_end())?;
            Ok(if skipped { 3 } else { 0 })
        }
        "export" => {
            let (files, opts) = parse_args(rest, &["--format"])?;
            let format = opt(&opts, "--format").unwrap_or("jsonl");
            let csv = match format {
                "jsonl" | "json" => false,
                "csv" => true,
                other => return Err(usage(format!("unknown export format `{other}`"))),
            };
            if files.is_empty() {
                return Err(usage("export needs at least one FILE"));
            }
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            if csv {
                writeln!(out, "{}", export::CSV_HEADER)?;
            }
            let mut line = String::with_capacity(2048);
            let skipped = decode_files(&files, |file, ev| {
                line.clear();
                if csv {
                    export::csv_row(file, ev, &mut line);
                } else {
                    export::json_line(ev, &mut line);
                }
                line.push('\n');
                out.write_all(line.as_bytes())
                    .context("writing to standard output")
            })?;
            out.flush()?;
            Ok(if skipped { 3 } else { 0 })
        }
        "findings" => findings(rest),
        "generate" => {
            let (pos, opts) = parse_args(
                rest,
                &[
                    "--events",
                    "--size",
                    "--seed",
                    "--format",
                    "--encoding",
                    "--scenario",
                    "-o",
                    "--output",
                ],
            )?;
            let scenario = match opt(&opts, "--scenario") {
                Some(s) => Scenario::from_name(s)
                    .ok_or_else(|| usage(format!("unknown scenario `{s}`")))?,
                None => Scenario::Demo,
            };
            if let Some(p) = pos.first() {
                return Err(usage(format!("unexpected argument `{p}`")));
            }
            let number = |name: &str| -> Result<Option<u64>> {
                opt(&opts, name)
                    .map(|v| parse_size(v).ok_or_else(|| usage(format!("bad {name} `{v}`"))))
                    .transpose()
            };
            if opt(&opts, "--format") == Some("evtx") {
                return generate_evtx(
                    scenario,
                    number("--seed")?.unwrap_or(Spec::default().seed),
                    number("--events")?,
                    number("--size")?,
                    opt(&opts, "-o").or(opt(&opts, "--output")),
                );
            }
            let format = match opt(&opts, "--format") {
                Some(f) => {
                    Format::from_name(f).ok_or_else(|| usage(format!("unknown format `{f}`")))?
                }
                None => Format::Wevtutil,
            };
            let encoding = match opt(&opts, "--encoding") {
                Some(e) => Encoding::from_name(e)
                    .ok_or_else(|| usage(format!("unknown encoding `{e}`")))?,
                None => Encoding::Utf8,
            };
            let seed = number("--seed")?.unwrap_or(Spec::default().seed);
            let sink: Box<dyn Write> = match opt(&opts, "-o").or(opt(&opts, "--output")) {
                Some(path) if path != "-" => {
                    Box::new(File::create(path).with_context(|| format!("cannot create `{path}`"))?)
                }
                _ => Box::new(io::stdout().lock()),
            };
            let sink = BufWriter::with_capacity(1 << 20, sink);
            if let Some(size) = number("--size")? {
                if scenario != Scenario::Demo {
                    return Err(usage("--size makes the demo scenario only; use --events"));
                }
                let (events, bytes) = generator::write_to_size(seed, size, format, encoding, sink)?;
                eprintln!("keytrail: wrote {events} events, {bytes} bytes");
            } else {
                let events = number("--events")?.unwrap_or(1000) as usize;
                let spec = Spec { seed, events };
                let bytes = generator::write(scenario.events(&spec), format, encoding, sink)?;
                eprintln!("keytrail: wrote {events} events, {bytes} bytes");
            }
            Ok(0)
        }
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(0)
        }
        "-V" | "--version" => {
            println!("keytrail {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        other => Err(usage(format!("unknown command `{other}`"))),
    }
}

/// `keytrail findings`: decodes every file, keeps the sessions, then matches the key events and
/// tells routine activity apart.
fn findings(rest: &[String]) -> Result<u8> {
    let (files, opts) = parse_args_with(rest, &["--format", "--rules"], &["--count-routine"])?;
    let format = opt(&opts, "--format").unwrap_or("text");
    if !matches!(format, "text" | "json") {
        return Err(usage(format!("unknown findings format `{format}`")));
    }
    if files.is_empty() {
        return Err(usage("findings needs at least one FILE"));
    }
    let count_routine = opt(&opts, "--count-routine").is_some();
    let file = match opt(&opts, "--rules") {
        Some(path) => {
            let json = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read rules `{path}`"))?;
            RuleFile::from_json(&json).map_err(|e| usage(e.to_string()))?
        }
        None => RuleFile::new(rules::presets()),
    };
    let rules = RuleSet::compile_file(file).map_err(|e| usage(e.to_string()))?;
    // Sessions may be logged after the key events that use them (newest-first exports), so
    // the session of each finding is looked up once every file is read. Until then the key
    // events are kept as compact rows (strings interned once): the matching ones, and the
    // others a routine sequence may need (the create after a probe). Their reasons are worded
    // from the rows, as the viewer does.
    let mut sessions = SessionIndex::new();
    let mut hits = Store::new();
    let skipped = decode_files(&files, |file, ev| {
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
    if format == "json" {
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
            let reason = m.reason;
            let file = files[usize::from(row.file)];
            if format == "json" {
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
    if format == "json" {
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
    mut each: impl FnMut(&str, &keytrail::decoder::Event) -> Result<()>,
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
                handle(name, item, &mut each, &mut stderr, &mut skipped)?;
            }
        }
        decoder.finish(&mut out);
        for item in out.drain(..) {
            handle(name, item, &mut each, &mut stderr, &mut skipped)?;
        }
    }
    Ok(skipped)
}

fn handle(
    name: &str,
    item: Item,
    each: &mut impl FnMut(&str, &keytrail::decoder::Event) -> Result<()>,
    stderr: &mut impl Write,
    skipped: &mut bool,
) -> Result<()> {
    match item {
        Item::Event(ev) => each(name, &ev),
        Item::Problem(p) => {
            if matches!(p.severity, Severity::Skipped | Severity::Rejected) {
                *skipped = true;
            }
            let _ = writeln!(stderr, "{name}:{p}");
            Ok(())
        }
    }
}
