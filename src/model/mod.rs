//! What keytrail does with decoded events: per-account summaries and exports (JSON Lines, CSV).
//! Pure Rust, shared by the CLI and the viewer.

pub mod export;
pub mod summary;

pub use summary::Summary;
