//! What keytrail does with decoded events: per-account summaries, exports (JSON Lines, CSV),
//! monitoring rules and logon-session correlation.
//! Pure Rust, shared by the CLI and the viewer.

pub mod chart;
pub mod criteria;
pub mod export;
pub mod query;
pub mod routine;
pub mod rules;
pub mod session;
pub mod store;
pub mod summary;
pub mod zone;

pub use summary::Summary;
