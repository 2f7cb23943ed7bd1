//! The clock the state is given.

/// A clock in ms (any monotonic one): what [`AppState`](super::AppState) times
/// [`query::select`](crate::model::query::select) with. The page passes `performance.now()` in
/// ([`AppState::with_clock`](super::AppState::with_clock)); the state never reads the browser's.
#[derive(Clone, Copy)]
pub struct Clock(pub fn() -> f64);

impl Clock {
    /// The time now, ms.
    pub fn now(self) -> f64 {
        (self.0)()
    }
}

impl Default for Clock {
    /// A clock that always says 0 (for tests: durations are then 0).
    fn default() -> Self {
        Self(|| 0.0)
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}
