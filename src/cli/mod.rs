//! The command line's own parts: which files a command reads (folders included), decoding them
//! in parallel with the output in order, the progress bar, and where `export` writes.

pub mod findings;
pub mod input;
pub mod job;
pub mod output;
pub mod progress;
