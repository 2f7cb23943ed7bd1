//! Which parts of the state an action changed, and a version per part, so that each view is
//! drawn again only when a part it shows changed.

/// A set of parts of [`AppState`](super::AppState).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts(u8);

impl Parts {
    /// Nothing.
    pub const NONE: Self = Self(0);
    /// [`LoadState`](super::LoadState): files, progress, problems, timings.
    pub const LOAD: Self = Self(1);
    /// The rows the table shows, their order, the selection, the export
    /// ([`TableState`](super::TableState) but its filter).
    pub const TABLE: Self = Self(1 << 1);
    /// The table's filter ([`TableState::filter`](super::TableState::filter)).
    pub const FILTER: Self = Self(1 << 2);
    /// [`DetailPaneState`](super::DetailPaneState).
    pub const DETAIL: Self = Self(1 << 3);
    /// [`ChartsState`](super::ChartsState): bars, activity, facets, timeline.
    pub const CHARTS: Self = Self(1 << 4);
    /// [`RulesState`](super::RulesState): the rules, and the rows they mark and count.
    pub const RULES: Self = Self(1 << 5);
    /// Every part.
    pub const ALL: Self = Self((1 << COUNT) - 1);

    /// Whether every part of `other` is in `self`.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no part is in `self`.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for Parts {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// How many parts there are.
const COUNT: usize = 6;

/// A version per part, bumped whenever the part changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Versions([u64; COUNT]);

impl Versions {
    /// Bumps the version of every part in `parts`.
    pub fn bump(&mut self, parts: Parts) {
        for (i, v) in self.0.iter_mut().enumerate() {
            if parts.0 & (1 << i) != 0 {
                *v = v.wrapping_add(1);
            }
        }
    }

    /// The versions of `parts` only (the others read 0), to compare.
    #[must_use]
    pub fn of(self, parts: Parts) -> Self {
        let mut out = Self::default();
        for (i, (o, v)) in out.0.iter_mut().zip(self.0).enumerate() {
            if parts.0 & (1 << i) != 0 {
                *o = v;
            }
        }
        out
    }

    /// The parts whose version differs from `before`'s.
    pub fn changed_since(self, before: Self) -> Parts {
        let bits = self
            .0
            .iter()
            .zip(before.0)
            .enumerate()
            .filter(|&(_, (&now, then))| now != then)
            .fold(0, |bits, (i, _)| bits | (1 << i));
        Parts(bits)
    }
}
