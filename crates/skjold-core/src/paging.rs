//! Long lists in pages: newest first, ordered by time and then by id (a total order, so
//! no entry is shown twice or skipped), each page starting after the last entry of the one
//! before (keyset paging), so pages stay stable while new entries arrive at the top. The access log, the ledger and the order lists page this way.

use uuid::Uuid;

use crate::time::Timestamp;

/// A position in a list ordered newest first (by time): the last entry of a page.
/// The next page starts after it, so pages stay stable while new entries arrive at the
/// top. Written `<microseconds>.<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: Timestamp,
    pub id: Uuid,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.at.micros(), self.id.simple())
    }
}

impl std::str::FromStr for Cursor {
    type Err = crate::Problem;
    fn from_str(s: &str) -> Result<Cursor, crate::Problem> {
        let bad = || crate::Problem::BadId(crate::error::IdInput::Page);
        let (at, id) = s.trim().split_once('.').ok_or_else(bad)?;
        let at: i64 = at.parse().map_err(|_| bad())?;
        let id = Uuid::try_parse(id).map_err(|_| bad())?;
        Ok(Cursor {
            at: Timestamp::from_micros(at),
            id,
        })
    }
}

/// When a list's count stops: beyond it, the count says "more than".
pub const COUNT_CAP: u64 = 10_000;

/// One page of a long list, newest first.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub entries: Vec<T>,
    /// Where the next page starts; none on the last page.
    pub next: Option<Cursor>,
    /// How many entries match the filter, counted up to [`COUNT_CAP`].
    pub total: u64,
}

impl<T> Page<T> {
    /// The count reached [`COUNT_CAP`]: there are at least that many.
    pub fn capped(&self) -> bool {
        self.total >= COUNT_CAP
    }
}
