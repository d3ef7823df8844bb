//! An access-log entry: the row the gate writes ([`LogRow`]), and the same entry as it is
//! hashed into the Merkle tree ([`LeafEntry`]).
//!
//! The leaf (format 2, [`LEAF_FORMAT`]) is the entry as RFC 8785 canonical JSON: the twelve
//! members below in the order of their names, `null` for an absent value, no whitespace,
//! strings escaped as RFC 8785 says (`"` and `\` with a backslash; U+0008, U+0009, U+000A,
//! U+000C and U+000D as `\b \t \n \f \r`; other characters below U+0020 as `\u00xx` in
//! lower-case hex; everything else, `<`, `>`, `&`, U+007F and U+2028 included, as it is),
//! UUIDs as lower-case hyphenated strings, `at` (microseconds since the Unix epoch) and
//! `index` (the leaf's place in the log's one tree) as integers, which the writer keeps
//! below 2^53 so that every RFC 8785 implementation writes them the same way:
//!
//! `{"at":…,"criterion":…,"detail":…,"id":…,"index":…,"organisation_id":…,"outcome":…,
//! "purpose":…,"stand_in":…,"subject_id":…,"use_kind":…,"user_id":…}`
//!
//! Shards of format 1 (written before this format) hash the entry in the program's field
//! order with its shard and its index in the shard; they keep their hashes and are
//! verified as they were.

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

/// The leaf format of new shards: RFC 8785 JSON, one tree across shards.
pub const LEAF_FORMAT: u8 = 2;
/// The format of shards written before it: per-shard trees, the program's field order.
pub const LEGACY_LEAF_FORMAT: u8 = 1;
/// Integers in a leaf stay below this, so every RFC 8785 implementation writes them alike.
pub const MAX_LEAF_INTEGER: i64 = 1 << 53;

fn legacy_format() -> u8 {
    LEGACY_LEAF_FORMAT
}

/// An entry with its place in the log: the shard it is stored in, its leaf index, and the
/// leaf format its shard uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeafEntry {
    /// The leaf format ([`LEAF_FORMAT`] or [`LEGACY_LEAF_FORMAT`]); exports from before
    /// formats were named are format 1.
    #[serde(default = "legacy_format")]
    pub format: u8,
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
        self.as_ref().leaf_hash(self.format, &mut Vec::new())
    }

    /// The entry a leaf's text describes, if the text is exactly the leaf of `format` (for
    /// an entry stored in `shard`).
    pub fn from_leaf(format: u8, shard: &str, text: &str) -> Option<LeafEntry> {
        let e = if format == LEGACY_LEAF_FORMAT {
            serde_json::from_str::<LeafEntry>(text).ok()?
        } else if format == LEAF_FORMAT {
            let c: CanonicalOwned = serde_json::from_str(text).ok()?;
            LeafEntry {
                format,
                shard: shard.to_owned(),
                index: c.index,
                id: c.id,
                at: c.at,
                user_id: c.user_id,
                organisation_id: c.organisation_id,
                use_kind: c.use_kind,
                subject_id: c.subject_id,
                criterion: c.criterion,
                purpose: c.purpose,
                outcome: c.outcome,
                detail: c.detail,
                stand_in: c.stand_in,
            }
        } else {
            return None;
        };
        (e.shard == shard && e.leaf() == text.as_bytes()).then_some(e)
    }

    /// The leaf's bytes, as they are hashed.
    pub fn leaf(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        self.as_ref().write(self.format, &mut buf);
        buf
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

    /// The leaf hash in `format`, the leaf written into `buf` on the way.
    pub(crate) fn leaf_hash(&self, format: u8, buf: &mut Vec<u8>) -> Hash {
        self.write(format, buf);
        merkle::leaf_hash(buf)
    }

    /// The leaf in `format` into `buf` (cleared first).
    fn write(&self, format: u8, buf: &mut Vec<u8>) {
        buf.clear();
        // Serialising strings, numbers and UUIDs into memory cannot fail.
        let _ = if format == LEGACY_LEAF_FORMAT {
            serde_json::to_writer(&mut *buf, self)
        } else {
            serde_json::to_writer(&mut *buf, &Canonical::of(self))
        };
    }
}

/// The leaf of format 2: RFC 8785 JSON, so the members in the order of their names.
#[derive(Serialize)]
struct Canonical<'a> {
    at: i64,
    criterion: Option<&'a str>,
    detail: &'a str,
    id: Uuid,
    index: u64,
    organisation_id: Option<Uuid>,
    outcome: &'a str,
    purpose: &'a str,
    stand_in: Option<Uuid>,
    subject_id: Option<Uuid>,
    use_kind: &'a str,
    user_id: Option<Uuid>,
}

