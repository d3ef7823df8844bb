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
            id: Uuid::new_v4(),
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
    pub fn leaf_hash(&self) -> Hash {
        // Serialising a struct of strings, numbers and UUIDs cannot fail.
        merkle::leaf_hash(&serde_json::to_vec(self).unwrap_or_default())
    }

    pub(crate) fn of(row: &LogRow, shard: &str, index: u64) -> LeafEntry {
        LeafEntry {
            shard: shard.to_owned(),
            index,
            id: row.id,
            at: row.at,
            user_id: row.user_id,
            organisation_id: row.organisation_id,
            use_kind: row.use_kind.to_owned(),
            subject_id: row.subject_id,
            criterion: row.criterion.clone(),
            purpose: row.purpose.clone(),
            outcome: row.outcome.to_owned(),
            detail: row.detail.clone(),
            stand_in: row.stand_in,
        }
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
