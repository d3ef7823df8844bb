//! A citizen's data as the gate hands it out (opened, and logged), and as it comes in; and
//! erasure by key (wall 4): what an erasure did, and when the last copy of the destroyed
//! key is gone from the key store's backups.

use serde::Serialize;
use uuid::Uuid;

use crate::ids::Cpr;
use crate::orders::OrderSummary;
use crate::taxonomy::{FieldKey, Sensitivity};
use crate::time::{Date, Timestamp};

/// One piece of a citizen's data, opened.
#[derive(Debug, Clone, Serialize)]
pub struct Datum {
    pub id: Uuid,
    pub field: FieldKey,
    pub value: String,
    pub source: String,
    /// The name of the controller's purpose the item was collected for, if one was given.
    pub purpose: Option<String>,
    pub collected_at: Timestamp,
    /// For a superseded version: when the newer value replaced it.
    pub replaced_at: Option<Timestamp>,
    pub restricted: bool,
    /// Found incorrect in a rights case: the note that rectifies it, shown wherever the
    /// item is shown (nothing is overwritten).
    pub rectification: Option<String>,
}

impl Datum {
    pub fn sensitivity(&self) -> Sensitivity {
        self.field.sensitivity()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectView {
    pub id: Uuid,
    pub data: Vec<Datum>,
    /// Superseded versions of the items (not restricted), newest replacement first: what
    /// the record said before, and when it was replaced.
    pub history: Vec<Datum>,
    /// Every order for the citizen; those of other units open only by a stand-in access.
    pub orders: Vec<OrderSummary>,
}

impl SubjectView {
    pub fn value(&self, field: FieldKey) -> Option<&str> {
        self.data
            .iter()
            .find(|d| d.field == field)
            .map(|d| d.value.as_str())
    }
}

/// A value to record about a citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDatum {
    pub field: FieldKey,
    pub value: String,
    /// Where it came from: the citizen, another authority, a supplier (free text).
    pub source: String,
    /// The name of one of the controller's purposes, resolved by the gate; unknown names
    /// are refused as [`crate::Problem::UnknownPurpose`].
    pub purpose: Option<String>,
}

/// A citizen to register by a bulk import: the CPR number and the items (the name among
/// them), checked at the edge.
#[derive(Debug, Clone)]
pub struct IntakeCitizen {
    pub cpr: Cpr,
    pub data: Vec<NewDatum>,
}

/// What became of one citizen of a bulk import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    Registered(Uuid),
    /// Already registered with the controller (a re-run): nothing written.
    Exists,
    /// Refused (an unknown purpose): nothing written.
    Refused(crate::Problem),
}

/// What an erasure did (wall 4). The citizen's key is destroyed first, in the key store;
/// then their data rows are deleted, their consents' evidence cleared and their CPR hash
/// replaced by random bytes, in one transaction with its access-log entry. The ledger,
/// the access log and the orders stay (wall 3): their sealed texts went with the key.
#[derive(Debug, Clone, Serialize)]
pub struct Erasure {
    pub subject_id: Uuid,
    /// When the erasure was first recorded (an erasure finished later keeps this time).
    pub erased_at: Timestamp,
    /// Whether this erasure destroyed the key; false when it was already gone (an erasure
    /// interrupted after the key, finished now).
    pub key_destroyed: bool,
    /// Data rows (current and superseded values) deleted.
    pub data_deleted: u64,
    /// Consents whose sealed evidence was cleared (the consents themselves stay as facts).
    pub consents_cleared: u64,
}

/// How many days the key store's own backups are kept, unless configured otherwise.
pub const DEFAULT_KEY_BACKUP_DAYS: u32 = 35;

/// Whether a key-store backup taken on `taken` is past its retention on `today`: more than
/// `days` days old. Such backups are deleted by the next backup run.
pub fn key_backup_expired(taken: Date, today: Date, days: u32) -> bool {
    taken.plus_days(i32::try_from(days).unwrap_or(i32::MAX)) < today
}

/// The date by which a key destroyed at `erased_at` is gone from every key-store backup,
/// with backups kept `days` days and taken (and pruned) daily: the last backup that can
/// hold the key was taken on the erasure's day at the latest, is past its retention the day
/// after `days` more days, and is deleted by that day's run.
pub fn key_backups_gone_by(erased_at: Timestamp, days: u32) -> Date {
    let days = i32::try_from(days).unwrap_or(i32::MAX - 1);
    erased_at.local_date().plus_days(days.saturating_add(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_destroyed_key_leaves_the_backups_after_their_retention() {
        // 2026-11-23 12:00 UTC, the 23rd in Copenhagen.
        let erased = Timestamp(1_795_435_200 * Timestamp::MICROS_PER_SECOND);
        let gone = key_backups_gone_by(erased, DEFAULT_KEY_BACKUP_DAYS);
        assert_eq!(gone, Date::from_ymd(2026, 12, 29).expect("date"));
        // The backup taken on the erasure's day is kept for 35 days, and gone the day after.
        let taken = erased.local_date();
        assert!(!key_backup_expired(taken, taken.plus_days(35), 35));
        assert!(key_backup_expired(taken, gone, 35));
        // 23:30 UTC on the 31st of December is already the new year in Copenhagen.
        let late = Timestamp(1_798_759_800 * Timestamp::MICROS_PER_SECOND);
        assert_eq!(
            key_backups_gone_by(late, 7),
            Date::from_ymd(2027, 1, 9).expect("date")
        );
    }
}
