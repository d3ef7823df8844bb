//! Need-to-know (SA-3): how long a way into a case stays open, and when a supplier's
//! copies of a closed order's data must be gone. Pure arithmetic on instants and dates.
//!
//! A caseworker works the orders of their own unit. Outside it:
//! - a CPR search opens the citizen's record to the searcher for the working day
//!   ([`lookup_expires`]);
//! - a stand-in access, with a written reason, opens another unit's order for a working
//!   day ([`stand_in_expires`]); every use of it is marked in the access log and the
//!   privacy officer follows it up.

use crate::time::{Date, Timestamp};

/// Hours a CPR search keeps the citizen's record open to the caseworker who searched.
pub const LOOKUP_HOURS: i64 = 8;
/// Hours a stand-in access keeps another unit's order open.
pub const STAND_IN_HOURS: i64 = 8;
/// Days a supplier has, after an order is closed, to confirm it has deleted its copies.
pub const DELETION_CONFIRMATION_DAYS: i32 = 30;

pub fn lookup_expires(at: Timestamp) -> Timestamp {
    at.plus_seconds(LOOKUP_HOURS * 3600)
}

pub fn stand_in_expires(at: Timestamp) -> Timestamp {
    at.plus_seconds(STAND_IN_HOURS * 3600)
}

/// The last day the supplier may confirm deletion of an order closed at `closed_at`.
pub fn deletion_due(closed_at: Timestamp) -> Date {
    closed_at.local_date().plus_days(DELETION_CONFIRMATION_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_and_deadlines() {
        // 2026-11-23 12:00 UTC, 13:00 in Copenhagen.
        let t = Timestamp(1_795_435_200 * Timestamp::MICROS_PER_SECOND);
        assert_eq!(lookup_expires(t).rfc3339(), "2026-11-23T20:00:00Z");
        assert_eq!(stand_in_expires(t).rfc3339(), "2026-11-23T20:00:00Z");
        assert_eq!(deletion_due(t), Date::from_ymd(2026, 12, 23).expect("date"));
        // Closed at 23:30 UTC on the 31st of December is the 1st of January in Copenhagen.
        let late = Timestamp(1_798_759_800 * Timestamp::MICROS_PER_SECOND);
        assert_eq!(late.rfc3339(), "2026-12-31T23:30:00Z");
        assert_eq!(
            deletion_due(late),
            Date::from_ymd(2027, 1, 31).expect("date")
        );
    }
}
