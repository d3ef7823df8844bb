//! Verification: every shard recomputed from its entries, every signed checkpoint checked
//! against the tree it claims, and the first problem of each kind reported with its place.

use serde::Serialize;

use super::entry::origin;
use super::merkle::Frontier;
use super::note::{Checkpoint, NoteVerifier};
use super::{AuditLog, ENTRY_SELECT, EntryRow, SHARD_SELECT, ShardRow};
use crate::StoreError;
use crate::db::{fetch, scalar};
use crate::log::frontier_of;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub shard: String,
    /// The first entry that does not fit, when one can be named.
    pub index: Option<u64>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.index {
            Some(i) => write!(f, "shard {} entry {}: {}", self.shard, i, self.what),
            None => write!(f, "shard {}: {}", self.shard, self.what),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ShardReport {
    pub shard: String,
    pub entries: u64,
    pub checkpoints: usize,
    pub closed: bool,
    pub pruned: bool,
}

/// The outcome of verifying the whole log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub shards: Vec<ShardReport>,
    pub entries: u64,
    pub checkpoints: usize,
    /// Entries from before the log was a Merkle tree, not covered by it.
    pub legacy_entries: u64,
    /// Empty when the log verifies.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How many entries verification reads at a time.
const PAGE: i64 = 20_000;

impl AuditLog {
    /// Recomputes every shard from its entries and checks every checkpoint against the
    /// tree and its signature. Reads the log in pages; memory stays O(log n) per shard.
    pub async fn verify_log(&self) -> Result<VerifyReport, StoreError> {
        let verifier = self.log_verifier();
        let mut report = VerifyReport::default();
        let mut tx = self.db.read().await?;
        report.legacy_entries = u64::try_from(scalar!(
            &mut tx,
            fetch_one,
            i64,
            "SELECT COUNT(*) FROM access_log WHERE shard IS NULL"
        )?)
        .unwrap_or(0);
        let shards = fetch!(
            &mut tx,
            fetch_all,
            ShardRow,
            &format!("{SHARD_SELECT} ORDER BY id")
        )?;
        drop(tx);
        for s in shards {
            let (shard, problem) = self.verify_shard(&verifier, &s).await?;
            report.entries += shard.entries;
            report.checkpoints += shard.checkpoints;
            report.shards.push(shard);
            report.problems.extend(problem);
        }
        Ok(report)
    }

    async fn verify_shard(
        &self,
        verifier: &NoteVerifier,
        s: &ShardRow,
    ) -> Result<(ShardReport, Option<Problem>), StoreError> {
        let mut tx = self.db.read().await?;
        let problem = |index: Option<u64>, what: String| Problem {
            shard: s.id.clone(),
            index,
            what,
        };
        let checkpoints: Vec<(i64, Vec<u8>, String)> = fetch!(
            &mut tx,
            fetch_all,
            (i64, Vec<u8>, String),
            "SELECT size, root_hash, note FROM log_checkpoint WHERE shard = $1 ORDER BY size",
            s.id.as_str()
        )?;
        let mut report = ShardReport {
            shard: s.id.clone(),
            entries: 0,
            checkpoints: checkpoints.len(),
            closed: s.closed_at.is_some(),
            pruned: s.pruned_at.is_some(),
        };
        let head_size = u64::try_from(s.size).unwrap_or(0);
        // Every checkpoint must carry a valid signature for this shard.
        let mut heads: Vec<Checkpoint> = Vec::with_capacity(checkpoints.len());
        for (size, root, note) in &checkpoints {
            let opened = match verifier.open(note) {
                Ok(c) => c,
                Err(e) => {
                    return Ok((
                        report,
                        Some(problem(None, format!("checkpoint at size {size}: {e}"))),
                    ));
                }
            };
            let expected_origin = origin(verifier.name(), &s.id);
            if opened.origin != expected_origin
                || i64::try_from(opened.size).ok() != Some(*size)
                || opened.root.as_slice() != root.as_slice()
            {
                return Ok((
                    report,
                    Some(problem(
                        None,
                        format!("checkpoint at size {size} does not say what its note signs"),
                    )),
                ));
            }
            heads.push(opened);
        }
        if let Some(last) = heads.last()
            && last.size > head_size
        {
            return Ok((
                report,
                Some(problem(
                    Some(head_size),
                    format!(
                        "the log head says {head_size} entries but a checkpoint covers {}: entries were removed",
                        last.size
                    ),
                )),
            ));
        }
        if s.pruned_at.is_some() {
            let left: i64 = scalar!(
                &mut tx,
                fetch_one,
                i64,
                "SELECT COUNT(*) FROM access_log WHERE shard = $1",
                s.id.as_str()
            )?;
            let last = heads.last().map_or(0, |c| c.size);
            let found = if left > 0 {
                Some(problem(None, format!("pruned, yet {left} entries remain")))
            } else if last != head_size {
                Some(problem(None, "pruned without a final checkpoint".into()))
            } else {
                None
            };
            return Ok((report, found));
        }
        let mut frontier = Frontier::default();
        let mut next_checkpoint = heads.iter().peekable();
        let mut last_good: Option<u64> = None;
        let mut from = 0i64;
        loop {
            let rows = fetch!(
                &mut tx,
                fetch_all,
                EntryRow,
                &format!("{ENTRY_SELECT} WHERE shard = $1 AND idx >= $2 ORDER BY idx LIMIT $3"),
                s.id.as_str(),
                from,
                PAGE
            )?;
            let Some(last) = rows.last() else { break };
            from = last.idx + 1;
            for row in &rows {
                let expected = frontier.size();
                let index = u64::try_from(row.idx).unwrap_or(u64::MAX);
                if index != expected {
                    return Ok((
                        report,
                        Some(problem(
                            Some(expected),
                            "missing: the next entry has a later index".into(),
                        )),
                    ));
                }
                let leaf = row.leaf().leaf_hash();
                if leaf.as_slice() != row.leaf_hash.as_slice() {
                    return Ok((
                        report,
                        Some(problem(
                            Some(index),
                            "changed: its content does not match its leaf hash".into(),
                        )),
                    ));
                }
                frontier.push(leaf);
                report.entries += 1;
                while let Some(c) = next_checkpoint.next_if(|c| c.size == frontier.size()) {
                    if c.root != frontier.root() {
                        let after = last_good
                            .map_or("the start".to_owned(), |g| format!("entry {}", g - 1));
                        return Ok((
                            report,
                            Some(problem(
                                None,
                                format!(
                                    "the tree at size {} does not match its signed checkpoint: an entry after {after} was changed, inserted, deleted or moved",
                                    c.size
                                ),
                            )),
                        ));
                    }
                    last_good = Some(c.size);
                }
            }
        }
        let found = if frontier.size() < head_size {
            Some(problem(
                Some(frontier.size()),
                format!(
                    "missing: the log head says {head_size} entries, {} remain",
                    frontier.size()
                ),
            ))
        } else if frontier.size() > head_size {
            Some(problem(
                Some(head_size),
                format!("not in the log head ({head_size} entries): inserted"),
            ))
        } else if frontier_of(&s.id, s.size, &s.frontier).ok().as_ref() != Some(&frontier) {
            Some(problem(
                None,
                "the log head's frontier does not match the entries".into(),
            ))
        } else {
            None
        };
        Ok((report, found))
    }
}
