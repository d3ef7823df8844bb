//! An access-log entry: the row the gate writes ([`LogRow`]), and the same entry as it is
//! hashed into its shard's Merkle tree ([`LeafEntry`]), its canonical JSON.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use skjold_core::Timestamp;
use skjold_core::oversight::LogFilter;

use super::merkle::{self, Hash};

/// The purpose of every use of the logs themselves.
pub(crate) const PURPOSE_OVERSIGHT: &str = "Tilsyn med behandlingen af personoplysninger";

/// One access-log row, ready to insert.
#[derive(Debug, Clone)]
pub(crate) struct LogRow {
    pub id: Uuid,
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub use_kind: &'static str,
    pub subject_id: Option<Uuid>,
    pub criterion: Option<String>,
    pub purpose: String,
    pub outcome: &'static str,
    pub detail: String,
    /// The stand-in access the entry was made under, if any.
    pub stand_in: Option<Uuid>,
    /// Set when the entry is appended to the Merkle log (see [`crate::audit`]).
    pub shard: String,
    pub idx: i64,
    pub leaf_hash: Vec<u8>,
}

/// A new entry's id: a UUIDv7 of the entry's own time (milliseconds, the same instant as
/// its `at`) and random bits. Ids then grow with the log, so each insert lands at the end
/// of the primary key's index instead of on a random page of it; in a large log that is
/// the difference between a few pages written per batch and one per entry.
pub(crate) fn entry_id(at_micros: i64) -> Uuid {
    let millis = u64::try_from(at_micros.div_euclid(1000)).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &rand::random()).into_uuid()
}

impl LogRow {
    /// An entry for a privacy officer's or auditor's use of the logs.
    pub fn oversight(
        actor: &skjold_core::Actor,
        now: crate::Now,
        subject_id: Option<Uuid>,
        criterion: String,
        detail: &str,
    ) -> LogRow {
        LogRow {
            user_id: Some(actor.user_id),
            organisation_id: Some(actor.organisation_id),
            subject_id,
            criterion: Some(criterion),
            purpose: PURPOSE_OVERSIGHT.into(),
            ..LogRow::system(now, detail)
        }
    }

    /// An entry for something the system itself did: no user, no citizen.
    pub fn system(now: crate::Now, detail: &str) -> LogRow {
        LogRow {
            id: entry_id(now.micros()),
            at: now.micros(),
            user_id: None,
            organisation_id: None,
            use_kind: skjold_core::oversight::UseKind::Oversight.key(),
            subject_id: None,
            criterion: None,
            purpose: "Vedligehold af adgangsloggen".into(),
            outcome: "allowed",
            detail: detail.to_owned(),
            stand_in: None,
            shard: String::new(),
            idx: 0,
            leaf_hash: Vec::new(),
        }
    }
}

/// An entry as it is hashed into the tree: its canonical JSON, fields in this order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafEntry {
    pub shard: String,
    pub index: u64,
    pub id: Uuid,
    /// Microseconds since the Unix epoch.
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub use_kind: String,
    pub subject_id: Option<Uuid>,
    pub criterion: Option<String>,
    pub purpose: String,
    pub outcome: String,
    pub detail: String,
    /// The stand-in access the entry was made under. Left out of the leaf when absent, so
    /// entries from before stand-in accesses keep their hashes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stand_in: Option<Uuid>,
}

impl LeafEntry {
    /// The leaf hash, through [`LeafRef`]: one encoding for appending, verifying and
    /// checking exports.
    pub fn leaf_hash(&self) -> Hash {
        self.as_ref().leaf_hash(&mut Vec::new())
    }

    fn as_ref(&self) -> LeafRef<'_> {
        LeafRef {
            shard: &self.shard,
            index: self.index,
            id: self.id,
            at: self.at,
            user_id: self.user_id,
            organisation_id: self.organisation_id,
            use_kind: &self.use_kind,
            subject_id: self.subject_id,
            criterion: self.criterion.as_deref(),
            purpose: &self.purpose,
            outcome: &self.outcome,
            detail: &self.detail,
            stand_in: self.stand_in,
        }
    }
}

