//! What the command line names: files, folders (read whole, in path order) and standard input.

use anyhow::{Context, Result};
use std::fs::File;
use std::path::PathBuf;

/// One file to decode, as named in problems and exports.
pub struct Input {
    /// The path as given, or as found under a given folder (`logs/dc01/Security.evtx`); `-` for
    /// standard input.
    pub name: String,
    /// Where its bytes come from.
    pub source: Source,
    /// Its size, when known (the progress bar's total).
    pub size: Option<u64>,
}

/// Where an input's bytes come from.
pub enum Source {
    /// Standard input.
    Stdin,
    /// A file named on the command line, opened up front: an unreadable one fails before
    /// anything is written.
    Opened(File),
    /// A file found under a folder, opened when its turn comes.
    Found(PathBuf),
}

impl Source {
    /// The bytes, ready to read.
    pub fn open(self, name: &str) -> Result<Box<dyn std::io::Read + Send>> {
        Ok(match self {
            Source::Stdin => Box::new(std::io::stdin()),
            Source::Opened(f) => Box::new(f),
            Source::Found(p) => {
                Box::new(File::open(p).with_context(|| format!("cannot open `{name}`"))?)
            }
        })
    }
}

/// The inputs that `args` name, in order: a file as itself, a folder as every regular file
/// under it (recursively, symbolic links not followed), ordered by path component by
/// component, `-` as standard input. Whether a file is an event log is told later, by its
/// content. A folder that cannot be listed, or a named file that cannot be opened, is an error.
pub fn expand(args: &[String]) -> Result<Vec<Input>> {
    let mut inputs = Vec::with_capacity(args.len());
    for arg in args {
        if arg == "-" {
            inputs.push(Input {
                name: arg.clone(),
                source: Source::Stdin,
                size: None,
            });
            continue;
        }
        let meta = std::fs::metadata(arg).with_context(|| format!("cannot open `{arg}`"))?;
        if !meta.is_dir() {
            let file = File::open(arg).with_context(|| format!("cannot open `{arg}`"))?;
            inputs.push(Input {
                name: arg.clone(),
                source: Source::Opened(file),
                size: meta.is_file().then_some(meta.len()),
            });
            continue;
        }
        for entry in walkdir::WalkDir::new(arg).sort_by_file_name() {
            let entry = entry.with_context(|| format!("cannot read the folder `{arg}`"))?;
            if !entry.file_type().is_file() {
                continue;
            }
            let size = entry.metadata().ok().map(|m| m.len());
            let path = entry.into_path();
            inputs.push(Input {
                name: path.to_string_lossy().into_owned(),
                source: Source::Found(path),
                size,
            });
        }
    }
    Ok(inputs)
}
