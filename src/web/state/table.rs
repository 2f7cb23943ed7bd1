//! The table part: its filter and sort, the rows it shows, the selected row, and the export of
//! those rows.

use crate::model::query::{Filter, Sort};

/// What the table shows.
#[derive(Debug, Default)]
pub struct TableState {
    /// The table's filter.
    pub filter: Filter,
    /// The table's sort (load order when `None`).
    pub sort: Option<Sort>,
    /// The rows the table shows, as indices into `store.rows`, in display order.
    pub view: Vec<u32>,
    /// Whether `view` must be recomputed (new rows arrived under a sort or filter).
    pub view_stale: bool,
    /// The selected row (index into `store.rows`).
    pub selected: Option<u32>,
    /// The export asked of the worker, and the last one it wrote.
    pub export: ExportState,
    /// The duration of the last [`query::select`](crate::model::query::select), ms.
    pub last_select_ms: Option<f64>,
    /// When `view` was last worked out.
    pub(super) view_at: f64,
}

/// An export of the table's rows ([`Action::Export`]): asked of the worker, which reads the
/// events again and writes the CLI's records for them.
#[derive(Debug, Default)]
pub struct ExportState {
    /// The token of the export the worker is writing (the buttons wait meanwhile).
    pub waiting: Option<u32>,
    /// A finished export, for the page to offer as a download (taken once offered).
    pub ready: Option<Download>,
    /// Rows the last export could not read again.
    pub lost: u32,
}

/// A file for the page to offer as a download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Its name.
    pub name: &'static str,
    /// Its media type.
    pub mime: &'static str,
    /// Its content.
    pub text: String,
}
