//! The detail part: whether the detail pane is open, and the event it shows.

use super::super::protocol::Detail;

/// The detail pane.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DetailPaneState {
    /// Whether the pane is open.
    pub open: bool,
    /// What it shows.
    pub content: Option<DetailState>,
}

/// The event whose detail is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DetailState {
    /// Asked the worker; the answer is on its way.
    Loading {
        /// The request's token.
        token: u32,
    },
    /// Decoded again.
    Ready(Box<Detail>),
}
