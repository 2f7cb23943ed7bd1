//! Where `export` writes: standard output as it comes, or NDJSON split into numbered files of at
//! most `--max-bytes` each (`-o PREFIX` → `PREFIX-0001.ndjson`, …), never cutting a document
//! from its `_bulk` action line.

use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};

/// The default `--max-bytes`: below the 100 MB that Elasticsearch and OpenSearch take in one
/// request by default (`http.max_content_length`).
pub const DEFAULT_MAX_BYTES: u64 = 90_000_000;

/// Where the documents go.
pub enum Sink {
    /// Standard output, as it comes (no limit).
    Stdout(BufWriter<io::StdoutLock<'static>>),
    /// Standard output once whole, if it is at most `max` bytes; held in an anonymous file
    /// until then (a `_bulk` body must not be cut).
    Held {
        file: BufWriter<File>,
        max: u64,
        size: u64,
    },
    /// Numbered files.
    Parts(Parts),
}

impl Sink {
    /// `-o PREFIX`: files `PREFIX-0001.ndjson`… of at most `max` bytes, each document of
    /// `lines_per_doc` lines kept whole (2 with `--bulk`: the action line and the document).
    pub fn parts(prefix: &str, max: u64, lines_per_doc: usize) -> Self {
        let prefix = prefix.strip_suffix(".ndjson").unwrap_or(prefix).to_string();
        Sink::Parts(Parts {
            prefix,
            max,
            lines_per_doc,
            current: None,
            size: 0,
            number: 0,
            written: Vec::new(),
            tail: Vec::new(),
        })
    }

    /// Standard output, written only once the whole body is known to fit in `max` bytes.
    pub fn held(max: u64) -> Result<Self> {
        let file = tempfile::tempfile().context("cannot create a temporary file")?;
        Ok(Sink::Held {
            file: BufWriter::with_capacity(1 << 20, file),
            max,
            size: 0,
        })
    }

    /// Standard output.
    pub fn stdout() -> Self {
        Sink::Stdout(BufWriter::with_capacity(1 << 16, io::stdout().lock()))
    }

    /// Writes the next bytes (a chunk may end inside a document: its start waits for the rest).
    pub fn write(&mut self, chunk: &[u8]) -> Result<()> {
        match self {
            Sink::Stdout(out) => out.write_all(chunk).context("writing to standard output"),
            Sink::Held { file, max, size } => {
                *size += chunk.len() as u64;
                if *size > *max {
                    bail!(TooLarge(*max));
                }
                file.write_all(chunk).context("writing a temporary file")
            }
            Sink::Parts(parts) => parts.write(chunk),
        }
    }

    /// Writes what is left; returns the files written (none for standard output).
    pub fn finish(self) -> Result<Vec<String>> {
        match self {
            Sink::Stdout(mut out) => {
                out.flush().context("writing to standard output")?;
                Ok(Vec::new())
            }
            Sink::Held { file, .. } => {
                let mut file = file.into_inner().map_err(|e| e.into_error())?;
                file.rewind()?;
                let mut out = io::stdout().lock();
                io::copy(&mut file, &mut out).context("writing to standard output")?;
                out.flush()?;
                Ok(Vec::new())
            }
            Sink::Parts(parts) => parts.finish(),
        }
    }
}

/// A `_bulk` body on standard output would be larger than `--max-bytes`.
#[derive(Debug)]
pub struct TooLarge(pub u64);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the output is more than --max-bytes ({} bytes) and would be cut on standard output: give -o PREFIX to write it as PREFIX-0001.ndjson, PREFIX-0002.ndjson, …",
            self.0
        )
    }
}

impl std::error::Error for TooLarge {}

/// Numbered NDJSON files of at most `max` bytes.
pub struct Parts {
    prefix: String,
    max: u64,
    lines_per_doc: usize,
    current: Option<BufWriter<File>>,
    /// Bytes in the current file.
    size: u64,
    /// The current file's number (0: none yet).
    number: u32,
    written: Vec<String>,
    /// The start of a document whose end has not come yet.
    tail: Vec<u8>,
}

impl Parts {
    fn name(&self, number: u32) -> String {
        format!("{}-{number:04}.ndjson", self.prefix)
    }

    fn write(&mut self, chunk: &[u8]) -> Result<()> {
        if self.tail.is_empty() {
            return self.write_docs(chunk);
        }
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(chunk);
        self.write_docs(&joined)
    }

    /// Writes the whole documents that `chunk` starts with; keeps the unfinished last one.
    fn write_docs(&mut self, chunk: &[u8]) -> Result<()> {
        // Runs of whole documents that fit the current file are written at once.
        let mut start = 0;
        let mut at = 0;
        while at < chunk.len() {
            let Some(end) = doc_end(&chunk[at..], self.lines_per_doc).map(|e| at + e) else {
                self.tail.extend_from_slice(&chunk[at..]);
                break;
            };
            let len = (end - at) as u64;
            if len > self.max {
                bail!(
                    "one document is {len} bytes, more than --max-bytes ({} bytes)",
                    self.max
                );
            }
            if self.current.is_none() || self.size + (at - start) as u64 + len > self.max {
                self.put(&chunk[start..at])?;
                self.next()?;
                start = at;
            }
            at = end;
        }
        self.put(&chunk[start..at])
    }

    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let name = self.name(self.number);
        let file = self.current.as_mut().context("no output file")?;
        file.write_all(bytes)
            .with_context(|| format!("writing `{name}`"))?;
        self.size += bytes.len() as u64;
        Ok(())
    }

    fn next(&mut self) -> Result<()> {
        if let Some(mut f) = self.current.take() {
            f.flush()
                .with_context(|| format!("writing `{}`", self.name(self.number)))?;
        }
        self.number += 1;
        let name = self.name(self.number);
        let file = File::create(&name).with_context(|| format!("cannot create `{name}`"))?;
        self.current = Some(BufWriter::with_capacity(1 << 20, file));
        self.written.push(name);
        self.size = 0;
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<String>> {
        // A last document without its line end (not written by keytrail) is written as it is.
        if !self.tail.is_empty() {
            let mut tail = std::mem::take(&mut self.tail);
            tail.push(b'\n');
            self.lines_per_doc = 1;
            self.write_docs(&tail)?;
        }
        if let Some(mut f) = self.current.take() {
            f.flush()
                .with_context(|| format!("writing `{}`", self.name(self.number)))?;
        }
        Ok(self.written)
    }
}

/// Where the document that starts `bytes` ends (past its last line's `\n`), or `None` when it
/// runs to the end.
fn doc_end(bytes: &[u8], lines: usize) -> Option<usize> {
    let mut at = 0;
    for _ in 0..lines {
        at += memchr::memchr(b'\n', &bytes[at..])? + 1;
    }
    Some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_ends_after_its_lines() {
        assert_eq!(doc_end(b"a\nb\nc\n", 2), Some(4));
        assert_eq!(doc_end(b"a\nb\nc\n", 1), Some(2));
        assert_eq!(doc_end(b"a\nb", 2), None);
    }
}