/// [`LeafEntry`] borrowed: the same fields in the same order with the same attributes, so
/// it serialises to the same bytes, without copying the entry's text. Appending and
/// verifying hash entries through it, into a reused buffer.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct LeafRef<'a> {
    pub shard: &'a str,
    pub index: u64,
    pub id: Uuid,
    pub at: i64,
    pub user_id: Option<Uuid>,
    pub organisation_id: Option<Uuid>,
    pub use_kind: &'a str,
    pub subject_id: Option<Uuid>,
    pub criterion: Option<&'a str>,
    pub purpose: &'a str,
    pub outcome: &'a str,
    pub detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stand_in: Option<Uuid>,
}

impl<'a> LeafRef<'a> {
    pub(crate) fn of(row: &'a LogRow, shard: &'a str, index: u64) -> LeafRef<'a> {
        LeafRef {
            shard,
            index,
            id: row.id,
            at: row.at,
            user_id: row.user_id,
            organisation_id: row.organisation_id,
            use_kind: row.use_kind,
            subject_id: row.subject_id,
            criterion: row.criterion.as_deref(),
            purpose: &row.purpose,
            outcome: row.outcome,
            detail: &row.detail,
            stand_in: row.stand_in,
        }
    }

    /// The leaf hash, the canonical JSON written into `buf` (cleared first) on the way.
    pub(crate) fn leaf_hash(&self, buf: &mut Vec<u8>) -> Hash {
        buf.clear();
        // Serialising strings, numbers and UUIDs into memory cannot fail.
        let _ = serde_json::to_writer(&mut *buf, self);
        merkle::leaf_hash(buf)
    }
}

/// The shard an instant falls in: its month in Copenhagen, `YYYY-MM`.
pub fn shard_of(at: Timestamp) -> String {
    let d = at.local_date();
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The origin line of a shard's checkpoints.
pub fn origin(signer_name: &str, shard: &str) -> String {
    format!("{signer_name}/access-log/{shard}")
}

/// The criterion of an oversight entry: the filter the logs were read with.
pub(crate) fn describe_filter(f: &LogFilter) -> String {
    let mut parts = Vec::new();
    if let Some(s) = f.subject_id {
        parts.push(format!("borger={s}"));
    }
    if let Some(u) = f.user_id {
        parts.push(format!("bruger={u}"));
    }
    if let Some(o) = f.organisation_id {
        parts.push(format!("organisation={o}"));
    }
    if let Some(t) = f.from {
        parts.push(format!("fra={}", t.rfc3339()));
    }
    if let Some(t) = f.until {
        parts.push(format!("til={}", t.rfc3339()));
    }
    if parts.is_empty() {
        "alle".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The borrowed form hashes exactly as the leaf format does, whatever the text holds.
    #[test]
    fn borrowed_leaf_hashes_as_the_entry() {
        let texts = [
            "",
            "Borgerens oplysninger vist",
            "æøå ÆØÅ – “citat” 🛡",
            "quote \" backslash \\ slash / tab \t newline \n nul \u{0} bell \u{7} del \u{7f}",
            "\u{2028}\u{2029}\u{1f}\u{ffff}",
        ];
        let mut buf = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            for pick in 0..4u8 {
                let some = |b: u8| (pick & b != 0).then(Uuid::new_v4);
                let e = LeafEntry {
                    shard: "2026-12".into(),
                    index: [0, 1, 7, u64::MAX][usize::from(pick)],
                    id: Uuid::new_v4(),
                    at: [-1, 0, 1_764_547_200_000_000, i64::MAX][usize::from(pick)],
                    user_id: some(1),
                    organisation_id: some(2),
                    use_kind: (*t).into(),
                    subject_id: some(1),
                    criterion: (pick & 1 == 0).then(|| (*t).to_owned()),
                    purpose: texts[(i + 1) % texts.len()].into(),
                    outcome: "denied".into(),
                    detail: (*t).into(),
                    stand_in: some(2),
                };
                assert_eq!(
                    serde_json::to_vec(&e.as_ref()).expect("json"),
                    serde_json::to_vec(&e).expect("json")
                );
                assert_eq!(
                    e.as_ref().leaf_hash(&mut buf),
                    merkle::leaf_hash(&serde_json::to_vec(&e).expect("json"))
                );
            }
        }
    }
}