/// [`Canonical`] read back.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CanonicalOwned {
    at: i64,
    criterion: Option<String>,
    detail: String,
    id: Uuid,
    index: u64,
    organisation_id: Option<Uuid>,
    outcome: String,
    purpose: String,
    stand_in: Option<Uuid>,
    subject_id: Option<Uuid>,
    use_kind: String,
    user_id: Option<Uuid>,
}

impl<'a> Canonical<'a> {
    fn of(e: &LeafRef<'a>) -> Canonical<'a> {
        Canonical {
            at: e.at,
            criterion: e.criterion,
            detail: e.detail,
            id: e.id,
            index: e.index,
            organisation_id: e.organisation_id,
            outcome: e.outcome,
            purpose: e.purpose,
            stand_in: e.stand_in,
            subject_id: e.subject_id,
            use_kind: e.use_kind,
            user_id: e.user_id,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The published test vectors (`data/leaf-vectors.json`, made by an independent
    /// RFC 8785 writer): every leaf is exactly what this encoder writes for the entry it
    /// describes, with the same leaf hash, and the tree of them has the same roots.
    #[test]
    fn leaves_match_the_published_vectors() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../data/leaf-vectors.json")).expect("json");
        let vectors = doc["vectors"].as_array().expect("vectors");
        assert!(vectors.len() >= 5);
        let mut tree = merkle::Frontier::default();
        for v in vectors {
            let leaf = v["leaf"].as_str().expect("leaf");
            let e = LeafEntry::from_leaf(LEAF_FORMAT, "2026-12", leaf)
                .unwrap_or_else(|| panic!("not this encoder's leaf: {leaf}"));
            assert_eq!(e.leaf(), leaf.as_bytes());
            assert_eq!(
                hex::encode(e.leaf_hash()),
                v["leaf_hash"].as_str().expect("hash")
            );
            let mut buf = Vec::new();
            assert_eq!(e.as_ref().leaf_hash(LEAF_FORMAT, &mut buf), e.leaf_hash());
            tree.push(e.leaf_hash());
            assert_eq!(
                hex::encode(tree.root()),
                v["root_after"].as_str().expect("root")
            );
        }
        // Absent and empty differ.
        let empty = LeafEntry::from_leaf(
            LEAF_FORMAT,
            "2026-12",
            vectors[1]["leaf"].as_str().expect("leaf"),
        )
        .expect("leaf");
        assert_eq!(empty.criterion.as_deref(), Some(""));
        let mut absent = empty.clone();
        absent.criterion = None;
        assert_ne!(absent.leaf_hash(), empty.leaf_hash());
    }

    /// Only the exact text is a leaf: other key orders, whitespace, escapes or members are
    /// not, and neither is a leaf read as another shard's.
    #[test]
    fn only_the_exact_text_is_a_leaf() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../data/leaf-vectors.json")).expect("json");
        let leaf = doc["vectors"][2]["leaf"].as_str().expect("leaf").to_owned();
        let value: serde_json::Value = serde_json::from_str(&leaf).expect("json");
        for other in [
            serde_json::to_string_pretty(&value).expect("json"),
            leaf.replacen("{\"at\"", "{ \"at\"", 1),
            leaf.replace('/', "\\/"),
            leaf.replacen("\"index\":2", "\"index\":2.0", 1),
            leaf.replacen('}', ",\"extra\":1}", 1),
        ] {
            assert!(
                LeafEntry::from_leaf(LEAF_FORMAT, "2026-12", &other).is_none(),
                "{other}"
            );
        }
        assert!(LeafEntry::from_leaf(LEAF_FORMAT, "2026-12", &leaf).is_some());
        assert!(LeafEntry::from_leaf(3, "2026-12", &leaf).is_none());
    }

    /// Shards of format 1 keep their bytes: the program's field order, with the shard.
    #[test]
    fn legacy_leaves_keep_their_bytes() {
        let id = Uuid::parse_str("0193d1a0-0000-7000-8000-000000000001").expect("uuid");
        let e = LeafEntry {
            format: LEGACY_LEAF_FORMAT,
            shard: "2026-11".into(),
            index: 3,
            id,
            at: 5,
            user_id: None,
            organisation_id: None,
            use_kind: "view".into(),
            subject_id: None,
            criterion: Some("a\"b".into()),
            purpose: "p".into(),
            outcome: "allowed".into(),
            detail: "<d>".into(),
            stand_in: None,
        };
        let text = r#"{"shard":"2026-11","index":3,"id":"0193d1a0-0000-7000-8000-000000000001","at":5,"user_id":null,"organisation_id":null,"use_kind":"view","subject_id":null,"criterion":"a\"b","purpose":"p","outcome":"allowed","detail":"<d>"}"#;
        assert_eq!(String::from_utf8(e.leaf()).expect("utf-8"), text);
        assert_eq!(
            LeafEntry::from_leaf(LEGACY_LEAF_FORMAT, "2026-11", text),
            Some(e)
        );
    }
}
